import Domain
import Fluent
import Vapor

/// Policies and notices: published by the district, searched and read by everyone signed in,
/// with unread marks and files. Typed commands and a context, as every service.
enum PoliciesService {
    struct Publish: Sendable {
        var kind: String
        var title: String
        var issuer: String
        var issuedOn: CivilDate
        var body: String
        var tags: [String]
    }

    /// With `targets`, each enterprise reached gets a receipt and a notice (`NoticeReceipts`).
    static func publish(_ ctx: ServiceContext, _ command: Publish, targets: (NoticeTargets, [UUID])? = nil) async throws -> Policy {
        let policy = Policy()
        policy.kind = command.kind
        policy.title = command.title
        policy.issuer = command.issuer
        policy.issuedOn = command.issuedOn.iso
        policy.body = command.body
        policy.tags = command.tags
        policy.createdAt = ctx.now
        policy.createdBy = try ctx.requireUser().requireID()
        try await ctx.transaction { db in
            try await policy.create(on: db)
            if let (chosen, enterprises) = targets {
                try await NoticeReceipts.deliver(ctx, policy, targets: chosen, to: enterprises, on: db)
            }
            try await Audit.record(ctx, on: db, action: "policy.publish", entity: "policy", entityID: policy.id,
                                   detail: targets.map { "enterprises=\($0.1.count)" })
        }
        return policy
    }

    /// What a list shows: words in the title, body or issuer, and the kind.
    struct Query: Sendable {
        var text = ""
        var kind: String?
    }

    /// The newest 200 that match.
    static func search(_ ctx: ServiceContext, _ search: Query) async throws -> [Policy] {
        let query = Policy.query(on: ctx.db).sort(\.$issuedOn, .descending).sort(\.$createdAt, .descending)
        let text = FormText.trimmed(search.text)
        if !text.isEmpty { query.filter(contains: text, in: ["title", "body", "issuer"]) }
        if let kind = search.kind, ["policy", "notice"].contains(kind) { query.filter(\.$kind == kind) }
        return try await query.limit(200).all()
    }

    static func find(_ ctx: ServiceContext, id: UUID?) async throws -> Policy {
        guard let id, let policy = try await Policy.find(id, on: ctx.db) else { throw AppError.notFound }
        return policy
    }

    /// The policies this user has read.
    static func readIDs(_ ctx: ServiceContext) async throws -> Set<UUID> {
        let user = try ctx.requireUser()
        return Set(try await PolicyRead.query(on: ctx.db).filter(\.$userID == user.requireID()).all().map(\.$policy.id))
    }

    /// Opening a policy marks it read for this user (the unread marks; bookkeeping on a GET),
    /// and, for an enterprise's people, the enterprise's receipt of a notice sent to it.
    static func markRead(_ ctx: ServiceContext, _ policy: Policy) async throws {
        try await NoticeReceipts.markRead(ctx, policy)
        let id = try policy.requireID()
        let userID = try ctx.requireUser().requireID()
        guard try await PolicyRead.query(on: ctx.db).filter(\.$policy.$id == id).filter(\.$userID == userID).count() == 0 else { return }
        let read = PolicyRead()
        read.$policy.id = id
        read.userID = userID
        read.readAt = ctx.now
        try? await read.create(on: ctx.db)
    }

    /// The files of these policies, in one query.
    static func files(of policies: [Policy], on db: any Database) async throws -> [PolicyAttachment] {
        let ids = policies.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        return try await PolicyAttachment.query(on: db).filter(\.$policy.$id ~~ ids).sort(\.$createdAt).all()
    }

    /// The district admin adds a file to a published policy.
    static func attach(_ ctx: ServiceContext, _ policy: Policy, file: File?) async throws {
        let (stored, name) = try await Uploads.accept(file, ctx)
        let attachment = PolicyAttachment()
        attachment.$policy.id = try policy.requireID()
        attachment.filename = name
        attachment.contentType = stored.contentType
        attachment.size = stored.size
        attachment.createdAt = ctx.now
        try await ctx.transaction { db in
            try await stored.create(on: db)
            attachment.$file.id = try stored.requireID()
            try await attachment.create(on: db)
            try await Audit.record(ctx, on: db, action: "policy.attach", entity: "policy", entityID: policy.id,
                                   detail: "file=\(name),size=\(stored.size)")
        }
    }

    static func attachment(_ ctx: ServiceContext, _ policy: Policy, id: UUID?) async throws -> PolicyAttachment {
        guard let id, let attachment = try await PolicyAttachment.query(on: ctx.db).filter(\.$id == id)
            .filter(\.$policy.$id == policy.requireID()).with(\.$file).first()
        else { throw AppError.notFound }
        return attachment
    }
}
