import Domain
import Fluent
import Vapor

/// `/api/v1/policies`.
enum PoliciesAPIController {
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

        init(_ policy: Policy, read: Set<UUID>, files: [PolicyAttachment]) {
            id = policy.id!
            kind = policy.kind
            title = policy.title
            issuer = policy.issuer
            issuedOn = policy.issuedOn
            body = policy.body
            tags = policy.tags
            unread = !read.contains(policy.id!)
            attachments = files.filter { $0.$policy.id == policy.id }.map {
                .init(id: $0.id!, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                      href: "/api/v1/policies/\(policy.id!)/attachments/\($0.id!)")
            }
        }
    }

    /// The list's query (`?q=&kind=`), pages and API alike.
    static func query(_ req: Request) -> PoliciesService.Query {
        .init(text: req.query[String.self, at: "q"] ?? "", kind: req.query[String.self, at: "kind"])
    }

    /// The policy the route names.
    static func policy(_ req: Request) async throws -> Policy {
        try await PoliciesService.find(req.context, id: req.parameters.get("policyID", as: UUID.self))
    }

    @Sendable static func list(req: Request) async throws -> [PolicyDTO] {
        let read = try await PoliciesService.readIDs(req.context)
        let policies = try await PoliciesService.search(req.context, query(req))
        let files = try await PoliciesService.files(of: policies, on: req.db)
        return policies.map { PolicyDTO($0, read: read, files: files) }
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let input = try req.content.decode(PoliciesInput.NewPolicy.self)
        let (command, targets) = try await PoliciesInput.checked(req.context, input)
        let policy = try await PoliciesService.publish(req.context, command, targets: targets)
        return try Response.created(PolicyDTO(policy, read: [], files: []))
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let policy = try await policy(req)
        try await PoliciesService.attach(req.context, policy, file: try req.content.decode(Upload.self).file)
        return try Response.created(PolicyDTO(policy, read: try await PoliciesService.readIDs(req.context),
                                              files: try await PoliciesService.files(of: [policy], on: req.db)))
    }

    /// A policy's file, as a download (pages and API alike).
    @Sendable static func download(req: Request) async throws -> Response {
        let attachment = try await PoliciesService.attachment(req.context, try await policy(req),
                                                              id: req.parameters.get("attachmentID", as: UUID.self))
        return Uploads.response(attachment.file, name: attachment.filename)
    }

    // MARK: Receipts (传递通知)

    @Sendable static func receipts(req: Request) async throws -> NoticeReceipts.Summary {
        let policy = try await policy(req)
        let read = req.query[String.self, at: "read"].flatMap { ["true": true, "false": false][$0] }
        return try await NoticeReceipts.receipts(req.context, policyID: try policy.requireID(), read: read)
    }

    static func enterpriseID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("enterpriseID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    @Sendable static func remind(req: Request) async throws -> HTTPStatus {
        try await NoticeReceipts.remind(req.context, try await policy(req), enterpriseID: try enterpriseID(req))
        return .noContent
    }

    @Sendable static func call(req: Request) async throws -> HTTPStatus {
        try await NoticeReceipts.called(req.context, try await policy(req), enterpriseID: try enterpriseID(req))
        return .noContent
    }
}
