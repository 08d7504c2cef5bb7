import Domain
import Fluent
import Foundation
import Vapor

/// The help desk's loop: raise (with instant acknowledgement), accept, reply, transfer, answer,
/// confirm and rate; escalation and auto-close by the clock. Each step takes a typed command and
/// a context (`ServiceContext`): the pages, the API, the clock's sweep, other modules (a
/// supplies request) and tests call the same functions.
enum HelpdeskService {
    // MARK: Raising

    /// 提交诉求: the request, typed. Officers raise tickets on behalf of an enterprise they serve
    /// (`enterpriseID`); an enterprise raises its own.
    struct Raise: Sendable {
        var category: TicketCategory
        var urgency: TicketUrgency
        var title: String
        var description: String
        var enterpriseID: UUID?
    }

    /// `unless`, if given, runs inside the ticket's transaction before it is created and may
    /// refuse it: a rule about the tickets already open that two requests at once must not both pass.
    static func raise(_ ctx: ServiceContext, _ command: Raise,
                      unless refusal: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Ticket {
        let user = try ctx.requireUser()
        var enterprise: Enterprise?
        if user.role == .officer {
            if let id = command.enterpriseID, let found = try await Enterprise.find(id, on: ctx.db),
               try await OfficerService.serves(user, found, on: ctx.db) {
                enterprise = found
            } else {
                throw FieldErrors("enterpriseId", command.enterpriseID == nil ? "error.required" : "error.enterprise.unknown")
            }
        } else if let id = user.$enterprise.id {
            enterprise = try await Enterprise.find(id, on: ctx.db)
        }
        guard let enterprise else { throw AppError.notFound }
        return try await open(ctx, enterprise: enterprise, category: command.category, urgency: command.urgency, title: command.title,
                              description: command.description, source: user.role == .officer ? .officer : .enterprise, raisedBy: user,
                              unless: refusal)
    }

    /// Creates the ticket and its receipt in one transaction: number, department, due times.
    static func open(_ ctx: ServiceContext, enterprise: Enterprise, category: TicketCategory, urgency: TicketUrgency, title: String,
                     description: String, source: TicketSource, raisedBy user: User,
                     unless refusal: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Ticket {
        let settings = try await ctx.settings()
        let department = try await RoutingTable.current(ctx).department(for: category)
        let now = ctx.now
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
        try await ctx.transaction { db in
            try await refusal?(db)
            ticket.number = TicketNumber.make(day: CivilDate(now), sequence: try await HelpdeskStore.nextSequence(day: day, on: db))
            try await row.setting("number", to: ticket.number).run(on: db, for: ticket)
            try await Audit.record(ctx, on: db, action: "ticket.create", entity: "ticket", entityID: ticket.id,
                                   detail: "number=\(ticket.number),department=\(department.name)")
        }
        // The caller's answer needs these; they are in hand already.
        ticket.$enterprise.value = enterprise
        ticket.$department.value = department
        publish(ctx, ticket)
        GroupRobot.send(ctx.app, to: [department.webhookURL].compactMap { $0 },
                        ctx.app.strings.text("robot.ticket.new", .zhHans, [ticket.number, enterprise.name, title,
                                                                              ctx.app.strings.text(urgency.nameKey, .zhHans)]))
        return ticket
    }

    // MARK: The loop

    /// The ticket named by the route, if this user may see it; otherwise 404. Enterprises see
    /// their own; agents their department's; officers those of enterprises they serve; the
    /// district admin and leaders all.
    static func find(_ ctx: ServiceContext, id: UUID?) async throws -> Ticket {
        guard let id, let ticket = try await Ticket.query(on: ctx.db).filter(\.$id == id).with(\.$enterprise).with(\.$department).first()
        else { throw AppError.notFound }
        guard try await canSee(ctx, ticket) else { throw AppError.notFound }
        return ticket
    }

    static func canSee(_ ctx: ServiceContext, _ ticket: Ticket) async throws -> Bool {
        let user = try ctx.requireUser()
        switch user.role {
        case .districtAdmin, .leader: return true
        case .agent: return user.$department.id == ticket.$department.id
        case .officer: return try await OfficerService.serves(user, ticket.enterprise, on: ctx.db)
        case .enterpriseAdmin: return user.$enterprise.id == ticket.$enterprise.id
        default: return false
        }
    }

    /// Agents act on their own department's tickets only.
    static func requireAgent(_ ctx: ServiceContext, _ ticket: Ticket) throws -> User {
        let user = try ctx.requireUser()
        guard user.role == .agent, user.$department.id == ticket.$department.id else { throw AppError.forbidden }
        return user
    }

    static func accept(_ ctx: ServiceContext, _ ticket: Ticket) async throws {
        let agent = try requireAgent(ctx, ticket)
        try await move(ctx, ticket, .accept, audit: "ticket.accept") { ticket, db in
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = ctx.now }
            ticket.acceptedBy = agent.id
            try await record(ticket, .accepted, author: agent, on: db, at: ctx.now)
        }
    }

    /// Words on a ticket: a reply (or, for the department, an internal note), or the answer,
    /// which may cite a policy.
    struct Words: Sendable {
        var text: String
        var isInternal = false
        var policyID: UUID?
    }

    /// A reply from either side. Internal notes are for the department only; a department reply
    /// moves the ticket into progress.
    static func reply(_ ctx: ServiceContext, _ ticket: Ticket, _ words: Words) async throws {
        let user = try ctx.requireUser()
        let body = words.text
        let isInternal = words.isInternal
        try permit(party(user, ticket), isInternal ? .note : .reply, ticket)
        // The department's reply moves the ticket into progress; notes and the enterprise's words do not.
        if user.role == .agent, !isInternal, [.accepted, .inProgress, .reopened].contains(ticket.state) {
            try await move(ctx, ticket, .reply, audit: "ticket.reply") { ticket, db in
                try await message(ticket, kind: .reply, body: body, author: user, on: db, at: ctx.now)
            }
            return
        }
        try await ctx.transaction { db in
            try await message(ticket, kind: isInternal ? .note : .reply, body: body, author: user, isInternal: isInternal, on: db, at: ctx.now)
            try await Audit.record(ctx, on: db, action: isInternal ? "ticket.note" : "ticket.reply", entity: "ticket", entityID: ticket.id)
        }
        publish(ctx, ticket)
    }

    static func answer(_ ctx: ServiceContext, _ ticket: Ticket, _ words: Words) async throws {
        let agent = try requireAgent(ctx, ticket)
        let body = words.text
        if let policy = words.policyID, try await Policy.find(policy, on: ctx.db) == nil {
            throw FieldErrors("policyId", "error.policy.unknown")
        }
        try await move(ctx, ticket, .answer, audit: "ticket.answer") { ticket, db in
            ticket.answeredAt = ctx.now
            if ticket.firstResponseAt == nil { ticket.firstResponseAt = ctx.now }
            try await message(ticket, kind: .answer, body: body, author: agent, policyID: words.policyID, on: db, at: ctx.now)
            try await Notification.toEnterprise(ticket.$enterprise.id, "notify.ticket.answered", [ticket.number],
                                                link: "/helpdesk/\(try ticket.requireID())", at: ctx.now, on: db)
        }
    }

    struct Transfer: Sendable {
        var departmentID: UUID
        var reason: String
    }

    /// 转办: the clock keeps running; transfers are counted.
    static func transfer(_ ctx: ServiceContext, _ ticket: Ticket, _ command: Transfer) async throws {
        let user = try ctx.requireUser()
        if user.role != .districtAdmin { _ = try requireAgent(ctx, ticket) }
        let reason = command.reason
        guard let target = try await Department.find(command.departmentID, on: ctx.db), target.id != ticket.$department.id else {
            throw FieldErrors("departmentId", "error.department.unknown")
        }
        let from = ticket.department.name
        try await move(ctx, ticket, .transfer, audit: "ticket.transfer") { ticket, db in
            ticket.$department.id = try target.requireID()
            ticket.transferCount += 1
            ticket.acceptedBy = nil
            try await record(ticket, .transferred(from: from, to: target.name, reason: reason), author: user, on: db, at: ctx.now)
        }
        ticket.$department.value = target
        publish(ctx, ticket, extra: ["department:\(try target.requireID())"])
    }

    /// The enterprise's confirmation and rating.
    struct Rating: Sendable {
        var solved: Bool
        var satisfaction: Satisfaction
        var like: Bool
        var comment: String
    }

    /// The enterprise confirms. Not solved or 不满意 → reopened and escalated to the head.
    static func feedback(_ ctx: ServiceContext, _ ticket: Ticket, _ rating: Rating) async throws {
        let user = try ctx.requireUser()
        guard user.role == .enterpriseAdmin, user.$enterprise.id == ticket.$enterprise.id else { throw AppError.forbidden }
        let (solved, satisfaction, comment) = (rating.solved, rating.satisfaction, rating.comment)
        let accepted = solved && satisfaction != .unsatisfied
        let settings = try await ctx.settings()
        try await move(ctx, ticket, accepted ? .confirmSolved : .reject, audit: accepted ? "ticket.confirm" : "ticket.reopen") { ticket, db in
            ticket.solved = solved
            ticket.satisfaction = satisfaction
            ticket.liked = rating.like
            ticket.feedbackComment = comment.isEmpty ? nil : comment
            if accepted {
                ticket.closedAt = ctx.now
                ticket.closure = .confirmed
            } else {
                ticket.answeredAt = nil
                ticket.escalationLevel = max(ticket.escalationLevel, 1)
                if let head = ticket.department.headID {
                    try await Notification.toUser(head, "notify.ticket.reopened", [ticket.number], link: "/helpdesk/\(try ticket.requireID())", at: ctx.now, on: db)
                }
            }
            try await record(ticket, .feedback(solved: solved, satisfaction: satisfaction, like: rating.like, comment: comment),
                             author: user, on: db, at: ctx.now)
        }
        if satisfaction == .unsatisfied || !solved {
            GroupRobot.send(ctx.app, to: [ticket.department.webhookURL, settings.districtWebhookURL].compactMap { $0 },
                            ctx.app.strings.text("robot.ticket.unsatisfied", .zhHans,
                                                         [ticket.number, ticket.enterprise.name, ticket.title, ticket.department.name]))
        }
    }

    // MARK: The clock

    /// Escalates overdue tickets (催办) and closes unconfirmed answers; run every minute, and by
    /// tests with an advanced clock. Returns how many tickets changed.
    @discardableResult
    static func sweep(_ ctx: ServiceContext) async throws -> Int {
        let (app, now) = (ctx.app, ctx.now)
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
                    try await Audit.record(ctx, on: db, action: "ticket.autoClose", entity: "ticket", entityID: ticket.id, detail: "number=\(ticket.number)")
                }
                changed += 1
                continue
            }
            let status = ticket.clockStatus(levels, now: now)
            guard status.escalationLevel > ticket.escalationLevel else { continue }
            let recipients = Set([ticket.department.headID].compactMap { $0 } + admins.compactMap(\.id))
            // Raised only by the run whose update finds the lower level: another instance's run
            // of the same minute finds it raised already, and sends nothing.
            let raised = try await app.transaction { db -> Bool in
                guard try await HelpdeskStore.raiseEscalation(ticket.requireID(), to: status.escalationLevel, on: db) else { return false }
                try await record(ticket, .escalated(level: status.escalationLevel), author: nil, on: db, at: now)
                for recipient in recipients {
                    try await Notification.toUser(recipient, "notify.ticket.escalated", [ticket.number, String(status.escalationLevel)],
                                                  link: "/helpdesk/\(try ticket.requireID())", at: now, on: db)
                }
                try await Audit.record(ctx, on: db, action: "ticket.escalate", entity: "ticket", entityID: ticket.id, detail: "number=\(ticket.number)")
                return true
            }
            guard raised else { continue }
            ticket.escalationLevel = status.escalationLevel
            GroupRobot.send(app, to: [ticket.department.webhookURL, settings.districtWebhookURL].compactMap { $0 },
                            app.strings.text("robot.ticket.escalated", .zhHans, [String(status.escalationLevel), ticket.number,
                                                                                ticket.enterprise.name, ticket.title, ticket.department.name]))
            changed += 1
        }
        return changed
    }

    // MARK: Helpers

    /// Checks the transition in `Domain`, applies `change`, saves, audits and tells the pages.
    private static func move(_ ctx: ServiceContext, _ ticket: Ticket, _ action: TicketAction, audit: String,
                             _ change: @escaping @Sendable (Ticket, any Database) async throws -> Void) async throws {
        do {
            ticket.state = try ticket.state.applying(action)
        } catch {
            throw AppError.illegalTransition(messageKey: error.messageKey)
        }
        try await ctx.transaction { db in
            try await change(ticket, db)
            try await ticket.save(on: db)
            try await Audit.record(ctx, on: db, action: audit, entity: "ticket", entityID: ticket.id)
        }
        publish(ctx, ticket)
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

    // Not optimised: Swift 6.3.1's optimiser crashes (signal 11, while splitting this coroutine)
    // on it in release builds. A file now and then; its speed does not matter.
    @_optimize(none)
    static func attach(_ ctx: ServiceContext, _ ticket: Ticket, file: File?) async throws -> TicketAttachment {
        let user = try ctx.requireUser()
        try permit(party(user, ticket), .attach, ticket)
        let (stored, name) = try await Uploads.accept(file, ctx)
        let attachment = TicketAttachment()
        attachment.$ticket.id = try ticket.requireID()
        attachment.filename = name
        attachment.contentType = stored.contentType
        attachment.size = stored.size
        attachment.uploadedBy = try user.requireID()
        attachment.uploaderName = user.displayName
        attachment.createdAt = ctx.now
        try await ctx.transaction { db in
            try await stored.create(on: db)
            attachment.$file.id = try stored.requireID()
            try await attachment.create(on: db)
            try await Audit.record(ctx, on: db, action: "ticket.attach", entity: "ticket", entityID: ticket.id,
                                   detail: "file=\(name),size=\(stored.size)")
        }
        publish(ctx, ticket)
        return attachment
    }

    /// A ticket's file, for whoever may see the ticket.
    static func attachment(_ ctx: ServiceContext, _ ticket: Ticket, id: UUID?) async throws -> TicketAttachment {
        guard let id, let attachment = try await TicketAttachment.query(on: ctx.db).filter(\.$id == id)
            .filter(\.$ticket.$id == ticket.requireID()).with(\.$file).first()
        else { throw AppError.notFound }
        return attachment
    }

    static func publish(_ ctx: ServiceContext, _ ticket: Ticket, extra: Set<String> = []) {
        guard let id = ticket.id else { return }
        ctx.app.publishLive(
            "ticket:\(id)",
            to: Set(["department:\(ticket.$department.id)", "enterprise:\(ticket.$enterprise.id)", "ticket:\(id)", "all"]).union(extra)
        )
    }
}
