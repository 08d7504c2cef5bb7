/// The eleven roles of the platform. Raw values are the code names used in the API and database.
public enum Role: String, CaseIterable, Codable, Sendable {
    case districtAdmin, reviewer, leader, officer, agent
    case enterpriseAdmin, gateGuard, employee
    case jobSeeker, portOperator, customsOfficer

    /// Government roles see across enterprises, as their duty needs.
    public static let government: Set<Role> = [.districtAdmin, .reviewer, .leader, .officer, .agent, .portOperator, .customsOfficer]

    /// Enterprise-side accounts belong to exactly one enterprise and never see another's data.
    public static let enterpriseSide: Set<Role> = [.enterpriseAdmin, .gateGuard, .employee]

    public var isGovernment: Bool { Self.government.contains(self) }
    public var belongsToEnterprise: Bool { Self.enterpriseSide.contains(self) }
    public var belongsToDepartment: Bool { self == .agent }

    /// String-table key of the role's name.
    public var nameKey: String { "role.\(rawValue)" }
}
