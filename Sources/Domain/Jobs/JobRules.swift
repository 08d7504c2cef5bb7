import Foundation

/// 人才就业网: what a posting is, what it may say, and how an application moves.
public enum JobCategory: String, CaseIterable, Codable, Sendable {
    case manufacturing, medical, logistics, retail, it, service, construction, agriculture, other
    public var nameKey: String { "job.category.\(rawValue)" }
}

/// 学历, lowest first: a posting's requirement and a résumé's highest level.
public enum Education: String, CaseIterable, Codable, Sendable, Comparable {
    case any, juniorHigh, seniorHigh, vocational, college, bachelor, master, doctorate
    public var nameKey: String { "job.education.\(rawValue)" }

    public static func < (a: Education, b: Education) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// An employer's standing on the network: it may publish only once approved.
public enum EmployerStatus: String, CaseIterable, Codable, Sendable {
    case pending, approved, refused
    public var nameKey: String { "employer.status.\(rawValue)" }
}

public enum PostingStatus: String, CaseIterable, Codable, Sendable {
    /// Open for applications until its closing date.
    case open
    case filled
    /// Past its closing date (set by the clock; a read also treats it so).
    case expired
    public var nameKey: String { "job.status.\(rawValue)" }
}

/// A posting as submitted, before it goes live.
public struct PostingDraft: Sendable {
    public var title: String?
    public var category: String?
    public var openings: Int?
    public var salaryMin: Int?
    public var salaryMax: Int?
    public var education: String?
    public var experience: String?
    public var zone: String?
    public var address: String?
    public var description: String?
    public var benefits: String?
    public var closingDate: String?

    public init(title: String? = nil, category: String? = nil, openings: Int? = nil, salaryMin: Int? = nil, salaryMax: Int? = nil,
                education: String? = nil, experience: String? = nil, zone: String? = nil, address: String? = nil,
                description: String? = nil, benefits: String? = nil, closingDate: String? = nil) {
        self.title = title; self.category = category; self.openings = openings; self.salaryMin = salaryMin
        self.salaryMax = salaryMax; self.education = education; self.experience = experience; self.zone = zone
        self.address = address; self.description = description; self.benefits = benefits; self.closingDate = closingDate
    }
}

/// A posting that passed every check.
public struct CheckedPosting: Equatable, Sendable {
    public let title: String
    public let category: JobCategory
    public let openings: Int
    public let salaryMin: Int
    public let salaryMax: Int
    public let education: Education
    public let experience: String
    public let zone: String
    public let address: String
    public let description: String
    public let benefits: String
    public let closingDate: CivilDate
}

public enum PostingRules {
    /// A closing date at most this many days ahead.
    public static let maxDaysOpen = 90
    /// Monthly salary bounds in CNY: above zero, below a figure no epidemic-time posting reaches.
    public static let salaryRange = 1...200_000
    public static let openingsRange = 1...9_999

    /// Checks a draft on `today`; `zones` are the district's zone codes.
    public static func check(_ draft: PostingDraft, today: CivilDate, zones: Set<String>) throws(FieldErrors) -> CheckedPosting {
        var errors = FieldErrors()
        let title = FormText.required(draft.title, field: "title", maxLength: 60, into: &errors)
        let category = draft.category.flatMap(JobCategory.init(rawValue:))
        if category == nil { errors.add("category", FormText.choiceError(draft.category)) }
        let education = draft.education.flatMap(Education.init(rawValue:))
        if education == nil { errors.add("education", FormText.choiceError(draft.education)) }
        if let openings = draft.openings {
            if !openingsRange.contains(openings) { errors.add("openings", "error.job.openings") }
        } else { errors.add("openings", "error.required") }
        for (field, value) in [("salaryMin", draft.salaryMin), ("salaryMax", draft.salaryMax)] {
            if let value { if !salaryRange.contains(value) { errors.add(field, "error.job.salary") } } else { errors.add(field, "error.required") }
        }
        if let low = draft.salaryMin, let high = draft.salaryMax, low > high { errors.add("salaryMax", "error.job.salaryOrder") }
        let experience = FormText.trimmed(draft.experience)
        if experience.count > 50 { errors.add("experience", "error.tooLong") }
        let zone = FormText.trimmed(draft.zone)
        if zone.isEmpty { errors.add("zone", "error.required") } else if !zones.contains(zone) { errors.add("zone", "error.choice") }
        let address = FormText.required(draft.address, field: "address", maxLength: 200, into: &errors)
        let description = FormText.required(draft.description, field: "description", maxLength: 5000, into: &errors)
        let benefits = FormText.trimmed(draft.benefits)
        if benefits.count > 1000 { errors.add("benefits", "error.tooLong") }
        var closing: CivilDate?
        if let text = draft.closingDate {
            if let date = CivilDate(iso: text) {
                if date < today { errors.add("closingDate", "error.job.closingPast") }
                else if today.adding(days: maxDaysOpen) < date { errors.add("closingDate", "error.job.closingFar", arguments: [String(maxDaysOpen)]) }
                else { closing = date }
            } else { errors.add("closingDate", "error.date") }
        } else { errors.add("closingDate", "error.required") }
        for (field, text) in [("title", title), ("description", description), ("benefits", benefits), ("experience", experience)] {
            if let finding = FairHiring.finding(in: text) { errors.add(field, finding.messageKey, arguments: [finding.phrase]) }
        }
        if !errors.isEmpty { throw errors }
        guard let category, let education, let closing, let openings = draft.openings,
              let salaryMin = draft.salaryMin, let salaryMax = draft.salaryMax else { throw FieldErrors("title", "error.required") }
        return CheckedPosting(title: title, category: category, openings: openings, salaryMin: salaryMin, salaryMax: salaryMax,
                              education: education, experience: experience, zone: zone, address: address,
                              description: description, benefits: benefits, closingDate: closing)
    }

    /// A posting's status on `today`: an open one past its closing date (ISO) has expired.
    public static func status(_ stored: PostingStatus, closingDate: String, today: CivilDate) -> PostingStatus {
        guard stored == .open, let closing = CivilDate(iso: closingDate), closing < today else { return stored }
        return .expired
    }
}

/// 就业歧视: a posting may not limit who can apply by sex, age, or birthplace and region
/// (the Employment Promotion Law; in 2020, "不招湖北籍" was the case in point).
public enum FairHiring {
    public enum Ground: String, Sendable { case gender, age, origin }

    public struct Finding: Equatable, Sendable {
        public let ground: Ground
        /// The words that triggered it, quoted back to the employer.
        public let phrase: String
        public var messageKey: String { "error.job.discrimination.\(ground.rawValue)" }
    }

    /// Upper age limits and ranges are refused; a lower bound of legal working age is not.
    private static let patterns: [(Ground, String)] = [
        (.gender, #"(限|仅限|只招|只要|要求)\s*(男|女)(?!女|男)(性|生|士|工)?"#),
        (.gender, #"(男|女)(性|生|士)?\s*(优先|为主)"#),
        (.gender, #"(不招|不要|谢绝|拒绝)\s*(男|女)"#),
        (.gender, #"(?i)\b(male|female|men|women) only\b"#),
        (.age, #"\d{2}\s*周?岁\s*(以下|以内|之内)"#),
        (.age, #"\d{2}\s*周?岁?\s*[-—~～至到]\s*\d{2}\s*周?岁"#),
        (.age, #"(年龄|年纪)\s*(不超过|不得超过|不大于|小于|低于|限)\s*\d{2}"#),
        (.age, #"(?i)\b(under|below) \d{2}\b|\baged? \d{2}\s*(-|to)\s*\d{2}\b"#),
        (.origin, #"(不招|不要|谢绝|拒绝|不收|不接受)\s*\p{Han}{0,6}?(籍|籍贯|地区人员|省人员|来的)"#),
        (.origin, #"(限|仅限|只招|只要)\s*\p{Han}{0,6}?(籍|户口|户籍)"#),
        (.origin, #"(本地|当地)(户口|户籍)"#),
    ]

    private static let compiled: [(Ground, NSRegularExpression)] = patterns.map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }

    /// The first discriminatory phrase in `text`, if any.
    public static func finding(in text: String) -> Finding? {
        let range = NSRange(text.startIndex..., in: text)
        for (ground, expression) in compiled {
            if let match = expression.firstMatch(in: text, range: range), let found = Range(match.range, in: text) {
                return Finding(ground: ground, phrase: String(text[found]))
            }
        }
        return nil
    }
}

/// An application's pipeline on the employer's side.
public enum ApplicationState: String, CaseIterable, Codable, Sendable {
    case applied, viewed, interview, offer, hired, rejected
    public var nameKey: String { "application.state.\(rawValue)" }
    public var isFinal: Bool { self == .hired || self == .rejected }

    /// Forward one or more steps (an employer may skip the interview), or rejected from any
    /// step that is not final. Nothing moves back, and nothing leaves hired or rejected.
    public func allows(_ next: ApplicationState) -> Bool {
        guard !isFinal, next != self else { return false }
        if next == .rejected { return true }
        let order: [ApplicationState] = [.applied, .viewed, .interview, .offer, .hired]
        guard let from = order.firstIndex(of: self), let to = order.firstIndex(of: next) else { return false }
        return to > from
    }
}
