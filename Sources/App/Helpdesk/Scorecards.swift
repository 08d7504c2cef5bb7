import Domain
import Fluent
import Foundation
import Vapor

/// 反馈考核: figures per department and per agent for a period, a league table, and the
/// daily volume and median response time.
enum Scorecards {
    struct Row: Content {
        let name: String
        let tickets: Int
        let responseRate: Double?
        let resolutionRate: Double?
        let satisfactionRate: Double?
        let likes: Int
        let medianFirstResponseMinutes: Double?
        let overdue: Int
        let transfers: Int
    }

    struct Day: Content {
        let day: String
        let tickets: Int
        let medianFirstResponseMinutes: Double?
    }

    struct Report: Content {
        let from: String
        let to: String
        let departments: [Row]
        let agents: [Row]
        let days: [Day]
    }

    static func report(_ req: Request) async throws -> Report {
        let (from, to) = try req.dayRange(defaultDays: 30)
        let levels = try await req.districtSettings().serviceLevels
        let tickets = try await Ticket.query(on: req.db).with(\.$department)
            .filter(\.$createdAt >= from.start).filter(\.$createdAt < to.adding(days: 1).start).all()
        let agents = Dictionary(uniqueKeysWithValues: try await User.query(on: req.db).filter(\.$role == .agent).all().map { ($0.id!, $0.displayName) })

        let now = req.now
        func card(_ tickets: [Ticket]) -> Scorecard {
            Scorecard(counting: tickets.map { ticket in
                TicketFacts(createdAt: ticket.createdAt, firstResponseAt: ticket.firstResponseAt, firstResponseDueAt: ticket.firstResponseDueAt,
                            state: ticket.state, closure: ticket.closure, solved: ticket.solved, satisfaction: ticket.satisfaction,
                            liked: ticket.liked, transferCount: ticket.transferCount, escalationLevel: ticket.escalationLevel,
                            isOverdue: ticket.clockStatus(levels, now: now).isOverdue)
            })
        }
        func row(_ name: String, _ card: Scorecard) -> Row {
            Row(name: name, tickets: card.tickets, responseRate: card.responseRate, resolutionRate: card.resolutionRate,
                satisfactionRate: card.satisfactionRate, likes: card.likes, medianFirstResponseMinutes: card.medianResponseMinutes,
                overdue: card.overdue, transfers: card.transfers)
        }
        // League table: best satisfaction, then response rate, then volume.
        let league: (Row, Row) -> Bool = {
            ($0.satisfactionRate ?? -1, $0.responseRate ?? -1, $0.tickets) > ($1.satisfactionRate ?? -1, $1.responseRate ?? -1, $1.tickets)
        }
        let departments = Dictionary(grouping: tickets) { $0.department.displayName(req.language) }
            .map { row($0.key, card($0.value)) }.sorted(by: league)
        let byAgent = Dictionary(grouping: tickets.filter { $0.acceptedBy != nil }) { $0.acceptedBy! }
            .map { row(agents[$0.key] ?? "—", card($0.value)) }.sorted(by: league)
        var days: [Day] = []
        var cursor = from
        while cursor <= to {
            let key = cursor.iso
            let ofDay = tickets.filter { CivilDate($0.createdAt) == cursor }
            days.append(Day(day: key, tickets: ofDay.count, medianFirstResponseMinutes: card(ofDay).medianResponseMinutes))
            cursor = cursor.adding(days: 1)
        }
        return Report(from: from.iso, to: to.iso, departments: departments, agents: byAgent, days: days)
    }
}
