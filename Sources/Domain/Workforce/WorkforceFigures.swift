/// An enterprise's day in numbers, and the district's: the district's total is the sum of its
/// enterprises' counts (its reporting share is the reported over the employed, not an average
/// of the enterprises' shares).
public struct WorkforceFigures: Equatable, Sendable {
    public var employees: Int
    public var onSite: Int
    public var reported: Int
    public var fevers: Int
    public var inQuarantine: Int
    public var lowSupplies: Bool

    public init(employees: Int, onSite: Int, reported: Int, fevers: Int, inQuarantine: Int, lowSupplies: Bool) {
        self.employees = employees
        self.onSite = onSite
        self.reported = reported
        self.fevers = fevers
        self.inQuarantine = inQuarantine
        self.lowSupplies = lowSupplies
    }

    /// Reported over employed, 0 to 1 (0 with nobody employed), to three decimals.
    public var reportedShare: Double {
        employees == 0 ? 0 : (min(1, Double(reported) / Double(employees)) * 1000).rounded() / 1000
    }

    public var reportedPercent: Int { Int((reportedShare * 100).rounded()) }

    public static func total(_ enterprises: [WorkforceFigures]) -> WorkforceFigures {
        enterprises.reduce(WorkforceFigures(employees: 0, onSite: 0, reported: 0, fevers: 0, inQuarantine: 0, lowSupplies: false)) {
            WorkforceFigures(employees: $0.employees + $1.employees, onSite: $0.onSite + $1.onSite, reported: $0.reported + $1.reported,
                             fevers: $0.fevers + $1.fevers, inQuarantine: $0.inQuarantine + $1.inQuarantine,
                             lowSupplies: $0.lowSupplies || $1.lowSupplies)
        }
    }
}
