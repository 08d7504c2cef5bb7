import Foundation

/// 传递通知: whom a notice (or policy) reaches. All enterprises, or those of some zones, some
/// resumption categories, some industries; an enterprise matches when it matches every kind
/// given (zones and categories and industries), any one value of each.
public struct NoticeTargets: Codable, Sendable, Equatable {
    public var all: Bool
    public var zones: [String]
    public var categories: [ResumptionCategory]
    public var industries: [String]

    public init(all: Bool = false, zones: [String] = [], categories: [ResumptionCategory] = [], industries: [String] = []) {
        self.all = all
        self.zones = zones
        self.categories = categories
        self.industries = industries
    }

    /// What an enterprise is, for the match: its zone, the category of its latest application
    /// (nil without one), its industry.
    public struct Facts: Sendable {
        public let zone: String
        public let category: ResumptionCategory?
        public let industry: String

        public init(zone: String, category: ResumptionCategory?, industry: String) {
            self.zone = zone
            self.category = category
            self.industry = industry
        }
    }

    public var isTargeted: Bool { all || !zones.isEmpty || !categories.isEmpty || !industries.isEmpty }

    public func matches(_ facts: Facts) -> Bool {
        if all { return true }
        guard isTargeted else { return false }
        if !zones.isEmpty, !zones.contains(facts.zone) { return false }
        if !categories.isEmpty, !(facts.category.map(categories.contains) ?? false) { return false }
        if !industries.isEmpty, !industries.contains(where: { !$0.isEmpty && facts.industry.contains($0) }) { return false }
        return true
    }

    /// Checks the targets an admin chose (field `targets`): known zones and categories, and a
    /// set that reaches at least one of `enterprises` ("a notice to nobody" is a mistake).
    public static func check(all: Bool, zones: [String], categories: [String], industries: [String], knownZones: Set<String>,
                             enterprises: [Facts]) throws(FieldErrors) -> NoticeTargets {
        var errors = FieldErrors()
        let cleanZones = Array(Set(zones.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        if cleanZones.contains(where: { !knownZones.contains($0) }) { errors.add("targets.zones", "error.zone.unknown") }
        let parsed = categories.map { ResumptionCategory(rawValue: $0) }
        if parsed.contains(nil) { errors.add("targets.categories", "error.choice") }
        let cleanIndustries = Array(Set(industries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        if cleanIndustries.contains(where: { $0.count > 40 }) { errors.add("targets.industries", "error.tooLong") }
        if !errors.isEmpty { throw errors }
        let targets = NoticeTargets(all: all, zones: cleanZones, categories: Array(Set(parsed.compactMap { $0 })).sorted { $0.rawValue < $1.rawValue },
                                    industries: cleanIndustries)
        guard targets.isTargeted else { throw FieldErrors("targets", "error.notice.noTargets") }
        guard enterprises.contains(where: targets.matches) else { throw FieldErrors("targets", "error.notice.reachesNobody") }
        return targets
    }
}
