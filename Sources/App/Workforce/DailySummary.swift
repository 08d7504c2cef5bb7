import Domain
import Fluent
import SQLKit
import Vapor

/// An enterprise's day: on-site headcount, the share that reported, fevers, people in
/// quarantine, supplies in days. For the enterprise, its officer and the district.
enum DailySummary {
    struct DTO: Content {
        let enterpriseId: UUID
        let date: String
        let employees: Int
        /// People whose last gate passage of the day was an allowed entry.
        let onSite: Int
        let reported: Int
        /// Reported ÷ employees, 0–1.
        let reportedShare: Double
        let fevers: Int
        let inQuarantine: Int
        let gateDenials: Int
        let visitors: Int
        /// The scarcest supply, in days (nil: nothing used or stocked).
        let suppliesDays: Double?
        let lowSupplies: [SupplyItem]
        /// Who works where that day (居家办公), against the on-site headcount allowed; nil in
        /// the district's list, which does not show it.
        let arrangements: SiteService.ArrangementDay?
        /// The site's disinfection as of now: areas, overdue ones, disinfections still to do today.
        let disinfection: Disinfection?
    }

    struct Disinfection: Content {
        let areas: Int
        let overdue: Int
        let missingToday: Int
    }

    static func compute(_ ctx: ServiceContext, enterpriseID: UUID, day: CivilDate, site: Bool = true) async throws -> DTO {
        let counts = try await WorkforceStore.dayCounts(ctx.db, enterpriseID: enterpriseID, day: day)
        let gate = try await WorkforceStore.gateDay(ctx.db, enterpriseID: enterpriseID, day: day)
        let supplies = try await Supplies.items(ctx, enterpriseID: enterpriseID, onSite: gate.onSite)
        let areas = site ? try await SiteService.status(ctx, enterpriseID: enterpriseID) : []
        return DTO(enterpriseId: enterpriseID, date: day.iso, employees: counts.employees, onSite: gate.onSite, reported: counts.reported,
                   reportedShare: WorkforceFigures(employees: counts.employees, onSite: 0, reported: counts.reported, fevers: 0, inQuarantine: 0,
                                                   lowSupplies: false).reportedShare,
                   fevers: counts.fevers, inQuarantine: counts.in_quarantine, gateDenials: gate.denials, visitors: counts.visitors,
                   suppliesDays: supplies.compactMap(\.daysRemaining).min(), lowSupplies: supplies.filter(\.low).map(\.item),
                   arrangements: site ? try await SiteService.day(ctx, enterpriseID: enterpriseID, day: day) : nil,
                   disinfection: site ? Disinfection(areas: areas.count, overdue: areas.filter(\.overdue).count,
                                                     missingToday: areas.reduce(0) { $0 + $1.missingToday }) : nil)
    }

    /// Reports and fevers per day over the `days` days ending on `last`, oldest first: two
    /// grouped queries (the reports' key starts with the enterprise and the day).
    static func week(_ ctx: ServiceContext, enterpriseID: UUID, last: CivilDate, days: Int = 7) async throws -> [(day: CivilDate, reported: Int, fevers: Int)] {
        let first = last.adding(days: -(days - 1))
        func counts(_ table: String) async throws -> [String: Int] {
            try await WorkforceStore.countsByDay(ctx.db, table: table, enterpriseID: enterpriseID, from: first, to: last)
        }
        let reported = try await counts(HealthReportTable.schema), fevers = try await counts(FeverAlert.schema)
        return (0..<days).map { first.adding(days: $0) }.map { ($0, reported[$0.iso] ?? 0, fevers[$0.iso] ?? 0) }
    }

    /// Who may read an enterprise's summary: its admin, its officers, and the district's roles.
    static func check(_ ctx: ServiceContext, enterpriseID: UUID) async throws {
        let user = try ctx.requireUser()
        switch user.role {
        case .enterpriseAdmin: try ctx.checkEnterprise(enterpriseID, for: user)
        case .officer:
            guard let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db),
                  try await OfficerService.serves(user, enterprise, on: ctx.db) else { throw AppError.notFound }
        case .districtAdmin, .leader, .reviewer: guard try await Enterprise.find(enterpriseID, on: ctx.db) != nil else { throw AppError.notFound }
        default: throw AppError.forbidden
        }
    }

    /// Who has not reported today (the enterprise admin's list).
    static func notReported(_ ctx: ServiceContext, enterpriseID: UUID, day: CivilDate) async throws -> [Roster.EmployeeDTO] {
        let done = try await WorkforceStore.reported(ctx.db, enterpriseID: enterpriseID, day: day)
        return try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$status == .employed)
            .sort(\.$employeeNumber).all().filter { !done.contains($0.id!) }.prefix(500).map(Roster.EmployeeDTO.init)
    }
}

/// Health reports, gate logs and visitor logs older than the district's retention period are
/// deleted (`fugong purge`, and nightly by the server's clock); the deletion is audited.
enum Retention {
    struct Outcome: Content, Equatable {
        let before: String
        let healthReports: Int
        let gateCheckIns: Int
        let visitors: Int
    }

    static func purge(_ app: Application, now: Date) async throws -> Outcome {
        let settings = try await DistrictSettings.load(app.db)
        let cutoff = CivilDate(now).adding(days: -settings.health.retentionDays)
        return try await app.transaction { db in
            let (reports, gate, visitors) = try await WorkforceStore.purge(db, before: cutoff)
            try await Audit.record(app.context(now: now), on: db, action: "retention.purge", entity: "workforce",
                                   detail: "before=\(cutoff.iso),healthReports=\(reports),gateCheckIns=\(gate),visitors=\(visitors)")
            return Outcome(before: cutoff.iso, healthReports: reports, gateCheckIns: gate, visitors: visitors)
        }
    }
}

/// `fugong purge`: the retention deletion, now.
struct PurgeCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Deletes health reports, gate logs and visitor logs past the retention period" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let outcome = try await Retention.purge(context.application, now: Date())
        context.console.print("Deleted before \(outcome.before): \(outcome.healthReports) health reports, "
                              + "\(outcome.gateCheckIns) gate check-ins, \(outcome.visitors) visitors")
    }
}
