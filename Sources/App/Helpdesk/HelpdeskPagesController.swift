import Domain
import Fluent
import Vapor

/// The help desk's pages: the list (enterprise's own, the department's queue), raising a
/// ticket with its instant receipt, the conversation, and the scorecards.
enum HelpdeskPagesController {
    struct Row: Encodable {
        let id: UUID; let number: String; let title: String; let enterprise: String; let department: String
        let urgency: String; let urgencyName: String; let state: String; let stateName: String; let due: String; let overdue: Bool
    }

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let states: [SelectOption]
        let canRaise: Bool
        let overdueOnly: Bool
        /// An enterprise's people see their own tickets only: no column of their own name.
        let showEnterprise: Bool
    }

    @Sendable static func list(req: Request) async throws -> Response {
        let user = try req.requireUser()
        var rows: [Row] = []
        for ticket in try await HelpdeskService.list(req.context, .init(req)) {
            let dto = try await HelpdeskService.dto(req.context, ticket, withMessages: false)
            rows.append(Row(id: dto.id, number: dto.number, title: dto.title, enterprise: dto.enterpriseName, department: dto.department,
                            urgency: dto.urgency.rawValue, urgencyName: req.t(dto.urgency.nameKey), state: dto.state.rawValue,
                            stateName: req.t(dto.state.nameKey), due: DisplayFormat.dateTime(dto.firstResponseAt == nil ? dto.firstResponseDueAt : dto.resolutionDueAt),
                            overdue: dto.overdue))
        }
        let state = req.query[String.self, at: "state"] ?? ""
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "helpdesk.title"), rows: rows,
            states: TicketState.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == state) },
            canRaise: [.enterpriseAdmin, .officer].contains(user.role), overdueOnly: req.query[Bool.self, at: "overdue"] == true,
            showEnterprise: !user.role.belongsToEnterprise
        )
        return try await Pages.render(req, "helpdesk/list", context)
    }

    struct FormPage: Encodable {
        let page: PageContext
        let categories: [SelectOption]
        let urgencies: [SelectOption]
        let enterprises: [SelectOption]
        let values: [String: String]
        let fields: [String: String]
    }

    @Sendable static func newForm(req: Request) async throws -> Response {
        try await renderForm(req, values: ["urgency": "general"], fields: [:])
    }

    struct TicketForm: Content {
        var category: String?
        var urgency: String?
        var title: String?
        var description: String?
        var enterpriseId: String?
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(TicketForm.self)
        let input = HelpdeskInput.NewTicket(category: form.category, urgency: form.urgency, title: form.title, description: form.description,
                                            enterpriseId: form.enterpriseId.flatMap(UUID.init(uuidString:)))
        do {
            let ticket = try await HelpdeskService.raise(req.context, try input.command())
            try await Pages.flash(req, "helpdesk.received")
            return req.redirect(to: "/helpdesk/\(ticket.id!)")
        } catch let errors as FieldErrors {
            let values = ["category": form.category ?? "", "urgency": form.urgency ?? "", "title": form.title ?? "",
                          "description": form.description ?? "", "enterpriseId": form.enterpriseId ?? ""]
            return try await renderForm(req, values: values, fields: errors.messages, status: .unprocessableEntity)
        }
    }

    private static func renderForm(_ req: Request, values: [String: String], fields: [String: String],
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        var enterprises: [SelectOption] = []
        if user.role == .officer {
            for enterprise in try await Enterprise.query(on: req.db).filter(\.$status == .verified).sort(\.$name).all()
            where try await OfficerService.serves(user, enterprise, on: req.db) {
                enterprises.append(SelectOption(value: enterprise.id!.uuidString, label: enterprise.name, selected: values["enterpriseId"] == enterprise.id!.uuidString))
            }
        }
        let context = FormPage(
            page: try await Pages.context(req, titleKey: "helpdesk.new"),
            categories: TicketCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["category"] == $0.rawValue) },
            urgencies: TicketUrgency.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["urgency"] == $0.rawValue) },
            enterprises: enterprises, values: values, fields: req.translated(fields)
        )
        return try await Pages.render(req, "helpdesk/form", context, status: status)
    }

    struct MessageView: Encodable {
        let at: String; let author: String; let roleName: String; let kind: String; let isInternal: Bool; let text: String; let policyHref: String?
        /// The cited policy's title, so the reader knows what the link opens.
        let policyTitle: String?
    }

    struct DetailPage: Encodable {
        let page: PageContext
        let ticket: TicketDTO
        let categoryName: String
        let urgencyName: String
        let stateName: String
        let acknowledgedAt: String
        let firstResponseDue: String
        let resolutionDue: String
        let messages: [MessageView]
        let attachments: [AttachmentView]
        let canAttach: Bool
        let maxUploadMegabytes: Int
        let canAccept: Bool
        let canReply: Bool
        let canNote: Bool
        let canAnswer: Bool
        let canTransfer: Bool
        let canRate: Bool
        let departments: [SelectOption]
        let policies: [SelectOption]
        let satisfactions: [SelectOption]
        /// After a mistake: which form (`answer`, `reply`, `note`, `transfer`, `feedback`) and what it held.
        let typed: [String: String]
        let errorFields: [String: String]
    }

    @Sendable static func detail(req: Request) async throws -> Response {
        try await renderDetail(req, try await HelpdeskAPIController.ticket(req), errors: FieldErrors())
    }

    static func renderDetail(_ req: Request, _ ticket: Ticket, errors: FieldErrors, typed: [String: String] = [:],
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let dto = try await HelpdeskService.dto(req.context, ticket, withMessages: true)
        let party = HelpdeskService.party(user, ticket)
        let may = { (step: TicketPermissions.Step) in TicketPermissions.allows(party, step, in: dto.state) }
        let departments = try await Department.query(on: req.db).sort(\.$name).all().filter { $0.id != ticket.$department.id }
        let policies = try await Policy.query(on: req.db).sort(\.$issuedOn, .descending).limit(50).all()
        let cited = Set((dto.messages ?? []).compactMap(\.policyId))
        let policyTitles = cited.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Policy.query(on: req.db).filter(\.$id ~~ cited).all()
            .map { ($0.id!, $0.title) })
        let context = DetailPage(
            page: try await Pages.context(req, titleKey: "helpdesk.ticket"),
            ticket: dto, categoryName: req.t(dto.category.nameKey), urgencyName: req.t(dto.urgency.nameKey), stateName: req.t(dto.state.nameKey),
            acknowledgedAt: DisplayFormat.dateTime(dto.acknowledgedAt), firstResponseDue: DisplayFormat.dateTime(dto.firstResponseDueAt),
            resolutionDue: DisplayFormat.dateTime(dto.resolutionDueAt),
            messages: (dto.messages ?? []).map { message in
                MessageView(at: DisplayFormat.dateTime(message.at), author: message.author, roleName: message.role == "system" ? "" : req.t("role.\(message.role)"),
                            kind: message.kind.rawValue, isInternal: message.internal, text: message.body,
                            policyHref: message.policyId.map { "/policies/\($0)" }, policyTitle: message.policyId.flatMap { policyTitles[$0] })
            },
            attachments: (dto.attachments ?? []).map {
                AttachmentView(href: "/helpdesk/\(dto.id)/attachments/\($0.id)", kindName: $0.uploadedBy, filename: $0.filename, bytes: $0.size)
            },
            canAttach: may(.attach),
            maxUploadMegabytes: try await req.districtSettings().maxUploadBytes / 1_048_576,
            canAccept: may(.accept),
            canReply: may(.reply),
            canNote: may(.note),
            canAnswer: may(.answer),
            canTransfer: may(.transfer),
            canRate: may(.rate),
            departments: departments.map {
                SelectOption(value: $0.id!.uuidString, label: $0.displayName(req.language), selected: $0.id!.uuidString == typed["departmentId"])
            },
            policies: policies.map { SelectOption(value: $0.id!.uuidString, label: $0.title, selected: $0.id!.uuidString == typed["policyId"]) },
            satisfactions: Satisfaction.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == typed["satisfaction"]) },
            typed: typed,
            errorFields: req.translated(errors)
        )
        return try await Pages.render(req, "helpdesk/detail", context, status: status)
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let upload = try req.content.decode(Upload.self)
        return try await act(req, flash: "helpdesk.attached") { _ = try await HelpdeskService.attach($0, $1, file: upload.file) }
    }

    @Sendable static func download(req: Request) async throws -> Response {
        try await HelpdeskAPIController.download(req: req)
    }

    /// Runs a change from a detail-page form; field errors show on the page.
    private static func act(_ req: Request, flash: String, typed: [String: String] = [:],
                            _ change: @escaping (ServiceContext, Ticket) async throws -> Void) async throws -> Response {
        let ticket = try await HelpdeskAPIController.ticket(req)
        return try await FormAction.run(req, flash: flash, redirect: "/helpdesk/\(ticket.id!)", render: { errors, status in
            try await renderDetail(req, ticket, errors: errors, typed: typed, status: status)
        }) { try await change(req.context, ticket) }
    }

    @Sendable static func accept(req: Request) async throws -> Response {
        try await act(req, flash: "helpdesk.accepted") { try await HelpdeskService.accept($0, $1) }
    }

    struct ReplyForm: Content {
        var body: String?
        var `internal`: String?
        var policyId: String?
    }

    @Sendable static func reply(req: Request) async throws -> Response {
        let form = try req.content.decode(ReplyForm.self)
        let reply = HelpdeskInput.Reply(body: form.body, internal: form.internal == "true", policyId: form.policyId.flatMap(UUID.init(uuidString:)))
        let typed = ["form": form.internal == "true" ? "note" : "reply", "body": form.body ?? ""]
        return try await act(req, flash: form.internal == "true" ? "helpdesk.noted" : "helpdesk.replied", typed: typed) {
            try await HelpdeskService.reply($0, $1, try reply.command())
        }
    }

    @Sendable static func answer(req: Request) async throws -> Response {
        let form = try req.content.decode(ReplyForm.self)
        let reply = HelpdeskInput.Reply(body: form.body, internal: false, policyId: form.policyId.flatMap(UUID.init(uuidString:)))
        return try await act(req, flash: "helpdesk.answered", typed: ["form": "answer", "body": form.body ?? "", "policyId": form.policyId ?? ""]) {
            try await HelpdeskService.answer($0, $1, try reply.command())
        }
    }

    struct TransferForm: Content {
        var departmentId: String?
        var reason: String?
    }

    @Sendable static func transfer(req: Request) async throws -> Response {
        let form = try req.content.decode(TransferForm.self)
        let transfer = HelpdeskInput.Transfer(departmentId: form.departmentId.flatMap(UUID.init(uuidString:)), reason: form.reason)
        return try await act(req, flash: "helpdesk.transferred",
                             typed: ["form": "transfer", "departmentId": form.departmentId ?? "", "reason": form.reason ?? ""]) { try await HelpdeskService.transfer($0, $1, try transfer.command()) }
    }

    struct FeedbackForm: Content {
        var solved: String?
        var satisfaction: String?
        var like: String?
        var comment: String?
    }

    @Sendable static func feedback(req: Request) async throws -> Response {
        let form = try req.content.decode(FeedbackForm.self)
        let feedback = HelpdeskInput.Feedback(solved: form.solved.map { $0 == "yes" }, satisfaction: form.satisfaction,
                                              like: form.like == "on", comment: form.comment)
        let typed = ["form": "feedback", "solved": form.solved ?? "", "satisfaction": form.satisfaction ?? "",
                     "like": form.like ?? "", "comment": form.comment ?? ""]
        return try await act(req, flash: "helpdesk.thanks", typed: typed) { try await HelpdeskService.feedback($0, $1, try feedback.command()) }
    }

    // MARK: Scorecards

    struct ScorecardPage: Encodable {
        struct Row: Encodable {
            let rank: Int; let name: String; let tickets: Int; let responseRate: String; let resolutionRate: String
            let satisfactionRate: String; let likes: Int; let median: String; let overdue: Int; let transfers: Int
        }
        let page: PageContext
        let from: String
        let to: String
        let departments: [Row]
        let agents: [Row]
        let charts: [BarChart]
    }

    @Sendable static func scorecards(req: Request) async throws -> Response {
        let report = try await Scorecards.report(req)
        func percent(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
        func minutes(_ value: Double?) -> String {
            guard let value else { return "—" }
            return value < 120 ? req.t("helpdesk.minutes", String(Int(value.rounded()))) : req.t("helpdesk.hours", String(format: "%.1f", value / 60))
        }
        func rows(_ rows: [Scorecards.Row]) -> [ScorecardPage.Row] {
            rows.enumerated().map { index, row in
                .init(rank: index + 1, name: row.name, tickets: row.tickets, responseRate: percent(row.responseRate),
                      resolutionRate: percent(row.resolutionRate), satisfactionRate: percent(row.satisfactionRate), likes: row.likes,
                      median: minutes(row.medianFirstResponseMinutes), overdue: row.overdue, transfers: row.transfers)
            }
        }
        let recent = report.days.suffix(14)
        let context = ScorecardPage(
            page: try await Pages.context(req, titleKey: "scorecards.title"), from: report.from, to: report.to,
            departments: rows(report.departments), agents: rows(report.agents),
            charts: [
                BarChart(title: req.t("scorecards.volume"), legend: req.t("scorecards.tickets"),
                         rows: recent.map { (label: String($0.day.dropFirst(5)), value: $0.tickets, second: nil) }),
                // A day without a first reply has no median: no bar, and it says so.
                BarChart(title: req.t("scorecards.median"), legend: req.t("scorecards.medianMinutes"), unit: req.t("unit.minutes"),
                         noData: req.t("scorecards.noReply"),
                         values: recent.map { (label: String($0.day.dropFirst(5)), value: $0.medianFirstResponseMinutes.map { Int($0.rounded()) }, second: nil) }),
            ]
        )
        return try await Pages.render(req, "helpdesk/scorecards", context)
    }
}
