import Domain
import Fluent
import Vapor

/// The district admin's account management, and an enterprise admin's for its own gate guards
/// and employees. Pages and API call these same functions.
enum AccountsService {
    struct NewUser: Content {
        var username: String?
        var password: String?
        var role: String?
        var enterpriseId: UUID?
        var departmentId: UUID?
        var displayName: String?
        /// The zone an officer serves.
        var zone: String?
        /// An employee account's roster entry.
        var employeeId: UUID?
    }

    struct Change: Content {
        var role: String?
        var displayName: String?
        var enterpriseId: UUID?
        var departmentId: UUID?
        var disabled: Bool?
        var zone: String?
    }

    static func create(_ ctx: ServiceContext, _ input: NewUser) async throws -> User {
        var errors = FieldErrors()
        let username = AccountRules.username(input.username, into: &errors)
        AccountRules.password(input.password, username: username, into: &errors)
        let displayName = FormText.required(input.displayName, field: "displayName", maxLength: 50, into: &errors)
        var input = input
        let role = parseRole(input.role, into: &errors)
        let caller = try ctx.requireUser()
        if caller.role == .enterpriseAdmin {
            // An enterprise admin makes accounts for its own gate and staff, in its own enterprise.
            if let role, ![.gateGuard, .employee].contains(role) { errors.add("role", "error.role.notYours") }
            input.enterpriseId = caller.$enterprise.id
        }
        if role == .employee {
            if let employeeID = input.employeeId {
                let employee = try await Employee.find(employeeID, on: ctx.db)
                if employee == nil || employee?.$enterprise.id != input.enterpriseId {
                    errors.add("employeeId", "error.employee.unknown")
                } else if try await User.query(on: ctx.db).filter(\.$employeeID == employeeID).count() > 0 {
                    errors.add("employeeId", "error.employee.hasAccount")
                }
            } else {
                errors.add("employeeId", "error.required")
            }
        }
        if let role {
            try await checkAffiliation(ctx, role: role, enterpriseID: input.enterpriseId,
                                       departmentID: input.departmentId, into: &errors)
        }
        let zone = try await checkZone(ctx, input.zone, into: &errors)
        try errors.throwIfAny()
        guard let role, let password = input.password else { throw AppError.internalError("validated input") }
        if try await User.query(on: ctx.db).filter(\.$username == username).count() > 0 {
            throw AppError.conflict(field: "username", messageKey: "error.username.taken")
        }
        let user = User(
            username: username, passwordHash: try await ctx.app.password.async.hash(password), role: role,
            displayName: displayName,
            enterpriseID: role.belongsToEnterprise ? input.enterpriseId : nil,
            departmentID: role.belongsToDepartment ? input.departmentId : nil
        )
        user.zone = role == .officer ? zone : nil
        user.employeeID = role == .employee ? input.employeeId : nil
        try await ctx.transaction { db in
            try await user.create(on: db)
            try await Audit.record(ctx, on: db, action: "user.create", entity: "user", entityID: user.id,
                                   detail: "role=\(role.rawValue)")
        }
        return user
    }

    static func change(_ ctx: ServiceContext, _ user: User, _ input: Change) async throws -> User {
        var errors = FieldErrors()
        var role = user.role
        if input.role != nil, let parsed = parseRole(input.role, into: &errors) { role = parsed }
        let displayName = input.displayName.map {
            FormText.required($0, field: "displayName", maxLength: 50, into: &errors)
        } ?? user.displayName
        let enterpriseID = input.enterpriseId ?? user.$enterprise.id
        let departmentID = input.departmentId ?? user.$department.id
        try await checkAffiliation(ctx, role: role, enterpriseID: enterpriseID, departmentID: departmentID, into: &errors)
        let zone = input.zone == nil ? user.zone : try await checkZone(ctx, input.zone, into: &errors)
        try errors.throwIfAny()
        let me = try ctx.requireUser()
        if user.id == me.id, input.disabled == true || role != .districtAdmin {
            throw AppError.conflict(field: nil, messageKey: "error.user.selfLockout")
        }

        var changes: [String] = []
        let roleChanged = role != user.role
        if roleChanged { changes.append("role=\(role.rawValue)") }
        if displayName != user.displayName { changes.append("displayName") }
        user.role = role
        user.displayName = displayName
        user.$enterprise.id = role.belongsToEnterprise ? enterpriseID : nil
        user.$department.id = role.belongsToDepartment ? departmentID : nil
        if zone != user.zone { changes.append("zone=\(zone ?? "")") }
        user.zone = role == .officer ? zone : nil
        let disabling = input.disabled == true && !user.isDisabled
        let enabling = input.disabled == false && user.isDisabled
        if disabling { user.disabledAt = ctx.now; changes.append("disabled") }
        if enabling { user.disabledAt = nil; changes.append("enabled") }
        let detail = changes.joined(separator: ",")
        try await ctx.transaction { db in
            try await user.save(on: db)
            // A disabled account, or one whose role changed, is signed out everywhere at once.
            if disabling || roleChanged {
                try await SignIn.endEverywhere(try user.requireID(), on: db)
            }
            let action = disabling ? "user.disable" : enabling ? "user.enable" : "user.update"
            try await Audit.record(ctx, on: db, action: action, entity: "user", entityID: user.id,
                                   detail: detail)
        }
        // Tokens kept by this instance name the account as it was.
        ctx.app.cluster.changed(.bearerTokens)
        return user
    }

    static func resetPassword(_ ctx: ServiceContext, _ user: User, password: String?) async throws {
        var errors = FieldErrors()
        AccountRules.password(password, username: user.username, into: &errors)
        try errors.throwIfAny()
        user.passwordHash = try await ctx.app.password.async.hash(password ?? "")
        try await ctx.transaction { db in
            try await user.save(on: db)
            try await SignIn.endEverywhere(try user.requireID(), on: db)
            try await Audit.record(ctx, on: db, action: "user.resetPassword", entity: "user", entityID: user.id)
        }
        ctx.app.cluster.changed(.bearerTokens)
    }

    static func find(_ ctx: ServiceContext, id: UUID?) async throws -> User {
        guard let id,
              let user = try await User.find(id, on: ctx.db)
        else { throw AppError.notFound }
        return user
    }

    /// Empty means none; otherwise one of the district's zones.
    private static func checkZone(_ ctx: ServiceContext, _ raw: String?, into errors: inout FieldErrors) async throws -> String? {
        let zone = FormText.trimmed(raw)
        guard !zone.isEmpty else { return nil }
        if !(try await EnterpriseRegistry.zoneCodes(ctx.db)).contains(zone) { errors.add("zone", "error.zone.unknown") }
        return zone
    }

    private static func parseRole(_ raw: String?, into errors: inout FieldErrors) -> Role? {
        guard let raw = raw.map(FormText.trimmed), !raw.isEmpty else {
            errors.add("role", "error.required")
            return nil
        }
        guard let role = Role(rawValue: raw) else {
            errors.add("role", "error.role.unknown")
            return nil
        }
        return role
    }

    /// Enterprise-side accounts need an enterprise; agents need a department.
    private static func checkAffiliation(_ ctx: ServiceContext, role: Role, enterpriseID: UUID?, departmentID: UUID?,
                                         into errors: inout FieldErrors) async throws {
        if role.belongsToEnterprise {
            if let enterpriseID {
                if try await Enterprise.find(enterpriseID, on: ctx.db) == nil {
                    errors.add("enterpriseId", "error.enterprise.unknown")
                }
            } else {
                errors.add("enterpriseId", "error.enterprise.requiredForRole")
            }
        }
        if role.belongsToDepartment {
            if let departmentID {
                if try await Department.find(departmentID, on: ctx.db) == nil {
                    errors.add("departmentId", "error.department.unknown")
                }
            } else {
                errors.add("departmentId", "error.department.requiredForRole")
            }
        }
    }

    /// A department of the district, with the help-desk categories routed to it from now on.
    static func createDepartment(_ ctx: ServiceContext, _ input: DepartmentsController.NewDepartment) async throws -> Department {
        var errors = FieldErrors()
        let name = FormText.required(input.name, field: "name", maxLength: 50, into: &errors)
        // Left out or empty, the English name is the name.
        let nameEn = FormText.trimmed(input.nameEn).isEmpty ? name : FormText.required(input.nameEn, field: "nameEn", maxLength: 100, into: &errors)
        let categories = (input.categories ?? []).compactMap(TicketCategory.init(rawValue:))
        if categories.count != (input.categories ?? []).count { errors.add("categories", "error.choice") }
        try errors.throwIfAny()
        if try await Department.query(on: ctx.db).filter(\.$name == name).count() > 0 {
            throw AppError.conflict(field: "name", messageKey: "error.department.taken")
        }
        let department = Department(name: name, nameEn: nameEn)
        try await ctx.transaction { db in
            try await department.create(on: db)
            for category in categories {
                try await RoutingRule.query(on: db).filter(\.$category == category).delete()
                let rule = RoutingRule()
                rule.category = category
                rule.$department.id = try department.requireID()
                try await rule.create(on: db)
            }
            try await Audit.record(ctx, on: db, action: "department.create", entity: "department", entityID: department.id)
        }
        RoutingTable.changed(ctx.app)
        return department
    }
}
