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
    }

    static func compute(_ req: Request, enterpriseID: UUID, day: CivilDate) async throws -> DTO {
        guard let sql = req.db as? any SQLDatabase else { throw AppError.internalError("the summary needs SQL") }
        // The counts in one statement: one round trip instead of five.
        struct Counts: Decodable { let employees: Int; let reported: Int; let fevers: Int; let in_quarantine: Int; let visitors: Int }
        let counts = try await sql.raw("""
            SELECT (SELECT COUNT(*) FROM employees WHERE enterprise_id = \(bind: enterpriseID) \
            AND status = \(bind: EmploymentStatus.employed.rawValue)) AS employees, \
            (SELECT COUNT(*) FROM health_reports r JOIN employees e ON e.id = r.employee_id \
            WHERE r.enterprise_id = \(bind: enterpriseID) AND r.day = \(bind: day.iso) \
            AND e.status = \(bind: EmploymentStatus.employed.rawValue)) AS reported, \
            (SELECT COUNT(*) FROM fever_alerts WHERE enterprise_id = \(bind: enterpriseID) AND day = \(bind: day.iso)) AS fevers, \
            (SELECT COUNT(*) FROM quarantines WHERE enterprise_id = \(bind: enterpriseID) AND released_at IS NULL \
            AND planned_end > \(bind: day.iso) AND start_date <= \(bind: day.iso)) AS in_quarantine, \
            (SELECT COUNT(*) FROM visitors WHERE enterprise_id = \(bind: enterpriseID) AND checked_in_at >= \(bind: day.start) \
            AND checked_in_at < \(bind: day.adding(days: 1).start)) AS visitors
            """).first(decoding: Counts.self)
        guard let counts else { throw AppError.internalError("the summary's counts") }
        let gate = try await gateDay(sql, enterpriseID: enterpriseID, day: day)
        let supplies = try await Supplies.items(req.context, enterpriseID: enterpriseID, onSite: gate.onSite)
        return DTO(enterpriseId: enterpriseID, date: day.iso, employees: counts.employees, onSite: gate.onSite, reported: counts.reported,
                   reportedShare: WorkforceFigures(employees: counts.employees, onSite: 0, reported: counts.reported, fevers: 0, inQuarantine: 0,
                                                   lowSupplies: false).reportedShare,
                   fevers: counts.fevers, inQuarantine: counts.in_quarantine, gateDenials: gate.denials, visitors: counts.visitors,
                   suppliesDays: supplies.compactMap(\.daysRemaining).min(), lowSupplies: supplies.filter(\.low).map(\.item))
    }

    /// The day at the gate: people on site (whose last allowed passage was in) and refusals,
    /// counted by the database (decoding a busy gate's day row by row took most of the summary).
    /// An exit and an entry at the very same instant count as an exit.
    static func gateDay(_ sql: any SQLDatabase, enterpriseID: UUID, day: CivilDate) async throws -> (onSite: Int, denials: Int) {
        struct Row: Decodable { let on_site: Int?; let denials: Int }
        let (start, end) = (day.start, day.adding(days: 1).start)
        let row = try await sql.raw("""
            SELECT (SELECT SUM(CASE WHEN direction = \(bind: GateDirection.in.rawValue) THEN 1 ELSE 0 END) FROM \
            (SELECT direction, ROW_NUMBER() OVER (PARTITION BY employee_id ORDER BY at DESC, \
            CASE WHEN direction = \(bind: GateDirection.out.rawValue) THEN 0 ELSE 1 END) AS latest FROM gate_check_ins \
            WHERE enterprise_id = \(bind: enterpriseID) AND at >= \(bind: start) AND at < \(bind: end) AND allowed = \(bind: true) \
            AND employee_id IS NOT NULL) AS passages WHERE latest = 1) AS on_site, \
            (SELECT COUNT(*) FROM gate_check_ins WHERE enterprise_id = \(bind: enterpriseID) AND at >= \(bind: start) \
            AND at < \(bind: end) AND allowed = \(bind: false)) AS denials
            """).first(decoding: Row.self)
        return (row?.on_site ?? 0, row?.denials ?? 0)
    }

    /// Reports and fevers per day over the `days` days ending on `last`, oldest first: two
    /// grouped queries (the reports' key starts with the enterprise and the day).
    static func week(_ req: Request, enterpriseID: UUID, last: CivilDate, days: Int = 7) async throws -> [(day: CivilDate, reported: Int, fevers: Int)] {
        guard let sql = req.db as? any SQLDatabase else { throw AppError.internalError("the summary needs SQL") }
        let first = last.adding(days: -(days - 1))
        struct Count: Decodable { let day: String; let count: Int }
        func counts(_ table: String) async throws -> [String: Int] {
            try await sql.raw("""
                SELECT day, COUNT(*) AS count FROM \(ident: table) WHERE enterprise_id = \(bind: enterpriseID) \
                AND day >= \(bind: first.iso) AND day <= \(bind: last.iso) GROUP BY day
                """).all(decoding: Count.self).reduce(into: [:]) { $0[$1.day] = $1.count }
        }
        let reported = try await counts(HealthReportTable.schema), fevers = try await counts(FeverAlert.schema)
        return (0..<days).map { first.adding(days: $0) }.map { ($0, reported[$0.iso] ?? 0, fevers[$0.iso] ?? 0) }
    }

    /// Who may read an enterprise's summary: its admin, its officers, and the district's roles.
    static func check(_ req: Request, enterpriseID: UUID) async throws {
        let user = try req.requireUser()
        switch user.role {
        case .enterpriseAdmin: try req.checkEnterprise(enterpriseID, for: user)
        case .officer:
            guard let enterprise = try await Enterprise.find(enterpriseID, on: req.db),
                  try await OfficerService.serves(user, enterprise, on: req.db) else { throw AppError.notFound }
        case .districtAdmin, .leader, .reviewer: guard try await Enterprise.find(enterpriseID, on: req.db) != nil else { throw AppError.notFound }
        default: throw AppError.forbidden
        }
    }

    /// Who has not reported today (the enterprise admin's list).
    static func notReported(_ req: Request, enterpriseID: UUID, day: CivilDate) async throws -> [Roster.EmployeeDTO] {
        struct Row: Decodable { let employee_id: UUID }
        let reported = try await (req.db as! any SQLDatabase).select().column("employee_id").from(HealthReportTable.schema)
            .where("enterprise_id", .equal, SQLBind(enterpriseID)).where("day", .equal, SQLBind(day.iso)).all(decoding: Row.self)
        let done = Set(reported.map(\.employee_id))
        return try await Employee.query(on: req.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$status == .employed)
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
            guard let sql = db as? any SQLDatabase else { throw AppError.internalError("purge needs SQL") }
            struct Count: Decodable { let count: Int }
            func count(_ table: String, _ column: String, _ value: any Encodable & Sendable) async throws -> Int {
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count").from(table)
                    .where(SQLIdentifier(column), .lessThan, SQLBind(value)).first(decoding: Count.self)?.count ?? 0
            }
            let reports = try await count(HealthReportTable.schema, "day", cutoff.iso)
            let gate = try await count(GateLogTable.schema, "at", cutoff.start)
            let visitors = try await count(Visitor.schema, "checked_in_at", cutoff.start)
            try await sql.delete(from: HealthReportTable.schema).where("day", .lessThan, SQLBind(cutoff.iso)).run()
            try await sql.delete(from: GateLogTable.schema).where("at", .lessThan, SQLBind(cutoff.start)).run()
            try await sql.delete(from: Visitor.schema).where("checked_in_at", .lessThan, SQLBind(cutoff.start)).run()
            try await sql.insert(into: AuditEvent.schema).columns("id", "at", "action", "entity", "address", "detail")
                .values(SQLBind(UUID()), SQLBind(now), SQLBind("retention.purge"), SQLBind("workforce"), SQLBind("server"),
                        SQLBind("before=\(cutoff.iso),healthReports=\(reports),gateCheckIns=\(gate),visitors=\(visitors)"))
                .run()
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
