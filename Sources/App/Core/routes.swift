import Domain
import Vapor

/// The map of the platform: one block per module. Every route states who may call it.
func routes(_ app: Application) throws {
    let root = app.grouped(Authentication(), AccessGuard(), CSRFGuard())
    let api = root.grouped("api", "v1")
    let government = Role.government
    let enterpriseReaders = Role.government.union(Role.enterpriseSide)

    // Operations
    root.get("healthz", use: HomeController.health).access(.anyone)
    root.get("api", "openapi.yaml", use: HomeController.openAPI).access(.anyone)

    // Home
    root.get(use: HomeController.home).access(.anyone)

    // Accounts: sign-in
    root.get("login", use: AuthController.loginPage).access(.anyone)
    root.post("login", use: AuthController.login).access(.anyone)
    root.post("logout", use: AuthController.logout).access(.signedIn)
    api.post("auth", "login", use: AuthController.apiLogin).access(.anyone)
    api.delete("auth", "token", use: AuthController.apiRevokeToken).access(.signedIn)
    api.get("me", use: AuthController.apiMe).access(.signedIn)

    // Accounts: administration
    let admin = root.grouped("admin", "users")
    admin.get(use: UsersController.listPage).access(.roles(.districtAdmin))
    admin.get("new", use: UsersController.newPage).access(.roles(.districtAdmin))
    admin.post(use: UsersController.create).access(.roles(.districtAdmin))
    admin.get(":userID", use: UsersController.editPage).access(.roles(.districtAdmin))
    admin.post(":userID", use: UsersController.update).access(.roles(.districtAdmin))
    admin.post(":userID", "disable", use: UsersController.setDisabled).access(.roles(.districtAdmin))
    admin.post(":userID", "enable", use: UsersController.setDisabled).access(.roles(.districtAdmin))
    admin.post(":userID", "password", use: UsersController.resetPassword).access(.roles(.districtAdmin))
    api.post("users", use: UsersController.apiCreate).access(.roles(.districtAdmin))
    api.get("users", use: UsersController.apiList).access(.roles(.districtAdmin))
    api.get("users", ":userID", use: UsersController.apiShow).access(.roles(.districtAdmin))
    api.patch("users", ":userID", use: UsersController.apiChange).access(.roles(.districtAdmin))
    api.post("users", ":userID", "password", use: UsersController.apiResetPassword).access(.roles(.districtAdmin))

    // Accounts: departments
    root.get("admin", "departments", use: DepartmentsController.listPage).access(.roles(.districtAdmin))
    root.post("admin", "departments", use: DepartmentsController.createFromForm).access(.roles(.districtAdmin))
    api.get("departments", use: DepartmentsController.apiList).access(.roles(Role.government))
    api.post("departments", use: DepartmentsController.apiCreate).access(.roles(.districtAdmin))

    // Enterprises
    root.get("register", use: EnterprisesController.registerPage).access(.anyone)
    root.post("register", use: EnterprisesController.register).access(.anyone)
    root.get("enterprises", use: EnterprisesController.listPage).access(.roles(government))
    root.get("enterprises", ":enterpriseID", use: EnterprisesController.detailPage)
        .access(.roles(enterpriseReaders, enterprise: "enterpriseID"))
    root.post("enterprises", ":enterpriseID", "review", use: EnterprisesController.review).access(.roles(.reviewer))
    root.get("my", "enterprise", use: EnterprisesController.myEnterprise).access(.roles(Role.enterpriseSide))
    api.get("zones", use: EnterprisesController.apiZones).access(.anyone)
    api.post("enterprises", use: EnterprisesController.apiRegister).access(.anyone)
    api.get("enterprises", use: EnterprisesController.apiList).access(.roles(government))
    api.get("enterprises", ":enterpriseID", use: EnterprisesController.apiShow)
        .access(.roles(enterpriseReaders, enterprise: "enterpriseID"))
    api.post("enterprises", ":enterpriseID", "review", use: EnterprisesController.apiReview).access(.roles(.reviewer))

    // Audit
    root.get("admin", "audit", use: AuditController.listPage).access(.roles(.districtAdmin))
    api.get("audit", use: AuditController.apiList).access(.roles(.districtAdmin))
}
