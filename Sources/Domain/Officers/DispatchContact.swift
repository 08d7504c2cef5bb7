/// 调度: one contact of an officer with an enterprise.
public enum DispatchChannel: String, CaseIterable, Codable, Sendable {
    case phone, wechat, onSite, online
    public var nameKey: String { "dispatch.channel.\(rawValue)" }
}

public enum DispatchOutcome: String, CaseIterable, Codable, Sendable {
    case intendsToResume, notYet, needsHelp, notEligible
    /// Told of a notice (传递通知).
    case informed
    public var nameKey: String { "dispatch.outcome.\(rawValue)" }
}
