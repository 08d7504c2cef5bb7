import Domain
import Fluent
import SQLKit
import Vapor

/// An enterprise's roster: employees added one by one or imported from CSV, listed, exported
/// with IDs masked, and the full ID number shown to the enterprise admin on request (audited).
enum Roster {
    struct EmployeeDTO: Content {
        let id: UUID
        let enterpriseId: UUID
        let name: String
        /// Always masked (`110105********002X`); `GET …/id-number` gives the full one.
        let idNumber: String
        let mobile: String
        let employeeNumber: String
        let department: String
        let shift: String
        let homeProvince: String
        let homeCity: String
        let status: EmploymentStatus
        let caseStatus: CaseStatus

        init(_ employee: Employee) {
            id = employee.id!
            enterpriseId = employee.$enterprise.id
            name = employee.name
            idNumber = employee.idMasked
            mobile = (try? MobileNumber(employee.mobile).masked) ?? employee.mobile
            employeeNumber = employee.employeeNumber
            department = employee.department
            shift = employee.shift
            homeProvince = employee.homeProvince
            homeCity = employee.homeCity
            status = employee.status
            caseStatus = employee.caseStatus
        }
    }

    /// Who may see an employee: the enterprise admin of its enterprise, and the employee. A
    /// gate guard never does (the gate answers with decisions only). Others: not found.
    /// With `today`, the day's facts come with the person (`Employee.today`).
    static func find(_ ctx: ServiceContext, _ id: UUID?, today: Bool = false) async throws -> Employee {
        guard let id,
              let employee = try await WorkforceStore.employee(.id(id), day: today ? CivilDate(ctx.now) : nil, on: ctx)
        else { throw AppError.notFound }
        let user = try ctx.requireUser()
        switch user.role {
        case .enterpriseAdmin where user.$enterprise.id == employee.$enterprise.id: return employee
        case .employee where user.employeeID == id: return employee
        default: throw AppError.notFound
        }
    }

    /// The employee record of the signed-in employee.
    static func own(_ ctx: ServiceContext, today: Bool = false) async throws -> Employee {
        let user = try ctx.requireUser()
        guard let id = user.employeeID else { throw AppError.notFound }
        return try await find(ctx, id, today: today)
    }

    // MARK: Adding

    static func add(_ ctx: ServiceContext, enterpriseID: UUID, _ draft: EmployeeDraft) async throws -> Employee {
        let checked = try RosterRules.check(draft, today: ctx.now)
        let vault = ctx.app.personalData
        let hash = vault.hash(checked.idNumber.value)
        var errors = FieldErrors()
        if try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$employeeNumber == checked.employeeNumber).count() > 0 {
            errors.add("employeeNumber", "error.employee.numberTaken")
        }
        if try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$idHash == hash).count() > 0 {
            errors.add("idNumber", "error.employee.idTaken")
        }
        try errors.throwIfAny()
        let employee = try make(checked, enterpriseID: enterpriseID, vault: vault, at: ctx.now)
        let insert = try PreparedInsert(employee)
        try await ctx.transaction { db in
            try await insert.run(on: db, for: employee)
            try await Audit.record(ctx, on: db, action: "employee.create", entity: "employee", entityID: employee.id)
        }
        return employee
    }

    static func make(_ checked: CheckedEmployee, enterpriseID: UUID, vault: PersonalData, at now: Date) throws -> Employee {
        let employee = Employee()
        employee.id = UUID()
        employee.$enterprise.id = enterpriseID
        employee.name = checked.name
        employee.idSealed = try vault.seal(checked.idNumber.value)
        employee.idHash = vault.hash(checked.idNumber.value)
        employee.idMasked = checked.idNumber.masked
        employee.mobile = checked.mobile.value
        employee.employeeNumber = checked.employeeNumber
        employee.department = checked.department
        employee.shift = checked.shift
        employee.homeProvince = checked.homeProvince
        employee.homeCity = checked.homeCity
        employee.status = .employed
        employee.caseStatus = .none
        employee.createdAt = now
        return employee
    }

    // MARK: Import

    struct ImportResult: Content {
        let imported: Int
        let errors: [RowErrorDTO]

        /// A file with no employee in it: the same shape as any other refused file.
        static func empty(_ ctx: ServiceContext) -> ImportResult {
            ImportResult(imported: 0, errors: [RowErrorDTO(line: 1, field: "file", message: ctx.t("error.csv.empty"))])
        }
    }

    struct RowErrorDTO: Content {
        let line: Int
        let field: String
        let message: String
    }

    /// Checks every row (the file, then against the roster); imports all rows or none.
    /// `progress` follows the work for the page that started it.
    static func importCSV(_ ctx: ServiceContext, enterpriseID: UUID, data: Data, progress: ImportProgress?) async throws -> ImportResult {
        // Parsing, checking, sealing and hashing 100,000 rows takes seconds: not on an event loop.
        try await offEventLoop { try await checkAndImport(ctx, enterpriseID: enterpriseID, data: data, progress: progress) }
    }

    private static func checkAndImport(_ ctx: ServiceContext, enterpriseID: UUID, data: Data, progress: ImportProgress?) async throws -> ImportResult {
        progress?.update(.checking, done: 0, total: 0)
        let parsed = RosterCSV.parse(data, today: ctx.now)
        var errors = parsed.errors
        let vault = ctx.app.personalData
        // Against the roster: employee numbers and ID numbers already there.
        let (numbers, hashes) = try await WorkforceStore.rosterKeys(ctx.db, enterpriseID: enterpriseID)
        // Each row becomes its bound values here, before the writer: inside it only inserts run.
        let now = ctx.now
        var rows: [[any SQLExpression]] = []
        rows.reserveCapacity(parsed.rows.count)
        for (index, row) in parsed.rows.enumerated() {
            let employee = row.employee
            if numbers.contains(employee.employeeNumber) {
                errors.append(.init(line: row.line, field: "employeeNumber", messageKey: "error.employee.numberTaken"))
                continue
            }
            let hash = vault.hash(employee.idNumber.value)
            if hashes.contains(hash) {
                errors.append(.init(line: row.line, field: "idNumber", messageKey: "error.employee.idTaken"))
                continue
            }
            if errors.isEmpty {
                rows.append(WorkforceStore.importRow(enterpriseID: enterpriseID, employee, sealed: try vault.seal(employee.idNumber.value),
                                                     hash: hash, now: now))
            }
            if index % 5_000 == 0 { progress?.update(.checking, done: index, total: parsed.rows.count) }
        }
        if !errors.isEmpty {
            progress?.update(.failed, done: 0, total: parsed.rows.count)
            let sorted = errors.sorted { ($0.line, $0.field) < ($1.line, $1.field) }
            return ImportResult(imported: 0, errors: sorted.prefix(1_000).map {
                RowErrorDTO(line: $0.line, field: $0.field, message: ctx.app.strings.text($0.messageKey, ctx.language, $0.arguments))
            })
        }
        guard !rows.isEmpty else {
            progress?.update(.failed, done: 0, total: 0)
            return .empty(ctx)
        }
        let total = rows.count
        let prepared = rows
        try await ctx.transaction { db in
            try await WorkforceStore.insertEmployees(db, prepared) { progress?.update(.importing, done: $0, total: total) }
            try await Audit.record(ctx, on: db, action: "employee.import", entity: "enterprise", entityID: enterpriseID,
                                   detail: "rows=\(total)")
        }
        progress?.update(.done, done: total, total: total)
        return ImportResult(imported: total, errors: [])
    }

    // MARK: Reading

    static func list(_ ctx: ServiceContext, enterpriseID: UUID, text: String, status: EmploymentStatus?, page: Int) async throws -> Fluent.Page<Employee> {
        let query = Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).sort(\.$employeeNumber)
        if let status { query.filter(\.$status == status) }
        let text = FormText.trimmed(text)
        if !text.isEmpty {
            // A whole ID number finds its person by the keyed hash; anything else, name or number.
            if let id = try? ResidentID(text, today: ctx.now) {
                query.filter(\.$idHash == ctx.app.personalData.hash(id.value))
            } else {
                query.filter(contains: text, in: ["name", "employee_number", "department"])
            }
        }
        return try await query.paginate(PageRequest(page: max(1, page), per: 50))
    }

    /// The full ID number, for the enterprise admin only; every reading is audited.
    static func revealID(_ ctx: ServiceContext, _ employee: Employee) async throws -> String {
        guard try ctx.requireUser().role == .enterpriseAdmin else { throw AppError.forbidden }
        let number = try ctx.app.personalData.open(employee.idSealed)
        try await ctx.transaction { db in
            try await Audit.record(ctx, on: db, action: "person.read", entity: "employee", entityID: employee.id,
                                   subject: employee.idMasked, detail: "idNumber")
        }
        return number
    }

    /// The roster as CSV for Excel: UTF-8 with a BOM, IDs masked, the template's headers.
    static func exportCSV(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> String {
        try await offEventLoop { try await export(ctx, enterpriseID: enterpriseID) }
    }

    private static func export(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> String {
        let employees = try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).sort(\.$employeeNumber).all()
        var lines = [(EmployeeDraft.columns.map(\.header) + [ctx.t("workforce.status")]).joined(separator: ",")]
        for employee in employees {
            lines.append(CSV.line([employee.name, employee.idMasked, employee.mobile, employee.employeeNumber, employee.department, employee.shift,
                          employee.homeProvince, employee.homeCity, ctx.t("workforce.status.\(employee.status.rawValue)")]))
        }
        try await ctx.transaction { db in
            try await Audit.record(ctx, on: db, action: "employee.export", entity: "enterprise", entityID: enterpriseID,
                                   detail: "rows=\(employees.count)")
        }
        return CSV.document(lines)
    }

    // MARK: Changes

    struct Change: Content {
        var status: String?
        var caseStatus: String?
        var lastCaseContact: String?
        var department: String?
        var shift: String?
    }

    static func change(_ ctx: ServiceContext, _ employee: Employee, _ input: Change) async throws {
        guard try ctx.requireUser().role == .enterpriseAdmin else { throw AppError.forbidden }
        var errors = FieldErrors()
        var details: [String] = []
        if let raw = input.status {
            if let status = EmploymentStatus(rawValue: raw) {
                if status != employee.status {
                    employee.status = status
                    employee.leftAt = status == .left ? ctx.now : nil
                    details.append("status=\(raw)")
                }
            } else { errors.add("status", "error.choice") }
        }
        if let raw = input.caseStatus {
            if let status = CaseStatus(rawValue: raw) { employee.caseStatus = status; details.append("caseStatus=\(raw)") } else { errors.add("caseStatus", "error.choice") }
        }
        if let raw = input.lastCaseContact.map(FormText.trimmed) {
            if raw.isEmpty { employee.lastCaseContact = nil } else if let day = CivilDate(iso: raw), day <= CivilDate(ctx.now) {
                employee.lastCaseContact = day.iso
                details.append("lastCaseContact=\(raw)")
            } else { errors.add("lastCaseContact", "error.date") }
        }
        for (value, field, keyPath) in [(input.department, "department", \Employee.department), (input.shift, "shift", \Employee.shift)] {
            guard let value = value.map(FormText.trimmed) else { continue }
            if value.count > 50 { errors.add(field, "error.tooLong") } else { employee[keyPath: keyPath] = value }
        }
        try errors.throwIfAny()
        let detail = details.joined(separator: ",")
        try await ctx.transaction { db in
            try await employee.save(on: db)
            try await Audit.record(ctx, on: db, action: "employee.change", entity: "employee", entityID: employee.id, detail: detail)
        }
    }
}

/// How far an import has got, for the page that started it (`GET /workforce/imports/:token`).
/// Each step is told to every instance (`ClusterEvents`), so the page may ask any of them.
final class ImportProgress: Sendable {
    enum Phase: String, Codable, Sendable { case checking, importing, done, failed }
    struct Snapshot: Content { let phase: Phase; let done: Int; let total: Int }

    private let report: @Sendable (Snapshot) -> Void

    init(report: @escaping @Sendable (Snapshot) -> Void) { self.report = report }

    func update(_ phase: Phase, done: Int, total: Int) { report(Snapshot(phase: phase, done: done, total: total)) }
}

/// Imports in flight on any instance, by the token the page chose; an hour at most.
final class ImportProgressBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (snapshot: ImportProgress.Snapshot, owner: UUID, at: Date)] = [:]

    func record(token: String, owner: UUID, _ snapshot: ImportProgress.Snapshot) {
        lock.withLock {
            if entries[token] == nil { entries = entries.filter { Date().timeIntervalSince($0.value.at) < 3_600 } }
            entries[token] = (snapshot, owner, entries[token]?.at ?? Date())
        }
    }

    func progress(token: String, owner: UUID) -> ImportProgress.Snapshot? {
        lock.withLock { entries[token].flatMap { $0.owner == owner ? $0.snapshot : nil } }
    }
}

extension Application {
    /// The progress of an import starting here, under the token its page chose.
    func startImport(token: String, owner: UUID) -> ImportProgress {
        let progress = ImportProgress { [weak self] snapshot in
            self?.cluster.publish(.importProgress(token: token, owner: owner, snapshot))
        }
        progress.update(.checking, done: 0, total: 0)
        return progress
    }
}

extension Application {
    private struct ImportBoardKey: StorageKey { typealias Value = ImportProgressBoard }

    /// Made in `configure`.
    var importProgress: ImportProgressBoard {
        get { storage[ImportBoardKey.self]! }
        set { storage[ImportBoardKey.self] = newValue }
    }
}
