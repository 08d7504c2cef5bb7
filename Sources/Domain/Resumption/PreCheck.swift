/// 预检: what an enterprise sees before it submits. Errors block submission; warnings go to the
/// reviewers with the application.
public struct PreCheck: Sendable {
    public enum Severity: String, Codable, Sendable { case error, warning }

    public struct Finding: Equatable, Codable, Sendable {
        public let code: String
        public let severity: Severity
        /// The form field it concerns, if one.
        public let field: String?
        /// Values for the message, e.g. a number of days.
        public let arguments: [String]

        public var messageKey: String { "precheck.\(code)" }
    }

    public struct Input: Sendable {
        public var category: ResumptionCategory
        public var plannedDate: CivilDate
        public var submissionDate: CivilDate
        public var headcountTotal: Int
        public var headcountOnSite: Int
        public var headcountIsolated: Int
        public var hasCommitment: Bool
        public var hasEvidence: Bool
        public var hasIsolationRoom: Bool
        public var maskDays: Int
        public var disinfectantDays: Int
        public var thermometerDays: Int

        public init(category: ResumptionCategory, plannedDate: CivilDate, submissionDate: CivilDate,
                    headcountTotal: Int, headcountOnSite: Int, headcountIsolated: Int, hasCommitment: Bool,
                    hasEvidence: Bool, hasIsolationRoom: Bool, maskDays: Int, disinfectantDays: Int, thermometerDays: Int) {
            self.category = category; self.plannedDate = plannedDate; self.submissionDate = submissionDate
            self.headcountTotal = headcountTotal; self.headcountOnSite = headcountOnSite
            self.headcountIsolated = headcountIsolated; self.hasCommitment = hasCommitment
            self.hasEvidence = hasEvidence; self.hasIsolationRoom = hasIsolationRoom
            self.maskDays = maskDays; self.disinfectantDays = disinfectantDays; self.thermometerDays = thermometerDays
        }
    }

    /// Working days' notice between submission and the planned date (a district setting).
    public var minimumNoticeWorkingDays = 2
    /// Supplies below this many days of use are a warning.
    public var minimumSupplyDays = 3

    /// The district's working days.
    public var calendar: WorkingCalendar

    public init(minimumNoticeWorkingDays: Int = 2, calendar: WorkingCalendar = .weekdays) {
        self.minimumNoticeWorkingDays = minimumNoticeWorkingDays
        self.calendar = calendar
    }

    public func findings(_ input: Input) -> [Finding] {
        var findings: [Finding] = []
        func add(_ code: String, _ severity: Severity, _ field: String?, _ arguments: [String] = []) {
            findings.append(Finding(code: code, severity: severity, field: field, arguments: arguments))
        }
        if input.headcountOnSite > input.headcountTotal {
            add("onSiteAboveTotal", .error, "headcountOnSite")
        }
        let earliest = calendar.adding(workingDays: minimumNoticeWorkingDays, to: input.submissionDate)
        if input.plannedDate < earliest {
            add("plannedTooSoon", .error, "plannedDate", [String(minimumNoticeWorkingDays), earliest.iso])
        }
        if !input.hasCommitment {
            add("noCommitment", .error, "commitment")
        }
        if input.category == .otherVital, !input.hasEvidence {
            add("otherWithoutEvidence", .warning, "evidence")
        }
        let supplies = [("masks", input.maskDays), ("disinfectant", input.disinfectantDays), ("thermometers", input.thermometerDays)]
        for (name, days) in supplies where days < minimumSupplyDays {
            add("lowSupplies.\(name)", .warning, "\(name)Days", [String(days)])
        }
        if !input.hasIsolationRoom {
            add("noIsolationRoom", .warning, "isolationRoom")
        }
        if input.headcountIsolated > 0 {
            add("staffInIsolation", .warning, "headcountIsolated", [String(input.headcountIsolated)])
        }
        return findings
    }

    public static func blocks(_ findings: [Finding]) -> Bool {
        findings.contains { $0.severity == .error }
    }
}
