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
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(PolicyForm.self)
        let input = PoliciesInput.NewPolicy(kind: form.kind, title: form.title, issuer: form.issuer, issuedOn: form.issuedOn, body: form.body,
                                            tags: (form.tags ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init))
        do {
            let policy = try await PoliciesService.publish(req.context, try input.command())
            try await Pages.flash(req, "policies.published")
            return req.redirect(to: "/policies/\(policy.id!)")
        } catch let errors as FieldErrors {
            let values = ["kind": form.kind ?? "", "title": form.title ?? "", "issuer": form.issuer ?? "", "issuedOn": form.issuedOn ?? "",
                          "body": form.body ?? "", "tags": form.tags ?? ""]
            return try await renderList(req, values: values, fields: errors.messages, status: .unprocessableEntity)
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
            values: values, fields: req.translated(fields)
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
        let errorMessages: [String]
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
                                 errorMessages: req.errorList(errors))
        return try await Pages.render(req, "policies/detail", context, status: status)
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let policy = try await PoliciesAPIController.policy(req)
        let upload = try req.content.decode(Upload.self)
        return try await FormAction.run(req, flash: "policies.attached", redirect: "/policies/\(policy.id!)", render: { errors, status in
            try await renderDetail(req, policy, errors: errors, status: status)
        }) { try await PoliciesService.attach(req.context, policy, file: upload.file) }
    }
}
