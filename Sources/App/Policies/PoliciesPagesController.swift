import Domain
import Fluent
import Vapor

/// `/policies`: the board, a policy's page (reading it marks it read), publishing and files.
enum PoliciesPagesController {
    struct ListPage: Encodable {
        struct Row: Encodable { let id: UUID; let title: String; let issuer: String; let issuedOn: String; let kindName: String; let tags: [String]; let unread: Bool }
        let page: PageContext
        let rows: [Row]
        let q: String
        let canPublish: Bool
        let values: [String: String]
        let fields: [String: String]
        let zoneOptions: [SelectOption]
        let categoryOptions: [SelectOption]
    }

    @Sendable static func listPage(req: Request) async throws -> Response {
        try await renderList(req, values: ["issuedOn": CivilDate(req.now).iso], fields: [:])
    }

    struct PolicyForm: Content {
        var kind: String?
        var title: String?
        var issuer: String?
        var issuedOn: String?
        var body: String?
        var tags: String?
        /// `none`, `all` or `chosen` (then the zones, categories and industry below).
        var send: String?
        var zones: [String]?
        var categories: [String]?
        var industry: String?
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(PolicyForm.self)
        let send = form.send ?? "none"
        let targets: NoticeReceipts.TargetsInput? = switch send {
        case "all": .init(all: true)
        case "chosen": .init(all: false, zones: form.zones ?? [], categories: form.categories ?? [],
                             industries: (form.industry ?? "").split(whereSeparator: { ",，、 ".contains($0) }).map(String.init))
        default: nil
        }
        let input = PoliciesInput.NewPolicy(kind: form.kind, title: form.title, issuer: form.issuer, issuedOn: form.issuedOn, body: form.body,
                                            tags: (form.tags ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init),
                                            targets: targets)
        do {
            let (command, reached) = try await PoliciesInput.checked(req.context, input)
            let policy = try await PoliciesService.publish(req.context, command, targets: reached)
            try await Pages.flash(req, reached == nil ? "policies.published" : "policies.sent")
            return req.redirect(to: "/policies/\(policy.id!)")
        } catch let errors as FieldErrors {
            var values = ["kind": form.kind ?? "", "title": form.title ?? "", "issuer": form.issuer ?? "", "issuedOn": form.issuedOn ?? "",
                          "body": form.body ?? "", "tags": form.tags ?? "", "send": send, "industry": form.industry ?? ""]
            for zone in form.zones ?? [] { values["zone.\(zone)"] = "on" }
            for category in form.categories ?? [] { values["category.\(category)"] = "on" }
            return try await renderList(req, values: values, fields: errors.renamed { $0.hasPrefix("targets") ? "targets" : $0 }.messages,
                                        status: .unprocessableEntity)
        }
    }

    private static func renderList(_ req: Request, values: [String: String], fields: [String: String],
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let read = try await PoliciesService.readIDs(req.context)
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "policies.title"),
            rows: try await PoliciesService.search(req.context, PoliciesAPIController.query(req)).map {
                .init(id: $0.id!, title: $0.title, issuer: $0.issuer, issuedOn: $0.issuedOn, kindName: req.t("policies.kind.\($0.kind)"),
                      tags: $0.tags, unread: !read.contains($0.id!))
            },
            q: req.query[String.self, at: "q"] ?? "", canPublish: try req.requireUser().role == .districtAdmin,
            values: values, fields: req.translated(fields),
            zoneOptions: try await EnterpriseRegistry.zones(req.db).map {
                SelectOption(value: $0.code, label: $0.displayName(req.language), selected: values["zone.\($0.code)"] != nil)
            },
            categoryOptions: ResumptionCategory.allCases.map {
                SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["category.\($0.rawValue)"] != nil)
            }
        )
        return try await Pages.render(req, "policies/list", context, status: status)
    }

    struct DetailPage: Encodable {
        let page: PageContext
        let id: UUID
        let title: String
        let issuer: String
        let issuedOn: String
        let kindName: String
        let tags: [String]
        let html: String
        let attachments: [AttachmentView]
        let canAttach: Bool
        let maxUploadMegabytes: Int
        let errorFields: [String: String]
        let receipts: ReceiptsView?
    }

    struct ReceiptsView: Encodable {
        struct Row: Encodable {
            let enterpriseId: UUID
            let name: String
            let read: String?
            let reminded: String?
            let called: String?
        }

        let sent: Int
        let read: Int
        let unread: [Row]
        let readRows: [Row]
        let canRemind: Bool
        let canCall: Bool
    }

    /// Reading a policy marks it read for this user.
    @Sendable static func detailPage(req: Request) async throws -> Response {
        let policy = try await PoliciesAPIController.policy(req)
        try await PoliciesService.markRead(req.context, policy)
        return try await renderDetail(req, policy, errors: FieldErrors())
    }

    static func renderDetail(_ req: Request, _ policy: Policy, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try policy.requireID()
        let user = try req.requireUser()
        let context = DetailPage(page: try await Pages.context(req, titleKey: "policies.title"), id: id, title: policy.title, issuer: policy.issuer,
                                 issuedOn: policy.issuedOn, kindName: req.t("policies.kind.\(policy.kind)"), tags: policy.tags,
                                 html: Markdown.html(policy.body),
                                 attachments: try await PoliciesService.files(of: [policy], on: req.db).map {
                                     AttachmentView(href: "/policies/\(id)/attachments/\($0.id!)", kindName: "", filename: $0.filename, bytes: $0.size)
                                 },
                                 canAttach: user.role == .districtAdmin,
                                 maxUploadMegabytes: try await req.districtSettings().maxUploadBytes / 1_048_576,
                                 errorFields: req.translated(errors),
                                 receipts: try await receiptsView(req, id, user))
        return try await Pages.render(req, "policies/detail", context, status: status)
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let policy = try await PoliciesAPIController.policy(req)
        let upload = try req.content.decode(Upload.self)
        return try await FormAction.run(req, flash: "policies.attached", redirect: "/policies/\(policy.id!)", render: { errors, status in
            try await renderDetail(req, policy, errors: errors, status: status)
        }) { try await PoliciesService.attach(req.context, policy, file: upload.file) }
    }

    /// For the district's roles and the officers, when the notice was sent to enterprises.
    private static func receiptsView(_ req: Request, _ id: UUID, _ user: User) async throws -> ReceiptsView? {
        guard [.districtAdmin, .leader, .officer].contains(user.role),
              try await NoticeDelivery.query(on: req.db).filter(\.$policyID == id).first() != nil else { return nil }
        let summary = try await NoticeReceipts.receipts(req.context, policyID: id, read: nil)
        let rows = summary.receipts.map { receipt in
            ReceiptsView.Row(enterpriseId: receipt.enterpriseId, name: receipt.enterpriseName,
                             read: receipt.readAt.map { req.t("notice.readBy", receipt.readBy ?? "", DisplayFormat.dateTime($0)) },
                             reminded: receipt.remindedAt.map { req.t("notice.reminded", String(receipt.reminders), DisplayFormat.dateTime($0)) },
                             called: receipt.calledAt.map { req.t("notice.called", receipt.calledBy ?? "", DisplayFormat.dateTime($0)) })
        }
        return ReceiptsView(sent: summary.sent, read: summary.read, unread: rows.filter { $0.read == nil }, readRows: rows.filter { $0.read != nil },
                            canRemind: [.districtAdmin, .officer].contains(user.role), canCall: user.role == .officer)
    }

    /// `reminder` or `call`, from the notice's page.
    @Sendable static func receiptAction(req: Request) async throws -> Response {
        let policy = try await PoliciesAPIController.policy(req)
        let enterpriseID = try PoliciesAPIController.enterpriseID(req)
        let action = req.parameters.get("action") ?? ""
        guard ["reminder", "call"].contains(action) else { throw AppError.notFound }
        return try await FormAction.run(req, flash: action == "reminder" ? "notice.reminderSent" : "notice.callLogged",
                                        redirect: "/policies/\(policy.id!)#receipts", render: { errors, status in
            try await renderDetail(req, policy, errors: errors, status: status)
        }) {
            if action == "reminder" {
                try await NoticeReceipts.remind(req.context, policy, enterpriseID: enterpriseID)
            } else {
                try await NoticeReceipts.called(req.context, policy, enterpriseID: enterpriseID)
            }
        }
    }
}
