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

    // Resumption approvals
    let applicationReaders: Set<Role> = [.enterpriseAdmin, .reviewer, .leader, .officer, .districtAdmin]
    let applications = api.grouped("resumption-applications")
    let upload = HTTPBodyStreamStrategy.collect(maxSize: ByteCount(stringLiteral: Uploads.maxRequestSize))
    applications.post(use: ResumptionAPIController.create).access(.roles(.enterpriseAdmin))
    applications.get(use: ResumptionAPIController.list).access(.roles(applicationReaders))
    applications.get(":applicationID", use: ResumptionAPIController.show).access(.roles(applicationReaders))
    applications.patch(":applicationID", use: ResumptionAPIController.update).access(.roles(.enterpriseAdmin))
    applications.on(.POST, ":applicationID", "attachments", body: upload, use: ResumptionAPIController.attach)
        .access(.roles(.enterpriseAdmin))
    applications.get(":applicationID", "attachments", ":attachmentID", use: ResumptionAPIController.download)
        .access(.roles(applicationReaders))
    applications.post(":applicationID", "submit", use: ResumptionAPIController.submit).access(.roles(.enterpriseAdmin))
    applications.post(":applicationID", "review", use: ResumptionAPIController.review).access(.roles(.reviewer))
    applications.post(":applicationID", "confirm", use: ResumptionAPIController.confirm).access(.roles(.leader))
    applications.post(":applicationID", "suspend", use: ResumptionAPIController.suspend).access(.roles(.officer, .reviewer))

    let resumption = root.grouped("resumption")
    resumption.get(use: ResumptionPagesController.list).access(.roles(applicationReaders))
    resumption.get("new", use: ResumptionPagesController.newForm).access(.roles(.enterpriseAdmin))
    resumption.post(use: ResumptionPagesController.create).access(.roles(.enterpriseAdmin))
    resumption.get(":applicationID", use: ResumptionPagesController.detail).access(.roles(applicationReaders))
    resumption.get(":applicationID", "edit", use: ResumptionPagesController.editForm).access(.roles(.enterpriseAdmin))
    resumption.post(":applicationID", use: ResumptionPagesController.update).access(.roles(.enterpriseAdmin))
    resumption.on(.POST, ":applicationID", "attachments", body: upload, use: ResumptionPagesController.attach)
        .access(.roles(.enterpriseAdmin))
    resumption.get(":applicationID", "attachments", ":attachmentID", use: ResumptionPagesController.download)
        .access(.roles(applicationReaders))
    resumption.post(":applicationID", "submit", use: ResumptionPagesController.submit).access(.roles(.enterpriseAdmin))
    resumption.post(":applicationID", "review", use: ResumptionPagesController.review).access(.roles(.reviewer))
    resumption.post(":applicationID", "confirm", use: ResumptionPagesController.confirm).access(.roles(.leader))
    resumption.post(":applicationID", "suspend", use: ResumptionPagesController.suspend).access(.roles(.officer, .reviewer))

    // Dispatch and support officers
    let overseers: Set<Role> = [.districtAdmin, .leader, .reviewer, .officer]
    api.post("dispatch-contacts", use: OfficersAPIController.recordContact).access(.roles(.officer))
    api.get("dispatch-contacts", "summary", use: OfficersAPIController.summary).access(.roles(overseers))
    api.post("officer-assignments", use: OfficersAPIController.assign).access(.roles(.districtAdmin, .leader))
    api.get("officer-assignments", use: OfficersAPIController.assignments).access(.roles(overseers))
    api.get("site-visits", use: OfficersAPIController.visits).access(.roles(overseers))
    api.post("site-visits", ":visitID", "report", use: OfficersAPIController.report).access(.roles(.officer))
    root.get("dispatch", use: OfficerPagesController.dispatch).access(.roles(overseers))
    root.post("dispatch", use: OfficerPagesController.recordContact).access(.roles(.officer))
    root.get("officers", use: OfficerPagesController.assignments).access(.roles(.districtAdmin, .leader))
    root.post("officers", use: OfficerPagesController.assign).access(.roles(.districtAdmin, .leader))
    root.get("visits", use: OfficerPagesController.visits).access(.roles(overseers))
    root.get("visits", ":visitID", use: OfficerPagesController.visit).access(.roles(overseers))
    root.on(.POST, "visits", ":visitID", "report", body: upload, use: OfficerPagesController.report).access(.roles(.officer))

    // Help desk
    let ticketReaders: Set<Role> = [.enterpriseAdmin, .officer, .agent, .districtAdmin, .leader]
    let tickets = api.grouped("tickets")
    tickets.post(use: HelpdeskAPIController.create).access(.roles(.enterpriseAdmin, .officer))
    tickets.get(use: HelpdeskAPIController.list).access(.roles(ticketReaders))
    tickets.get(":ticketID", use: HelpdeskAPIController.show).access(.roles(ticketReaders))
    tickets.post(":ticketID", "accept", use: HelpdeskAPIController.accept).access(.roles(.agent))
    tickets.post(":ticketID", "replies", use: HelpdeskAPIController.reply).access(.roles(.agent, .enterpriseAdmin))
    tickets.post(":ticketID", "transfer", use: HelpdeskAPIController.transfer).access(.roles(.agent, .districtAdmin))
    tickets.post(":ticketID", "answer", use: HelpdeskAPIController.answer).access(.roles(.agent))
    tickets.post(":ticketID", "feedback", use: HelpdeskAPIController.feedback).access(.roles(.enterpriseAdmin))
    tickets.on(.POST, ":ticketID", "attachments", body: upload, use: HelpdeskAPIController.attach)
        .access(.roles(.enterpriseAdmin, .officer, .agent))
    tickets.get(":ticketID", "attachments", ":attachmentID", use: HelpdeskAPIController.download).access(.roles(ticketReaders))
    api.get("scorecards", use: HelpdeskAPIController.scorecards).access(.roles(.districtAdmin, .leader, .agent))
    let helpdesk = root.grouped("helpdesk")
    helpdesk.get(use: HelpdeskPagesController.list).access(.roles(ticketReaders))
    helpdesk.get("new", use: HelpdeskPagesController.newForm).access(.roles(.enterpriseAdmin, .officer))
    helpdesk.post(use: HelpdeskPagesController.create).access(.roles(.enterpriseAdmin, .officer))
    helpdesk.get("scorecards", use: HelpdeskPagesController.scorecards).access(.roles(.districtAdmin, .leader, .agent))
    helpdesk.get(":ticketID", use: HelpdeskPagesController.detail).access(.roles(ticketReaders))
    helpdesk.post(":ticketID", "accept", use: HelpdeskPagesController.accept).access(.roles(.agent))
    helpdesk.post(":ticketID", "replies", use: HelpdeskPagesController.reply).access(.roles(.agent, .enterpriseAdmin))
    helpdesk.post(":ticketID", "transfer", use: HelpdeskPagesController.transfer).access(.roles(.agent, .districtAdmin))
    helpdesk.post(":ticketID", "answer", use: HelpdeskPagesController.answer).access(.roles(.agent))
    helpdesk.post(":ticketID", "feedback", use: HelpdeskPagesController.feedback).access(.roles(.enterpriseAdmin))
    helpdesk.on(.POST, ":ticketID", "attachments", body: upload, use: HelpdeskPagesController.attach)
        .access(.roles(.enterpriseAdmin, .officer, .agent))
    helpdesk.get(":ticketID", "attachments", ":attachmentID", use: HelpdeskPagesController.download).access(.roles(ticketReaders))
    root.get("admin", "routing", use: RoutingController.page).access(.roles(.districtAdmin))
    root.post("admin", "routing", use: RoutingController.saveRules).access(.roles(.districtAdmin))
    root.post("admin", "routing", ":departmentID", use: RoutingController.saveUnit).access(.roles(.districtAdmin))
    root.get("live", use: LiveController.stream).access(.signedIn)

    // Policies and notices
    api.get("policies", use: PoliciesController.apiList).access(.signedIn)
    api.post("policies", use: PoliciesController.apiCreate).access(.roles(.districtAdmin))
    root.get("policies", use: PoliciesController.listPage).access(.signedIn)
    root.post("policies", use: PoliciesController.create).access(.roles(.districtAdmin))
    root.get("policies", ":policyID", use: PoliciesController.detailPage).access(.signedIn)
    api.on(.POST, "policies", ":policyID", "attachments", body: upload, use: PoliciesController.apiAttach).access(.roles(.districtAdmin))
    api.get("policies", ":policyID", "attachments", ":attachmentID", use: PoliciesController.download).access(.signedIn)
    root.on(.POST, "policies", ":policyID", "attachments", body: upload, use: PoliciesController.attachFromPage).access(.roles(.districtAdmin))
    root.get("policies", ":policyID", "attachments", ":attachmentID", use: PoliciesController.download).access(.signedIn)

    // District settings
    api.get("settings", use: SettingsController.apiShow).access(.roles(.districtAdmin))
    api.put("settings", use: SettingsController.apiChange).access(.roles(.districtAdmin))
    root.get("admin", "settings", use: SettingsController.page).access(.roles(.districtAdmin))
    root.post("admin", "settings", use: SettingsController.save).access(.roles(.districtAdmin))

    // Audit
    root.get("admin", "audit", use: AuditController.listPage).access(.roles(.districtAdmin))
    api.get("audit", use: AuditController.apiList).access(.roles(.districtAdmin))
}
