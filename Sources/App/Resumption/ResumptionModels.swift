import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// 复工申请.
final class ResumptionApplication: Model, @unchecked Sendable {
    static let schema = "resumption_applications"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Enum(key: "category") var category: ResumptionCategory
    /// `yyyy-MM-dd`, China Standard Time.
    @Field(key: "planned_date") var plannedDate: String
    @Field(key: "products") var products: String
    @Field(key: "headcount_total") var headcountTotal: Int
    @Field(key: "headcount_on_site") var headcountOnSite: Int
    @Field(key: "headcount_out_of_province") var headcountOutOfProvince: Int
    @Field(key: "headcount_key_areas") var headcountKeyAreas: Int
    @Field(key: "headcount_isolated") var headcountIsolated: Int
    /// The prevention checklist items in place (`PreventionItem` raw values).
    @Field(key: "checklist") var checklist: [String]
    @Field(key: "mask_days") var maskDays: Int
    @Field(key: "disinfectant_days") var disinfectantDays: Int
    @Field(key: "thermometer_days") var thermometerDays: Int

    @Enum(key: "state") var state: ResumptionState
    /// The mode it was submitted under; nil until the first submission.
    @OptionalEnum(key: "mode") var mode: ResumptionMode?
    @Field(key: "state_changed_at") var stateChangedAt: Date
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    /// The form as it was when last returned, to show reviewers what changed.
    @OptionalField(key: "returned_snapshot") var returnedSnapshot: [String: String]?

    init() {}
}

/// The prevention checklist of an application.
enum PreventionItem: String, CaseIterable, Codable {
    case temperaturePoints, masksForAll, dailyDisinfection, isolationRoom, staggeredCanteen,
         visitorRegistration, maskBins, emergencyPlan, leadingGroup

    var nameKey: String { "resumption.checklist.\(rawValue)" }
}

enum AttachmentKind: String, CaseIterable, Codable {
    case application, commitment, preventionPlan, emergencyPlan, roster, evidence, visitPhoto

    var nameKey: String { "resumption.attachment.\(rawValue)" }

    /// Kinds the enterprise uploads with its application.
    static let applicationKinds: [AttachmentKind] = [.application, .commitment, .preventionPlan, .emergencyPlan, .roster, .evidence]
}

final class ResumptionAttachment: Model, @unchecked Sendable {
    static let schema = "resumption_attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ResumptionApplication
    @OptionalField(key: "visit_id") var visitID: UUID?
    @Enum(key: "kind") var kind: AttachmentKind
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Parent(key: "file_id") var file: StoredFile
    @Field(key: "uploaded_by") var uploadedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One step of an application's timeline: who did what, when, why, and what changed.
final class ResumptionEvent: Model, @unchecked Sendable {
    static let schema = "resumption_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ResumptionApplication
    @Field(key: "at") var at: Date
    @Field(key: "actor_id") var actorID: UUID
    @Field(key: "actor_name") var actorName: String
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "action") var action: String
    @OptionalField(key: "from_state") var fromState: String?
    @Field(key: "to_state") var toState: String
    @OptionalField(key: "comment") var comment: String?
    /// `[FieldChange]` as JSON text: the same column type on SQLite and PostgreSQL.
    @Field(key: "changes") var changesJSON: String

    init() {}

    var changes: [FieldChange] {
        get { (try? JSONDecoder().decode([FieldChange].self, from: Data(changesJSON.utf8))) ?? [] }
        set { changesJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}

struct CreateResumptionApplications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ResumptionApplication.schema)
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("category", .string, .required)
            .field("planned_date", .string, .required)
            .field("products", .string, .required)
            .field("headcount_total", .int, .required)
            .field("headcount_on_site", .int, .required)
            .field("headcount_out_of_province", .int, .required)
            .field("headcount_key_areas", .int, .required)
            .field("headcount_isolated", .int, .required)
            .field("checklist", .array(of: .string), .required)
            .field("mask_days", .int, .required)
            .field("disinfectant_days", .int, .required)
            .field("thermometer_days", .int, .required)
            .field("state", .string, .required)
            .field("mode", .string)
            .field("state_changed_at", .datetime, .required)
            .field("submitted_at", .datetime)
            .field("returned_snapshot", .dictionary(of: .string))
            .create()
        try await database.schema(ResumptionAttachment.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ResumptionApplication.schema, "id"))
            .field("visit_id", .uuid)
            .field("kind", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("file_id", .uuid, .required, .references(StoredFile.schema, "id"))
            .field("uploaded_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ResumptionEvent.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ResumptionApplication.schema, "id"))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid, .required)
            .field("actor_name", .string, .required)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("from_state", .string)
            .field("to_state", .string, .required)
            .field("comment", .string)
            .field("changes", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ResumptionEvent.schema).delete()
        try await database.schema(ResumptionAttachment.schema).delete()
        try await database.schema(ResumptionApplication.schema).delete()
    }
}

/// An application's steps by time: the dashboard reads a past day's state as the last step by then.
struct IndexResumptionEventsByApplication: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "resumption_events_application").on(ResumptionEvent.schema).column("application_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "resumption_events_application").run()
    }
}
