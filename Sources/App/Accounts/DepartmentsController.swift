import Domain
import Fluent
import Vapor

/// Government departments, kept by the district admin. Agents belong to one.
enum DepartmentsController {
    struct DepartmentDTO: Content {
        let id: UUID
        let name: String
        let nameEn: String
        let categories: [String]
    }

    struct NewDepartment: Content {
        var name: String?
        var nameEn: String?
        /// Help-desk categories routed to this department from now on.
        var categories: [String]?
    }

    static func dto(_ department: Department, rules: [RoutingRule]) -> DepartmentDTO {
        DepartmentDTO(id: department.id!, name: department.name, nameEn: department.nameEn,
                      categories: rules.filter { $0.$department.id == department.id }.map(\.category.rawValue).sorted())
    }

    @Sendable static func apiList(req: Request) async throws -> [DepartmentDTO] {
        let rules = try await RoutingRule.query(on: req.db).all()
        return try await Department.query(on: req.db).sort(\.$name).all().map { dto($0, rules: rules) }
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let department = try await AccountsService.createDepartment(req.context, try req.content.decode(NewDepartment.self))
        let response = Response(status: .created)
        try response.content.encode(dto(department, rules: try await RoutingRule.query(on: req.db).all()))
        return response
    }

    struct ListPage: Encodable {
        struct Row: Encodable {
            let name: String
            let nameEn: String
            let agents: Int
        }
        let page: PageContext
        let rows: [Row]
        let values: [String: String]
        let fields: [String: String]
    }

    @Sendable static func listPage(req: Request) async throws -> Response {
        try await render(req, values: [:], fields: [:])
    }

    @Sendable static func createFromForm(req: Request) async throws -> Response {
        let input = try req.content.decode(NewDepartment.self)
        let values = ["name": input.name ?? "", "nameEn": input.nameEn ?? ""]
        do {
            _ = try await AccountsService.createDepartment(req.context, input)
            try await Pages.flash(req, "departments.created")
            return req.redirect(to: "/admin/departments")
        } catch let errors as FieldErrors {
            return try await render(req, values: values, fields: errors.messages, status: .unprocessableEntity)
        } catch AppError.conflict(let field?, let key) {
            return try await render(req, values: values, fields: [field: key], status: .conflict)
        }
    }

    private static func render(_ req: Request, values: [String: String], fields: [String: String],
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let departments = try await Department.query(on: req.db).sort(\.$name).all()
        let agents = try await User.query(on: req.db).filter(\.$role == .agent).all()
        let counts = Dictionary(grouping: agents.compactMap { $0.$department.id }, by: { $0 }).mapValues(\.count)
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "departments.title"),
            rows: departments.map { .init(name: $0.name, nameEn: $0.nameEn, agents: counts[$0.id!] ?? 0) },
            values: values, fields: req.translated(fields)
        )
        return try await Pages.render(req, "accounts/departments", context, status: status)
    }
}
