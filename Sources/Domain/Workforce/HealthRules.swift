import Foundation

/// The district's health rules, as the district admin sets them.
public struct HealthPolicy: Codable, Equatable, Sendable {
    /// A temperature at or above this is a fever (°C).
    public var feverThreshold = 37.3
    /// A returnee from outside the province stays home this many days from the arrival date.
    public var quarantineDays = 14
    /// A close contact within this many days makes the code red.
    public var closeContactDays = 14
    /// The district's own province: a trip to any other is "outside the province".
    public var homeProvince = "吉林省"
    /// Provinces (or cities) whose visitors and returnees are screened most closely.
    public var keyAreas = ["湖北省"]
    /// This many fevers in one department …
    public var clusterFevers = 3
    /// … within this many days is a cluster.
    public var clusterDays = 3
    /// Supplies lasting fewer days than this are a warning.
    public var supplyWarningDays = 3
    /// Health reports, gate logs and visitor logs are deleted after this many days.
    public var retentionDays = 30
    /// Whether a visitor must give a resident ID number.
    public var visitorIDRequired = false
    /// Protective equipment the gate and the checkpoints check beyond the mask (always checked):
    /// gloves, suits, where the district asks for them.
    public var protectiveEquipment: [ProtectiveItem] = []

    public init() {}

    /// Settings stored before a field existed keep its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        feverThreshold = try container.decode(Double.self, forKey: .feverThreshold)
        quarantineDays = try container.decode(Int.self, forKey: .quarantineDays)
        closeContactDays = try container.decode(Int.self, forKey: .closeContactDays)
        homeProvince = try container.decode(String.self, forKey: .homeProvince)
        keyAreas = try container.decode([String].self, forKey: .keyAreas)
        clusterFevers = try container.decode(Int.self, forKey: .clusterFevers)
        clusterDays = try container.decode(Int.self, forKey: .clusterDays)
        supplyWarningDays = try container.decode(Int.self, forKey: .supplyWarningDays)
        retentionDays = try container.decode(Int.self, forKey: .retentionDays)
        visitorIDRequired = try container.decode(Bool.self, forKey: .visitorIDRequired)
        protectiveEquipment = try container.decodeIfPresent([ProtectiveItem].self, forKey: .protectiveEquipment) ?? []
    }

    /// What the gate checks: the mask, then the items the district asks for.
    public var requiredEquipment: [ProtectiveItem] {
        [.mask] + ProtectiveItem.allCases.filter { $0 != .mask && protectiveEquipment.contains($0) }
    }

    /// Bounds a district may set; findings keyed `health.<field>`.
    public func check() -> FieldErrors {
        var errors = FieldErrors()
        if !(37.0...38.5).contains(feverThreshold) { errors.add("health.feverThreshold", "error.number.range") }
        if !(1...60).contains(quarantineDays) { errors.add("health.quarantineDays", "error.number.range") }
        if !(1...60).contains(closeContactDays) { errors.add("health.closeContactDays", "error.number.range") }
        if !(2...50).contains(clusterFevers) { errors.add("health.clusterFevers", "error.number.range") }
        if !(1...30).contains(clusterDays) { errors.add("health.clusterDays", "error.number.range") }
        if !(1...60).contains(supplyWarningDays) { errors.add("health.supplyWarningDays", "error.number.range") }
        if !(1...365).contains(retentionDays) { errors.add("health.retentionDays", "error.number.range") }
        if Place.stem(homeProvince).isEmpty { errors.add("health.homeProvince", "error.required") }
        return errors
    }

    /// Temperatures are compared to a tenth of a degree, as thermometers show them.
    public func isFever(_ celsius: Double) -> Bool { (celsius * 10).rounded() >= (feverThreshold * 10).rounded() }

    /// Whether a place (province, city) is in a key area. Names match by their stem, so
    /// 湖北 and 湖北省 are the same province.
    public func isKeyArea(province: String, city: String) -> Bool {
        keyAreas.contains { area in
            let stem = Place.stem(area)
            return !stem.isEmpty && (Place.stem(province) == stem || Place.stem(city) == stem)
        }
    }

    public func isOutsideProvince(_ province: String) -> Bool {
        !province.isEmpty && Place.stem(province) != Place.stem(homeProvince)
    }
}

public enum Place {
    /// 湖北省 → 湖北, 武汉市 → 武汉, 广西壮族自治区 → 广西: the name people write either way.
    public static func stem(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespaces)
        for suffix in ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"] where text.hasSuffix(suffix) && text.count > suffix.count {
            text.removeLast(suffix.count)
            break
        }
        return text
    }
}

/// A temperature as people enter it: 34.0–43.0 °C is a reading; outside it, a typing error.
public enum Temperature {
    public static let plausible = 34.0...43.0

    /// The message key of the error, or nil for a plausible reading.
    public static func problem(_ celsius: Double) -> String? {
        plausible.contains(celsius) && celsius.isFinite ? nil : "error.temperature"
    }
}

public enum Symptom: String, CaseIterable, Codable, Sendable {
    case fever, cough, fatigue, soreThroat, breathingDifficulty, diarrhoea
}

public enum Transport: String, CaseIterable, Codable, Sendable {
    case train, plane, coach, car, other
}

public enum QuarantinePlace: String, CaseIterable, Codable, Sendable {
    case home, centralised
}

public enum QuarantineCause: String, CaseIterable, Codable, Sendable {
    /// Back from outside the province: created with the travel record.
    case returnee
    /// Entered by hand.
    case closeContact
}

/// A case status a medical authority gives a person; entered by the enterprise admin.
public enum CaseStatus: String, CaseIterable, Codable, Sendable {
    case none, suspected, confirmed
}

/// 14-day quarantine. Day 0 is the arrival date; the planned end (start + `quarantineDays`) is
/// the release date, from which the gate lets the person in. No release before it; an
/// extension moves it later, with a reason.
public struct QuarantinePeriod: Equatable, Sendable {
    public let start: CivilDate
    public var plannedEnd: CivilDate
    public var released: Bool

    public init(start: CivilDate, plannedEnd: CivilDate, released: Bool = false) {
        self.start = start
        self.plannedEnd = plannedEnd
        self.released = released
    }

    public init(start: CivilDate, policy: HealthPolicy) {
        self.init(start: start, plannedEnd: start.adding(days: policy.quarantineDays))
    }

    /// In quarantine on `day`: started, not yet at the release date, not released.
    public func isActive(on day: CivilDate) -> Bool {
        !released && start <= day && day < plannedEnd
    }

    /// Days until the release date (0 from then on).
    public func daysRemaining(on day: CivilDate) -> Int {
        max(0, plannedEnd.daysSince(max(day, start)))
    }

    public enum Problem: String, Error, Sendable {
        case early = "error.quarantine.early"
        case released = "error.quarantine.released"
        case notLater = "error.quarantine.notLater"
        case reason = "error.quarantine.reason"
    }

    /// Release is allowed from the planned end on.
    public func checkRelease(on day: CivilDate) throws(Problem) {
        if released { throw .released }
        if day < plannedEnd { throw .early }
    }

    /// An extension must move the end later and give a reason.
    public func checkExtension(to end: CivilDate, reason: String) throws(Problem) {
        if released { throw .released }
        if end <= plannedEnd { throw .notLater }
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .reason }
    }
}

public enum HealthColor: String, Codable, Sendable, Comparable {
    case green, yellow, red

    private var rank: Int { switch self { case .green: 0; case .yellow: 1; case .red: 2 } }
    public static func < (a: HealthColor, b: HealthColor) -> Bool { a.rank < b.rank }
}

/// Why a code has its colour; each is a string-table key `health.reason.<raw value>`.
public enum HealthReason: String, Codable, Sendable, CaseIterable {
    case inQuarantine, confirmedCase, suspectedCase, closeContact
    case feverLastReading, symptomsToday, noReportToday

    public var color: HealthColor {
        switch self {
        case .inQuarantine, .confirmedCase, .suspectedCase, .closeContact: .red
        case .feverLastReading, .symptomsToday, .noReportToday: .yellow
        }
    }
}

/// What the health code is computed from: a person's records as of the moment asked.
public struct HealthFacts: Equatable, Sendable {
    public var quarantines: [QuarantinePeriod] = []
    public var caseStatus: CaseStatus = .none
    /// The last day of contact with a confirmed or suspected case, if any.
    public var lastCaseContact: CivilDate?
    /// The latest temperature taken anywhere (report, gate, quarantine reading).
    public var lastTemperature: Double?
    /// Today's health report's symptoms, or nil when there is no report today.
    public var symptomsToday: Set<Symptom>?

    public init(quarantines: [QuarantinePeriod] = [], caseStatus: CaseStatus = .none, lastCaseContact: CivilDate? = nil,
                lastTemperature: Double? = nil, symptomsToday: Set<Symptom>? = nil) {
        self.quarantines = quarantines
        self.caseStatus = caseStatus
        self.lastCaseContact = lastCaseContact
        self.lastTemperature = lastTemperature
        self.symptomsToday = symptomsToday
    }
}

/// 健康码: red — in quarantine, a confirmed or suspected case, or a close contact within the
/// contact window; yellow — the last temperature was a fever (until a normal reading),
/// symptoms reported today, or no report today; green otherwise. Every reason is given.
public struct HealthCode: Equatable, Sendable {
    public let color: HealthColor
    public let reasons: [HealthReason]

    public init(_ facts: HealthFacts, today: CivilDate, policy: HealthPolicy) {
        var reasons: [HealthReason] = []
        if facts.quarantines.contains(where: { $0.isActive(on: today) }) { reasons.append(.inQuarantine) }
        switch facts.caseStatus {
        case .confirmed: reasons.append(.confirmedCase)
        case .suspected: reasons.append(.suspectedCase)
        case .none: break
        }
        if let contact = facts.lastCaseContact, contact <= today, today.daysSince(contact) < policy.closeContactDays {
            reasons.append(.closeContact)
        }
        if let temperature = facts.lastTemperature, policy.isFever(temperature) { reasons.append(.feverLastReading) }
        if let symptoms = facts.symptomsToday {
            if !symptoms.isEmpty { reasons.append(.symptomsToday) }
        } else {
            reasons.append(.noReportToday)
        }
        self.reasons = reasons
        color = reasons.map(\.color).max() ?? .green
    }

    /// The gate lets staff in on a green code only (`GateDecision.staff`): yellow is refused as red is.
    public var admitsAtGate: Bool { color == .green }
}

/// Why the gate says no; each is a string-table key `gate.reason.<raw value>`.
public enum GateReason: String, Codable, Sendable, CaseIterable {
    case notOnRoster, leftEnterprise, redCode, yellowCode, feverNow, noMask, inQuarantine
    case keyAreaTravel, keyAreaContact, idRequired
    case noGloves, noSuit
}

/// 防护用品 the gate checks: the mask always, gloves and suits where the district asks.
public enum ProtectiveItem: String, Codable, Sendable, CaseIterable {
    case mask, gloves, suit

    /// The reason a missing item gives.
    public var missing: GateReason {
        switch self {
        case .mask: .noMask
        case .gloves: .noGloves
        case .suit: .noSuit
        }
    }
}

public enum GateDirection: String, Codable, Sendable, CaseIterable { case `in`, out }

public struct GateDecision: Equatable, Sendable {
    public let allowed: Bool
    public let reasons: [GateReason]

    init(_ reasons: [GateReason]) {
        self.reasons = reasons
        allowed = reasons.isEmpty
    }

    /// A member of staff coming in. `wearing` the protective items seen (the mask among them);
    /// each item the policy asks for and not worn is a reason of its own. Leaving is always
    /// allowed (and logged).
    public static func staff(onRoster: Bool, employed: Bool, code: HealthCode?, inQuarantine: Bool,
                             temperature: Double?, wearing: Set<ProtectiveItem>, direction: GateDirection, policy: HealthPolicy) -> GateDecision {
        guard direction == .in else { return GateDecision([]) }
        guard onRoster else { return GateDecision([.notOnRoster]) }
        guard employed else { return GateDecision([.leftEnterprise]) }
        var reasons: [GateReason] = []
        if inQuarantine { reasons.append(.inQuarantine) }
        if let code, !code.admitsAtGate { reasons.append(code.color == .red ? .redCode : .yellowCode) }
        if let temperature, policy.isFever(temperature) { reasons.append(.feverNow) }
        for item in policy.requiredEquipment where !wearing.contains(item) { reasons.append(item.missing) }
        return GateDecision(reasons)
    }

    /// A visitor: no fever, a mask, no key area in the last 14 days and no contact with one.
    public static func visitor(temperature: Double, mask: Bool, places: [(province: String, city: String)],
                               keyAreaContact: Bool, idGiven: Bool, policy: HealthPolicy) -> GateDecision {
        var reasons: [GateReason] = []
        if policy.visitorIDRequired && !idGiven { reasons.append(.idRequired) }
        if policy.isFever(temperature) { reasons.append(.feverNow) }
        if !mask { reasons.append(.noMask) }
        if places.contains(where: { policy.isKeyArea(province: $0.province, city: $0.city) }) { reasons.append(.keyAreaTravel) }
        if keyAreaContact { reasons.append(.keyAreaContact) }
        return GateDecision(reasons)
    }
}

/// Fevers in one department close together: `clusterFevers` within `clusterDays` days.
public enum FeverCluster {
    /// Whether the fevers' days (one per fever, the new one included) make a cluster on `today`.
    public static func isCluster(feverDays: [CivilDate], today: CivilDate, policy: HealthPolicy) -> Bool {
        feverDays.filter { $0 <= today && today.daysSince($0) < policy.clusterDays }.count >= policy.clusterFevers
    }

    /// Whether a new fever announces a cluster: a department of its own (people without one
    /// are no cluster), the window's fevers make one, and none in the window announced it yet.
    public static func announces(department: String, feverDays: [CivilDate], alreadyAnnounced: Bool, today: CivilDate,
                                 policy: HealthPolicy) -> Bool {
        !department.isEmpty && !alreadyAnnounced && isCluster(feverDays: feverDays, today: today, policy: policy)
    }
}

public enum SupplyItem: String, Codable, CaseIterable, Sendable {
    case masks, disinfectant, thermometers, gloves, suits

    /// Use per person on site per day, for the estimate when nothing is recorded.
    public var perHeadPerDay: Double {
        switch self {
        case .masks: 2
        case .gloves: 1
        case .disinfectant: 0.02
        case .thermometers, .suits: 0
        }
    }
}

/// Days a stock lasts at its daily use; nil when nothing is used.
public enum SupplyRules {
    public static func daysRemaining(stock: Double, dailyUse: Double) -> Double? {
        guard dailyUse > 0 else { return nil }
        // A use too small to divide by (stored before quantities were checked) lasts "for ever".
        let days = stock / dailyUse
        return days.isFinite ? days : nil
    }

    /// A quantity of a supply as recorded: 0, or from 0.01 (a hundredth of a litre of
    /// disinfectant) up to ten million. Anything smaller than a hundredth would make the days
    /// remaining infinite.
    public static func isValidQuantity(_ value: Double) -> Bool {
        value.isFinite && (value == 0 || (0.01...10_000_000).contains(value))
    }

    /// Daily use: the average of the days recorded, or else the estimate from the people on site.
    public static func dailyUse(recorded: [Double], item: SupplyItem, onSite: Int) -> (use: Double, estimated: Bool) {
        recorded.isEmpty ? (Double(onSite) * item.perHeadPerDay, true) : (recorded.reduce(0, +) / Double(recorded.count), false)
    }

    public static func isLow(stock: Double, dailyUse: Double, policy: HealthPolicy) -> Bool {
        daysRemaining(stock: stock, dailyUse: dailyUse).map { $0 < Double(policy.supplyWarningDays) } ?? false
    }
}

extension CivilDate {
    /// Whole days from `other` to this date (negative when `other` is later).
    public func daysSince(_ other: CivilDate) -> Int {
        Int(((start.timeIntervalSince(other.start)) / 86_400).rounded())
    }
}
