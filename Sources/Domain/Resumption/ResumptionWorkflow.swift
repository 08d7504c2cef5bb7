/// 复工申请: categories, the two modes and the state machine, one place for every transition.
public enum ResumptionCategory: String, CaseIterable, Codable, Sendable {
    case cityOperation, epidemicPrevention, dailyNecessities, otherVital

    public var nameKey: String { "resumption.category.\(rawValue)" }
}

/// 审批 (review, then leadership confirmation) or 报备 (accepted on submission, inspected after).
public enum ResumptionMode: String, CaseIterable, Codable, Sendable {
    case approval, filing

    public var nameKey: String { "resumption.mode.\(rawValue)" }
}

public enum ResumptionState: String, CaseIterable, Codable, Sendable {
    case draft, submitted, returned, passed, approved, refused, filed, resumed, suspended

    public var nameKey: String { "resumption.state.\(rawValue)" }

    /// An enterprise has at most one open application; refused ones are closed.
    public var isOpen: Bool { self != .refused }
    public static let open = allCases.filter(\.isOpen)

    /// States the enterprise may still edit.
    public var isEditable: Bool { self == .draft || self == .returned }

    /// The states in which an enterprise may work: given the green light, filed, or resumed.
    public static let allowingWork: [ResumptionState] = [.approved, .filed, .resumed]

    /// Waiting for a reviewer or the leadership group.
    public var awaitsDistrict: Bool { self == .submitted || self == .passed }

    /// Marked in the queues: waiting for the district longer than `workingDays` since it
    /// reached this state.
    public func isOverdue(since changed: CivilDate, today: CivilDate, workingDays: Int, calendar: WorkingCalendar = .weekdays) -> Bool {
        awaitsDistrict && calendar.workingDays(from: changed, to: today) > workingDays
    }
}

/// Everything that moves an application, with the role that may do it.
public enum ResumptionAction: String, CaseIterable, Codable, Sendable {
    /// enterpriseAdmin: first submission or resubmission after a return.
    case submit
    /// reviewer: 审核 — pass to the leadership group, return for changes, or refuse (劝阻).
    case pass, returnForChanges, refuse
    /// leader: 领导小组确认 — green light (绿灯放行) or refusal.
    case approve, leaderRefuse
    /// officer, on site: every standard met → resumed (also after a suspension).
    case confirmResumed
    /// officer or reviewer: 停产整改, with a reason; also a failed inspection of a filing.
    case suspend

    /// Who may take this action: the seed's division of duties.
    public var roles: Set<Role> {
        switch self {
        case .submit: [.enterpriseAdmin]
        case .pass, .returnForChanges, .refuse: [.reviewer]
        case .approve, .leaderRefuse: [.leader]
        case .confirmResumed: [.officer]
        case .suspend: [.officer, .reviewer]
        }
    }

    /// Refusals, returns and suspensions must say why.
    public var needsComment: Bool {
        [.returnForChanges, .refuse, .leaderRefuse, .suspend].contains(self)
    }

    public var auditName: String { "resumption.\(rawValue)" }
}

public struct IllegalResumptionTransition: Error, Equatable, Sendable {
    public let state: ResumptionState
    public let action: ResumptionAction
    public let messageKey = "error.resumption.illegalTransition"
}

extension ResumptionState {
    /// The state after `action`, or an error if the action is not allowed now. `mode` is the
    /// one the application was submitted under (for a draft: the one in force at submission).
    public func applying(_ action: ResumptionAction, mode: ResumptionMode) throws(IllegalResumptionTransition) -> ResumptionState {
        let next: ResumptionState? = switch (mode, self, action) {
        case (.approval, .draft, .submit), (.approval, .returned, .submit): .submitted
        case (.filing, .draft, .submit), (.filing, .returned, .submit): .filed
        case (.approval, .submitted, .pass): .passed
        case (.approval, .submitted, .returnForChanges): .returned
        case (.approval, .submitted, .refuse): .refused
        case (.approval, .passed, .approve): .approved
        case (.approval, .passed, .leaderRefuse): .refused
        case (.approval, .approved, .confirmResumed), (.filing, .filed, .confirmResumed): .resumed
        case (_, .suspended, .confirmResumed): .resumed
        case (.filing, .filed, .suspend), (_, .resumed, .suspend): .suspended
        default: nil
        }
        guard let next else { throw IllegalResumptionTransition(state: self, action: action) }
        return next
    }

    /// The actions possible from this state in `mode`, for showing only the buttons that work.
    public func availableActions(mode: ResumptionMode) -> [ResumptionAction] {
        ResumptionAction.allCases.filter { (try? applying($0, mode: mode)) != nil }
    }
}
