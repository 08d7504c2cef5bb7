import Fluent
import Foundation
import Vapor

/// 惠企政策 and notices published by the district.
final class Policy: Model, @unchecked Sendable {
    static let schema = "policies"

    @ID(key: .id) var id: UUID?
    /// `policy` or `notice`.
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "issuer") var issuer: String
    /// `yyyy-MM-dd`
    @Field(key: "issued_on") var issuedOn: String
    /// Markdown; rendered by `Markdown.html`, which escapes everything first.
    @Field(key: "body") var body: String
    @Field(key: "tags") var tags: [String]
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: UUID

    init() {}
}

/// Who has read what, for unread marks.
final class PolicyRead: Model, @unchecked Sendable {
    static let schema = "policy_reads"

    @ID(key: .id) var id: UUID?
    @Parent(key: "policy_id") var policy: Policy
    @Field(key: "user_id") var userID: UUID
    @Field(key: "read_at") var readAt: Date

    init() {}
}

struct CreatePolicies: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Policy.schema)
            .id()
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("issuer", .string, .required)
            .field("issued_on", .string, .required)
            .field("body", .string, .required)
            .field("tags", .array(of: .string), .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid, .required)
            .create()
        try await database.schema(PolicyRead.schema)
            .id()
            .field("policy_id", .uuid, .required, .references(Policy.schema, "id"))
            .field("user_id", .uuid, .required)
            .field("read_at", .datetime, .required)
            .unique(on: "policy_id", "user_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PolicyRead.schema).delete()
        try await database.schema(Policy.schema).delete()
    }
}

/// A file published with a policy (the measures' full text, forms to fill). Same upload rules
/// as everywhere (`Uploads`); everyone who may read the policy may download it.
final class PolicyAttachment: Model, @unchecked Sendable {
    static let schema = "policy_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "policy_id") var policy: Policy
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Parent(key: "file_id") var file: StoredFile
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreatePolicyAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PolicyAttachment.schema)
            .id()
            .field("policy_id", .uuid, .required, .references(Policy.schema, "id"))
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("file_id", .uuid, .required, .references(StoredFile.schema, "id"))
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PolicyAttachment.schema).delete()
    }
}
