import Fluent
import Foundation
import Vapor

/// A message for an enterprise's people (or one user): a string-table key with its values and
/// a link, read in the reader's language.
final class Notification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "enterprise_id") var enterpriseID: UUID?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "message_key") var messageKey: String
    @Field(key: "arguments") var arguments: [String]
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    /// Notifies the people of an enterprise, inside the transaction of the change.
    static func toEnterprise(_ enterpriseID: UUID, _ key: String, _ arguments: [String] = [], link: String,
                             at: Date, on db: any Database) async throws {
        let notification = Notification()
        notification.enterpriseID = enterpriseID
        notification.messageKey = key
        notification.arguments = arguments
        notification.link = link
        notification.createdAt = at
        try await notification.create(on: db)
    }

    static func toUser(_ userID: UUID, _ key: String, _ arguments: [String] = [], link: String,
                       at: Date, on db: any Database) async throws {
        let notification = Notification()
        notification.userID = userID
        notification.messageKey = key
        notification.arguments = arguments
        notification.link = link
        notification.createdAt = at
        try await notification.create(on: db)
    }

    /// What a user sees: their own and their enterprise's, newest first.
    static func visible(to user: User, on db: any Database, limit: Int = 20) async throws -> [Notification] {
        try await Notification.query(on: db)
            .group(.or) { group in
                group.filter(\.$userID == user.id)
                if let enterpriseID = user.$enterprise.id { group.filter(\.$enterpriseID == enterpriseID) }
            }
            .sort(\.$createdAt, .descending)
            .limit(limit)
            .all()
    }
}

struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Notification.schema)
            .id()
            .field("enterprise_id", .uuid)
            .field("user_id", .uuid)
            .field("message_key", .string, .required)
            .field("arguments", .array(of: .string), .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Notification.schema).delete()
    }
}
