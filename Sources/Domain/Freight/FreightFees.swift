/// The line's prices, in fen (分): integer money, never floating point.
public struct FeeSchedule: Codable, Equatable, Sendable {
    /// Freight per 40-foot container (one FEU).
    public var freightPerFeuFen: Int
    /// Freight per 20-foot container.
    public var freightPerTwentyFen: Int
    /// Customs brokerage per declaration (报关代理费), when the port declares for the shipper.
    public var brokeragePerDeclarationFen: Int
    /// Lifting (吊装) per container.
    public var liftingPerContainerFen: Int
    /// Moving (搬移) per container.
    public var movingPerContainerFen: Int

    public init(freightPerFeuFen: Int, freightPerTwentyFen: Int, brokeragePerDeclarationFen: Int,
                liftingPerContainerFen: Int, movingPerContainerFen: Int) {
        self.freightPerFeuFen = freightPerFeuFen
        self.freightPerTwentyFen = freightPerTwentyFen
        self.brokeragePerDeclarationFen = brokeragePerDeclarationFen
        self.liftingPerContainerFen = liftingPerContainerFen
        self.movingPerContainerFen = movingPerContainerFen
    }

    /// The largest price a field may hold: ten million yuan.
    public static let maxFen = 1_000_000_000

    public func check() -> FieldErrors {
        var errors = FieldErrors()
        for (field, value) in [("freightPerFeuFen", freightPerFeuFen), ("freightPerTwentyFen", freightPerTwentyFen),
                               ("brokeragePerDeclarationFen", brokeragePerDeclarationFen),
                               ("liftingPerContainerFen", liftingPerContainerFen), ("movingPerContainerFen", movingPerContainerFen)]
        where value < 0 || value > Self.maxFen {
            errors.add(field, "error.freight.money")
        }
        return errors
    }
}

/// A line of a quote.
public enum QuoteItem: String, CaseIterable, Codable, Sendable {
    /// Freight for 40-foot containers (per FEU), and for 20-foot ones.
    case freightFeu, freightTwenty, brokerage, lifting, moving
    public var nameKey: String { "freight.quote.\(rawValue)" }

    /// The fee a preferential policy names to discount this line.
    public var fee: FeeItem {
        switch self {
        case .freightFeu, .freightTwenty: .freight
        case .brokerage: .brokerage
        case .lifting: .lifting
        case .moving: .moving
        }
    }
}

/// The fees a preferential policy can cut: 运价 / 报关代理费 / 吊装费 / 搬移费.
public enum FeeItem: String, CaseIterable, Codable, Sendable {
    case freight, brokerage, lifting, moving
    public var nameKey: String { "freight.fee.\(rawValue)" }
}

/// Who a preferential policy is for: every enterprise, one zone's, or those resumed in one category.
public enum PolicyScope: Equatable, Sendable {
    case everyone
    case zone(String)
    case category(ResumptionCategory)

    public init?(kind: String, value: String?) {
        switch kind {
        case "all": self = .everyone
        case "zone": guard let value, !value.isEmpty else { return nil }; self = .zone(value)
        case "category": guard let value, let category = ResumptionCategory(rawValue: value) else { return nil }; self = .category(category)
        default: return nil
        }
    }

    public var kind: String {
        switch self {
        case .everyone: "all"
        case .zone: "zone"
        case .category: "category"
        }
    }

    public var value: String? {
        switch self {
        case .everyone: nil
        case .zone(let zone): zone
        case .category(let category): category.rawValue
        }
    }
}

/// 运价优惠 and the like: so much off a fee, for those it names, over a span of days.
public struct FeePolicy: Equatable, Sendable {
    public enum Discount: Equatable, Sendable {
        /// 1–100 % off the line.
        case percent(Int)
        /// So many fen off each unit, at most the unit's price.
        case fixedFen(Int)
    }

    public let name: String
    public let item: FeeItem
    public let discount: Discount
    public let validFrom: CivilDate
    public let validTo: CivilDate
    public let scope: PolicyScope
    public let active: Bool

    public init(name: String, item: FeeItem, discount: Discount, validFrom: CivilDate, validTo: CivilDate,
                scope: PolicyScope, active: Bool = true) {
        self.name = name
        self.item = item
        self.discount = discount
        self.validFrom = validFrom
        self.validTo = validTo
        self.scope = scope
        self.active = active
    }

    /// Whether the policy applies, on `day`, to an enterprise in `zone` resumed in `categories`.
    public func applies(on day: CivilDate, zone: String, categories: Set<ResumptionCategory>) -> Bool {
        guard active, validFrom <= day, day <= validTo else { return false }
        switch scope {
        case .everyone: return true
        case .zone(let code): return code == zone
        case .category(let category): return categories.contains(category)
        }
    }

    /// What the policy takes off a line of `quantity` units at `unitFen`.
    public func discountFen(quantity: Int, unitFen: Int) -> Int {
        let gross = quantity * unitFen
        switch discount {
        case .percent(let percent): return (gross * min(100, max(0, percent)) + 50) / 100
        case .fixedFen(let fen): return quantity * min(unitFen, max(0, fen))
        }
    }
}

/// A price for containers on a train: each fee, each discount with its policy's name, the total.
public struct Quote: Equatable, Sendable, Codable {
    public struct Line: Equatable, Sendable, Codable {
        public let item: QuoteItem
        public let quantity: Int
        public let unitFen: Int
        public let grossFen: Int
        public let discountFen: Int
        /// The name of the policy behind the discount.
        public let policy: String?

        public var netFen: Int { grossFen - discountFen }
    }

    public let lines: [Line]
    public var grossFen: Int { lines.reduce(0) { $0 + $1.grossFen } }
    public var discountFen: Int { lines.reduce(0) { $0 + $1.discountFen } }
    public var totalFen: Int { lines.reduce(0) { $0 + $1.netFen } }

    /// The quote for `containers` (and, if wanted, the port's brokerage: one declaration), on
    /// `day`, for an enterprise in `zone` resumed in `categories`. Each line takes the one policy
    /// that takes most off it; policies do not add up.
    public init(fees: FeeSchedule, containers: [ContainerRequest], brokerage: Bool, policies: [FeePolicy],
                day: CivilDate, zone: String, categories: Set<ResumptionCategory>) {
        let forty = containers.filter { $0.type != .gp20 }.reduce(0) { $0 + $1.count }
        let twenty = containers.filter { $0.type == .gp20 }.reduce(0) { $0 + $1.count }
        let all = forty + twenty
        let applicable = policies.filter { $0.applies(on: day, zone: zone, categories: categories) }
        let wanted: [(QuoteItem, Int, Int)] = [
            (.freightFeu, forty, fees.freightPerFeuFen), (.freightTwenty, twenty, fees.freightPerTwentyFen),
            (.brokerage, brokerage ? 1 : 0, fees.brokeragePerDeclarationFen),
            (.lifting, all, fees.liftingPerContainerFen), (.moving, all, fees.movingPerContainerFen),
        ]
        lines = wanted.filter { $0.1 > 0 }.map { item, quantity, unit in
            let best = applicable.filter { $0.item == item.fee }
                .map { (policy: $0, fen: $0.discountFen(quantity: quantity, unitFen: unit)) }
                .filter { $0.fen > 0 }
                .max { $0.fen < $1.fen }
            return Line(item: item, quantity: quantity, unitFen: unit, grossFen: quantity * unit,
                        discountFen: best?.fen ?? 0, policy: best?.policy.name)
        }
    }

    public init(lines: [Line]) {
        self.lines = lines
    }
}

/// Money as people read it: yuan with two decimals (`12,345.60`), large sums in 万元.
public enum Yuan {
    public static func text(fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = abs(fen)
        let yuan = magnitude / 100
        let cents = magnitude % 100
        var digits = String(yuan)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        return sign + digits + grouped + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// Yuan as typed (`12345`, `12,345.6`, `0.05`) in fen; nil unless it is a number of yuan
    /// with at most two decimals.
    public static func fen(_ text: String) -> Int? {
        let plain = text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 13,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let yuan = Int(parts[0])
        else { return nil }
        var cents = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let decimals = Int(parts[1]) else { return nil }
            cents = parts[1].count == 1 ? decimals * 10 : decimals
        }
        return yuan * 100 + cents
    }

    /// `8,200.00` 万 for 82,000,000 yuan: ten-thousands of yuan with two decimals.
    public static func wan(fen: Int) -> String {
        // One hundredth of 万元 is 10,000 fen; `text` shows hundredths with two decimals.
        text(fen: (fen + (fen < 0 ? -5_000 : 5_000)) / 10_000)
    }
}
