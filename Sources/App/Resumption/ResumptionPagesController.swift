import Domain
import Fluent
import Vapor

/// The resumption pages: the enterprise's applications and form, the reviewers' and leaders'
/// queues, and the detail page with findings, attachments, timeline and decision forms.
enum ResumptionPagesController {
    struct Row: Encodable {
        let id: UUID
        let enterpriseName: String
        let zoneName: String
        let aboveDesignatedSize: Bool
        let categoryName: String
        let plannedDate: String
        let state: String
        let stateName: String
        let waiting: String
        let overdue: Bool
    }

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let zones: [SelectOption]
        let categories: [SelectOption]
        let states: [SelectOption]
        let sizes: [SelectOption]
        let canCreate: Bool
        /// The enterprise's open application, when it has one: the way on is to it, not a new one.
        let open: OpenLink?
        struct OpenLink: Encodable { let id: UUID; let label: String }
        let isQueue: Bool
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let settings = try await req.districtSettings()
        let zones = try await EnterpriseRegistry.zones(req.db)
        let zoneNames = EnterpriseRegistry.zoneNames(zones, req.language)
        let today = CivilDate(req.now)
        let calendar = try await req.context.calendar()
        let rows = try await ResumptionService.list(req.context, .init(req)).map { application in
            let hours = Int(req.now.timeIntervalSince(application.stateChangedAt) / 3600)
            return Row(
                id: application.id!, enterpriseName: application.enterprise.name,
                zoneName: zoneNames[application.enterprise.zone] ?? application.enterprise.zone,
                aboveDesignatedSize: application.enterprise.aboveDesignatedSize,
                categoryName: req.t(application.category.nameKey), plannedDate: application.plannedDate,
                state: application.state.rawValue, stateName: req.t(application.state.nameKey),
                waiting: hours < 48 ? req.t("resumption.waitingHours", String(hours)) : req.t("resumption.waitingDays", String(hours / 24)),
                overdue: application.state.isOverdue(since: CivilDate(application.stateChangedAt), today: today,
                                                      workingDays: settings.queueOverdueWorkingDays, calendar: calendar)
            )
        }
        let zone = req.query[String.self, at: "zone"] ?? ""
        let category = req.query[String.self, at: "category"] ?? ""
        let state = req.query[String.self, at: "state"] ?? ""
        // Found whatever the list's filters show.
        var open: ListPage.OpenLink?
        if user.role == .enterpriseAdmin, let enterpriseID = user.$enterprise.id,
           let application = try await ResumptionService.openApplication(of: enterpriseID, on: req.db) {
            let key = switch application.state {
            case .returned: "resumption.continueReturned"
            case .draft: "resumption.continueDraft"
            default: "resumption.viewOpen"
            }
            open = .init(id: try application.requireID(), label: req.t(key))
        }
        let context = ListPage(
            page: try await Pages.context(req, titleKey: user.role.belongsToEnterprise ? "resumption.mine" : "resumption.queue"),
            rows: rows,
            zones: zones.map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: $0.code == zone) },
            categories: ResumptionCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == category) },
            states: ResumptionState.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == state) },
            sizes: EnterpriseSize.options(req),
            canCreate: user.role == .enterpriseAdmin && open == nil,
            open: open,
            isQueue: !user.role.belongsToEnterprise
        )
        return try await Pages.render(req, "resumption/list", context)
    }

    // MARK: The form

    struct FormPage: Encodable {
        let page: PageContext
        let action: String
        let values: [String: String]
        let categories: [SelectOption]
        let headcountFields: [InputField]
        let checklist: [SelectOption]
        let supplyFields: [InputField]
        let fields: [String: String]
    }

    /// What the page's form sends: numbers as text, the checklist as repeated `checklist[]`.
    struct PageForm: Content {
        var category: String?
        var plannedDate: String?
        var products: String?
        var headcountTotal: String?
        var headcountOnSite: String?
        var headcountOutOfProvince: String?
        var headcountKeyAreas: String?
        var headcountIsolated: String?
        var checklist: [String]?
        var maskDays: String?
        var disinfectantDays: String?
        var thermometerDays: String?

        static let numberFields = ["headcountTotal", "headcountOnSite", "headcountOutOfProvince", "headcountKeyAreas",
                                   "headcountIsolated", "maskDays", "disinfectantDays", "thermometerDays"]

        var values: [String: String] {
            ["category": category ?? "", "plannedDate": plannedDate ?? "", "products": products ?? "",
             "headcountTotal": headcountTotal ?? "", "headcountOnSite": headcountOnSite ?? "",
             "headcountOutOfProvince": headcountOutOfProvince ?? "", "headcountKeyAreas": headcountKeyAreas ?? "",
             "headcountIsolated": headcountIsolated ?? "", "maskDays": maskDays ?? "",
             "disinfectantDays": disinfectantDays ?? "", "thermometerDays": thermometerDays ?? "",
             "checklist": (checklist ?? []).joined(separator: ",")]
        }

        /// Converts to the shared form; a number that is not one is a field error.
        func form() throws -> ResumptionService.Form {
            var errors = FieldErrors()
            func number(_ text: String?, _ field: String) -> Int? {
                FormText.integer(text, field: field, required: true, into: &errors)
            }
            let form = ResumptionService.Form(
                category: category.flatMap { $0.isEmpty ? nil : $0 }, plannedDate: plannedDate.flatMap { $0.isEmpty ? nil : $0 },
                products: products, headcountTotal: number(headcountTotal, "headcountTotal"),
                headcountOnSite: number(headcountOnSite, "headcountOnSite"),
                headcountOutOfProvince: number(headcountOutOfProvince, "headcountOutOfProvince"),
                headcountKeyAreas: number(headcountKeyAreas, "headcountKeyAreas"), headcountIsolated: number(headcountIsolated, "headcountIsolated"),
                checklist: checklist ?? [], maskDays: number(maskDays, "maskDays"),
                disinfectantDays: number(disinfectantDays, "disinfectantDays"), thermometerDays: number(thermometerDays, "thermometerDays")
            )
            try errors.throwIfAny()
            return form
        }
    }

    /// An enterprise has one open application at a time: with one open, "new" leads to it.
    @Sendable static func newForm(req: Request) async throws -> Response {
        if let enterpriseID = try req.requireUser().$enterprise.id,
           let open = try await ResumptionService.openApplication(of: enterpriseID, on: req.db) {
            try await Pages.flash(req, "resumption.alreadyOpen")
            return req.redirect(to: "/resumption/\(open.id!)")
        }
        return try await renderForm(req, action: "/resumption", values: ["checklist": ""], fields: [:])
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(PageForm.self)
        do {
            let application = try await ResumptionService.create(req.context, try form.form())
            try await Pages.flash(req, "resumption.saved")
            return req.redirect(to: "/resumption/\(application.id!)")
        } catch let errors as FieldErrors {
            return try await renderForm(req, action: "/resumption", values: form.values, fields: errors.messages, status: .unprocessableEntity)
        }
    }

    @Sendable static func editForm(req: Request) async throws -> Response {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        var values = ResumptionService.snapshot(application)
        values["checklist"] = application.checklist.joined(separator: ",")
        return try await renderForm(req, action: "/resumption/\(application.id!)", values: values, fields: [:])
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        let form = try req.content.decode(PageForm.self)
        do {
            try await ResumptionService.update(req.context, application, try form.form())
            try await Pages.flash(req, "resumption.saved")
            return req.redirect(to: "/resumption/\(application.id!)")
        } catch let errors as FieldErrors {
            return try await renderForm(req, action: "/resumption/\(application.id!)", values: form.values,
                                        fields: errors.messages, status: .unprocessableEntity)
        }
    }

    private static func renderForm(_ req: Request, action: String, values: [String: String], fields: [String: String],
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let checked = Set((values["checklist"] ?? "").split(separator: ",").map(String.init))
        let translated = req.translated(fields)
        let inputs = { (names: [String]) in
            names.map { InputField(name: $0, label: req.t("resumption.field.\($0)"), value: values[$0] ?? "", error: translated[$0]) }
        }
        let context = FormPage(
            page: try await Pages.context(req, titleKey: "resumption.form"), action: action, values: values,
            categories: ResumptionCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["category"] == $0.rawValue) },
            headcountFields: inputs(["headcountTotal", "headcountOnSite", "headcountOutOfProvince", "headcountKeyAreas", "headcountIsolated"]),
            checklist: PreventionItem.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: checked.contains($0.rawValue)) },
            supplyFields: inputs(["maskDays", "disinfectantDays", "thermometerDays"]),
            fields: translated
        )
        return try await Pages.render(req, "resumption/form", context, status: status)
    }

    // MARK: The detail page

    struct Fact: Encodable { let label: String; let value: String }
    struct FindingView: Encodable { let severity: String; let message: String }
    struct ChangeView: Encodable { let field: String; let before: String; let after: String }
    struct EventView: Encodable {
        let at: String; let actor: String; let roleName: String; let actionName: String
        let stateName: String; let comment: String?; let changes: [ChangeView]
    }
    struct VisitView: Encodable { let href: String; let date: String; let purposeName: String; let statusName: String; let officer: String }

    struct DetailPage: Encodable {
        let page: PageContext
        let id: UUID
        let enterpriseName: String
        let state: String
        let stateName: String
        let modeName: String?
        let facts: [Fact]
        let checklist: [SelectOption]
        let findings: [FindingView]
        let blocking: Bool
        let attachments: [AttachmentView]
        let attachmentKinds: [SelectOption]
        let timeline: [EventView]
        let pendingChanges: [ChangeView]
        let visits: [VisitView]
        let officer: String?
        let canEdit: Bool
        let canSubmit: Bool
        let canReview: Bool
        let canConfirm: Bool
        let canSuspend: Bool
        let maxUploadMegabytes: Int
        /// The reviewer's reason while the application is back with the enterprise.
        let returnReason: String?
        /// After a mistake: the decision, comment and kind as chosen, so nothing is lost.
        let typed: [String: String]
        let errorFields: [String: String]
    }

    @Sendable static func detail(req: Request) async throws -> Response {
        try await renderDetail(req, try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self)), fields: FieldErrors())
    }

    static func renderDetail(_ req: Request, _ application: ResumptionApplication, fields: FieldErrors,
                             typed: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let settings = try await req.districtSettings()
        let dto = try await ResumptionService.dto(req.context, application)
        let zones = try await EnterpriseRegistry.zones(req.db)
        func label(_ field: String) -> String { req.t("resumption.field.\(field)") }
        let facts = [
            Fact(label: label("category"), value: req.t(application.category.nameKey)),
            Fact(label: label("plannedDate"), value: application.plannedDate),
            Fact(label: label("products"), value: application.products),
            Fact(label: req.t("field.zone"), value: zones.first { $0.code == dto.zone }?.displayName(req.language) ?? dto.zone),
        ] + ["headcountTotal", "headcountOnSite", "headcountOutOfProvince", "headcountKeyAreas", "headcountIsolated",
             "maskDays", "disinfectantDays", "thermometerDays"].map { Fact(label: label($0), value: ResumptionService.snapshot(application)[$0] ?? "") }
        let changes: (FieldChange) -> ChangeView = { ChangeView(field: label($0.field), before: $0.before, after: $0.after) }
        let visits = try await SiteVisit.query(on: req.db).filter(\.$application.$id == dto.id).with(\.$officer).sort(\.$createdAt).all()
        let officer = try await OfficerService.currentAssignment(dto.enterpriseId, on: req.db)?.officer.displayName
        var mode = application.mode ?? .approval
        if application.mode == nil { mode = try await ZoneModesService.mode(req.context, zone: dto.zone, on: CivilDate(req.now)) }
        let actions = Set(application.state.availableActions(mode: mode))
        let context = DetailPage(
            page: try await Pages.context(req, titleKey: "resumption.detail"),
            id: dto.id, enterpriseName: dto.enterpriseName, state: dto.state.rawValue, stateName: req.t(dto.state.nameKey),
            modeName: application.mode.map { req.t($0.nameKey) }, facts: facts,
            checklist: PreventionItem.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: application.checklist.contains($0.rawValue)) },
            findings: dto.findings.map { FindingView(severity: $0.severity, message: $0.message) },
            blocking: dto.findings.contains { $0.severity == "error" },
            attachments: dto.attachments.map {
                AttachmentView(href: "/resumption/\(dto.id)/attachments/\($0.id)", kindName: req.t("resumption.attachment.\($0.kind)"),
                               filename: $0.filename, bytes: $0.size)
            },
            attachmentKinds: AttachmentKind.applicationKinds.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: false) },
            timeline: dto.history.reversed().map {
                EventView(at: DisplayFormat.dateTime($0.at), actor: $0.actor, roleName: req.t("role.\($0.role)"),
                          actionName: req.t("resumption.action.\($0.action)"), stateName: req.t("resumption.state.\($0.toState)"),
                          comment: $0.comment, changes: $0.changes.map(changes))
            },
            pendingChanges: application.returnedSnapshot.map { FieldChange.diff($0, ResumptionService.snapshot(application)).map(changes) } ?? [],
            visits: visits.map {
                VisitView(href: "/visits/\($0.id!)", date: $0.scheduledFor, purposeName: req.t("visit.purpose.\($0.purpose)"),
                          statusName: req.t($0.status.nameKey), officer: $0.officer.displayName)
            },
            officer: officer,
            canEdit: user.role == .enterpriseAdmin && application.state.isEditable,
            canSubmit: user.role == .enterpriseAdmin && actions.contains(.submit),
            canReview: user.role == .reviewer && actions.contains(.pass),
            canConfirm: user.role == .leader && actions.contains(.approve),
            canSuspend: [.officer, .reviewer].contains(user.role) && actions.contains(.suspend),
            maxUploadMegabytes: settings.maxUploadMegabytes,
            returnReason: application.state == .returned
                ? dto.history.last { $0.action == ResumptionAction.returnForChanges.rawValue }.map { $0.comment ?? "" } : nil,
            typed: typed,
            errorFields: req.translated(fields)
        )
        return try await Pages.render(req, "resumption/detail", context, status: status)
    }

    /// Runs a change from a detail-page form; field errors show on the page again.
    private static func act(_ req: Request, flash: String, typed: [String: String] = [:],
                            _ change: @escaping (ResumptionApplication) async throws -> Void) async throws -> Response {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        return try await FormAction.run(req, flash: flash, redirect: "/resumption/\(application.id!)", render: { errors, status in
            try await renderDetail(req, application, fields: errors, typed: typed, status: status)
        }) { try await change(application) }
    }

    /// A decision form's answers as sent, for the page shown again after a mistake.
    private static func typed(_ body: ResumptionAPIController.Decision, form: String) -> [String: String] {
        ["form": form, "decision": body.decision ?? "", "comment": body.comment ?? ""]
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let upload = try req.content.decode(Upload.self)
        return try await act(req, flash: "resumption.attached") { application in
            _ = try await ResumptionService.attach(req.context, application, kind: upload.kind, file: upload.file)
        }
    }

    @Sendable static func download(req: Request) async throws -> Response {
        try await ResumptionAPIController.download(req: req)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await act(req, flash: "resumption.submitted") { try await ResumptionService.submit(req.context, $0) }
    }

    @Sendable static func review(req: Request) async throws -> Response {
        let body = try req.content.decode(ResumptionAPIController.Decision.self)
        return try await act(req, flash: "resumption.decided", typed: typed(body, form: "review")) { application in
            guard let action = body.decision.flatMap({ ResumptionAPIController.reviewDecisions[$0] }) else {
                throw FieldErrors("decision", "error.required")
            }
            try await ResumptionService.transition(req.context, application, action, comment: body.comment)
        }
    }

    @Sendable static func confirm(req: Request) async throws -> Response {
        let body = try req.content.decode(ResumptionAPIController.Decision.self)
        return try await act(req, flash: "resumption.decided", typed: typed(body, form: "confirm")) { application in
            guard let action = body.decision.flatMap({ ResumptionAPIController.confirmDecisions[$0] }) else {
                throw FieldErrors("decision", "error.required")
            }
            try await ResumptionService.transition(req.context, application, action, comment: body.comment)
        }
    }

    @Sendable static func suspend(req: Request) async throws -> Response {
        let body = try req.content.decode(ResumptionAPIController.Decision.self)
        return try await act(req, flash: "resumption.decided", typed: typed(body, form: "suspend")) { application in
            try await ResumptionService.transition(req.context, application, .suspend, comment: body.comment)
        }
    }
}
