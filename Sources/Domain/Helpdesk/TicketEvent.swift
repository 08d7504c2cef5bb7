import Foundation

/// What a line of a ticket's conversation is.
public enum TicketMessageKind: String, Codable, CaseIterable, Sendable {
    /// Words: the department's reply or the enterprise's, an internal note, the answer.
    case reply, note, answer
    /// The enterprise's confirmation and rating (`TicketEvent.feedback`).
    case feedback
    /// Something that happened to the ticket (`TicketEvent`).
    case system

    public var isEvent: Bool { self == .feedback || self == .system }
}

/// Who raised a ticket: the enterprise itself, or its support officer on its behalf.
public enum TicketSource: String, Codable, CaseIterable, Sendable {
    case enterprise, officer
}

/// Something that happened to a ticket, kept as a typed value (stored as JSON) and given to
/// API clients as `{"kind": …, named fields}`; pages say it through the string tables.
public enum TicketEvent: Equatable, Sendable {
    /// 秒回: the receipt, the conversation's first line (the ticket itself, never stored).
    case receipt
    case accepted
    /// 转办, with the department names and the reason.
    case transferred(from: String, to: String, reason: String)
    /// 催办, the level reached.
    case escalated(level: Int)
    /// Answered and not confirmed in time.
    case autoClosed
    case feedback(solved: Bool, satisfaction: Satisfaction?, like: Bool, comment: String)

    public var kind: String {
        switch self {
        case .receipt: "receipt"
        case .accepted: "accepted"
        case .transferred: "transferred"
        case .escalated: "escalated"
        case .autoClosed: "autoClosed"
        case .feedback: "feedback"
        }
    }

    /// The pipe-joined text the first releases stored (`transferred|from|to|reason`,
    /// `solved|satisfied|like|comment`): read once, by the migration that rewrote them.
    public init?(legacy body: String) {
        let parts = body.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "receipt": self = .receipt
        case "accepted": self = .accepted
        case "autoClosed": self = .autoClosed
        case "transferred" where parts.count >= 4:
            self = .transferred(from: parts[1], to: parts[2], reason: parts[3...].joined(separator: "|"))
        case "escalated" where parts.count >= 2:
            guard let level = Int(parts[1]) else { return nil }
            self = .escalated(level: level)
        case "solved", "unsolved":
            self = .feedback(solved: parts[0] == "solved", satisfaction: parts.count > 1 ? Satisfaction(rawValue: parts[1]) : nil,
                             like: parts.count > 2 && parts[2] == "like", comment: parts.count > 3 ? parts[3...].joined(separator: "|") : "")
        default: return nil
        }
    }
}

extension TicketEvent: Codable {
    private enum Keys: String, CodingKey {
        case kind, from, to, reason, level, solved, satisfaction, like, comment
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "receipt": self = .receipt
        case "accepted": self = .accepted
        case "autoClosed": self = .autoClosed
        case "transferred":
            self = .transferred(from: try container.decode(String.self, forKey: .from), to: try container.decode(String.self, forKey: .to),
                                reason: try container.decode(String.self, forKey: .reason))
        case "escalated": self = .escalated(level: try container.decode(Int.self, forKey: .level))
        case "feedback":
            self = .feedback(solved: try container.decode(Bool.self, forKey: .solved),
                             satisfaction: try container.decodeIfPresent(Satisfaction.self, forKey: .satisfaction),
                             like: try container.decode(Bool.self, forKey: .like), comment: try container.decode(String.self, forKey: .comment))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown ticket event \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .receipt, .accepted, .autoClosed: break
        case let .transferred(from, to, reason):
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(reason, forKey: .reason)
        case let .escalated(level):
            try container.encode(level, forKey: .level)
        case let .feedback(solved, satisfaction, like, comment):
            try container.encode(solved, forKey: .solved)
            try container.encodeIfPresent(satisfaction, forKey: .satisfaction)
            try container.encode(like, forKey: .like)
            try container.encode(comment, forKey: .comment)
        }
    }

    /// As stored in a message's body.
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init?(stored: String) {
        guard let event = try? JSONDecoder().decode(TicketEvent.self, from: Data(stored.utf8)) else { return nil }
        self = event
    }
}
