@testable import App
import Domain
import Fluent
import SQLKit
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
            // The demo does not contradict itself: jobs fit their employer's trade; no two people
            // of one enterprise share a name; nobody with a fever alert is let in after it; an
            // application at work was planned for a day already past.
            let postings = try await JobPosting.query(on: app.db).with(\.$employer) { $0.with(\.$enterprise) }.all()
            #expect(!postings.contains { $0.title.hasPrefix("大棚种植工") && $0.employer.enterprise.industry != "蔬菜种植与配送" })
            #expect(!postings.contains { $0.title.hasPrefix("护士") && $0.employer.enterprise.industry.contains("物流") })
            #expect(!postings.contains { $0.title.hasPrefix("消毒液灌装工") && $0.employer.enterprise.industry != "消毒用品制造" })
            // Nobody applied to a job before it was posted.
            for application in try await JobApplication.query(on: app.db).with(\.$posting).all() {
                #expect(application.createdAt >= application.posting.createdAt, "applied \(application.createdAt) to a job posted \(application.posting.createdAt)")
            }
            let roster = try await Employee.query(on: app.db).all()
            for group in Dictionary(grouping: roster, by: \.$enterprise.id).values {
                #expect(Set(group.map(\.name)).count == group.count)
            }
            let sql = try #require(app.db as? any SQLDatabase)
            struct Entry: Decodable { let employee_id: UUID?; let at: Date }
            let entries = try await sql.select().columns("employee_id", "at").from("gate_check_ins")
                .where("allowed", .equal, SQLBind(true)).where("direction", .equal, SQLBind("in")).all(decoding: Entry.self)
            for alert in try await FeverAlert.query(on: app.db).all() {
                #expect(!entries.contains { $0.employee_id == alert.employeeID && $0.at > alert.createdAt },
                        "\(alert.employeeID) let in after a fever alert")
            }
            let today = CivilDate(app.clock.now).iso
            for application in try await ResumptionApplication.query(on: app.db).filter(\.$state ~~ ResumptionState.allowingWork).all() {
                #expect(application.plannedDate <= today, "\(application.products) at work, planned for \(application.plannedDate)")
            }
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
            // Every notification leads to a page (an address that answers GET).
            for notice in try await Notification.query(on: app.db).all() {
                #expect(Pages.getRoute(app, path: String(notice.link.prefix { $0 != "?" && $0 != "#" })) != nil, "\(notice.messageKey) → \(notice.link)")
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
                pages += ["/admin/audit", "/admin/users", "/admin/departments", "/admin/holidays", "/admin/resumption-modes", "/site", "/site/district"]
                // Every page once in Chinese, and those without a record's id in English too.
                let english = pages.filter { !$0.contains("-") }.map { $0 + ($0.contains("?") ? "&" : "?") + "lang=en" }
                for page in pages + english {
                    let response = try await app.testing().sendRequest(.GET, page, headers: caller.pageHeaders)
                    // A train that takes no bookings answers its booking form with 409 and the reason; an
                    // enterprise with an application open is led to it from "new".
                    #expect([200, 403, 404].contains(response.status.code) || (page.hasSuffix("/book") && response.status == .conflict)
                            || (page.hasPrefix("/resumption/new") && response.status == .seeOther),
                            "\(username) \(page) \(response.status)")
                    // Words, not codes: no string-table key, enum code or template tag where a person reads.
                    if response.status == .ok {
                        let codes = PageText.rawCodes(in: response.text, keys: app.strings.keys(.zhHans))
                        #expect(codes.isEmpty, "\(username) \(page) shows \(codes)")
                    }
                }
                // Notifications link only to pages their reader may open.
                let home = try await app.testing().sendRequest(.GET, "/", headers: caller.pageHeaders)
                let notices = home.text.firstMatch(of: /<ul class="notifications">(.*?)<\/ul>/.dotMatchesNewlines())?.output.1 ?? ""
                for link in notices.matches(of: /href="([^"]+)"/).map({ String($0.output.1) }) {
                    let opened = try await app.testing().sendRequest(.GET, link, headers: caller.pageHeaders)
                    #expect(opened.status == .ok, "\(username)'s notification \(link) answers \(opened.status)")
                }
            }
        }
    }

    @Test("The words-not-codes check finds keys, codes and tags, and lets names, files and addresses be")
    func pageTextCheck() {
        let keys: Set<String> = ["nav.home"]
        let page = """
            <body><main><p>nav.home</p><td title="ticket.answer">工单：答复</td><p>ticket.answer returnForChanges #errorSummary(fields)</p>
            <a href="/x.pdf">report.pdf</a> Polmet Sp. z o.o. www.example.cn v1.2 <script>var a = b.c;</script></main></body>
            """
        #expect(PageText.rawCodes(in: page, keys: keys) == ["nav.home", "ticket.answer", "returnForChanges", "errorSummary", "#errorSummary("])
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

/// What a person reads on a page, and what in it is a code rather than a word.
enum PageText {
    /// The text of the page's header, menu and main part: no tags, scripts, styles or attributes.
    static func visible(_ html: String) -> String {
        var text = html.replacing(/<script.*?<\/script>|<style.*?<\/style>|<code>.*?<\/code>/.dotMatchesNewlines(), with: " ")
        if let body = text.firstMatch(of: /<body.*<\/body>/.dotMatchesNewlines()) { text = String(body.output) }
        text = text.replacing(/<[^>]+>/, with: " ")
        for (entity, character) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    /// String-table keys (`nav.home`), dotted codes (`ticket.answer`), camel-case enum values
    /// (`returnForChanges`) and template tags (`#errorSummary`) in the visible text.
    static func rawCodes(in html: String, keys: Set<String>) -> [String] {
        let text = visible(html)
        let files: Set<String> = ["pdf", "png", "jpg", "jpeg", "csv", "svg", "xlsx", "docx", "txt", "com", "cn", "org", "net", "gov", "yaml", "json"]
        var found: [String] = []
        for match in text.matches(of: /[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+/) {
            let token = String(match.output)
            let parts = token.split(separator: ".")
            if keys.contains(token) { found.append(token); continue }
            guard token.first?.isLowercase == true, let last = parts.last, !files.contains(last.lowercased()),
                  !parts.contains(where: { $0.allSatisfy(\.isNumber) }),
                  !parts.allSatisfy({ $0.count == 1 }) else { continue } // "e.g", "z o.o." (a Polish company)
            found.append(token)
        }
        for match in text.matches(of: /\b[a-z]+[A-Z][A-Za-z]*\b/) { found.append(String(match.output)) }
        for match in text.matches(of: /#[a-zA-Z]+\(/) { found.append(String(match.output)) }
        return found
    }
}
