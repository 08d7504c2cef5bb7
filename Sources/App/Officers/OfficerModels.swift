import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// 调度: one contact of an officer with an enterprise.
final class DispatchContact: Model, @unchecked Sendable {
    static let schema = "dispatch_contacts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "officer_id") var officer: User
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Enum(key: "channel") var channel: DispatchChannel
    @Field(key: "contacted_at") var contactedAt: Date
    /// The contact's day in China Standard Time, `yyyy-MM-dd`, for the daily summary.
    @Field(key: "day") var day: String
    @Field(key: "summary") var summary: String
    @Enum(key: "outcome") var outcome: DispatchOutcome
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// 包保: an officer assigned to an enterprise, from `startedAt` until `endedAt`.
final class OfficerAssignment: Model, @unchecked Sendable {
    static let schema = "officer_assignments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "officer_id") var officer: User
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    /// `manual` or `automatic`.
    @Field(key: "method") var method: String
    @OptionalField(key: "assigned_by") var assignedBy: UUID?
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?

    init() {}
}

enum SiteVisitStatus: String, Codable, CaseIterable {
    case scheduled, passed, rectificationRequired

    var nameKey: String { "visit.status.\(rawValue)" }
}

/// A resumption-day (or follow-up) visit of the enterprise's officer, and its report.
final class SiteVisit: Model, @unchecked Sendable {
    static let schema = "site_visits"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ResumptionApplication
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Parent(key: "officer_id") var officer: User
    @Field(key: "scheduled_for") var scheduledFor: String
    /// `resumption` or `revisit`.
    @Field(key: "purpose") var purpose: String
    @Enum(key: "status") var status: SiteVisitStatus
    @OptionalField(key: "reported_at") var reportedAt: Date?
    @OptionalField(key: "results") var results: [String: Bool]?
    @OptionalField(key: "notes") var notes: [String: String]?
    @OptionalField(key: "headcount_found") var headcountFound: Int?
    @OptionalField(key: "problems") var problems: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

struct CreateOfficerTables: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema).field("zone", .string).update()
        try await database.schema(DispatchContact.schema)
            .id()
            .field("officer_id", .uuid, .required, .references(User.schema, "id"))
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("channel", .string, .required)
            .field("contacted_at", .datetime, .required)
            .field("day", .string, .required)
            .field("summary", .string, .required)
            .field("outcome", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(OfficerAssignment.schema)
            .id()
            .field("officer_id", .uuid, .required, .references(User.schema, "id"))
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("method", .string, .required)
            .field("assigned_by", .uuid)
            .field("started_at", .datetime, .required)
            .field("ended_at", .datetime)
            .create()
        try await database.schema(SiteVisit.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ResumptionApplication.schema, "id"))
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("officer_id", .uuid, .required, .references(User.schema, "id"))
            .field("scheduled_for", .string, .required)
            .field("purpose", .string, .required)
            .field("status", .string, .required)
            .field("reported_at", .datetime)
            .field("results", .dictionary(of: .bool))
            .field("notes", .dictionary(of: .string))
            .field("headcount_found", .int)
            .field("problems", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SiteVisit.schema).delete()
        try await database.schema(OfficerAssignment.schema).delete()
        try await database.schema(DispatchContact.schema).delete()
        try await database.schema(User.schema).deleteField("zone").update()
    }
}

/// Contacts by enterprise and by time, answered from the indexes alone: the dashboard counts
/// each enterprise's contacts and the officers who served in the last ten days.
struct IndexContactsForFigures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "dispatch_contacts_enterprise").on(DispatchContact.schema)
            .column("enterprise_id").column("contacted_at").column("day").run()
        try await sql.create(index: "dispatch_contacts_moment").on(DispatchContact.schema).column("contacted_at").column("officer_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "dispatch_contacts_moment").run()
        try await sql.drop(index: "dispatch_contacts_enterprise").run()
    }
}
