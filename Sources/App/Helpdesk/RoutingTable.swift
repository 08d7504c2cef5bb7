import Domain
import Fluent
import Vapor

/// Where a new ticket goes: the department its category is routed to, else the duty desk, else
/// the first department by name. Every ticket asks, so the instance keeps the table for a few
/// seconds (`InstanceCache`); a change made here clears it at once.
struct RoutingTable: Sendable {
    let departments: [Department]
    let rules: [TicketCategory: UUID]

    static func current(_ ctx: ServiceContext) async throws -> RoutingTable {
        try await ctx.app.routingCache.value {
            let departments = try await Department.query(on: ctx.db).sort(\.$name).all()
            let rules = try await RoutingRule.query(on: ctx.db).all()
            return RoutingTable(departments: departments,
                                rules: Dictionary(rules.map { ($0.category, $0.$department.id) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// Call after any change to departments or routing rules.
    static func changed(_ app: Application) {
        app.cluster.changed(.routing)
    }

    func department(for category: TicketCategory) throws -> Department {
        if let id = rules[category], let routed = departments.first(where: { $0.id == id }) { return routed }
        if let desk = departments.first(where: \.isDutyDesk) { return desk }
        if let first = departments.first { return first }
        throw AppError.conflict(field: "category", messageKey: "error.ticket.noDepartment")
    }
}

extension Application {
    private struct RoutingCacheKey: StorageKey { typealias Value = InstanceCache<RoutingTable> }

    /// Made in `configure`, before any request.
    var routingCache: InstanceCache<RoutingTable> {
        get { storage[RoutingCacheKey.self]! }
        set { storage[RoutingCacheKey.self] = newValue }
    }
}
