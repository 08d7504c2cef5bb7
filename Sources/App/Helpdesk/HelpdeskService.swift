import Domain
import Fluent
import FluentSQL
import SQLKit
import Foundation
import Vapor

/// The help desk's loop: raise (with instant acknowledgement), accept, reply, transfer, answer,
/// confirm and rate; escalation and auto-close by the clock. Pages and API call these.
enum HelpdeskService {
    struct NewTicket: Content {
        var category: String?
        var urgency: String?
        var title: String?
        var description: String?
        /// Officers raise tickets on behalf of an enterprise they serve.
        var enterpriseId: UUID?
    }

    // MARK: Raising

    static func raise(_ req: Request, _ input: NewTicket) async throws -> Ticket {
        let user = try req.requireUser()
        var errors = FieldErrors()
        let category = input.category.flatMap(TicketCategory.init(rawValue:))
        if category == nil { errors.add("category", input.category == nil ? "error.required" : "error.choice") }
        let urgency = input.urgency.flatMap(TicketUrgency.init(rawValue:))
        if urgency == nil { errors.add("urgency", input.urgency == nil ? "error.required" : "error.choice") }
        let title = FormText.required(input.title, field: "title", maxLength: 100, into: &errors)
        let description = FormText.required(input.description, field: "description", maxLength: 5000, into: &errors)
        var enterprise: Enterprise?
        if user.role == .officer {
            if let id = input.enterpriseId, let found = try await Enterprise.find(id, on: req.db),
               try await OfficerService.serves(user, found, on: req.db) {
                enterprise = found
            } else {
                errors.add("enterpriseId", input.enterpriseId == nil ? "error.required" : "error.enterprise.unknown")
            }
        } else if let id = user.$enterprise.id {
            enterprise = try await Enterprise.find(id, on: req.db)
        }
        try errors.throwIfAny()
        guard let category, let urgency, let enterprise else { throw AppError.notFound }
        return try await open(req, enterprise: enterprise, category: category, urgency: urgency, title: title,
                              description: description, source: user.role == .officer ? .officer : .enterprise, raisedBy: user)
    }

    /// Creates the ticket and its receipt in one transaction: number, department, due times.
    static func open(_ req: Request, enterprise: Enterprise, category: TicketCategory, urgency: TicketUrgency, title: String,
                     description: String, source: TicketSource, raisedBy user: User) async throws -> Ticket {
        let settings = try await req.districtSettings()
        let department = try await RoutingTable.current(req).department(for: category)
        let now = req.now
        let ticket = Ticket()
        ticket.$enterprise.id = try enterprise.requireID()
        ticket.raisedBy = try user.requireID()
        ticket.source = source
        ticket.category = category
        ticket.urgency = urgency
        ticket.title = title
        ticket.description = description
        ticket.$department.id = try department.requireID()
        ticket.state = .new
        ticket.createdAt = now
        ticket.acknowledgedAt = now
        ticket.firstResponseDueAt = settings.serviceLevels.firstResponseDue(urgency, raisedAt: now)
        ticket.resolutionDueAt = settings.serviceLevels.resolutionDue(urgency, raisedAt: now)
        ticket.transferCount = 0
        ticket.escalationLevel = 0
        ticket.liked = false
        let day = CivilDate(now).iso
        ticket.number = ""
        let row = try PreparedInsert(ticket)
        try await req.transaction { db in
            ticket.number = TicketNumber.make(day: CivilDate(now), sequence: try await nextSequence(day: day, on: db))
            try await row.setting("number", to: ticket.number).run(on: db, for: ticket)
            try await Audit.record(req, on: db, action: "ticket.create", entity: "ticket", entityID: ticket.id,
                                   detail: "number=\(ticket.number),department=\(department.name)")
        }
        // The caller's answer needs these; they are in hand already.
        ticket.$enterprise.value = enterprise
        ticket.$department.value = department
        publish(req, ticket)
        GroupRobot.send(req.application, to: [department.webhookURL].compactMap { $0 },
                        req.application.strings.text("robot.ticket.new", .zhHans, [ticket.number, enterprise.name, title,
                                                                              req.application.strings.text(urgency.nameKey, .zhHans)]))
        return ticket
    }

    /// The day's next ticket number: one upsert that SQLite and PostgreSQL both run atomically,
    /// so concurrent tickets never take the same number.
    static func nextSequence(day: String, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("ticket numbers need SQL") }
        struct Row: Decodable { let last: Int }
        let row = try await sql.raw("""
            INSERT INTO ticket_counters (id, day, last) VALUES (\(bind: UUID()), \(bind: day), 1)
            ON CONFLICT (day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last
            """).first(decoding: Row.self)
        guard let row else { throw AppError.internalError("no ticket number") }
        return row.last
    }

    // MARK: The loop

    /// The ticket named by the route, if this user may see it; otherwise 404. Enterprises see
    /// their own; agents their department's; officers those of enterprises they serve; the
    /// district admin and leaders all.
    static func find(_ req: Request) async throws -> Ticket {
        guard let id = req.parameters.get("ticketID", as: UUID.self),
              let ticket = try await Ticket.query(on: req.db).filter(\.$id == id).with(\.$enterprise).with(\.$department).first()
        else { throw AppError.notFound }
        guard try await canSee(req, ticket) else { throw AppError.notFound }
        return ticket
    }

    static func canSee(_ req: Request, _ ticket: Ticket) async throws -> Bool {
        let user = try req.requireUser()
        switch user.role {
        case .districtAdmin, .leader: return true
        case .agent: return user.$department.id == ticket.$department.id
        case .officer: return try await OfficerService.serves(user, ticket.enterprise, on: req.db)
        case .enterpriseAdmin: return user.$enterprise.id == ticket.$enterprise.id
        default: return false
        }
    }

    /// Agents act on their own department's tickets only.
    static func requireAgent(_ req: Request, _ ticket: Ticket) throws -> User {
        let user = try req.requireUser()
        guard user.role == .agent, user.$department.id == ticket.$department.id else { throw AppError.forbidden }
        return user
    }

    static func accept(_ req: Request, _ ticket: Ticket) async throws {
        let agent = try requireAgent(req, ticket)
        try await move(req, ticket, .accept, audit: "ticket.accept") { ticket, db in
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = req.now }
            ticket.acceptedBy = agent.id
            try await record(ticket, .accepted, author: agent, on: db, at: req.now)
        }
    }

    struct Reply: Content {
        var body: String?
        var `internal`: Bool?
        var policyId: UUID?
    }

    /// A reply from either side. Internal notes are for the department only; a department reply
    /// moves the ticket into progress.
    static func reply(_ req: Request, _ ticket: Ticket, _ input: Reply) async throws {
        let user = try req.requireUser()
        let body = try text(input.body)
        let isInternal = input.`internal` ?? false
        try permit(party(user, ticket), isInternal ? .note : .reply, ticket)
        // The department's reply moves the ticket into progress; notes and the enterprise's words do not.
        if user.role == .agent, !isInternal, [.accepted, .inProgress, .reopened].contains(ticket.state) {
            try await move(req, ticket, .reply, audit: "ticket.reply") { ticket, db in
                try await message(ticket, kind: .reply, body: body, author: user, on: db, at: req.now)
            }
            return
        }
        try await req.transaction { db in
            try await message(ticket, kind: isInternal ? .note : .reply, body: body, author: user, isInternal: isInternal, on: db, at: req.now)
            try await Audit.record(req, on: db, action: isInternal ? "ticket.note" : "ticket.reply", entity: "ticket", entityID: ticket.id)
        }
        publish(req, ticket)
    }

    static func answer(_ req: Request, _ ticket: Ticket, _ input: Reply) async throws {
        let agent = try requireAgent(req, ticket)
        let body = try text(input.body)
        if let policy = input.policyId, try await Policy.find(policy, on: req.db) == nil {
            throw FieldErrors("policyId", "error.policy.unknown")
        }
        try await move(req, ticket, .answer, audit: "ticket.answer") { ticket, db in
            ticket.answeredAt = req.now
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = req.now }
            try await message(ticket, kind: .answer, body: body, author: agent, policyID: input.policyId, on: db, at: req.now)
            try await Notification.toEnterprise(ticket.$enterprise.id, "notify.ticket.answered", [ticket.number],
                                                link: "/helpdesk/\(try ticket.requireID())", at: req.now, on: db)
        }
    }

    struct Transfer: Content {
        var departmentId: UUID?
        var reason: String?
    }

    /// 转办: the clock keeps running; transfers are counted.
    static func transfer(_ req: Request, _ ticket: Ticket, _ input: Transfer) async throws {
        let user = try req.requireUser()
        if user.role != .districtAdmin { _ = try requireAgent(req, ticket) }
        var errors = FieldErrors()
        let reason = FormText.required(input.reason, field: "reason", maxLength: 500, into: &errors)
        var target: Department?
        if let id = input.departmentId { target = try await Department.find(id, on: req.db) }
        if target == nil || target?.id == ticket.$department.id { errors.add("departmentId", input.departmentId == nil ? "error.required" : "error.department.unknown") }
        try errors.throwIfAny()
        guard let target else { throw AppError.notFound }
        let from = ticket.department.name
        try await move(req, ticket, .transfer, audit: "ticket.transfer") { ticket, db in
            ticket.$department.id = try target.requireID()
            ticket.transferCount += 1
            ticket.acceptedBy = nil
            try await record(ticket, .transferred(from: from, to: target.name, reason: reason), author: user, on: db, at: req.now)
        }
        ticket.$department.value = target
        publish(req, ticket, extra: ["department:\(try target.requireID())"])
    }

    struct Feedback: Content {
        var solved: Bool?
        var satisfaction: String?
        var like: Bool?
        var comment: String?
    }

    /// The enterprise confirms. Not solved or 不满意 → reopened and escalated to the head.
    static func feedback(_ req: Request, _ ticket: Ticket, _ input: Feedback) async throws {
        let user = try req.requireUser()
        guard user.role == .enterpriseAdmin, user.$enterprise.id == ticket.$enterprise.id else { throw AppError.forbidden }
        var errors = FieldErrors()
        if input.solved == nil { errors.add("solved", "error.required") }
        let satisfaction = input.satisfaction.flatMap(Satisfaction.init(rawValue:))
        if satisfaction == nil { errors.add("satisfaction", input.satisfaction == nil ? "error.required" : "error.choice") }
        let comment = FormText.trimmed(input.comment)
        if comment.count > 1000 { errors.add("comment", "error.tooLong") }
        try errors.throwIfAny()
        guard let solved = input.solved, let satisfaction else { throw AppError.internalError("validated feedback") }
        let accepted = solved && satisfaction != .unsatisfied
        let settings = try await req.districtSettings()
        try await move(req, ticket, accepted ? .confirmSolved : .reject, audit: accepted ? "ticket.confirm" : "ticket.reopen") { ticket, db in
            ticket.solved = solved
            ticket.satisfaction = satisfaction
            ticket.liked = input.like ?? false
            ticket.feedbackComment = comment.isEmpty ? nil : comment
            if accepted {
                ticket.closedAt = req.now
                ticket.closure = .confirmed
            } else {
                ticket.answeredAt = nil
                ticket.escalationLevel = max(ticket.escalationLevel, 1)
                if let head = ticket.department.headID {
                    try await Notification.toUser(head, "notify.ticket.reopened", [ticket.number], link: "/helpdesk/\(try ticket.requireID())", at: req.now, on: db)
                }
            }
            try await record(ticket, .feedback(solved: solved, satisfaction: satisfaction, like: input.like == true, comment: comment),
                             author: user, on: db, at: req.now)
        }
        if satisfaction == .unsatisfied || !solved {
            GroupRobot.send(req.application, to: [ticket.department.webhookURL, settings.districtWebhookURL].compactMap { $0 },
                            req.application.strings.text("robot.ticket.unsatisfied", .zhHans,
                                                         [ticket.number, ticket.enterprise.name, ticket.title, ticket.department.name]))
        }
    }

    // MARK: The clock

    /// Escalates overdue tickets (催办) and closes unconfirmed answers; run every minute, and by
    /// tests with an advanced clock. Returns how many tickets changed.
    @discardableResult
    static func sweep(_ app: Application, now: Date) async throws -> Int {
        let settings = try await DistrictSettings.load(app.db)
        let levels = settings.serviceLevels
        // Only tickets the clock may act on: past a due time below the top escalation level, or
        // answered long enough to close. The Domain rules then decide; the rest stay unread.
        let closeCutoff = now.addingTimeInterval(-levels.confirmationHours * 3600)
        let open = try await Ticket.query(on: app.db).filter(\.$state != .closed)
            .group(.or) { due in
                due.group(.and) { $0.filter(\.$escalationLevel < 2).filter(\.$firstResponseAt == nil).filter(\.$firstResponseDueAt < now) }
                due.group(.and) { $0.filter(\.$escalationLevel < 2).filter(\.$state != .answered).filter(\.$resolutionDueAt < now) }
                due.group(.and) { $0.filter(\.$state == .answered).filter(\.$answeredAt <= closeCutoff) }
            }
            .with(\.$department).with(\.$enterprise).all()
        let admins = try await User.query(on: app.db).filter(\.$role == .districtAdmin).filter(\.$disabledAt == nil).all()
        var changed = 0
        for ticket in open {
            if levels.shouldAutoClose(state: ticket.state, answeredAt: ticket.answeredAt, now: now) {
                ticket.state = try ticket.state.applying(.autoClose)
                ticket.closedAt = now
                ticket.closure = .noFeedback
                try await app.transaction { db in
                    try await ticket.save(on: db)
                    try await record(ticket, .autoClosed, author: nil, on: db, at: now)
                    try await systemAudit(db, now: now, action: "ticket.autoClose", ticket: ticket)
                }
                changed += 1
                continue
            }
            let status = ticket.clockStatus(levels, now: now)
            guard status.escalationLevel > ticket.escalationLevel else { continue }
            ticket.escalationLevel = status.escalationLevel
            let recipients = Set([ticket.department.headID].compactMap { $0 } + admins.compactMap(\.id))
            try await app.transaction { db in
                try await ticket.save(on: db)
                try await record(ticket, .escalated(level: status.escalationLevel), author: nil, on: db, at: now)
                for recipient in recipients {
                    try await Notification.toUser(recipient, "notify.ticket.escalated", [ticket.number, String(status.escalationLevel)],
                                                  link: "/helpdesk/\(try ticket.requireID())", at: now, on: db)
                }
                try await systemAudit(db, now: now, action: "ticket.escalate", ticket: ticket)
            }
            GroupRobot.send(app, to: [ticket.department.webhookURL, settings.districtWebhookURL].compactMap { $0 },
                            app.strings.text("robot.ticket.escalated", .zhHans, [String(status.escalationLevel), ticket.number,
                                                                                ticket.enterprise.name, ticket.title, ticket.department.name]))
            changed += 1
        }
        return changed
    }

    private static func systemAudit(_ db: any Database, now: Date, action: String, ticket: Ticket) async throws {
        let event = AuditEvent()
        event.at = now
        event.action = action
        event.entity = "ticket"
        event.entityID = ticket.id?.uuidString
        event.detail = "number=\(ticket.number)"
        event.address = "system"
        try await event.create(on: db)
    }

    // MARK: Helpers

    private static func text(_ raw: String?) throws -> String {
        var errors = FieldErrors()
        let body = FormText.required(raw, field: "body", maxLength: 5000, into: &errors)
        try errors.throwIfAny()
        return body
    }

    /// Checks the transition in `Domain`, applies `change`, saves, audits and tells the pages.
    private static func move(_ req: Request, _ ticket: Ticket, _ action: TicketAction, audit: String,
                             _ change: @escaping @Sendable (Ticket, any Database) async throws -> Void) async throws {
        do {
            ticket.state = try ticket.state.applying(action)
        } catch {
            throw AppError.illegalTransition(messageKey: error.messageKey)
        }
        try await req.transaction { db in
            try await change(ticket, db)
            try await ticket.save(on: db)
            try await Audit.record(req, on: db, action: audit, entity: "ticket", entityID: ticket.id)
        }
        publish(req, ticket)
    }

    /// Something that happened, on the conversation (the platform's own when `author` is nil).
    static func record(_ ticket: Ticket, _ event: TicketEvent, author: User?, on db: any Database, at: Date) async throws {
        let kind: TicketMessageKind = if case .feedback = event { .feedback } else { .system }
        try await message(ticket, kind: kind, body: event.stored, author: author, on: db, at: at)
    }

    static func message(_ ticket: Ticket, kind: TicketMessageKind, body: String, author: User?, isInternal: Bool = false,
                        policyID: UUID? = nil, on db: any Database, at: Date) async throws {
        let message = TicketMessage()
        message.$ticket.id = try ticket.requireID()
        message.at = at
        message.authorID = author?.id
        // The platform's own lines are named in the reader's language when shown (`helpdesk.system`).
        message.authorName = author?.displayName ?? ""
        message.authorRole = author?.role.rawValue ?? "system"
        message.kind = kind
        message.isInternal = isInternal
        message.body = body
        message.policyID = policyID
        try await message.create(on: db)
    }

    // MARK: Attachments

    /// Who may add a file: the enterprise, an officer serving it, the department's agents;
    /// while the ticket is open. Same upload rules as everywhere (`Uploads`).
    /// Who `user` is to `ticket` (`find` has already checked they may read it).
    static func party(_ user: User, _ ticket: Ticket) -> TicketParty {
        switch user.role {
        case .agent where user.$department.id == ticket.$department.id: .departmentAgent
        case .enterpriseAdmin: .enterprise
        case .officer: .officer
        case .districtAdmin: .districtAdmin
        default: .reader
        }
    }

    /// Throws what the rule says when `step` is refused (`TicketPermissions`).
    static func permit(_ party: TicketParty, _ step: TicketPermissions.Step, _ ticket: Ticket) throws {
        switch TicketPermissions.refusal(party, step, in: ticket.state) {
        case nil: return
        case .forbidden: throw AppError.forbidden
        case .closed: throw AppError.illegalTransition(messageKey: "error.ticket.closed")
        case .acceptFirst: throw AppError.illegalTransition(messageKey: "error.ticket.acceptFirst")
        case .notNow: throw AppError.illegalTransition(messageKey: "error.ticket.illegalTransition")
        }
    }

    static func attach(_ req: Request, _ ticket: Ticket, file: File?) async throws -> TicketAttachment {
        let user = try req.requireUser()
        try permit(party(user, ticket), .attach, ticket)
        let (stored, name) = try await Uploads.accept(file, req)
        let attachment = TicketAttachment()
        attachment.$ticket.id = try ticket.requireID()
        attachment.filename = name
        attachment.contentType = stored.contentType
        attachment.size = stored.size
        attachment.uploadedBy = try user.requireID()
        attachment.uploaderName = user.displayName
        attachment.createdAt = req.now
        try await req.transaction { db in
            try await stored.create(on: db)
            attachment.$file.id = try stored.requireID()
            try await attachment.create(on: db)
            try await Audit.record(req, on: db, action: "ticket.attach", entity: "ticket", entityID: ticket.id,
                                   detail: "file=\(name),size=\(stored.size)")
        }
        publish(req, ticket)
        return attachment
    }

    /// A ticket's file, for whoever may see the ticket.
    static func download(_ req: Request) async throws -> Response {
        let ticket = try await find(req)
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
              let attachment = try await TicketAttachment.query(on: req.db).filter(\.$id == id)
                .filter(\.$ticket.$id == ticket.requireID()).with(\.$file).first()
        else { throw AppError.notFound }
        return Uploads.response(attachment.file, name: attachment.filename)
    }

    static func publish(_ req: Request, _ ticket: Ticket, extra: Set<String> = []) {
        guard let id = ticket.id else { return }
        req.application.liveEvents.publish(
            "ticket:\(id)",
            to: Set(["department:\(ticket.$department.id)", "enterprise:\(ticket.$enterprise.id)", "ticket:\(id)", "all"]).union(extra)
        )
    }
}
