/// The five standards a resumption-day visit checks (五个到位).
public enum SiteStandard: String, CaseIterable, Codable, Sendable {
    case organisation      // 组织保障到位
    case supplies          // 物资保障充足
    case measures          // 防控措施有效
    case publicity         // 宣传氛围充分
    case records           // 防控档案规范

    public var nameKey: String { "visit.standard.\(rawValue)" }
}

public enum SiteVisitOutcome: String, Codable, Sendable {
    /// Every standard met: the enterprise resumes.
    case passed
    /// Any standard failed: rectification, and a revisit.
    case rectificationRequired

    public init(results: [SiteStandard: Bool]) {
        self = SiteStandard.allCases.allSatisfy { results[$0] == true } ? .passed : .rectificationRequired
    }
}

/// A visit is reported on its day or after, never before it took place. `scheduledFor` is the
/// visit's ISO date; one that cannot be read does not hold a report back.
public enum SiteVisitSchedule {
    public static func isDue(scheduledFor: String, today: CivilDate) -> Bool {
        CivilDate(iso: scheduledFor).map { $0 <= today } ?? true
    }
}

/// 包保: automatic assignment picks the least-loaded officer of the zone under the cap.
public enum OfficerBalancer {
    /// `loads` are (officer, enterprises currently assigned), in a stable order; ties go to the first.
    public static func pick<ID: Hashable>(_ loads: [(officer: ID, load: Int)], cap: Int) -> ID? {
        loads.filter { $0.load < cap }.min { $0.load < $1.load }?.officer
    }
}
