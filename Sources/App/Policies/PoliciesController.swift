import Domain
import Fluent
import Vapor

/// The policy board: the district publishes policies and notices; everyone signed in reads
/// them, with search and unread marks.
enum PoliciesController {
    struct NewPolicy: Content {
        var kind: String?
        var title: String?
        var issuer: String?
        var issuedOn: String?
        var body: String?
        var tags: [String]?
    }

    struct PolicyDTO: Content {
        let id: UUID
        let kind: String
        let title: String
        let issuer: String
        let issuedOn: String
        let body: String
        let tags: [String]
        let unread: Bool
        let attachments: [Attachment]

        struct Attachment: Content {
            let id: UUID
            let filename: String
            let contentType: String
            let size: Int
            let href: String
        }
    }

    static func publish(_ req: Request, _ input: NewPolicy) async throws -> Policy {
        var errors = FieldErrors()
        let kind = input.kind ?? "policy"
        if !["policy", "notice"].contains(kind) { errors.add("kind", "error.choice") }
        let title = FormText.required(input.title, field: "title", maxLength: 200, into: &errors)
        let issuer = FormText.required(input.issuer, field: "issuer", maxLength: 100, into: &errors)
        let body = FormText.required(input.body, field: "body", maxLength: 50_000, into: &errors)
        let issuedOn = FormText.trimmed(input.issuedOn)
        if CivilDate(iso: issuedOn) == nil { errors.add("issuedOn", issuedOn.isEmpty ? "error.required" : "error.date") }
        let tags = (input.tags ?? []).map(FormText.trimmed).filter { !$0.isEmpty }
        if tags.count > 10 || tags.contains(where: { $0.count > 20 }) { errors.add("tags", "error.tooLong") }
        try errors.throwIfAny()
        let policy = Policy()
        policy.kind = kind
        policy.title = title
        policy.issuer = issuer
        policy.issuedOn = issuedOn
        policy.body = body
        policy.tags = tags
        policy.createdAt = req.now
        policy.createdBy = try req.requireUser().requireID()
        try await req.transaction { db in
            try await policy.create(on: db)
            try await Audit.record(req, on: db, action: "policy.publish", entity: "policy", entityID: policy.id)
        }
        return policy
    }

    static func search(_ req: Request) async throws -> [Policy] {
        let query = Policy.query(on: req.db).sort(\.$issuedOn, .descending).sort(\.$createdAt, .descending)
        if let text = req.query[String.self, at: "q"].map(FormText.trimmed), !text.isEmpty {
            query.filter(contains: text, in: ["title", "body", "issuer"])
        }
        if let kind = req.query[String.self, at: "kind"], ["policy", "notice"].contains(kind) { query.filter(\.$kind == kind) }
        return try await query.limit(200).all()
    }

    static func readIDs(_ req: Request) async throws -> Set<UUID> {
        let user = try req.requireUser()
        return Set(try await PolicyRead.query(on: req.db).filter(\.$userID == user.requireID()).all().map(\.$policy.id))
    }

    static func dto(_ policy: Policy, read: Set<UUID>, files: [PolicyAttachment]) -> PolicyDTO {
        PolicyDTO(id: policy.id!, kind: policy.kind, title: policy.title, issuer: policy.issuer, issuedOn: policy.issuedOn,
                  body: policy.body, tags: policy.tags, unread: !read.contains(policy.id!),
                  attachments: files.filter { $0.$policy.id == policy.id }.map {
                      .init(id: $0.id!, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                            href: "/api/v1/policies/\(policy.id!)/attachments/\($0.id!)")
                  })
    }

    /// The files of these policies, in one query.
    static func files(of policies: [Policy], on db: any Database) async throws -> [PolicyAttachment] {
        let ids = policies.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        return try await PolicyAttachment.query(on: db).filter(\.$policy.$id ~~ ids).sort(\.$createdAt).all()
    }

    @Sendable static func apiList(req: Request) async throws -> [PolicyDTO] {
        let read = try await readIDs(req)
        let policies = try await search(req)
        let files = try await files(of: policies, on: req.db)
        return policies.map { dto($0, read: read, files: files) }
    }

    // MARK: Attachments

    static func find(_ req: Request) async throws -> Policy {
        guard let id = req.parameters.get("policyID", as: UUID.self), let policy = try await Policy.find(id, on: req.db) else {
            throw AppError.notFound
        }
        return policy
    }

    /// The district admin adds a file to a published policy.
    static func attach(_ req: Request, _ policy: Policy, file: File?) async throws {
        let (stored, name) = try await Uploads.accept(file, req)
        let attachment = PolicyAttachment()
        attachment.$policy.id = try policy.requireID()
        attachment.filename = name
        attachment.contentType = stored.contentType
        attachment.size = stored.size
        attachment.createdAt = req.now
        try await req.transaction { db in
            try await stored.create(on: db)
            attachment.$file.id = try stored.requireID()
            try await attachment.create(on: db)
            try await Audit.record(req, on: db, action: "policy.attach", entity: "policy", entityID: policy.id,
                                   detail: "file=\(name),size=\(stored.size)")
        }
    }

    @Sendable static func apiAttach(req: Request) async throws -> Response {
        let policy = try await find(req)
        try await attach(req, policy, file: try req.content.decode(Upload.self).file)
        let response = Response(status: .created)
        try response.content.encode(dto(policy, read: try await readIDs(req), files: try await files(of: [policy], on: req.db)))
        return response
    }

    @Sendable static func attachFromPage(req: Request) async throws -> Response {
        let policy = try await find(req)
        let upload = try req.content.decode(Upload.self)
        return try await FormAction.run(req, flash: "policies.attached", redirect: "/policies/\(policy.id!)", render: { errors, status in
            try await renderDetail(req, policy, errors: errors, status: status)
        }) { try await attach(req, policy, file: upload.file) }
    }

    @Sendable static func download(req: Request) async throws -> Response {
        let policy = try await find(req)
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
              let attachment = try await PolicyAttachment.query(on: req.db).filter(\.$id == id)
                .filter(\.$policy.$id == policy.requireID()).with(\.$file).first()
        else { throw AppError.notFound }
        return Uploads.response(attachment.file, name: attachment.filename)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let policy = try await publish(req, try req.content.decode(NewPolicy.self))
        let response = Response(status: .created)
        try response.content.encode(dto(policy, read: [], files: []))
        return response
    }

    // MARK: Pages

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
        let input = NewPolicy(kind: form.kind, title: form.title, issuer: form.issuer, issuedOn: form.issuedOn, body: form.body,
                              tags: (form.tags ?? "").split(whereSeparator: { $0 == "," || $0 == "，" || $0 == " " }).map(String.init))
        do {
            let policy = try await publish(req, input)
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
        let read = try await readIDs(req)
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "policies.title"),
            rows: try await search(req).map {
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
        try await renderDetail(req, try await find(req), errors: FieldErrors())
    }

    static func renderDetail(_ req: Request, _ policy: Policy, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try policy.requireID()
        let user = try req.requireUser()
        let userID = try user.requireID()
        if try await PolicyRead.query(on: req.db).filter(\.$policy.$id == id).filter(\.$userID == userID).count() == 0 {
            let read = PolicyRead()
            read.$policy.id = id
            read.userID = userID
            read.readAt = req.now
            try? await read.create(on: req.db)
        }
        let context = DetailPage(page: try await Pages.context(req, titleKey: "policies.title"), id: id, title: policy.title, issuer: policy.issuer,
                                 issuedOn: policy.issuedOn, kindName: req.t("policies.kind.\(policy.kind)"), tags: policy.tags,
                                 html: Markdown.html(policy.body),
                                 attachments: try await files(of: [policy], on: req.db).map {
                                     AttachmentView(href: "/policies/\(id)/attachments/\($0.id!)", kindName: "", filename: $0.filename, bytes: $0.size)
                                 },
                                 canAttach: user.role == .districtAdmin,
                                 maxUploadMegabytes: try await req.districtSettings().maxUploadBytes / 1_048_576,
                                 errorMessages: req.errorList(errors))
        return try await Pages.render(req, "policies/detail", context, status: status)
    }
}
