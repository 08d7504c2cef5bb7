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

    static func dto(_ policy: Policy, read: Set<UUID>) -> PolicyDTO {
        PolicyDTO(id: policy.id!, kind: policy.kind, title: policy.title, issuer: policy.issuer, issuedOn: policy.issuedOn,
                  body: policy.body, tags: policy.tags, unread: !read.contains(policy.id!))
    }

    @Sendable static func apiList(req: Request) async throws -> [PolicyDTO] {
        let read = try await readIDs(req)
        return try await search(req).map { dto($0, read: read) }
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let policy = try await publish(req, try req.content.decode(NewPolicy.self))
        let response = Response(status: .created)
        try response.content.encode(dto(policy, read: []))
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
        let title: String
        let issuer: String
        let issuedOn: String
        let kindName: String
        let tags: [String]
        let html: String
    }

    /// Reading a policy marks it read for this user.
    @Sendable static func detailPage(req: Request) async throws -> Response {
        guard let id = req.parameters.get("policyID", as: UUID.self), let policy = try await Policy.find(id, on: req.db) else {
            throw AppError.notFound
        }
        let userID = try req.requireUser().requireID()
        if try await PolicyRead.query(on: req.db).filter(\.$policy.$id == id).filter(\.$userID == userID).count() == 0 {
            let read = PolicyRead()
            read.$policy.id = id
            read.userID = userID
            read.readAt = req.now
            try? await read.create(on: req.db)
        }
        let context = DetailPage(page: try await Pages.context(req, titleKey: "policies.title"), title: policy.title, issuer: policy.issuer,
                                 issuedOn: policy.issuedOn, kindName: req.t("policies.kind.\(policy.kind)"), tags: policy.tags,
                                 html: Markdown.html(policy.body))
        return try await Pages.render(req, "policies/detail", context)
    }
}
