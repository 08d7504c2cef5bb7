import Domain
import Fluent
import SQLKit
import Vapor

/// Daily health reports (每日健康打卡), the health code and the day's gate pass.
enum Health {
    // MARK: Reports

    struct ReportInput: Content {
        var employeeId: UUID?
        var temperature: Double?
        var symptoms: [String]?
        var contactWithCases: Bool?
        var city: String?
        var note: String?
    }

    struct ReportDTO: Content {
        let employeeId: UUID
        let day: String
        let temperature: Double
        let symptoms: [Symptom]
        let contactWithCases: Bool
        let city: String
        let note: String
        let reportedAt: Date
        /// A report for this day was already there and this one replaced it.
        let replaced: Bool
        let fever: Bool
    }

    struct CheckedReport {
        let temperature: Double
        let symptoms: Set<Symptom>
        let contactWithCases: Bool
        let city: String
        let note: String
    }

    /// Every field is asked each time: nothing is carried over from yesterday.
    static func check(_ input: ReportInput) throws -> CheckedReport {
        var errors = FieldErrors()
        var temperature = 0.0
        if let value = input.temperature {
            if let problem = Temperature.problem(value) { errors.add("temperature", problem) } else { temperature = (value * 10).rounded() / 10 }
        } else { errors.add("temperature", "error.required") }
        var symptoms = Set<Symptom>()
        if let raw = input.symptoms {
            for name in raw where name != "none" {
                if let symptom = Symptom(rawValue: name) { symptoms.insert(symptom) } else { errors.add("symptoms", "error.choice") }
            }
        } else { errors.add("symptoms", "error.required") }
        if input.contactWithCases == nil { errors.add("contactWithCases", "error.required") }
        let city = FormText.required(input.city, field: "city", maxLength: 50, into: &errors)
        let note = FormText.trimmed(input.note)
        if note.count > 200 { errors.add("note", "error.tooLong") }
        try errors.throwIfAny()
        return CheckedReport(temperature: temperature, symptoms: symptoms, contactWithCases: input.contactWithCases ?? false,
                             city: city, note: note)
    }

    /// The person a report is for: oneself, or (for the enterprise admin) someone on its roster.
    static func subject(_ ctx: ServiceContext, employeeID: UUID?) async throws -> Employee {
        let user = try ctx.requireUser()
        switch user.role {
        case .employee:
            if let employeeID, employeeID != user.employeeID { throw AppError.notFound }
            return try await Roster.own(ctx, today: true)
        case .enterpriseAdmin:
            guard let employeeID else { throw FieldErrors("employeeId", "error.required") }
            return try await Roster.find(ctx, employeeID, today: true)
        default:
            throw AppError.forbidden
        }
    }

    /// Stores today's report (replacing an earlier one of the same day; both are audited), moves
    /// the person's last temperature, and raises a fever alert.
    static func report(_ ctx: ServiceContext, _ input: ReportInput) async throws -> ReportDTO {
        let employee = try await subject(ctx, employeeID: input.employeeId)
        guard employee.status == .employed else { throw FieldErrors("employeeId", "error.employee.left") }
        let report = try check(input)
        let user = try ctx.requireUser()
        let now = ctx.now
        let day = CivilDate(now).iso
        let policy = try await ctx.settings().health
        let fever = policy.isFever(report.temperature)
        let employeeID = try employee.requireID()
        let enterpriseID = employee.$enterprise.id
        let symptoms = report.symptoms.map(\.rawValue).sorted().joined(separator: ",")
        let replaced = employee.today?.symptoms != nil
        let alert = fever ? FeverAlerts.Pending(employee: employee, temperature: report.temperature, source: .report, at: now) : nil
        let statements = [
            WorkforceStore.reportUpsert(enterpriseID: enterpriseID, day: day, employeeID: employeeID, temperature: report.temperature,
                                        symptoms: symptoms, contactWithCases: report.contactWithCases, city: report.city, note: report.note,
                                        reportedBy: user.id!, at: now),
            WorkforceStore.temperature(report.temperature, of: employeeID, at: now),
            Audit.statement(ctx, action: replaced ? "health.report.replace" : "health.report", entity: "employee",
                            entityID: employeeID, detail: "day=\(day)"),
        ]
        try await FeverAlerts.write(ctx, statements, alert: alert, policy: policy)
        return ReportDTO(employeeId: employeeID, day: day, temperature: report.temperature, symptoms: report.symptoms.sorted { $0.rawValue < $1.rawValue },
                         contactWithCases: report.contactWithCases, city: report.city, note: report.note, reportedAt: now,
                         replaced: replaced, fever: fever)
    }

    /// Recent reports of one person, newest first (the person and the enterprise admin).
    static func history(_ ctx: ServiceContext, _ employee: Employee, days: Int = 14) async throws -> [ReportDTO] {
        let rows = try await WorkforceStore.reports(ctx.db, employeeID: try employee.requireID(), since: CivilDate(ctx.now).adding(days: -days))
        let policy = try await ctx.settings().health
        if try ctx.requireUser().role != .employee {
            try await ctx.transaction { db in
                try await Audit.record(ctx, on: db, action: "person.read", entity: "employee", entityID: employee.id,
                                       subject: employee.idMasked, detail: "healthReports")
            }
        }
        return rows.map {
            ReportDTO(employeeId: employee.id!, day: $0.day, temperature: $0.temperature,
                      symptoms: $0.symptoms.split(separator: ",").compactMap { Symptom(rawValue: String($0)) },
                      contactWithCases: $0.contact_with_cases, city: $0.city, note: $0.note, reportedAt: $0.reported_at,
                      replaced: false, fever: policy.isFever($0.temperature))
        }
    }

    // MARK: The health code

    /// What the code is computed from, at `now`: the person read with the day's facts
    /// (`Roster.find(…, today: true)`, `WorkforceStore.employee(_:day:on:)`).
    static func facts(_ employee: Employee, now: Date) throws -> HealthFacts {
        guard let today = employee.today else { throw AppError.internalError("the person was read without the day's facts") }
        return HealthFacts(
            quarantines: today.quarantine.map { [$0] } ?? [], caseStatus: employee.caseStatus,
            lastCaseContact: employee.lastCaseContact.flatMap(CivilDate.init(iso:)),
            lastTemperature: employee.lastTemperatureAt.map { $0 <= now } == true ? employee.lastTemperature : nil,
            symptomsToday: today.symptoms.map { Set($0.split(separator: ",").compactMap { Symptom(rawValue: String($0)) }) })
    }

    struct CodeDTO: Content {
        let color: HealthColor
        let reasons: [HealthReason]
        /// The reasons in the reader's language.
        let reasonTexts: [String]
        /// Only to the person themself: today's pass.
        let passCode: String?
        let validUntil: Date?
    }

    /// The person's code now, by the district's rules, for a person read with the day's facts
    /// (`Roster.find(…, today: true)`).
    static func currentCode(_ ctx: ServiceContext, _ employee: Employee) async throws -> HealthCode {
        HealthCode(try facts(employee, now: ctx.now), today: CivilDate(ctx.now), policy: try await ctx.settings().health)
    }

    /// For a person read with the day's facts (`Roster.find(…, today: true)`).
    static func code(_ ctx: ServiceContext, _ employee: Employee) async throws -> CodeDTO {
        let now = ctx.now
        let code = try await currentCode(ctx, employee)
        let own = try ctx.requireUser().employeeID == employee.id
        let pass = own ? try await todaysPass(ctx, employee) : nil
        return CodeDTO(color: code.color, reasons: code.reasons, reasonTexts: code.reasons.map { ctx.t("health.reason.\($0.rawValue)") },
                       passCode: pass, validUntil: own ? CivilDate(now).adding(days: 1).start : nil)
    }

    /// Today's pass: a short code made from the key, the person and the day, kept so the gate
    /// can look it up. It is valid until midnight.
    static func todaysPass(_ ctx: ServiceContext, _ employee: Employee) async throws -> String {
        let day = CivilDate(ctx.now).iso
        let employeeID = try employee.requireID()
        if let pass = try await GatePass.query(on: ctx.db).filter(\.$employeeID == employeeID).filter(\.$day == day).first() {
            return pass.code
        }
        let pass = GatePass()
        pass.code = ctx.app.personalData.passCode("\(employeeID)|\(day)")
        pass.employeeID = employeeID
        pass.enterpriseID = employee.$enterprise.id
        pass.day = day
        let insert = try PreparedInsert(pass)
        do {
            try await ctx.transaction { db in try await insert.run(on: db, for: pass) }
        } catch {
            // Made at the same moment by another request: that one stands (same code).
            if let stored = try await GatePass.query(on: ctx.db).filter(\.$employeeID == employeeID).filter(\.$day == day).first() {
                return stored.code
            }
            throw error
        }
        return pass.code
    }

    /// The pass as a QR code, drawn as SVG.
    static func passSVG(_ code: String, label: String) throws -> String {
        try QRCode(code).svg(label: label)
    }
}
