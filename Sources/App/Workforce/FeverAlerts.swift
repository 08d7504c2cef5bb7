import Domain
import Fluent
import SQLKit
import Vapor

/// A fever at the gate, in a report or in quarantine alerts the enterprise's admins at once
/// (their pages are live) and makes the person's code yellow (the reading is their last). When
/// it completes a cluster (`FeverCluster`: fevers of that many people in one department within
/// that many days), the enterprise's support officer and the district's reviewers are told too.
enum FeverAlerts {
    struct Pending: Sendable {
        let employeeID: UUID
        let enterpriseID: UUID
        let name: String
        let department: String
        let temperature: Double
        let source: AlertSource
        let at: Date

        init(employee: Employee, temperature: Double, source: AlertSource, at: Date) {
            employeeID = employee.id!
            enterpriseID = employee.$enterprise.id
            name = employee.name
            department = employee.department
            self.temperature = temperature
            self.source = source
            self.at = at
        }
    }

    struct Outcome: Sendable {
        let enterpriseID: UUID
        let cluster: Bool
    }

    /// A reading's statements, with its alert when it is a fever: the alert is raised in the
    /// same transaction, and the pages are told after the commit. Without a fever, the
    /// statements are a plain write (`Request.write`).
    static func write(_ ctx: ServiceContext, _ statements: [HotStatement], alert: Pending?, policy: HealthPolicy) async throws {
        guard let alert else { return try await ctx.write(statements) }
        let outcome = try await ctx.transaction { db in
            for statement in statements { try await statement.run(on: db) }
            return try await raise(alert, policy: policy, on: db)
        }
        announce(ctx.app, outcome)
    }

    /// Inside the transaction of the reading.
    static func raise(_ pending: Pending, policy: HealthPolicy, on db: any Database) async throws -> Outcome {
        let today = CivilDate(pending.at)
        let since = today.adding(days: -(policy.clusterDays - 1)).iso
        let recent = try await FeverAlert.query(on: db).filter(\.$enterpriseID == pending.enterpriseID)
            .filter(\.$department == pending.department).filter(\.$day >= since).all()
        // One fever per person: their latest in the window, this one included.
        var latest: [UUID: CivilDate] = [pending.employeeID: today]
        for alert in recent { if let day = CivilDate(iso: alert.day), latest[alert.employeeID].map({ day > $0 }) ?? true { latest[alert.employeeID] = day } }
        let people = latest.count
        let cluster = FeverCluster.announces(department: pending.department, feverDays: Array(latest.values),
                                             alreadyAnnounced: recent.contains(where: \.cluster), today: today, policy: policy)
        let alert = FeverAlert()
        alert.enterpriseID = pending.enterpriseID
        alert.employeeID = pending.employeeID
        alert.department = pending.department
        alert.temperature = pending.temperature
        alert.source = pending.source
        alert.day = today.iso
        alert.cluster = cluster
        alert.createdAt = pending.at
        try await PreparedInsert(alert).run(on: db, for: alert)

        let temperature = String(format: "%.1f", pending.temperature)
        let admins = try await User.query(on: db).filter(\.$enterprise.$id == pending.enterpriseID).filter(\.$role == .enterpriseAdmin).all()
        for admin in admins {
            try await Notification.toUser(admin.id!, "notice.fever", [pending.name, temperature, pending.department], link: "/workforce",
                                          at: pending.at, on: db)
        }
        if cluster {
            let enterprise = try await Enterprise.find(pending.enterpriseID, on: db)
            let officers = try await OfficerService.currentAssignment(pending.enterpriseID, on: db).map { [$0.$officer.id] } ?? []
            let reviewers = try await User.query(on: db).filter(\.$role == .reviewer).filter(\.$disabledAt == nil).all().map { $0.id! }
            for userID in Set(officers + reviewers) {
                try await Notification.toUser(userID, "notice.feverCluster", [enterprise?.name ?? "", pending.department, String(people)],
                                              link: "/workforce/district", at: pending.at, on: db)
            }
        }
        return Outcome(enterpriseID: pending.enterpriseID, cluster: cluster)
    }

    /// After the commit: live pages of the enterprise refresh their alerts.
    static func announce(_ app: Application, _ outcome: Outcome) {
        app.publishLive("fever", to: Set(["enterprise:\(outcome.enterpriseID)"] + (outcome.cluster ? ["all"] : [])))
    }

    struct AlertDTO: Content {
        let id: UUID
        let employeeId: UUID
        let name: String
        let department: String
        let temperature: Double
        let source: AlertSource
        let cluster: Bool
        let at: Date
        let handled: Bool
    }

    static func list(_ ctx: ServiceContext, enterpriseID: UUID, days: Int = 7) async throws -> [AlertDTO] {
        let since = CivilDate(ctx.now).adding(days: -days).iso
        let alerts = try await FeverAlert.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day >= since)
            .sort(\.$createdAt, .descending).limit(200).all()
        let names = try await Employee.names(alerts.map(\.employeeID), on: ctx.db)
        return alerts.map {
            AlertDTO(id: $0.id!, employeeId: $0.employeeID, name: names[$0.employeeID] ?? "", department: $0.department,
                     temperature: $0.temperature, source: $0.source, cluster: $0.cluster, at: $0.createdAt, handled: $0.handledAt != nil)
        }
    }

    static func handle(_ ctx: ServiceContext, alertID: UUID, enterpriseID: UUID) async throws {
        guard let alert = try await FeverAlert.find(alertID, on: ctx.db), alert.enterpriseID == enterpriseID else { throw AppError.notFound }
        guard alert.handledAt == nil else { return }
        alert.handledAt = ctx.now
        alert.handledBy = try ctx.requireUser().id
        try await ctx.transaction { db in
            try await alert.save(on: db)
            try await Audit.record(ctx, on: db, action: "fever.handle", entity: "feverAlert", entityID: alert.id)
        }
    }
}
