import Domain
import Fluent
import Vapor

/// The phones' pages: `/health` (an employee's health card, pass and daily report) and `/gate`
/// (a guard's check-ins and visitors). The office's pages are `WorkforceOfficePagesController`.
/// They call the same services as the API.
enum WorkforcePagesController {
    // MARK: Shared

    /// `FormAction.run`, with the page's form state.
    static func act(_ req: Request, redirect: String, flash: String, values: [String: String] = [:],
                    render: (FormState) async throws -> Response, _ change: () async throws -> Void) async throws -> Response {
        try await FormAction.run(req, flash: flash, redirect: redirect, render: { errors, _ in
            try await render(FormState(req, errors, values: values))
        }, change)
    }

    static func ownEnterprise(_ req: Request) throws -> UUID {
        guard let id = try req.requireUser().$enterprise.id else { throw AppError.forbidden }
        return id
    }

    static func options(_ values: [String], key: (String) -> String, selected: String?) -> [SelectOption] {
        values.map { SelectOption(value: $0, label: key($0), selected: $0 == selected) }
    }

    // MARK: The employee's phone: /health

    struct HealthPage: Encodable {
        let page: PageContext
        let name: String
        let color: String
        let colorName: String
        let reasons: [String]
        let passCode: String?
        let passSVG: String?
        let validUntil: String?
        let symptoms: [SelectOption]
        let reports: [ReportRow]
        let form: FormState
        /// The travel form's own state: its fields share names with the report's.
        let travelForm: FormState
        let reportedToday: Bool
        let screened: Bool
        let transports: [SelectOption]
        let travelAction: String
    }

    struct ReportRow: Encodable {
        let day: String
        let temperature: String
        let fever: Bool
        let symptoms: String

        init(_ report: Health.ReportDTO, _ req: Request) {
            day = report.day
            temperature = String(format: "%.1f", report.temperature)
            fever = report.fever
            symptoms = report.symptoms.isEmpty ? req.t("symptom.none") : report.symptoms.map { req.t("symptom.\($0.rawValue)") }.joined(separator: "、")
        }
    }

    @Sendable static func health(req: Request) async throws -> Response {
        try await renderHealth(req, form: FormState())
    }

    static func renderHealth(_ req: Request, form: FormState, travelForm: FormState = FormState(),
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let employee = try await Roster.own(req.context, today: true)
        let code = try await Health.code(req.context, employee)
        let history = try await Health.history(req.context, employee, days: 7)
        let today = CivilDate(req.now).iso
        let svg = try code.passCode.map { try Health.passSVG($0, label: req.t("health.passLabel", $0)) }
        let checked = Set((form.values["symptoms"] ?? "").split(separator: ",").map(String.init))
        return try await Pages.render(req, "workforce/health", HealthPage(
            page: try await Pages.context(req, titleKey: "health.title"), name: employee.name, color: code.color.rawValue,
            colorName: req.t("health.color.\(code.color.rawValue)"), reasons: code.reasonTexts, passCode: code.passCode, passSVG: svg,
            validUntil: code.validUntil.map { DisplayFormat.dateTime($0) },
            symptoms: Symptom.allCases.map { SelectOption(value: $0.rawValue, label: req.t("symptom.\($0.rawValue)"), selected: checked.contains($0.rawValue)) },
            reports: history.map { ReportRow($0, req) },
            form: form, travelForm: travelForm, reportedToday: history.first?.day == today,
            screened: try await TravelRecord.query(on: req.db).filter(\.$employee.$id == employee.id!).count() > 0,
            transports: options(Transport.allCases.map(\.rawValue), key: { req.t("transport.\($0)") }, selected: travelForm.values["transport"]),
            travelAction: "/health/travel"), status: status)
    }

    struct ReportForm: Content {
        var temperature: String?
        var symptoms: [String]?
        var contactWithCases: String?
        var city: String?
        var note: String?
        var employeeId: UUID?

        /// What was typed, to show again after a mistake.
        var values: [String: String] {
            ["temperature": temperature ?? "", "city": city ?? "", "note": note ?? "",
             "contactWithCases": contactWithCases ?? "", "symptoms": (symptoms ?? []).joined(separator: ",")]
        }
    }

    static func reportInput(_ form: ReportForm, into errors: inout FieldErrors) -> Health.ReportInput {
        // An unticked symptom list arrives as nothing at all: with the form sent, that is "none".
        Health.ReportInput(employeeId: form.employeeId, temperature: FormText.decimal(form.temperature, field: "temperature", into: &errors),
                           symptoms: form.symptoms ?? [], contactWithCases: FormText.yesNo(form.contactWithCases), city: form.city, note: form.note)
    }

    @Sendable static func submitReport(req: Request) async throws -> Response {
        let form = try req.content.decode(ReportForm.self)
        return try await act(req, redirect: "/health", flash: "health.reported", values: form.values,
                             render: { try await renderHealth(req, form: $0, status: .unprocessableEntity) }) {
            var errors = FieldErrors()
            let input = reportInput(form, into: &errors)
            try errors.throwIfAny()
            _ = try await Health.report(req.context, input)
        }
    }

    // MARK: The guard's phone: /gate

    struct GatePage: Encodable {
        struct Question: Encodable {
            let name: String
            let label: String
            /// "yes", "no", or "" when not answered (after a mistake: as it was).
            let answer: String
            let error: String?
        }

        let page: PageContext
        let form: FormState
        let result: Gate.DecisionDTO?
        let log: [LogRow]
        /// The main gate ("") and the enterprise's checkpoints.
        let checkpoints: [SelectOption]
        let checkpoint: String
        let atCheckpoint: Bool
        /// The log shows the day's refusals alone (`?refused=1`), not the latest passages.
        let refusedOnly: Bool
        static let latestRows = 15
        let latestRows = GatePage.latestRows
        /// The mask, and the items the district asks for.
        let equipment: [Question]
    }

    struct LogRow: Encodable {
        let time: String
        let who: String
        let direction: String
        let allowed: Bool
        let reasons: String
    }

    /// An employee's own screening, from the phone (the form the office page uses too).
    @Sendable static func recordOwnTravel(req: Request) async throws -> Response {
        try await WorkforceOfficePagesController.travel(req, person: { try await Roster.own(req.context) }, redirect: "/health") {
            try await renderHealth(req, form: FormState(), travelForm: $0, status: .unprocessableEntity)
        }
    }

    @Sendable static func gate(req: Request) async throws -> Response {
        try await renderGate(req, form: FormState(), result: nil, checkpoint: req.query[String.self, at: "checkpoint"] ?? "",
                             refusedOnly: req.query[String.self, at: "refused"] == "1")
    }

    /// The guard's page at the main gate or at a checkpoint (`?checkpoint=`), which the page
    /// keeps from one check to the next.
    static func renderGate(_ req: Request, form: FormState, result: Gate.DecisionDTO?, checkpoint: String, refusedOnly: Bool = false,
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let places = try await Gate.checkpoints(req.context, enterpriseID: try Gate.enterpriseID(req.context))
        let chosen = places.first { $0.id.uuidString == checkpoint }
        // The latest passages, or the day's refusals (up to 500: a gate refuses a few dozen a day).
        let log = try await Gate.log(req.context, day: CivilDate(req.now), limit: refusedOnly ? 500 : GatePage.latestRows, checkpointID: chosen?.id,
                                     refusedOnly: refusedOnly)
        let policy = try await req.districtSettings().health
        return try await Pages.render(req, "workforce/gate", GatePage(
            page: try await Pages.context(req, titleKey: "gate.title"), form: form, result: result,
            log: log.map { entry in
                LogRow(time: DisplayFormat.time(entry.at), who: entry.name.map { "\($0) \(entry.employeeNumber ?? "")" } ?? entry.typed, direction: req.t("gate.direction.\(entry.direction)"),
                       allowed: entry.decision == "allow", reasons: entry.reasons.map { req.t("gate.reason.\($0.rawValue)") }.joined(separator: "、"))
            },
            checkpoints: [SelectOption(value: "", label: req.t("gate.mainGate"), selected: chosen == nil)]
                + places.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: $0.id == chosen?.id) },
            checkpoint: chosen?.id.uuidString ?? "", atCheckpoint: chosen != nil, refusedOnly: refusedOnly,
            equipment: policy.requiredEquipment.map { item in
                // A fresh form assumes the mask is worn, as guards see most people; never the rest.
                GatePage.Question(name: item.rawValue, label: req.t("gate.\(item.rawValue)"),
                                  answer: form.values[item.rawValue] ?? (form.fields.isEmpty && item == .mask ? "yes" : ""),
                                  error: form.fields[item.rawValue])
            }), status: status)
    }

    struct GateForm: Content {
        var who: String?
        var temperature: String?
        var mask: String?
        var gloves: String?
        var suit: String?
        var direction: String?
        var checkpoint: String?
    }

    @Sendable static func checkIn(req: Request) async throws -> Response {
        let form = try req.content.decode(GateForm.self)
        let who = FormText.trimmed(form.who)
        let checkpoint = FormText.trimmed(form.checkpoint)
        do {
            var errors = FieldErrors()
            let temperature = FormText.decimal(form.temperature, field: "temperature", into: &errors)
            if FormText.yesNo(form.mask) == nil { errors.add("mask", "error.required") }
            try errors.throwIfAny()
            let isPass = PersonalData.looksLikePass(who)
            let result = try await Gate.checkIn(req.context, Gate.CheckInInput(
                passCode: isPass ? who : nil, employeeNumber: isPass ? nil : who, temperature: temperature, mask: FormText.yesNo(form.mask),
                gloves: FormText.yesNo(form.gloves), suit: FormText.yesNo(form.suit), direction: form.direction ?? "in",
                checkpoint: checkpoint.isEmpty ? nil : UUID(uuidString: checkpoint) ?? UUID()))
            return try await renderGate(req, form: FormState(), result: result, checkpoint: checkpoint)
        } catch var errors as FieldErrors {
            if errors.messages["passCode"] != nil || errors.messages["employeeNumber"] != nil {
                errors = errors.renamed { ["passCode", "employeeNumber"].contains($0) ? "who" : $0 }
            }
            // Everything as typed and chosen, the answers about equipment included.
            let values = ["who": who, "temperature": form.temperature ?? "", "mask": form.mask ?? "", "gloves": form.gloves ?? "", "suit": form.suit ?? ""]
            return try await renderGate(req, form: FormState(req, errors, values: values), result: nil, checkpoint: checkpoint,
                                        status: .unprocessableEntity)
        }
    }

    struct VisitorsPage: Encodable {
        let page: PageContext
        let form: FormState
        let result: Gate.VisitorDTO?
        let visitors: [VisitorRow]
    }

    struct VisitorRow: Encodable {
        let id: UUID
        let name: String
        let organisation: String
        let purpose: String
        let host: String
        let allowed: Bool
        let reasons: String
        let checkedIn: String
        let checkedOut: String?
    }

    @Sendable static func visitors(req: Request) async throws -> Response {
        try await renderVisitors(req, form: freshVisitorForm, result: nil)
    }

    static func renderVisitors(_ req: Request, form: FormState, result: Gate.VisitorDTO?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let list = try await Gate.visitors(req.context, day: CivilDate(req.now))
        return try await Pages.render(req, "workforce/visitors", VisitorsPage(
            page: try await Pages.context(req, titleKey: "gate.visitors"), form: form, result: result,
            visitors: list.map {
                VisitorRow(id: $0.id, name: $0.name, organisation: $0.organisation, purpose: $0.purpose, host: $0.hostName ?? "",
                           allowed: $0.decision == "allow", reasons: $0.reasonTexts.joined(separator: "、"),
                           checkedIn: DisplayFormat.time($0.checkedInAt), checkedOut: $0.checkedOutAt.map { DisplayFormat.time($0) })
            }), status: status)
    }

    struct VisitorForm: Content {
        var name: String?
        var mobile: String?
        var idNumber: String?
        var organisation: String?
        var purpose: String?
        var hostEmployeeNumber: String?
        /// One place a line: 省 市.
        var places: String?
        var keyAreaContact: String?
        var temperature: String?
        var mask: String?
    }

    /// A new visitor's form: a mask is the usual answer; nothing else is assumed.
    static var freshVisitorForm: FormState {
        var form = FormState()
        form.values["mask"] = "yes"
        return form
    }

    @Sendable static func registerVisitor(req: Request) async throws -> Response {
        let form = try req.content.decode(VisitorForm.self)
        let values = ["name": form.name ?? "", "mobile": form.mobile ?? "", "idNumber": form.idNumber ?? "", "organisation": form.organisation ?? "",
                      "purpose": form.purpose ?? "", "hostEmployeeNumber": form.hostEmployeeNumber ?? "", "places": form.places ?? "",
                      "temperature": form.temperature ?? "", "keyAreaContact": form.keyAreaContact ?? "", "mask": form.mask ?? ""]
        do {
            var errors = FieldErrors()
            let temperature = FormText.decimal(form.temperature, field: "temperature", into: &errors)
            try errors.throwIfAny()
            let result = try await Gate.registerVisitor(req.context, Gate.VisitorInput(
                name: form.name, mobile: form.mobile, idNumber: form.idNumber, organisation: form.organisation, purpose: form.purpose,
                hostEmployeeNumber: form.hostEmployeeNumber, places: Gate.PlaceDTO.lines(form.places),
                keyAreaContact: FormText.yesNo(form.keyAreaContact), temperature: temperature, mask: FormText.yesNo(form.mask)))
            return try await renderVisitors(req, form: freshVisitorForm, result: result)
        } catch let errors as FieldErrors {
            return try await renderVisitors(req, form: FormState(req, errors, values: values), result: nil, status: .unprocessableEntity)
        }
    }

    @Sendable static func checkOutVisitor(req: Request) async throws -> Response {
        guard let id = req.parameters.get("visitorID", as: UUID.self) else { throw AppError.notFound }
        return try await act(req, redirect: "/gate/visitors", flash: "gate.checkedOut",
                             render: { try await renderVisitors(req, form: $0, result: nil, status: .unprocessableEntity) }) {
            _ = try await Gate.checkOutVisitor(req.context, visitorID: id)
        }
    }
}
