import Fluent
import SQLKit
import Vapor

/// One line of the append-only audit log. No route updates or deletes these rows, and no
/// sensitive value (password, token, ID number, health reading) is ever written into one.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "username") var username: String?
    @OptionalField(key: "role") var role: String?
    /// e.g. `enterprise.register`, `user.disable`, `session.login`, `person.read`.
    @Field(key: "action") var action: String
    @Field(key: "entity") var entity: String
    @OptionalField(key: "entity_id") var entityID: String?
    /// For reads of personal data: whose data was read.
    @OptionalField(key: "subject") var subject: String?
    @OptionalField(key: "detail") var detail: String?
    @Field(key: "address") var address: String
    @OptionalField(key: "request_id") var requestID: String?

    init() {}
}

struct AuditEventDTO: Content {
    let id: UUID
    let at: Date
    let userId: UUID?
    let username: String?
    let role: String?
    let action: String
    let entity: String
    let entityId: String?
    let subject: String?
    let detail: String?
    let address: String
    let requestId: String?
}

extension AuditEvent {
    func toDTO() -> AuditEventDTO {
        AuditEventDTO(
            id: id!, at: at, userId: userID, username: username, role: role, action: action,
            entity: entity, entityId: entityID, subject: subject, detail: detail,
            address: address, requestId: requestID
        )
    }
}

/// The one way an audit row is written: for the context's actor (or `actor`, at sign-in; the
/// platform itself as `system`), inside the transaction of the change being audited.
enum Audit {
    static func record(
        _ context: ServiceContext, on db: any Database, action: String, entity: String, entityID: UUID? = nil,
        subject: String? = nil, detail: String? = nil, actor: User? = nil
    ) async throws {
        try await statement(context, action: action, entity: entity, entityID: entityID, subject: subject, detail: detail, actor: actor)
            .run(on: db)
    }

    static func record(
        _ req: Request, on db: any Database, action: String, entity: String, entityID: UUID? = nil,
        subject: String? = nil, detail: String? = nil, actor: User? = nil
    ) async throws {
        try await statement(req, action: action, entity: entity, entityID: entityID, subject: subject, detail: detail, actor: actor).run(on: db)
    }

    /// The audit row as a statement, for `Request.write` (or `record`). One fixed statement with
    /// its columns named: every change writes one, mostly inside the SQLite writer, where Fluent's
    /// reflection over the model cost each write most of a millisecond, and SQLKit's builder its
    /// serialisation.
    static func statement(
        _ req: Request, action: String, entity: String, entityID: UUID? = nil,
        subject: String? = nil, detail: String? = nil, actor: User? = nil
    ) -> HotStatement {
        statement(at: req.now, actor: actor ?? req.auth.get(User.self), address: req.clientAddress, requestID: req.id,
                  action: action, entity: entity, entityID: entityID, subject: subject, detail: detail)
    }

    static func statement(
        _ context: ServiceContext, action: String, entity: String, entityID: UUID? = nil,
        subject: String? = nil, detail: String? = nil, actor: User? = nil
    ) -> HotStatement {
        statement(at: context.now, actor: actor ?? context.user, address: context.address, requestID: context.requestID,
                  action: action, entity: entity, entityID: entityID, subject: subject, detail: detail)
    }

    /// The row itself. The platform's own changes have no actor and the address `system`.
    private static func statement(
        at: Date, actor user: User?, address: String, requestID: String?, action: String, entity: String, entityID: UUID?,
        subject: String?, detail: String?
    ) -> HotStatement {
        HotStatement(
            "INSERT INTO audit_events (id, at, user_id, username, role, action, entity, entity_id, subject, detail, address, request_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [UUID(), at, user?.id, user?.username, user?.role.rawValue, action, entity,
             entityID?.uuidString, subject, detail, address, requestID])
    }
}
