import Domain
import Fluent
import Foundation
import Vapor

/// 企业诉求.
final class Ticket: Model, @unchecked Sendable {
    static let schema = "tickets"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Field(key: "raised_by") var raisedBy: UUID
    /// `enterprise`, `officer` or `system` (from elsewhere in the platform).
    @Field(key: "source") var source: TicketSource
    @Enum(key: "category") var category: TicketCategory
    @Enum(key: "urgency") var urgency: TicketUrgency
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Parent(key: "department_id") var department: Department
    @Enum(key: "state") var state: TicketState
    @Field(key: "created_at") var createdAt: Date
    /// 秒回: set in the request that creates the ticket.
    @Field(key: "acknowledged_at") var acknowledgedAt: Date
    @Field(key: "first_response_due_at") var firstResponseDueAt: Date
    @Field(key: "resolution_due_at") var resolutionDueAt: Date
    @OptionalField(key: "first_response_at") var firstResponseAt: Date?
    @OptionalField(key: "accepted_by") var acceptedBy: UUID?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalEnum(key: "closure") var closure: TicketClosure?
    @Field(key: "transfer_count") var transferCount: Int
    @Field(key: "escalation_level") var escalationLevel: Int
    @OptionalField(key: "solved") var solved: Bool?
    @OptionalEnum(key: "satisfaction") var satisfaction: Satisfaction?
    @Field(key: "liked") var liked: Bool
    @OptionalField(key: "feedback_comment") var feedbackComment: String?

    init() {}
}

extension Ticket {
    /// What the help-desk clock says about this ticket now.
    func clockStatus(_ levels: ServiceLevels, now: Date) -> ServiceLevels.Status {
        levels.status(state: state, firstResponseDue: firstResponseDueAt, resolutionDue: resolutionDueAt,
                      firstResponseAt: firstResponseAt, answeredAt: answeredAt, now: now)
    }
}

/// A file added to a ticket by the enterprise, its officer or the department (same upload
/// rules as everywhere: `Uploads`). Whoever may see the ticket may download it.
final class TicketAttachment: Model, @unchecked Sendable {
    static let schema = "ticket_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Parent(key: "file_id") var file: StoredFile
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "uploader_name") var uploaderName: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateTicketAttachments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TicketAttachment.schema)
            .id()
            .field("ticket_id", .uuid, .required, .references(Ticket.schema, "id"))
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("file_id", .uuid, .required, .references(StoredFile.schema, "id"))
            .field("uploaded_by", .uuid, .required)
            .field("uploader_name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TicketAttachment.schema).delete()
    }
}

/// A line of a ticket's conversation: replies both ways, internal notes (never shown to the
/// enterprise), answers, and what the system did (receipt, transfers, escalations).
final class TicketMessage: Model, @unchecked Sendable {
    static let schema = "ticket_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "ticket_id") var ticket: Ticket
    @Field(key: "at") var at: Date
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_name") var authorName: String
    @Field(key: "author_role") var authorRole: String
    @Field(key: "kind") var kind: TicketMessageKind
    @Field(key: "internal") var isInternal: Bool
    /// The words, or for an event (`kind.isEvent`) its JSON (`TicketEvent.stored`).
    @Field(key: "body") var body: String
    @OptionalField(key: "policy_id") var policyID: UUID?

    init() {}

    var event: TicketEvent? { kind.isEvent ? TicketEvent(stored: body) : nil }
}

/// The first releases kept events as pipe-joined text (`transferred|from|to|reason`); this
/// rewrites them as `TicketEvent` JSON.
struct TypedTicketEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let events = try await TicketMessage.query(on: database).filter(\.$kind ~~ [.system, .feedback]).all()
        for message in events where TicketEvent(stored: message.body) == nil {
            guard let event = TicketEvent(legacy: message.body) else { continue }
            message.body = event.stored
            try await message.save(on: database)
        }
    }

    func revert(on database: any Database) async throws {}
}

/// Which department a category goes to (快速流转). Unmatched categories go to the duty desk.
final class RoutingRule: Model, @unchecked Sendable {
    static let schema = "routing_rules"

    @ID(key: .id) var id: UUID?
    @Enum(key: "category") var category: TicketCategory
    @Parent(key: "department_id") var department: Department

    init() {}
}

struct CreateHelpdesk: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema(Department.schema).field("head_id", .uuid).update()
        try await database.schema(Department.schema).field("webhook_url", .string).update()
        try await database.schema(Department.schema).field("is_duty_desk", .bool, .required, .sql(.default(false))).update()
        try await database.schema(RoutingRule.schema)
            .id()
            .field("category", .string, .required)
            .field("department_id", .uuid, .required, .references(Department.schema, "id"))
            .unique(on: "category")
            .create()
        try await database.schema(Ticket.schema)
            .id()
            .field("number", .string, .required)
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("raised_by", .uuid, .required)
            .field("source", .string, .required)
            .field("category", .string, .required)
            .field("urgency", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("department_id", .uuid, .required, .references(Department.schema, "id"))
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("acknowledged_at", .datetime, .required)
            .field("first_response_due_at", .datetime, .required)
            .field("resolution_due_at", .datetime, .required)
            .field("first_response_at", .datetime)
            .field("accepted_by", .uuid)
            .field("answered_at", .datetime)
            .field("closed_at", .datetime)
            .field("closure", .string)
            .field("transfer_count", .int, .required)
            .field("escalation_level", .int, .required)
            .field("solved", .bool)
            .field("satisfaction", .string)
            .field("liked", .bool, .required)
            .field("feedback_comment", .string)
            .unique(on: "number")
            .create()
        // The day's last ticket number, taken with one atomic upsert in the ticket's transaction.
        try await database.schema("ticket_counters")
            .id()
            .field("day", .string, .required)
            .field("last", .int, .required)
            .unique(on: "day")
            .create()
        try await database.schema(TicketMessage.schema)
            .id()
            .field("ticket_id", .uuid, .required, .references(Ticket.schema, "id"))
            .field("at", .datetime, .required)
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("author_role", .string, .required)
            .field("kind", .string, .required)
            .field("internal", .bool, .required)
            .field("body", .string, .required)
            .field("policy_id", .uuid)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TicketMessage.schema).delete()
        try await database.schema("ticket_counters").delete()
        try await database.schema(Ticket.schema).delete()
        try await database.schema(RoutingRule.schema).delete()
        for column in ["head_id", "webhook_url", "is_duty_desk"] {
            try await database.schema(Department.schema).deleteField(.key(.string(column))).update()
        }
    }
}
