import Domain
import Fluent
import Foundation
import Vapor

struct TicketDTO: Content {
    struct Message: Content {
        let at: Date
        let author: String
        let role: String
        let kind: TicketMessageKind
        let `internal`: Bool
        /// The words; for an event, the line as the reader's language says it.
        let body: String
        /// What happened, for `system` and `feedback` lines: `{"kind": …, named fields}`.
        let event: TicketEvent?
        let policyId: UUID?
    }

    struct Attachment: Content {
        let id: UUID
        let filename: String
        let contentType: String
        let size: Int
        let uploadedBy: String
        let uploadedAt: Date
        /// The API's download address; the pages use `/helpdesk/{ticket}/attachments/{id}`.
        let href: String
    }

    let id: UUID
    let number: String
    let enterpriseId: UUID
    let enterpriseName: String
    let category: TicketCategory
    let urgency: TicketUrgency
    let title: String
    let description: String
    let department: String
    let departmentId: UUID
    let state: TicketState
    let createdAt: Date
    let acknowledgedAt: Date
    let firstResponseDueAt: Date
    let resolutionDueAt: Date
    let firstResponseAt: Date?
    let answeredAt: Date?
    let closedAt: Date?
    let closure: TicketClosure?
    let transferCount: Int
    let escalationLevel: Int
    let overdue: Bool
    let solved: Bool?
    let satisfaction: Satisfaction?
    let like: Bool
    let messages: [Message]?
    /// With the conversation (a single ticket), not in lists.
    let attachments: [Attachment]?
}

extension HelpdeskService {
    /// The ticket as this reader may see it: internal notes only for the department side.
    static func dto(_ ctx: ServiceContext, _ ticket: Ticket, withMessages: Bool) async throws -> TicketDTO {
        let user = try ctx.requireUser()
        let levels = try await ctx.settings().serviceLevels
        if ticket.$enterprise.value == nil { try await ticket.$enterprise.load(on: ctx.db) }
        if ticket.$department.value == nil { try await ticket.$department.load(on: ctx.db) }
        var messages: [TicketDTO.Message]?
        if withMessages {
            let query = TicketMessage.query(on: ctx.db).filter(\.$ticket.$id == (try ticket.requireID())).sort(\.$at)
            if !seesInternalNotes(user) { query.filter(\.$isInternal == false) }
            // The receipt (秒回) is the ticket itself, shown as the conversation's first line.
            let system = ctx.t("helpdesk.system")
            let receipt = TicketDTO.Message(at: ticket.acknowledgedAt, author: system, role: "system", kind: .system, internal: false,
                                            body: TicketLines.text(ctx, .receipt, ticket), event: .receipt, policyId: nil)
            messages = [receipt] + (try await query.all().map { message in
                let event = message.event
                return .init(at: message.at, author: message.authorRole == "system" ? system : message.authorName, role: message.authorRole,
                             kind: message.kind, internal: message.isInternal,
                             body: event.map { TicketLines.text(ctx, $0, ticket) } ?? message.body, event: event, policyId: message.policyID)
            })
        }
        var attachments: [TicketDTO.Attachment]?
        if withMessages {
            let id = try ticket.requireID()
            attachments = try await TicketAttachment.query(on: ctx.db).filter(\.$ticket.$id == id).sort(\.$createdAt).all().map {
                .init(id: try $0.requireID(), filename: $0.filename, contentType: $0.contentType, size: $0.size,
                      uploadedBy: $0.uploaderName, uploadedAt: $0.createdAt, href: "/api/v1/tickets/\(id)/attachments/\(try $0.requireID())")
            }
        }
        let status = ticket.clockStatus(levels, now: ctx.now)
        return TicketDTO(
            id: try ticket.requireID(), number: ticket.number, enterpriseId: ticket.$enterprise.id, enterpriseName: ticket.enterprise.name,
            category: ticket.category, urgency: ticket.urgency, title: ticket.title, description: ticket.description,
            department: ticket.department.displayName(ctx.language), departmentId: ticket.$department.id, state: ticket.state,
            createdAt: ticket.createdAt, acknowledgedAt: ticket.acknowledgedAt, firstResponseDueAt: ticket.firstResponseDueAt,
            resolutionDueAt: ticket.resolutionDueAt, firstResponseAt: ticket.firstResponseAt, answeredAt: ticket.answeredAt,
            closedAt: ticket.closedAt, closure: ticket.closure, transferCount: ticket.transferCount,
            escalationLevel: ticket.escalationLevel, overdue: status.isOverdue, solved: ticket.solved,
            satisfaction: ticket.satisfaction, like: ticket.liked, messages: messages, attachments: attachments
        )
    }

    /// Internal notes are for government roles; the enterprise never sees them.
    static func seesInternalNotes(_ user: User) -> Bool {
        [.agent, .districtAdmin, .leader].contains(user.role)
    }

    /// The tickets this user may see, filtered by `state`, `department`, `overdue`, `q`.
    /// Which tickets a list shows (`?state=&department=&overdue=`).
    struct Filter: Sendable {
        var state: TicketState?
        var department: UUID?
        var overdue: Bool?

        init(state: TicketState? = nil, department: UUID? = nil, overdue: Bool? = nil) {
            self.state = state
            self.department = department
            self.overdue = overdue
        }

        init(_ req: Request) {
            self.init(state: req.query[String.self, at: "state"].flatMap(TicketState.init(rawValue:)),
                      department: req.query[UUID.self, at: "department"], overdue: req.query[Bool.self, at: "overdue"])
        }
    }

    /// The newest 500 tickets this user may see, filtered.
    static func list(_ ctx: ServiceContext, _ filter: Filter) async throws -> [Ticket] {
        let user = try ctx.requireUser()
        let query = Ticket.query(on: ctx.db).with(\.$enterprise).with(\.$department).sort(\.$createdAt, .descending)
        switch user.role {
        case .districtAdmin, .leader: break
        case .agent: query.filter(\.$department.$id == (user.$department.id ?? UUID()))
        case .enterpriseAdmin: query.filter(\.$enterprise.$id == (user.$enterprise.id ?? UUID()))
        case .officer:
            let assigned = try await OfficerService.assignedEnterpriseIDs(user, on: ctx.db)
            query.join(Enterprise.self, on: \Ticket.$enterprise.$id == \Enterprise.$id)
                .group(.or) { group in
                    group.filter(Enterprise.self, \.$zone == (user.zone ?? "\u{0}"))
                    if !assigned.isEmpty { group.filter(\.$enterprise.$id ~~ assigned) }
                }
        default: throw AppError.forbidden
        }
        if let state = filter.state { query.filter(\.$state == state) }
        if let department = filter.department { query.filter(\.$department.$id == department) }
        var tickets = try await query.limit(500).all()
        if let overdue = filter.overdue {
            let levels = try await ctx.settings().serviceLevels
            tickets = tickets.filter { $0.clockStatus(levels, now: ctx.now).isOverdue == overdue }
        }
        return tickets
    }
}

/// A ticket's events as the reader's language says them.
enum TicketLines {
    static func text(_ ctx: ServiceContext, _ event: TicketEvent, _ ticket: Ticket) -> String {
        switch event {
        case .receipt: return ctx.t("helpdesk.line.receipt", ticket.number, ticket.department.displayName(ctx.language))
        case .accepted: return ctx.t("helpdesk.line.accepted")
        case let .transferred(from, to, reason): return ctx.t("helpdesk.line.transferred", from, to, reason)
        case let .escalated(level): return ctx.t("helpdesk.line.escalated", String(level))
        case .autoClosed: return ctx.t("helpdesk.line.autoClosed")
        case let .feedback(solved, satisfaction, like, comment):
            let line = ctx.t(solved ? "helpdesk.line.solved" : "helpdesk.line.unsolved", satisfaction.map { ctx.t($0.nameKey) } ?? "")
            return line + (like ? " 👍" : "") + (comment.isEmpty ? "" : " — \(comment)")
        }
    }
}
