/// The district's figures (复工复产一张图), each counted per enterprise so that every number can
/// be broken down by zone, industry, category and size, and drilled into the enterprises
/// behind it. Rates are the ratio of two counts, added up first.
public enum DashboardMetric: String, CaseIterable, Codable, Sendable {
    // The registry and resumption (as of the end of the day).
    case enterprisesVerified, applicationsSubmitted, applicationsApproved, enterprisesResumed, enterprisesSuspended
    case applicationsRefused, resumedAboveDesignatedSize
    // People (the day's).
    case workersOnSite, workersPlannedOnSite, workersInQuarantine, feverAlertsToday
    // Dispatch and officers.
    case contactsToday, contactsTotal, enterprisesContacted, enterprisesNeverContacted, siteVisitsToday, rectificationsOpen
    // The help desk.
    case ticketsOpen, ticketsOverdue
    // Recruitment.
    case postingsOpen, openings, hiresTotal
    // Freight in the day's month: trains (distinct, not added up), FEU (kept in halves), cargo value.
    case freightTrainsMonth, freightFeuMonth, freightValueFenMonth
    // The parts of the rates, not shown as tiles.
    case verifiedAboveDesignatedSize, tickets, ticketsRespondedInTime, ticketsResolved, ticketsRated, ticketsSatisfied

    /// The parts of the rates: counted per enterprise like the others, but not tiles themselves.
    public static let parts: Set<DashboardMetric> = [.verifiedAboveDesignatedSize, .tickets, .ticketsRespondedInTime, .ticketsResolved,
                                                      .ticketsRated, .ticketsSatisfied]

    public var nameKey: String { "dashboard.metric.\(rawValue)" }

    /// FEU are counted in halves (a 20-foot container is half an FEU) and shown divided by two.
    public var divisor: Int { self == .freightFeuMonth ? 2 : 1 }
}

/// A ratio of two counts, as a percentage.
public enum DashboardRate: String, CaseIterable, Codable, Sendable {
    case resumptionRate, resumptionRateAboveDesignatedSize, responseRate, resolutionRate, satisfactionRate

    public var parts: (numerator: DashboardMetric, denominator: DashboardMetric) {
        switch self {
        case .resumptionRate: (.enterprisesResumed, .enterprisesVerified)
        case .resumptionRateAboveDesignatedSize: (.resumedAboveDesignatedSize, .verifiedAboveDesignatedSize)
        case .responseRate: (.ticketsRespondedInTime, .tickets)
        case .resolutionRate: (.ticketsResolved, .tickets)
        case .satisfactionRate: (.ticketsSatisfied, .ticketsRated)
        }
    }

    public var nameKey: String { "dashboard.metric.\(rawValue)" }

    /// The percentage with one decimal, or nil when there is nothing to divide by.
    public func value(_ counts: DashboardCounts) -> Double? {
        let (numerator, denominator) = parts
        let below = counts[denominator]
        guard below > 0 else { return nil }
        return (Double(counts[numerator]) * 1000 / Double(below)).rounded() / 10
    }
}

/// A tile: a count or a rate.
public enum DashboardTile: Hashable, Sendable {
    case count(DashboardMetric)
    case rate(DashboardRate)

    public var name: String {
        switch self {
        case .count(let metric): metric.rawValue
        case .rate(let rate): rate.rawValue
        }
    }

    public init?(name: String) {
        if let metric = DashboardMetric(rawValue: name), !DashboardMetric.parts.contains(metric) { self = .count(metric) }
        else if let rate = DashboardRate(rawValue: name) { self = .rate(rate) }
        else { return nil }
    }

    /// Every tile, grouped as the page shows them.
    public static let groups: [(key: String, tiles: [DashboardTile])] = [
        ("registry", [.count(.enterprisesVerified)]),
        ("resumption", [.count(.applicationsSubmitted), .count(.applicationsApproved), .count(.enterprisesResumed),
                        .count(.enterprisesSuspended), .count(.applicationsRefused), .count(.resumedAboveDesignatedSize),
                        .rate(.resumptionRate), .rate(.resumptionRateAboveDesignatedSize)]),
        ("people", [.count(.workersOnSite), .count(.workersPlannedOnSite), .count(.workersInQuarantine), .count(.feverAlertsToday)]),
        ("dispatch", [.count(.contactsToday), .count(.contactsTotal), .count(.enterprisesContacted), .count(.enterprisesNeverContacted),
                      .count(.siteVisitsToday), .count(.rectificationsOpen)]),
        ("helpdesk", [.count(.ticketsOpen), .count(.ticketsOverdue), .rate(.responseRate), .rate(.resolutionRate), .rate(.satisfactionRate)]),
        ("jobs", [.count(.postingsOpen), .count(.openings), .count(.hiresTotal)]),
        ("freight", [.count(.freightTrainsMonth), .count(.freightFeuMonth), .count(.freightValueFenMonth)]),
    ]

    public static var all: [DashboardTile] { groups.flatMap(\.tiles) }

    public var nameKey: String { "dashboard.metric.\(name)" }

    /// The count whose enterprises a drill-down lists (a rate's: its numerator's).
    public var drillMetric: DashboardMetric {
        switch self {
        case .count(let metric): metric
        case .rate(let rate): rate.parts.numerator
        }
    }

    /// The tile's value from counts: a whole number (FEU may be half), or a percentage.
    public func value(_ counts: DashboardCounts) -> Double? {
        switch self {
        case .count(let metric): Double(counts[metric]) / Double(metric.divisor)
        case .rate(let rate): rate.value(counts)
        }
    }
}

/// Counts by metric, added up over enterprises. Trains are counted once however many of the
/// enterprises shipped on them.
public struct DashboardCounts: Equatable, Sendable, Codable {
    public private(set) var values: [Int]
    public private(set) var trains: Set<String>

    public init() {
        values = Array(repeating: 0, count: DashboardMetric.allCases.count)
        trains = []
    }

    static let index: [DashboardMetric: Int] = Dictionary(uniqueKeysWithValues: DashboardMetric.allCases.enumerated().map { ($1, $0) })

    public subscript(metric: DashboardMetric) -> Int {
        get { metric == .freightTrainsMonth ? trains.count : values[Self.index[metric]!] }
        set { values[Self.index[metric]!] = newValue }
    }

    public mutating func addTrain(_ id: String) { trains.insert(id) }

    public mutating func add(_ other: DashboardCounts) {
        for index in values.indices { values[index] += other.values[index] }
        trains.formUnion(other.trains)
    }
}

/// The ways a figure breaks down.
public enum DashboardDimension: String, CaseIterable, Codable, Sendable {
    case zone, industry, category, size
    public var nameKey: String { "dashboard.by.\(rawValue)" }
}

/// An enterprise as the dashboard groups it.
public struct DashboardEnterprise: Equatable, Sendable, Codable {
    public let id: String
    public let name: String
    public let zone: String
    public let industry: String
    /// The category of its latest resumption application; `none` without one.
    public let category: String
    public let aboveDesignatedSize: Bool

    public init(id: String, name: String, zone: String, industry: String, category: String, aboveDesignatedSize: Bool) {
        self.id = id; self.name = name; self.zone = zone; self.industry = industry; self.category = category
        self.aboveDesignatedSize = aboveDesignatedSize
    }

    /// The group this enterprise falls in along `dimension`.
    public func key(_ dimension: DashboardDimension) -> String {
        switch dimension {
        case .zone: zone
        case .industry: industry
        case .category: category
        case .size: aboveDesignatedSize ? "above" : "below"
        }
    }
}

/// Which enterprises a view takes: a zone, an industry, a category, a size, or any.
public struct DashboardFilter: Equatable, Sendable {
    public var zone: String?
    public var industry: String?
    public var category: String?
    public var size: String?
    /// An officer's view: their zone's enterprises and those assigned to them.
    public var restrictedTo: (zone: String?, assigned: Set<String>)?

    public init(zone: String? = nil, industry: String? = nil, category: String? = nil, size: String? = nil) {
        self.zone = zone; self.industry = industry; self.category = category; self.size = size
    }

    public func includes(_ enterprise: DashboardEnterprise) -> Bool {
        if let zone, enterprise.zone != zone { return false }
        if let industry, enterprise.industry != industry { return false }
        if let category, enterprise.category != category { return false }
        if let size, enterprise.key(.size) != size { return false }
        if let restrictedTo {
            return enterprise.zone == restrictedTo.zone || restrictedTo.assigned.contains(enterprise.id)
        }
        return true
    }

    /// The filter as text, the same for the same filter (for keeping what was added up).
    public var key: String {
        [zone, industry, category, size, restrictedTo.map { "\($0.zone ?? "")/\($0.assigned.sorted().joined(separator: ","))" }]
            .map { $0 ?? "" }.joined(separator: "|")
    }

    public static func == (a: DashboardFilter, b: DashboardFilter) -> Bool {
        a.zone == b.zone && a.industry == b.industry && a.category == b.category && a.size == b.size
            && a.restrictedTo?.zone == b.restrictedTo?.zone && a.restrictedTo?.assigned == b.restrictedTo?.assigned
    }
}

/// `08:30`: the minutes after midnight (China Standard Time) of a daily send.
public struct BriefingTime: Equatable, Sendable {
    public let minutes: Int

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        minutes = hour * 60 + minute
    }
}
