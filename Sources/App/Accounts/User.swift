import Domain
import Fluent
import SQLKit
import Vapor

final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    @Enum(key: "role") var role: Role
    @Field(key: "display_name") var displayName: String
    /// Set when the district admin disables the account; its sessions and tokens end then.
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    /// The zone a support officer serves (包保 within a zone).
    @OptionalField(key: "zone") var zone: String?

    @OptionalParent(key: "enterprise_id") var enterprise: Enterprise?
    @OptionalParent(key: "department_id") var department: Department?
    /// An employee's account: its roster entry (workforce).
    @OptionalField(key: "employee_id") var employeeID: UUID?

    init() {}

    init(username: String, passwordHash: String, role: Role, displayName: String,
         enterpriseID: UUID? = nil, departmentID: UUID? = nil) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.displayName = displayName
        self.$enterprise.id = enterpriseID
        self.$department.id = departmentID
    }

    var isDisabled: Bool { disabledAt != nil }

    /// The columns `init(row:)` reads, from a table aliased `u`.
    static let columns = "u.id, u.created_at, u.updated_at, u.username, u.password_hash, u.role, u.display_name, u.disabled_at, u.zone, "
        + "u.enterprise_id, u.department_id, u.employee_id"

    /// A user read by a fixed statement (authentication, on every call), without reflection.
    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: UUID.self)
        createdAt = try row.decode(column: "created_at", as: Date?.self)
        updatedAt = try row.decode(column: "updated_at", as: Date?.self)
        username = try row.decode(column: "username", as: String.self)
        passwordHash = try row.decode(column: "password_hash", as: String.self)
        guard let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { throw AppError.internalError("unknown role") }
        self.role = role
        displayName = try row.decode(column: "display_name", as: String.self)
        disabledAt = try row.decode(column: "disabled_at", as: Date?.self)
        zone = try row.decode(column: "zone", as: String?.self)
        $enterprise.id = try row.decode(column: "enterprise_id", as: UUID?.self)
        $department.id = try row.decode(column: "department_id", as: UUID?.self)
        employeeID = try row.decode(column: "employee_id", as: UUID?.self)
        _$idExists = true
    }

    func requireID() throws -> UUID {
        guard let id else { throw AppError.internalError("user without id") }
        return id
    }
}

struct UserDTO: Content {
    let id: UUID
    let username: String
    let role: Role
    let displayName: String
    let enterpriseId: UUID?
    let departmentId: UUID?
    let employeeId: UUID?
    let disabled: Bool
    let zone: String?
    let createdAt: Date?
}

extension User {
    func toDTO() throws -> UserDTO {
        UserDTO(
            id: try requireID(), username: username, role: role, displayName: displayName,
            enterpriseId: $enterprise.id, departmentId: $department.id, employeeId: employeeID, disabled: isDisabled,
            zone: zone, createdAt: createdAt
        )
    }
}
