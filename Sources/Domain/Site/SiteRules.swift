import Foundation

// The site itself (现场): disinfection of each area, who works where each day, and the output
// of key supplies.

// MARK: Disinfection (消毒)

public enum AreaKind: String, Codable, Sendable, CaseIterable {
    case workshop, canteen, dormitory, gate, vehicles, office, other
}

public enum ConcentrationUnit: String, Codable, Sendable, CaseIterable {
    /// Available chlorine, as 84 disinfectant is diluted (500 mg/L).
    case milligramsPerLitre
    /// Alcohol and the like (75 %).
    case percent

    public var range: ClosedRange<Double> {
        switch self {
        case .milligramsPerLitre: 1...10_000
        case .percent: 0.1...100
        }
    }
}

public struct DisinfectionArea: Sendable, Equatable {
    public let name: String
    public let kind: AreaKind
    /// Disinfections a day: 1 (daily) to 12 (every two hours).
    public let timesPerDay: Int

    public init(name: String, kind: AreaKind, timesPerDay: Int) {
        self.name = name
        self.kind = kind
        self.timesPerDay = timesPerDay
    }

    /// The longest gap between two disinfections: the day divided by the times.
    public var interval: TimeInterval { 86_400 / Double(max(1, timesPerDay)) }

    public static let timesRange = 1...12

    /// Checks an area as an enterprise admin defines it (fields `name`, `kind`, `timesPerDay`).
    public static func check(name rawName: String?, kind rawKind: String?, timesPerDay: Int?) throws(FieldErrors) -> DisinfectionArea {
        var errors = FieldErrors()
        let name = FormText.trimmed(rawName)
        if name.isEmpty { errors.add("name", "error.required") } else if name.count > 40 { errors.add("name", "error.tooLong") }
        let kind = rawKind.flatMap(AreaKind.init(rawValue:))
        if kind == nil { errors.add("kind", FormText.choiceError(rawKind)) }
        if let timesPerDay {
            if !timesRange.contains(timesPerDay) { errors.add("timesPerDay", "error.number.range") }
        } else {
            errors.add("timesPerDay", "error.required")
        }
        guard errors.isEmpty, let kind, let timesPerDay else { throw errors }
        return DisinfectionArea(name: name, kind: kind, timesPerDay: timesPerDay)
    }
}

public enum DisinfectionSchedule {
    /// Still to do today: the times a day the area asks, less those done since midnight.
    public static func missingToday(_ area: DisinfectionArea, doneToday: Int) -> Int {
        max(0, area.timesPerDay - doneToday)
    }

    /// Overdue: more than the area's interval since its last disinfection (or since it was set
    /// up, if never). A daily area done at 20:00 is not overdue at midnight; it is at 20:01 the
    /// next evening.
    public static func isOverdue(_ area: DisinfectionArea, last: Date?, since created: Date, now: Date) -> Bool {
        now.timeIntervalSince(last ?? created) > area.interval
    }

    /// Checks one disinfection as recorded (fields `agent`, `concentration`, `unit`, `at`): an
    /// agent, a concentration within its unit's range, a moment not in the future nor more than
    /// a week back.
    public static func checkRecord(agent rawAgent: String?, concentration: Double?, unit rawUnit: String?, at: Date?,
                                   now: Date) throws(FieldErrors) -> (agent: String, concentration: Double, unit: ConcentrationUnit, at: Date) {
        var errors = FieldErrors()
        let agent = FormText.trimmed(rawAgent)
        if agent.isEmpty { errors.add("agent", "error.required") } else if agent.count > 40 { errors.add("agent", "error.tooLong") }
        let unit = rawUnit.flatMap(ConcentrationUnit.init(rawValue:))
        if unit == nil { errors.add("unit", FormText.choiceError(rawUnit)) }
        if let concentration {
            if !concentration.isFinite || !(unit ?? .percent).range.contains(concentration) { errors.add("concentration", "error.number.range") }
        } else {
            errors.add("concentration", "error.required")
        }
        let moment = at ?? now
        if moment > now.addingTimeInterval(300) { errors.add("at", "error.date.future") }
        if moment < now.addingTimeInterval(-7 * 86_400) { errors.add("at", "error.date.tooOld") }
        guard errors.isEmpty, let unit, let concentration else { throw errors }
        return (agent, (concentration * 100).rounded() / 100, unit, moment)
    }
}

// MARK: Who works where (居家办公)

public enum WorkArrangement: String, Codable, Sendable, CaseIterable {
    case onSite, remote, leave, quarantine

    public var nameKey: String { "site.arrangement.\(rawValue)" }
}

public struct ArrangementCounts: Codable, Sendable, Equatable {
    public var onSite = 0
    public var remote = 0
    public var leave = 0
    public var quarantine = 0
    /// Employed people with no arrangement for the day.
    public var unset = 0

    public init() {}

    public init(_ arrangements: [WorkArrangement], employed: Int) {
        for arrangement in arrangements {
            switch arrangement {
            case .onSite: onSite += 1
            case .remote: remote += 1
            case .leave: leave += 1
            case .quarantine: quarantine += 1
            }
        }
        unset = max(0, employed - arrangements.count)
    }

    /// Above the on-site headcount the resumption was approved for: the officer hears of it.
    public func exceeds(approvedOnSite: Int?) -> Bool {
        guard let approvedOnSite else { return false }
        return onSite > approvedOnSite
    }
}

// MARK: Output of key supplies (每天生产消毒液5000多瓶)

public enum OutputRules {
    /// Enterprises resumed for these categories report their output of key products.
    public static let reportingCategories: Set<ResumptionCategory> = [.epidemicPrevention, .dailyNecessities]

    /// One day's report: a day not in the future nor more than 30 days back; each product known
    /// and once; quantities whole, 0 to 100 million; orders due likewise, optional. Fields
    /// `date`, `items`, `items[i].product`, `items[i].quantity`, `items[i].ordersDue`.
    public static func check(date rawDate: String?, items: [(product: String, quantity: Double?, ordersDue: Double?)],
                             products: Set<String>, today: CivilDate) throws(FieldErrors) -> (day: CivilDate, items: [(product: String, quantity: Int, ordersDue: Int?)]) {
        var errors = FieldErrors()
        let day = rawDate.flatMap(CivilDate.init(iso:))
        if let day {
            if day > today { errors.add("date", "error.date.future") }
            if day < today.adding(days: -30) { errors.add("date", "error.date.tooOld") }
        } else {
            errors.add("date", (rawDate ?? "").isEmpty ? "error.required" : "error.date")
        }
        if items.isEmpty { errors.add("items", "error.required") }
        if items.count > 50 { errors.add("items", "error.tooMany") }
        var seen = Set<String>()
        var checked: [(product: String, quantity: Int, ordersDue: Int?)] = []
        func whole(_ value: Double?, _ field: String, required: Bool) -> Int? {
            guard let value else {
                if required { errors.add(field, "error.required") }
                return nil
            }
            guard value.isFinite, value >= 0, value <= 100_000_000 else {
                errors.add(field, "error.number.range")
                return nil
            }
            guard value.rounded() == value else {
                errors.add(field, "error.number.whole")
                return nil
            }
            return Int(value)
        }
        for (index, item) in items.enumerated() {
            let field = "items[\(index)]"
            if item.product.isEmpty { errors.add("\(field).product", "error.required") } else if !products.contains(item.product) {
                errors.add("\(field).product", "error.choice")
            } else if !seen.insert(item.product).inserted {
                errors.add("\(field).product", "error.output.twice")
            }
            let quantity = whole(item.quantity, "\(field).quantity", required: true)
            let due = whole(item.ordersDue, "\(field).ordersDue", required: false)
            if let quantity { checked.append((item.product, quantity, due)) }
        }
        guard errors.isEmpty, let day else { throw errors }
        return (day, checked)
    }
}
