import Domain
import Fluent
import Vapor

/// Accounts, managed by the district admin: pages under `/admin/users`, API under `/api/v1/users`.
enum UsersController {
    // MARK: API

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let user = try await AccountsService.create(req.context, try req.content.decode(AccountsService.NewUser.self))
        let response = Response(status: .created)
        try response.content.encode(try user.toDTO())
        return response
    }

    @Sendable static func apiList(req: Request) async throws -> ListDTO<UserDTO> {
        let result = try await search(req)
        return ListDTO(try result.items.map { try $0.toDTO() }, result.metadata)
    }

    @Sendable static func apiShow(req: Request) async throws -> UserDTO {
        try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self)).toDTO()
    }

    @Sendable static func apiChange(req: Request) async throws -> UserDTO {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        return try await AccountsService.change(req.context, user, try req.content.decode(AccountsService.Change.self)).toDTO()
    }

    struct PasswordBody: Content { var password: String? }

    @Sendable static func apiResetPassword(req: Request) async throws -> HTTPStatus {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        try await AccountsService.resetPassword(req.context, user, password: try req.content.decode(PasswordBody.self).password)
        return .noContent
    }

    static func search(_ req: Request) async throws -> Fluent.Page<User> {
        let query = User.query(on: req.db).sort(\.$username)
        if let role = req.query[String.self, at: "role"].flatMap(Role.init(rawValue:)) {
            query.filter(\.$role == role)
        }
        if let text = req.query[String.self, at: "q"].map(FormText.trimmed), !text.isEmpty {
            query.filter(contains: text, in: ["username", "display_name"])
        }
        return try await query.paginate(PageRequest(page: max(1, req.query[Int.self, at: "page"] ?? 1), per: 50))
    }

    // MARK: Pages

    struct Row: Encodable {
        let id: UUID
        let username: String
        let displayName: String
        let roleName: String
        let disabled: Bool
    }

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let roles: [SelectOption]
        let q: String
        let pagination: Pagination
    }

    @Sendable static func listPage(req: Request) async throws -> Response {
        let result = try await search(req)
        let roleFilter = req.query[String.self, at: "role"] ?? ""
        let q = req.query[String.self, at: "q"] ?? ""
        let rows = result.items.map {
            Row(id: $0.id!, username: $0.username, displayName: $0.displayName, roleName: req.t($0.role.nameKey), disabled: $0.isDisabled)
        }
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "users.title"),
            rows: rows, roles: roleOptions(req, selected: roleFilter), q: q,
            pagination: Pagination(result.metadata, path: "/admin/users", query: ["role": roleFilter, "q": q])
        )
        return try await Pages.render(req, "accounts/users", context)
    }

    struct FormPage: Encodable {
        let page: PageContext
        let user: Row?
        let isNew: Bool
        let values: [String: String]
        let roles: [SelectOption]
        let enterprises: [SelectOption]
        let departments: [SelectOption]
        let zones: [SelectOption]
        let fields: [String: String]
    }

    struct UserForm: Content {
        var username: String?
        var password: String?
        var role: String?
        var displayName: String?
        var enterpriseId: String?
        var departmentId: String?
        var zone: String?
    }

    @Sendable static func newPage(req: Request) async throws -> Response {
        try await renderForm(req, user: nil, values: [:], fields: [:])
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = try req.content.decode(UserForm.self)
        let input = AccountsService.NewUser(
            username: form.username, password: form.password, role: form.role,
            enterpriseId: form.enterpriseId.flatMap(UUID.init(uuidString:)),
            departmentId: form.departmentId.flatMap(UUID.init(uuidString:)), displayName: form.displayName, zone: form.zone
        )
        do {
            let user = try await AccountsService.create(req.context, input)
            try await Pages.flash(req, "users.created")
            return req.redirect(to: "/admin/users/\(user.id!)")
        } catch let error as FieldErrors {
            return try await renderForm(req, user: nil, values: form.values, fields: error.messages, status: .unprocessableEntity)
        } catch AppError.conflict(let field?, let key) {
            return try await renderForm(req, user: nil, values: form.values, fields: [field: key], status: .conflict)
        }
    }

    @Sendable static func editPage(req: Request) async throws -> Response {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        return try await renderForm(req, user: user, values: storedValues(user), fields: [:])
    }

    @Sendable static func update(req: Request) async throws -> Response {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        let form = try req.content.decode(UserForm.self)
        let change = AccountsService.Change(
            role: form.role, displayName: form.displayName,
            enterpriseId: form.enterpriseId.flatMap(UUID.init(uuidString:)),
            departmentId: form.departmentId.flatMap(UUID.init(uuidString:)), disabled: nil, zone: form.zone ?? ""
        )
        do {
            _ = try await AccountsService.change(req.context, user, change)
            try await Pages.flash(req, "users.saved")
            return req.redirect(to: "/admin/users/\(user.id!)")
        } catch let error as FieldErrors {
            return try await renderForm(req, user: user, values: form.values, fields: error.messages, status: .unprocessableEntity)
        }
    }

    @Sendable static func setDisabled(req: Request) async throws -> Response {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        let disable = req.url.path.hasSuffix("/disable")
        _ = try await AccountsService.change(req.context, user, .init(disabled: disable))
        try await Pages.flash(req, disable ? "users.disabled" : "users.enabled")
        return req.redirect(to: "/admin/users/\(user.id!)")
    }

    @Sendable static func resetPassword(req: Request) async throws -> Response {
        let user = try await AccountsService.find(req.context, id: req.parameters.get("userID", as: UUID.self))
        let password = try req.content.decode(PasswordBody.self).password
        do {
            try await AccountsService.resetPassword(req.context, user, password: password)
            try await Pages.flash(req, "users.passwordReset")
            return req.redirect(to: "/admin/users/\(user.id!)")
        } catch let error as FieldErrors {
            return try await renderForm(req, user: user, values: storedValues(user), fields: error.messages.mapKeys { $0 == "password" ? "newPassword" : $0 }, status: .unprocessableEntity)
        }
    }

    private static func renderForm(_ req: Request, user: User?, values: [String: String], fields: [String: String],
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterprises = try await Enterprise.query(on: req.db).sort(\.$name).all()
        let departments = try await Department.query(on: req.db).sort(\.$name).all()
        let zones = try await EnterpriseRegistry.zones(req.db)
        let context = FormPage(
            page: try await Pages.context(req, titleKey: user == nil ? "users.new" : "users.edit"),
            user: user.map { Row(id: $0.id!, username: $0.username, displayName: $0.displayName, roleName: req.t($0.role.nameKey), disabled: $0.isDisabled) },
            isNew: user == nil,
            values: values,
            roles: roleOptions(req, selected: values["role"] ?? ""),
            enterprises: enterprises.map { SelectOption(value: $0.id!.uuidString, label: $0.name, selected: values["enterpriseId"] == $0.id!.uuidString) },
            departments: departments.map {
                SelectOption(value: $0.id!.uuidString, label: req.language == .en ? $0.nameEn : $0.name, selected: values["departmentId"] == $0.id!.uuidString)
            },
            zones: zones.map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: values["zone"] == $0.code) },
            fields: req.translated(fields)
        )
        return try await Pages.render(req, "accounts/user-form", context, status: status)
    }

    /// The form's values for a stored user; never the password.
    static func storedValues(_ user: User) -> [String: String] {
        ["role": user.role.rawValue, "displayName": user.displayName,
         "enterpriseId": user.$enterprise.id?.uuidString ?? "", "departmentId": user.$department.id?.uuidString ?? "",
         "zone": user.zone ?? ""]
    }

    static func roleOptions(_ req: Request, selected: String) -> [SelectOption] {
        Role.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == selected) }
    }
}

extension UsersController.UserForm {
    /// What the user typed, to show the form again; never the password.
    var values: [String: String] {
        ["username": username ?? "", "role": role ?? "", "displayName": displayName ?? "",
         "enterpriseId": enterpriseId ?? "", "departmentId": departmentId ?? "", "zone": zone ?? ""]
    }
}

extension AccountsService.Change {
    init(disabled: Bool) {
        self.init(role: nil, displayName: nil, enterpriseId: nil, departmentId: nil, disabled: disabled, zone: nil)
    }
}

extension Dictionary where Key == String {
    func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
