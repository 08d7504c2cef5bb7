import Domain
import Fluent
import SQLKit
import Vapor

/// Every statement of the workforce module, and only here: the rest of the module asks in
/// Swift terms (a person by pass, the day's counts) and gets Swift values back. Fluent queries
/// that need no SQL text stay where they are used.
///
/// The gate's check-ins and the health reports, thousands a second, are `HotStatement`s: they
/// run through SQLite's C interface (prepared once, on the writer's connection or the event
/// loop's own), and through SQLKit on PostgreSQL (`Core/DirectSQLite.swift`). The same text
/// serves both: only `?` placeholders and standard SQL.
enum WorkforceStore {
    private static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("the workforce store needs an SQL database") }
        return sql
    }

    // MARK: People

    /// How a person is found: by today's pass at the gate, by employee number, or by id.
    enum Who {
        case pass(code: String, day: CivilDate, enterpriseID: UUID)
        case number(String, enterpriseID: UUID)
        case id(UUID)

        var condition: HotStatement {
            switch self {
            case let .pass(code, day, enterpriseID):
                HotStatement("e.id = (SELECT employee_id FROM gate_passes WHERE code = ? AND day = ? AND enterprise_id = ?)",
                             [code, day.iso, enterpriseID])
            case let .number(number, enterpriseID): HotStatement("e.enterprise_id = ? AND e.employee_number = ?", [enterpriseID, number])
            case let .id(id): HotStatement("e.id = ?", [id])
            }
        }
    }

    /// A person read by one fixed statement, with the day's facts when `day` is given (today's
    /// report's symptoms, the quarantine in force): the report and the gate read one on every
    /// call, and Fluent's query building and reflection cost more than the query itself.
    static func employee(_ who: Who, day: CivilDate? = nil, on ctx: ServiceContext) async throws -> Employee? {
        let facts = day.map { day in
            HotStatement("""
                , (SELECT symptoms FROM health_reports r WHERE r.enterprise_id = e.enterprise_id AND r.day = ? \
                AND r.employee_id = e.id) AS today_symptoms, (SELECT q.start_date || '|' || q.planned_end FROM quarantines q \
                WHERE q.employee_id = e.id AND q.released_at IS NULL AND q.start_date <= ? AND q.planned_end > ? \
                ORDER BY q.planned_end DESC LIMIT 1) AS active_quarantine
                """, [day.iso, day.iso, day.iso])
        } ?? HotStatement("")
        let query = HotStatement(employeeSelect) + facts + HotStatement(" FROM employees e WHERE ") + who.condition + HotStatement(" LIMIT 1")
        guard let row = try await ctx.hotRows(query).first else { return nil }
        let employee = try Employee(row: row)
        if day != nil {
            let quarantine = try row.decode(column: "active_quarantine", as: String?.self).flatMap { text -> QuarantinePeriod? in
                let parts = text.split(separator: "|").map(String.init)
                guard parts.count == 2, let start = CivilDate(iso: parts[0]), let end = CivilDate(iso: parts[1]) else { return nil }
                return QuarantinePeriod(start: start, plannedEnd: end)
            }
            employee.today = Employee.Today(symptoms: try row.decode(column: "today_symptoms", as: String?.self), quarantine: quarantine)
        }
        return employee
    }

    /// Every column of a person, worked out once (the gate and the reports read one per call).
    private static let employeeSelect = "SELECT " + Employee.Column.all.map { "e.\($0.description)" }.joined(separator: ", ")

    /// The person's latest temperature, kept on the roster row for the health code; an older
    /// reading never overwrites a newer one.
    static func temperature(_ temperature: Double, of employeeID: UUID, at time: Date) -> HotStatement {
        HotStatement("""
            UPDATE employees SET last_temperature = ?, last_temperature_at = ? \
            WHERE id = ? AND (last_temperature_at IS NULL OR last_temperature_at <= ?)
            """, [temperature, time, employeeID, time])
    }

    /// The enterprises that have a roster.
    static func enterprisesWithRoster(_ db: any Database) async throws -> [UUID] {
        struct Row: Decodable { let enterprise_id: UUID }
        return try await sql(db).select().distinct().column("enterprise_id").from(Employee.schema).all(decoding: Row.self).map(\.enterprise_id)
    }

    // MARK: Roster import

    /// The employee numbers and ID hashes already on an enterprise's roster.
    static func rosterKeys(_ db: any Database, enterpriseID: UUID) async throws -> (numbers: Set<String>, hashes: Set<String>) {
        struct Existing: Decodable { let employee_number: String; let id_hash: String }
        let existing = try await sql(db).select().column("employee_number").column("id_hash").from(Employee.schema)
            .where("enterprise_id", .equal, SQLBind(enterpriseID)).all(decoding: Existing.self)
        return (Set(existing.map(\.employee_number)), Set(existing.map(\.id_hash)))
    }

    /// The columns of an imported row, in the order of `importRow`'s values.
    static let importColumns: [Employee.Column] = [.id, .enterpriseID, .name, .idSealed, .idHash, .idMasked, .mobile, .employeeNumber,
                                                   .department, .shift, .homeProvince, .homeCity, .status, .caseStatus, .createdAt]

    /// One imported person's values, bound before the writer: inside it only inserts run.
    static func importRow(enterpriseID: UUID, _ employee: CheckedEmployee, sealed: String, hash: String, now: Date) -> [any SQLExpression] {
        let values: [any Encodable & Sendable] = [UUID(), enterpriseID, employee.name, sealed, hash, employee.idNumber.masked,
                                                  employee.mobile.value, employee.employeeNumber, employee.department, employee.shift,
                                                  employee.homeProvince, employee.homeCity, EmploymentStatus.employed.rawValue,
                                                  CaseStatus.none.rawValue, now]
        return values.map { SQLBind($0) }
    }

    /// Inserts the rows 500 a statement (7,500 values: under SQLite's and PostgreSQL's bind
    /// limits), telling `progress` every 5,000.
    static func insertEmployees(_ db: any Database, _ rows: [[any SQLExpression]], progress: (Int) -> Void) async throws {
        let sql = try sql(db)
        let columns = importColumns.map(\.description)
        for start in stride(from: 0, to: rows.count, by: 500) {
            try await sql.insert(into: Employee.schema).columns(columns).rows(Array(rows[start..<min(start + 500, rows.count)])).run()
            if start % 5_000 == 0 { progress(start) }
        }
    }

    // MARK: The gate

    static func gateCheckIn(enterpriseID: UUID, employeeID: UUID?, typed: String, direction: GateDirection, temperature: Double?,
                            mask: Bool, allowed: Bool, reasons: String, guardID: UUID, at now: Date) -> HotStatement {
        HotStatement("""
            INSERT INTO gate_check_ins (id, enterprise_id, employee_id, typed, direction, temperature, mask, allowed, reasons, guard_id, at) \
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [UUID(), enterpriseID, employeeID, typed, direction.rawValue, temperature, mask, allowed, reasons, guardID, now])
    }

    static func checkpointPassage(enterpriseID: UUID, checkpointID: UUID, employeeID: UUID?, typed: String, temperature: Double?,
                                  allowed: Bool, reasons: String, guardID: UUID, at now: Date) -> HotStatement {
        HotStatement("""
            INSERT INTO checkpoint_passages (id, enterprise_id, checkpoint_id, employee_id, typed, temperature, allowed, reasons, guard_id, at) \
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [UUID(), enterpriseID, checkpointID, employeeID, typed, temperature, allowed, reasons, guardID, now])
    }

    struct GatePassage: Decodable {
        let at: Date
        let employee_id: UUID?
        let typed: String
        let direction: String
        let allowed: Bool
        let reasons: String
    }

    /// A day's staff passages, newest first: decisions, never temperatures.
    static func gateLog(_ db: any Database, enterpriseID: UUID, day: CivilDate, limit: Int, refusedOnly: Bool) async throws -> [GatePassage] {
        var query = try sql(db).select().columns("at", "employee_id", "typed", "direction", "allowed", "reasons")
            .from(GateLogTable.schema).where("enterprise_id", .equal, SQLBind(enterpriseID))
            .where("at", .greaterThanOrEqual, SQLBind(day.start)).where("at", .lessThan, SQLBind(day.adding(days: 1).start))
        if refusedOnly { query = query.where("allowed", .equal, SQLBind(false)) }
        return try await query.orderBy("at", .descending).limit(limit).all(decoding: GatePassage.self)
    }

    /// A day's passages at a checkpoint, newest first (each one coming in).
    static func checkpointLog(_ db: any Database, checkpointID: UUID, day: CivilDate, limit: Int, refusedOnly: Bool) async throws -> [GatePassage] {
        var query = try sql(db).select().columns("at", "employee_id", "typed", "allowed", "reasons").column(SQLAlias(SQLLiteral.string("in"), as: "direction"))
            .from(CheckpointLogTable.schema).where("checkpoint_id", .equal, SQLBind(checkpointID))
            .where("at", .greaterThanOrEqual, SQLBind(day.start)).where("at", .lessThan, SQLBind(day.adding(days: 1).start))
        if refusedOnly { query = query.where("allowed", .equal, SQLBind(false)) }
        return try await query.orderBy("at", .descending).limit(limit).all(decoding: GatePassage.self)
    }

    /// The day at the gate: people on site (whose last allowed passage was in) and refusals,
    /// counted by the database from a covering index (decoding a busy gate's day row by row took
    /// most of the summary). An exit and an entry at the very same instant count as an exit.
    static func gateDay(_ db: any Database, enterpriseID: UUID, day: CivilDate) async throws -> (onSite: Int, denials: Int) {
        struct Row: Decodable { let on_site: Int?; let denials: Int }
        let (start, end) = (day.start, day.adding(days: 1).start)
        let row = try await sql(db).raw("""
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

    // MARK: Health reports

    /// A day's report; a second one the same day replaces the first.
    static func reportUpsert(enterpriseID: UUID, day: String, employeeID: UUID, temperature: Double, symptoms: String,
                             contactWithCases: Bool, city: String, note: String, reportedBy: UUID, at now: Date) -> HotStatement {
        HotStatement("""
            INSERT INTO health_reports (enterprise_id, day, employee_id, temperature, symptoms, contact_with_cases, city, note, \
            reported_by, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
            ON CONFLICT (enterprise_id, day, employee_id) DO UPDATE SET temperature = excluded.temperature, symptoms = excluded.symptoms, \
            contact_with_cases = excluded.contact_with_cases, city = excluded.city, note = excluded.note, \
            reported_by = excluded.reported_by, reported_at = excluded.reported_at
            """, [enterpriseID, day, employeeID, temperature, symptoms, contactWithCases, city, note, reportedBy, now])
    }

    struct StoredReport: Decodable {
        let day: String
        let temperature: Double
        let symptoms: String
        let contact_with_cases: Bool
        let city: String
        let note: String
        let reported_at: Date
    }

    /// One person's reports after `since`, newest first.
    static func reports(_ db: any Database, employeeID: UUID, since: CivilDate) async throws -> [StoredReport] {
        try await sql(db).select()
            .columns("day", "temperature", "symptoms", "contact_with_cases", "city", "note", "reported_at")
            .from(HealthReportTable.schema).where("employee_id", .equal, SQLBind(employeeID))
            .where("day", .greaterThan, SQLBind(since.iso)).orderBy("day", .descending).all(decoding: StoredReport.self)
    }

    /// Who reported on a day.
    static func reported(_ db: any Database, enterpriseID: UUID, day: CivilDate) async throws -> Set<UUID> {
        struct Row: Decodable { let employee_id: UUID }
        return Set(try await sql(db).select().column("employee_id").from(HealthReportTable.schema)
            .where("enterprise_id", .equal, SQLBind(enterpriseID)).where("day", .equal, SQLBind(day.iso)).all(decoding: Row.self)
            .map(\.employee_id))
    }

    // MARK: The day's summary

    struct DayCounts: Decodable {
        let employees: Int
        /// Reports of people still employed.
        let reported: Int
        let fevers: Int
        let in_quarantine: Int
        let visitors: Int
    }

    /// The summary's counts in one statement: one round trip instead of five. The reports of
    /// people who have left are subtracted, found from the few who left (an index on enterprise
    /// and status) rather than by joining every report of the day to its person.
    static func dayCounts(_ db: any Database, enterpriseID: UUID, day: CivilDate) async throws -> DayCounts {
        let counts = try await sql(db).raw("""
            SELECT (SELECT COUNT(*) FROM employees WHERE enterprise_id = \(bind: enterpriseID) \
            AND status = \(bind: EmploymentStatus.employed.rawValue)) AS employees, \
            (SELECT COUNT(*) FROM health_reports WHERE enterprise_id = \(bind: enterpriseID) AND day = \(bind: day.iso)) - \
            (SELECT COUNT(*) FROM employees e JOIN health_reports r ON r.enterprise_id = e.enterprise_id \
            AND r.day = \(bind: day.iso) AND r.employee_id = e.id WHERE e.enterprise_id = \(bind: enterpriseID) \
            AND e.status = \(bind: EmploymentStatus.left.rawValue)) AS reported, \
            (SELECT COUNT(*) FROM fever_alerts WHERE enterprise_id = \(bind: enterpriseID) AND day = \(bind: day.iso)) AS fevers, \
            (SELECT COUNT(*) FROM quarantines WHERE enterprise_id = \(bind: enterpriseID) AND released_at IS NULL \
            AND planned_end > \(bind: day.iso) AND start_date <= \(bind: day.iso)) AS in_quarantine, \
            (SELECT COUNT(*) FROM visitors WHERE enterprise_id = \(bind: enterpriseID) AND checked_in_at >= \(bind: day.start) \
            AND checked_in_at < \(bind: day.adding(days: 1).start)) AS visitors
            """).first(decoding: DayCounts.self)
        guard let counts else { throw AppError.internalError("the summary's counts") }
        return counts
    }

    /// Rows per day from `first` to `last` of a table keyed by enterprise and day (reports,
    /// fever alerts): one grouped query.
    static func countsByDay(_ db: any Database, table: String, enterpriseID: UUID, from first: CivilDate, to last: CivilDate) async throws -> [String: Int] {
        struct Count: Decodable { let day: String; let count: Int }
        return try await sql(db).raw("""
            SELECT day, COUNT(*) AS count FROM \(ident: table) WHERE enterprise_id = \(bind: enterpriseID) \
            AND day >= \(bind: first.iso) AND day <= \(bind: last.iso) GROUP BY day
            """).all(decoding: Count.self).reduce(into: [:]) { $0[$1.day] = $1.count }
    }

    // MARK: Retention

    /// Deletes reports, gate passages and visitors before `cutoff`, inside the caller's
    /// transaction; returns how many of each.
    static func purge(_ db: any Database, before cutoff: CivilDate) async throws -> (reports: Int, gate: Int, visitors: Int) {
        let sql = try sql(db)
        struct Count: Decodable { let count: Int }
        func count(_ table: String, _ column: String, _ value: any Encodable & Sendable) async throws -> Int {
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count").from(table)
                .where(SQLIdentifier(column), .lessThan, SQLBind(value)).first(decoding: Count.self)?.count ?? 0
        }
        let reports = try await count(HealthReportTable.schema, "day", cutoff.iso)
        let gate = try await count(GateLogTable.schema, "at", cutoff.start)
        let visitors = try await count(Visitor.schema, "checked_in_at", cutoff.start)
        // The checkpoints' temperatures count with the gate's; who worked where (leave,
        // quarantine) is personal too.
        let checkpoints = try await count(CheckpointLogTable.schema, "at", cutoff.start)
        try await sql.delete(from: HealthReportTable.schema).where("day", .lessThan, SQLBind(cutoff.iso)).run()
        try await sql.delete(from: GateLogTable.schema).where("at", .lessThan, SQLBind(cutoff.start)).run()
        try await sql.delete(from: CheckpointLogTable.schema).where("at", .lessThan, SQLBind(cutoff.start)).run()
        try await sql.delete(from: Visitor.schema).where("checked_in_at", .lessThan, SQLBind(cutoff.start)).run()
        try await sql.delete(from: WorkDay.schema).where("day", .lessThan, SQLBind(cutoff.iso)).run()
        return (reports, gate + checkpoints, visitors)
    }
}
