import Domain
import Vapor

extension Module {
    /// Sign-in, sessions and tokens, users and departments.
    static let accounts = Module(
        name: "accounts",
        routes: { r in
            // Sign-in
            r.root.get("login", use: AuthController.loginPage).access(.anyone)
            r.root.post("login", use: AuthController.login).access(.anyone)
            r.root.post("logout", use: AuthController.logout).access(.signedIn)
            r.api.post("auth", "login", use: AuthController.apiLogin).access(.anyone)
            r.api.delete("auth", "token", use: AuthController.apiRevokeToken).access(.signedIn)
            r.api.get("me", use: AuthController.apiMe).access(.signedIn)

            // Users
            let admin = r.root.grouped("admin", "users")
            admin.get(use: UsersController.listPage).access(.roles(.districtAdmin))
            admin.get("new", use: UsersController.newPage).access(.roles(.districtAdmin))
            admin.post(use: UsersController.create).access(.roles(.districtAdmin))
            admin.get(":userID", use: UsersController.editPage).access(.roles(.districtAdmin))
            admin.post(":userID", use: UsersController.update).access(.roles(.districtAdmin))
            admin.post(":userID", "disable", use: UsersController.setDisabled).access(.roles(.districtAdmin))
            admin.post(":userID", "enable", use: UsersController.setDisabled).access(.roles(.districtAdmin))
            admin.post(":userID", "password", use: UsersController.resetPassword).access(.roles(.districtAdmin))
            r.api.post("users", use: UsersController.apiCreate).access(.roles(.districtAdmin, .enterpriseAdmin))
            r.api.get("users", use: UsersController.apiList).access(.roles(.districtAdmin))
            r.api.get("users", ":userID", use: UsersController.apiShow).access(.roles(.districtAdmin))
            r.api.patch("users", ":userID", use: UsersController.apiChange).access(.roles(.districtAdmin))
            r.api.post("users", ":userID", "password", use: UsersController.apiResetPassword).access(.roles(.districtAdmin))

            // Departments
            r.root.get("admin", "departments", use: DepartmentsController.listPage).access(.roles(.districtAdmin))
            r.root.post("admin", "departments", use: DepartmentsController.createFromForm).access(.roles(.districtAdmin))
            r.api.get("departments", use: DepartmentsController.apiList).access(.roles(Role.government))
            r.api.post("departments", use: DepartmentsController.apiCreate).access(.roles(.districtAdmin))
        },
        migrations: [CreateDepartments(), CreateUsers(), CreateWebSessions(), CreateApiTokens(), CreateLoginFailures()],
        navigation: [
            NavigationEntry("nav.users", "/admin/users", [.districtAdmin], group: NavigationEntry.administration),
            NavigationEntry("nav.departments", "/admin/departments", [.districtAdmin], group: NavigationEntry.administration),
        ],
        jobs: [
            BackgroundJob(name: "session sweep", initialDelay: .seconds(5), every: .minutes(10)) { app, now in
                try await SignIn.sweep(app.db, settings: app.settings, now: now)
            },
        ],
        commands: [("create-admin", CreateAdminCommand())]
    )
}
