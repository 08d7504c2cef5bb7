@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Administration: demo district, users, audit log, first admin")
struct AdministrationTests {
    @Test("Every demo role signs in on the web and through the API and sees its own home page")
    func demoRoles() async throws {
        try await withApp { app in
            try await DemoDistrict.load(app)
            app.holdsDemoData = true
            // The registry's companies and the train's exporters.
            #expect(try await Enterprise.query(on: app.db).count() == DemoDistrict.companies.count + DemoFreight.exporters.count)
            // The seed's train: 42 FEU worth 82 million yuan, departed, customs released.
            let seedTrain = try #require(try await TrainDeparture.query(on: app.db).filter(\.$trainNumber == "X9001").first())
            let manifest = try await FreightFigures.manifest(app.context(), seedTrain)
            #expect(manifest.totals.feu == 42 && manifest.totals.valueFen == 8_200_000_000 && manifest.totals.shippers == 26)
            #expect(manifest.rows.allSatisfy { $0.customsStatus == .released && ContainerNumber.problem($0.containerNumber) == nil })
            #expect(seedTrain.state(at: app.clock.now) == .departed)
            // Applications in every state of the workflow.
            let states = Set(try await ResumptionApplication.query(on: app.db).all().map(\.state))
            #expect(states == Set(ResumptionState.allCases))
            let ticketStates = Set(try await Ticket.query(on: app.db).all().map(\.state))
            #expect(ticketStates == Set(TicketState.allCases))
            #expect(try await Ticket.query(on: app.db).filter(\.$escalationLevel > 0).count() >= 1)
            #expect(try await Policy.query(on: app.db).filter(\.$title, .custom("LIKE"), "%15条%").count() == 1)
            // The talent network: a few hundred postings, one employer waiting, the seeker's applications in every state.
            #expect(try await JobPosting.query(on: app.db).count() >= 300)
            #expect(try await Employer.query(on: app.db).filter(\.$status == .pending).count() == 1)
            #expect(Set(try await JobApplication.query(on: app.db).all().map(\.state)) == Set(ApplicationState.allCases))
            for (username, role, displayName) in DemoDistrict.accounts {
                let api = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                              body: .json(["username": username, "password": DemoDistrict.password]))
                #expect(api.status == .created, "\(username)")
                #expect(api.text.contains("\"role\":\"\(role.rawValue)\""))

                let form = try await app.testing().sendRequest(.GET, "/login")
                let cookie = try #require(form.cookie("fugong_session"))
                let csrf = String(try #require(form.text.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1))
                let login = try await app.testing().sendRequest(
                    .POST, "/login", headers: HTTPHeaders.form.adding(["Cookie": "fugong_session=\(cookie)"]),
                    body: .form(["_csrf": csrf, "username": username, "password": DemoDistrict.password]))
                #expect(login.status == .seeOther, "\(username)")
                let session = try #require(login.cookie("fugong_session"))
                let home = try await app.testing().sendRequest(.GET, "/", headers: ["Cookie": "fugong_session=\(session)"])
                #expect(home.status == .ok)
                #expect(home.text.contains("您好，\(displayName)"), "\(username)")
                #expect(home.text.contains(app.strings.text("home.intro.\(role.rawValue)", .zhHans)), "\(username)")
                #expect(home.text.contains("演示数据"), "\(username)")
            }
            // The enterprise admin's home shows its own enterprise.
            let company = try #require(try await User.query(on: app.db).filter(\.$username == "company").first())
            let caller = try await Fixtures.caller(app, company)
            let home = try await app.testing().sendRequest(.GET, "/", headers: caller.pageHeaders)
            #expect(home.text.contains("吉林君安生物科技有限公司"))
            // Every page of the demo renders for its roles (no template errors).
            let applications = try await ResumptionApplication.query(on: app.db).all()
            let visits = try await SiteVisit.query(on: app.db).all()
            let jobPages = try await JobPosting.query(on: app.db).limit(20).all().map { "/jobs/\($0.id!)" }
                + (try await Employer.query(on: app.db).all().map { "/employers/\($0.id!)" })
                + (try await JobApplication.query(on: app.db).all().map { "/jobs/centre/applications/\($0.id!)" })
            let people = try await Employee.query(on: app.db).limit(5).all().map { "/workforce/employees/\($0.id!)" }
            let freightPages = ["/freight", "/freight/customs", "/freight/fees", "/freight/figures", "/freight/departures/new"]
                + (try await TrainDeparture.query(on: app.db).all().flatMap { ["/freight/departures/\($0.id!)", "/freight/departures/\($0.id!)/manifest",
                                                                              "/freight/departures/\($0.id!)/book"] })
                + (try await ContainerBooking.query(on: app.db).limit(30).all().map { "/freight/bookings/\($0.id!)" })
            for username in ["admin", "reviewer", "leader", "officer", "officer2", "company", "agent", "seeker", "guard", "employee", "port", "customs"] {
                let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
                let caller = try await Fixtures.caller(app, user)
                var pages = ["/", "/resumption", "/enterprises", "/dispatch", "/visits", "/officers", "/admin/settings", "/resumption/new",
                             "/helpdesk", "/helpdesk/new", "/helpdesk/scorecards", "/policies", "/admin/routing"]
                pages += applications.map { "/resumption/\($0.id!)" } + visits.map { "/visits/\($0.id!)" }
                pages += try await Ticket.query(on: app.db).all().map { "/helpdesk/\($0.id!)" }
                pages += try await Policy.query(on: app.db).all().map { "/policies/\($0.id!)" }
                pages += ["/jobs", "/jobs?q=%E7%94%B5%E5%B7%A5", "/jobs/centre", "/jobs/review", "/jobs/figures", "/resume", "/my-applications"] + jobPages
                pages += ["/workforce", "/workforce/employees", "/workforce/screening", "/workforce/supplies", "/workforce/district", "/health",
                          "/gate", "/gate/visitors"] + people + freightPages
                for page in pages {
                    let response = try await app.testing().sendRequest(.GET, page, headers: caller.pageHeaders)
                    // A train that takes no bookings answers its booking form with 409 and the reason.
                    #expect([200, 403, 404].contains(response.status.code) || (page.hasSuffix("/book") && response.status == .conflict),
                            "\(username) \(page) \(response.status)")
                }
            }
        }
    }

    @Test("The demo district loads only into an empty database")
    func demoRefusesRealData() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "admin", role: .districtAdmin)
            await #expect(throws: DemoDistrict.NotEmpty.self) { try await DemoDistrict.load(app) }
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test("FUGONG_ADMIN_PASSWORD creates 'admin' on first start only")
    func initialAdmin() async throws {
        try await withApp { app in
            app.settings.initialAdminPassword = "Kaifaqu-2020!"
            try await InitialAdmin.createIfNeeded(app)
            let admin = try #require(try await User.query(on: app.db).filter(\.$username == "admin").first())
            #expect(admin.role == .districtAdmin)
            app.settings.initialAdminPassword = "Another-2020!"
            try await InitialAdmin.createIfNeeded(app)
            #expect(try await User.query(on: app.db).count() == 1)
            let login = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                            body: .json(["username": "admin", "password": "Kaifaqu-2020!"]))
            #expect(login.status == .created)
        }
    }

    @Test("POST /api/v1/users creates a user; bad input gets per-field errors and stores nothing")
    func createUserAPI() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let enterprise = try await Fixtures.enterprise(app)
            let bad = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "X", "password": "password", "role": "emperor", "displayName": ""]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields.keys.sorted() == ["displayName", "password", "role", "username"])
            let noEnterprise = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "guard1", "password": Fixtures.password, "role": "gateGuard", "displayName": "门岗"]))
            #expect(noEnterprise.apiError?.fields == ["enterpriseId": "该角色必须选择所属企业。"])
            #expect(try await User.query(on: app.db).count() == 1)

            let created = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "guard1", "password": Fixtures.password, "role": "gateGuard",
                             "displayName": "门岗 赵军", "enterpriseId": enterprise.id!.uuidString]))
            #expect(created.status == .created)
            let user = try JSONDecoder.iso.decode(UserDTO.self, from: Data(buffer: created.body))
            #expect(user.enterpriseId == enterprise.id)
            #expect(!created.text.contains("password"))
            let again = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "guard1", "password": Fixtures.password, "role": "leader", "displayName": "x"]))
            #expect(again.status == .conflict)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.create").count() == 1)
        }
    }

    @Test("The admin pages create a user, change a role, and reset a password")
    func usersPages() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let department = try await Fixtures.department(app)
            let form = try await app.testing().sendRequest(.GET, "/admin/users/new", headers: admin.pageHeaders)
            #expect(form.text.contains("<label for=\"username\">用户名</label>"))
            let missing = try await app.testing().sendRequest(
                .POST, "/admin/users", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "username": "agent1", "password": Fixtures.password, "role": "agent", "displayName": "经办 陈静"]))
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.text.contains("id=\"departmentId-error\">该角色必须选择所属部门"))
            let created = try await app.testing().sendRequest(
                .POST, "/admin/users", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "username": "agent1", "password": Fixtures.password, "role": "agent",
                             "displayName": "经办 陈静", "departmentId": department.id!.uuidString]))
            #expect(created.status == .seeOther)
            let agent = try #require(try await User.query(on: app.db).filter(\.$username == "agent1").first())
            #expect(agent.$department.id == department.id)
            let list = try await app.testing().sendRequest(.GET, "/admin/users?role=agent", headers: admin.pageHeaders)
            #expect(list.text.contains("agent1"))
            #expect(!list.text.contains(">admin<"))

            let agentCaller = try await Fixtures.caller(app, agent)
            let promoted = try await app.testing().sendRequest(
                .POST, "/admin/users/\(agent.id!)", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "role": "leader", "displayName": "经办 陈静"]))
            #expect(promoted.status == .seeOther)
            #expect(try await User.find(agent.id, on: app.db)?.role == .leader)
            #expect(try await User.find(agent.id, on: app.db)?.$department.id == nil)
            // A role change signs the user out everywhere.
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: agentCaller.apiHeaders).status == .unauthorized)

            let weak = try await app.testing().sendRequest(
                .POST, "/admin/users/\(agent.id!)/password", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "password": "12345678"]))
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.text.contains("这个密码太常见"))
            let reset = try await app.testing().sendRequest(
                .POST, "/admin/users/\(agent.id!)/password", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "password": "New-Passw0rd-2020"]))
            #expect(reset.status == .seeOther)
            let login = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                            body: .json(["username": "agent1", "password": "New-Passw0rd-2020"]))
            #expect(login.status == .created)
        }
    }

    @Test("An admin cannot disable themselves")
    func noSelfLockout() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let response = try await app.testing().sendRequest(
                .PATCH, "/api/v1/users/\(admin.user.id!)", headers: admin.apiHeaders.adding(.json), body: .json(["disabled": true]))
            #expect(response.status == .conflict)
            #expect(try await User.find(admin.user.id, on: app.db)?.isDisabled == false)
        }
    }

    @Test("The audit log page filters by user and action, and holds who, what, when and from where")
    func auditPage() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let pending = try await Fixtures.enterprise(app, code: 1, status: .pending)
            _ = try await app.testing().sendRequest(
                .POST, "/api/v1/enterprises/\(pending.id!)/review",
                headers: reviewer.apiHeaders.adding(.json).adding(["X-Forwarded-For": "192.0.2.44"]),
                body: .json(["decision": "approve"]))
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "enterprise.approve").first())
            #expect(event.username == "reviewer")
            #expect(event.role == "reviewer")
            #expect(event.entityID == pending.id!.uuidString)
            #expect(event.address == "192.0.2.44")
            #expect(event.requestID?.isEmpty == false)

            let page = try await app.testing().sendRequest(.GET, "/admin/audit?username=reviewer&action=approve", headers: admin.pageHeaders)
            #expect(page.status == .ok)
            // In words, with a link to the record, not the code and the id.
            #expect(page.text.contains("企业登记：通过"))
            #expect(page.text.contains("<a href=\"/enterprises/\(pending.id!)\">企业</a>"))
            #expect(!page.text.contains(">enterprise.approve<"))
            #expect(page.text.contains("192.0.2.44"))
            let none = try await app.testing().sendRequest(.GET, "/admin/audit?username=admin&action=approve", headers: admin.pageHeaders)
            #expect(!none.text.contains("企业登记：通过"))
            let api = try await app.testing().sendRequest(.GET, "/api/v1/audit?action=enterprise.approve", headers: admin.apiHeaders)
            #expect(api.text.contains("\"total\":1"))
        }
    }
}

@Suite("Departments")
struct DepartmentTests {
    @Test("The district admin adds departments; a duplicate name is refused; agents can then join one")
    func departments() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let empty = try await app.testing().sendRequest(
                .POST, "/admin/departments", headers: admin.pageHeaders.adding(.form), body: .form(["_csrf": admin.csrf, "name": "", "nameEn": ""]))
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.text.contains("id=\"name-error\">必填。"))
            let added = try await app.testing().sendRequest(
                .POST, "/admin/departments", headers: admin.pageHeaders.adding(.form),
                body: .form(["_csrf": admin.csrf, "name": "人社局", "nameEn": "Human Resources Bureau"]))
            #expect(added.status == .seeOther)
            let list = try await app.testing().sendRequest(.GET, "/admin/departments", headers: admin.pageHeaders)
            #expect(list.text.contains("人社局"))
            #expect(list.text.contains("部门已新增。"))
            let twice = try await app.testing().sendRequest(
                .POST, "/api/v1/departments", headers: admin.apiHeaders.adding(.json), body: .json(["name": "人社局", "nameEn": "x"]))
            #expect(twice.status == .conflict)
            let department = try #require(try await Department.query(on: app.db).first())
            let agent = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "hr-agent", "password": Fixtures.password, "role": "agent", "displayName": "人社 经办",
                             "departmentId": department.id!.uuidString]))
            #expect(agent.status == .created)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "department.create").count() == 1)
        }
    }
}

@Suite("Officer zones")
struct OfficerZoneTests {
    @Test("An officer is created with the zone they serve; an unknown zone is refused")
    func officerZone() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let bad = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "officer9", "password": Fixtures.password, "role": "officer", "displayName": "干部", "zone": "atlantis"]))
            #expect(bad.apiError?.fields == ["zone": "请选择区内的区域。"])
            let good = try await app.testing().sendRequest(
                .POST, "/api/v1/users", headers: admin.apiHeaders.adding(.json),
                body: .json(["username": "officer9", "password": Fixtures.password, "role": "officer", "displayName": "干部", "zone": "xinqu"]))
            #expect(good.status == .created)
            #expect(try await User.query(on: app.db).filter(\.$username == "officer9").first()?.zone == "xinqu")
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "officer9").first())
            let moved = try await app.testing().sendRequest(.POST, "/admin/users/\(user.id!)", headers: admin.pageHeaders.adding(.form),
                                                            body: .form(["_csrf": admin.csrf, "role": "officer", "displayName": "干部", "zone": "xinglong"]))
            #expect(moved.status == .seeOther)
            #expect(try await User.find(user.id, on: app.db)?.zone == "xinglong")
        }
    }
}
