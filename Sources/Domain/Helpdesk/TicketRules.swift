import Foundation

/// 企业诉求: what an enterprise asks, how urgent, and where it stands.
public enum TicketCategory: String, CaseIterable, Codable, Sendable {
    case supplies, supplyChain, transport, workforce, financeTax, policy, other
    public var nameKey: String { "ticket.category.\(rawValue)" }
}

public enum TicketUrgency: String, CaseIterable, Codable, Sendable {
    case emergency, general, complex
    public var nameKey: String { "ticket.urgency.\(rawValue)" }
}

public enum TicketState: String, CaseIterable, Codable, Sendable {
    case new, accepted, inProgress, answered, reopened, closed
    public var nameKey: String { "ticket.state.\(rawValue)" }
    public var isOpen: Bool { self != .closed }
}

public enum Satisfaction: String, CaseIterable, Codable, Sendable {
    case satisfied, basicallySatisfied, unsatisfied
    public var nameKey: String { "ticket.satisfaction.\(rawValue)" }
    /// 满意率 counts 满意 and 基本满意.
    public var countsAsSatisfied: Bool { self != .unsatisfied }
}

/// Why a ticket closed.
public enum TicketClosure: String, Codable, Sendable {
    case confirmed, noFeedback
}

public enum TicketAction: String, CaseIterable, Codable, Sendable {
    /// An agent of the department claims it (first response).
    case accept
    /// A reply from the department (not an internal note) moves it into progress.
    case reply
    case answer
    /// The enterprise confirms: solved and not unsatisfied → closed; otherwise reopened.
    case confirmSolved, reject
    /// 转办: to another department; it must be accepted there again.
    case transfer
    /// No confirmation within the window.
    case autoClose
}

public struct IllegalTicketTransition: Error, Equatable, Sendable {
    public let state: TicketState
    public let action: TicketAction
    public let messageKey = "error.ticket.illegalTransition"
}

extension TicketState {
    public func applying(_ action: TicketAction) throws(IllegalTicketTransition) -> TicketState {
        let next: TicketState? = switch (self, action) {
        case (.new, .accept), (.reopened, .accept): .accepted
        case (.accepted, .reply), (.inProgress, .reply), (.reopened, .reply): .inProgress
        case (.accepted, .answer), (.inProgress, .answer), (.reopened, .answer): .answered
        case (.answered, .confirmSolved): .closed
        case (.answered, .reject): .reopened
        case (.answered, .autoClose): .closed
        case (.new, .transfer), (.accepted, .transfer), (.inProgress, .transfer), (.reopened, .transfer): .new
        default: nil
        }
        guard let next else { throw IllegalTicketTransition(state: self, action: action) }
        return next
    }
}

extension TicketState {
    /// Whether `action` is possible now, for showing only the forms that work.
    public func allows(_ action: TicketAction) -> Bool {
        (try? applying(action)) != nil
    }
}

/// The help desk's clock: deadlines per urgency, escalation levels and auto-close, 7×24.
public struct ServiceLevels: Codable, Equatable, Sendable {
    public var emergencyResponseHours: Double = 2
    public var emergencyResolutionHours: Double = 24
    public var generalResponseHours: Double = 24
    public var generalResolutionHours: Double = 7 * 24
    public var complexResponseHours: Double = 24
    public var complexResolutionHours: Double = 15 * 24
    /// An answer not confirmed within this many hours closes as "no feedback".
    public var confirmationHours: Double = 72
    /// The second escalation level comes this many hours after the first.
    public var secondEscalationHours: Double = 24

    public init() {}

    public func responseHours(_ urgency: TicketUrgency) -> Double {
        switch urgency {
        case .emergency: emergencyResponseHours
        case .general: generalResponseHours
        case .complex: complexResponseHours
        }
    }

    public func resolutionHours(_ urgency: TicketUrgency) -> Double {
        switch urgency {
        case .emergency: emergencyResolutionHours
        case .general: generalResolutionHours
        case .complex: complexResolutionHours
        }
    }

    public func firstResponseDue(_ urgency: TicketUrgency, raisedAt: Date) -> Date {
        raisedAt.addingTimeInterval(responseHours(urgency) * 3600)
    }

    public func resolutionDue(_ urgency: TicketUrgency, raisedAt: Date) -> Date {
        raisedAt.addingTimeInterval(resolutionHours(urgency) * 3600)
    }

    /// What the clock says about a ticket now.
    public struct Status: Equatable, Sendable {
        public let responseOverdue: Bool
        public let resolutionOverdue: Bool
        /// 0 none; 1 to the department head and the district admin (催办); 2 a second time, later.
        public let escalationLevel: Int
        public var isOverdue: Bool { responseOverdue || resolutionOverdue }
    }

    /// `firstResponseAt` is when it was accepted; `answeredAt` the latest answer (the
    /// resolution clock stops while an answer waits for the enterprise).
    public func status(state: TicketState, firstResponseDue: Date, resolutionDue: Date, firstResponseAt: Date?,
                       answeredAt: Date?, now: Date) -> Status {
        guard state.isOpen else { return Status(responseOverdue: false, resolutionOverdue: false, escalationLevel: 0) }
        let responseOverdue = firstResponseAt == nil && now > firstResponseDue
        let resolutionOverdue = state != .answered && now > resolutionDue
        let missed = [responseOverdue ? firstResponseDue : nil, resolutionOverdue ? resolutionDue : nil].compactMap { $0 }.min()
        var level = 0
        if let missed {
            level = now > missed.addingTimeInterval(secondEscalationHours * 3600) ? 2 : 1
        }
        return Status(responseOverdue: responseOverdue, resolutionOverdue: resolutionOverdue, escalationLevel: level)
    }

    public func shouldAutoClose(state: TicketState, answeredAt: Date?, now: Date) -> Bool {
        guard state == .answered, let answeredAt else { return false }
        return now >= answeredAt.addingTimeInterval(confirmationHours * 3600)
    }
}

/// `FG-20200208-0001`: the day in China Standard Time and a sequence number within it.
public enum TicketNumber {
    public static func make(day: CivilDate, sequence: Int) -> String {
        String(format: "FG-%04d%02d%02d-%04d", day.year, day.month, day.day, sequence)
    }

    public static func prefix(day: CivilDate) -> String {
        String(format: "FG-%04d%02d%02d-", day.year, day.month, day.day)
    }
}

/// What a scorecard counts of a ticket.
public struct TicketFacts: Sendable {
    public var createdAt: Date
    public var firstResponseAt: Date?
    public var firstResponseDueAt: Date
    public var state: TicketState
    public var closure: TicketClosure?
    public var solved: Bool?
    public var satisfaction: Satisfaction?
    public var liked: Bool
    public var transferCount: Int
    public var escalationLevel: Int
    /// Past a deadline now (`ClockStatus.isOverdue`).
    public var isOverdue: Bool

    public init(createdAt: Date, firstResponseAt: Date?, firstResponseDueAt: Date, state: TicketState, closure: TicketClosure?,
                solved: Bool?, satisfaction: Satisfaction?, liked: Bool, transferCount: Int, escalationLevel: Int, isOverdue: Bool) {
        self.createdAt = createdAt
        self.firstResponseAt = firstResponseAt
        self.firstResponseDueAt = firstResponseDueAt
        self.state = state
        self.closure = closure
        self.solved = solved
        self.satisfaction = satisfaction
        self.liked = liked
        self.transferCount = transferCount
        self.escalationLevel = escalationLevel
        self.isOverdue = isOverdue
    }
}

/// 反馈考核: a unit's figures for a period.
public struct Scorecard: Equatable, Codable, Sendable {
    public var tickets = 0
    public var respondedInTime = 0
    public var responded = 0
    public var resolved = 0
    public var rated = 0
    public var satisfied = 0
    public var likes = 0
    public var overdue = 0
    public var transfers = 0
    public var responseMinutes: [Double] = []

    public init() {}

    /// The figures of `tickets`.
    public init(counting tickets: [TicketFacts]) {
        for ticket in tickets { count(ticket) }
    }

    /// Adds one ticket: responded (and in time), resolved (closed as solved by the enterprise's
    /// confirmation), rated and satisfied, liked, transferred, and overdue (now, or escalated
    /// at some point).
    public mutating func count(_ ticket: TicketFacts) {
        tickets += 1
        if let first = ticket.firstResponseAt {
            responded += 1
            if first <= ticket.firstResponseDueAt { respondedInTime += 1 }
            responseMinutes.append(first.timeIntervalSince(ticket.createdAt) / 60)
        }
        if ticket.state == .closed, ticket.closure == .confirmed, ticket.solved == true { resolved += 1 }
        if let satisfaction = ticket.satisfaction {
            rated += 1
            if satisfaction.countsAsSatisfied { satisfied += 1 }
        }
        if ticket.liked { likes += 1 }
        transfers += ticket.transferCount
        if ticket.isOverdue || ticket.escalationLevel > 0 { overdue += 1 }
    }

    /// 响应率: first responses within their deadline, over tickets.
    public var responseRate: Double? { tickets == 0 ? nil : Double(respondedInTime) / Double(tickets) }
    /// 解决率: tickets closed as solved, over tickets.
    public var resolutionRate: Double? { tickets == 0 ? nil : Double(resolved) / Double(tickets) }
    /// 满意率: (满意 + 基本满意) / rated.
    public var satisfactionRate: Double? { rated == 0 ? nil : Double(satisfied) / Double(rated) }

    public var medianResponseMinutes: Double? {
        guard !responseMinutes.isEmpty else { return nil }
        let sorted = responseMinutes.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Who acts on a ticket, as far as its rules care.
public enum TicketParty: Sendable, Equatable {
    /// An agent of the department the ticket is with.
    case departmentAgent
    /// The enterprise that raised it (its admin).
    case enterprise
    /// The enterprise's support officer.
    case officer
    case districtAdmin
    /// Anyone else who may read it (another department's agent, the leadership group).
    case reader
}

/// What each party may do to a ticket in each state: the one rule the service enforces and the
/// ticket page follows (it shows only the forms that work).
public enum TicketPermissions {
    public enum Step: String, CaseIterable, Sendable {
        case accept, reply, note, answer, transfer, rate, attach
    }

    /// Why a step is refused: the party may never take it, the ticket is closed, the
    /// department must accept it first, or the state does not allow it now.
    public enum Refusal: Equatable, Sendable {
        case forbidden, closed, acceptFirst, notNow
    }

    public static func allows(_ party: TicketParty, _ step: Step, in state: TicketState) -> Bool {
        refusal(party, step, in: state) == nil
    }

    public static func refusal(_ party: TicketParty, _ step: Step, in state: TicketState) -> Refusal? {
        let parties: [TicketParty] = switch step {
        case .accept, .note, .answer: [.departmentAgent]
        // The enterprise may add to its request at any time while it is open (补充说明).
        case .reply: [.departmentAgent, .enterprise]
        case .transfer: [.departmentAgent, .districtAdmin]
        case .rate: [.enterprise]
        case .attach: [.departmentAgent, .enterprise, .officer]
        }
        guard parties.contains(party) else { return .forbidden }
        guard state.isOpen else { return .closed }
        let now: Bool = switch step {
        case .accept: state.allows(.accept)
        // The department's first word is accepting it; after that its replies move it on.
        case .reply: party == .enterprise || state != .new
        case .note, .attach: true
        case .answer: state.allows(.answer)
        case .transfer: state.allows(.transfer)
        case .rate: state.allows(.confirmSolved)
        }
        if now { return nil }
        return step == .reply && state == .new ? .acceptFirst : .notNow
    }
}
