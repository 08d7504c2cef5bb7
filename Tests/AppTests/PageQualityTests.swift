@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// What a person notices on the pages: forms that keep what was typed and point at the mistake,
/// charts that say what they measure, home pages that show the work, words instead of codes.
@Suite("Pages: forms, charts, home pages, words")
struct PageQualityTests {
    func post(_ app: Application, _ path: String, _ caller: Caller, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        var fields = fields
        fields["_csrf"] = caller.csrf
        return try await app.testing().sendRequest(.POST, path, headers: caller.pageHeaders.adding(.form), body: .form(fields))
    }

    /// An application submitted and returned by the reviewer with "请补充防控方案".
    func returnedApplication(_ app: Application) async throws -> (ResumptionFixtures.World, UUID) {
        let world = try await ResumptionFixtures.world(app)
        let id = try await ResumptionFixtures.readyDraft(app, world.company)
        let api = "/api/v1/resumption-applications/\(id)"
        _ = try await app.testing().sendRequest(.POST, "\(api)/submit", headers: world.company.apiHeaders.adding(.json), body: .json([:]))
        _ = try await app.testing().sendRequest(.POST, "\(api)/review", headers: world.reviewer.apiHeaders.adding(.json),
                                                body: .json(["decision": "return", "comment": "请补充防控方案"]))
        return (world, id)
    }

    @Test("A form with a mistake: the summary at the top links the field, which is marked; the rest is as typed")
    func settingsKeepEdits() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let before = try await DistrictSettings.load(app.db)
            let page = try await post(app, "/admin/settings", admin, [
                "officerCap": "12", "quarantineDays": "abc", "feverThreshold": "37.5", "minimumNoticeWorkingDays": "3",
            ])
            #expect(page.status == .unprocessableEntity)
            let html = page.text
            // The summary comes before the form and links the field that was wrong.
            let summary = try #require(html.range(of: "data-error-summary"))
            #expect(summary.lowerBound < html.range(of: "action=\"/admin/settings\"")!.lowerBound)
            #expect(html.contains("href=\"#quarantineDays\""))
            #expect(html.contains("name=\"quarantineDays\" value=\"abc\" aria-invalid=\"true\""))
            // The other edits are shown as typed, not the values in force; nothing was saved.
            #expect(html.contains("name=\"officerCap\" inputmode=\"numeric\" value=\"12\""))
            #expect(!html.contains("name=\"officerCap\" inputmode=\"numeric\" value=\"\(before.officerCap)\"") || before.officerCap == 12)
            #expect(try await DistrictSettings.load(app.db).officerCap == before.officerCap)
        }
    }

    @Test("Sign-in with a field left empty: the form again, its summary, the username kept")
    func loginMistake() async throws {
        try await withApp { app in
            let form = try await app.testing().sendRequest(.GET, "/login")
            let cookie = try #require(form.cookie("fugong_session"))
            let csrf = String(try #require(form.text.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1))
            let answer = try await app.testing().sendRequest(.POST, "/login", headers: HTTPHeaders.form.adding(["Cookie": "fugong_session=\(cookie)"]),
                                                             body: .form(["_csrf": csrf, "username": "zhangsan", "password": ""]))
            #expect(answer.status == .unprocessableEntity)
            #expect(answer.text.contains("data-error-summary"))
            #expect(answer.text.contains("href=\"#password\""))
            #expect(answer.text.contains("value=\"zhangsan\""))
            #expect(answer.text.contains("必填"))
        }
    }

    @Test("The gate's visitor form keeps its yes/no answers after a mistake: a 'no mask' is not turned into 'mask'")
    func visitorAnswersKept() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            let fresh = try await app.testing().sendRequest(.GET, "/gate/visitors", headers: guardCaller.pageHeaders)
            #expect(fresh.text.contains("id=\"vmask-yes\" name=\"mask\" value=\"yes\" checked"))
            let page = try await post(app, "/gate/visitors", guardCaller, [
                "name": "访客甲", "mobile": "13800138000", "organisation": "供应商", "purpose": "送货",
                "keyAreaContact": "yes", "temperature": "abc", "mask": "no",
            ])
            #expect(page.status == .unprocessableEntity)
            #expect(page.text.contains("value=\"no\" checked"))
            #expect(page.text.contains("id=\"vmask-no\" name=\"mask\" value=\"no\" checked"))
            #expect(!page.text.contains("id=\"vmask-yes\" name=\"mask\" value=\"yes\" checked"))
            #expect(page.text.contains("id=\"kac-yes\" name=\"keyAreaContact\" value=\"yes\" checked"))
            #expect(page.text.contains("href=\"#temperature\""))
            #expect(try await Visitor.query(on: app.db).count() == 0)
        }
    }

    @Test("Adding an employee with a mistake: the summary and the form come before the roster's table, the typed values kept")
    func rosterMistakeOnTop() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let page = try await post(app, "/workforce/employees", company, [
                "name": "王强", "idNumber": "220102199001011234", "mobile": "13900000000", "employeeNumber": "A-77",
            ])
            #expect(page.status == .unprocessableEntity)
            let html = page.text
            let summary = try #require(html.range(of: "data-error-summary")?.lowerBound)
            let form = try #require(html.range(of: "action=\"/workforce/employees\"")?.lowerBound)
            let table = try #require(html.range(of: "id=\"list-heading\"")?.lowerBound)
            #expect(summary < form && form < table)
            #expect(html.contains("href=\"#idNumber\""))
            #expect(html.contains("value=\"A-77\"") && html.contains("value=\"王强\""))
            #expect(try await Employee.query(on: app.db).count() == 0)
        }
    }

    @Test("Reporting for an employee with a mistake keeps the symptoms, the answer and the city")
    func reportForKept() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let added = try await post(app, "/workforce/employees", company, [
                "name": "王强", "idNumber": DemoWorkforce.residentID(serial: 7, year: 1990, month: 1, day: 1), "mobile": "13900000000",
                "employeeNumber": "A-77",
            ])
            #expect(added.status == .seeOther)
            let employee = try #require(try await Employee.query(on: app.db).first())
            let page = try await post(app, "/workforce/employees/\(employee.id!)/report", company, [
                "temperature": "abc", "symptoms[]": "cough", "contactWithCases": "yes", "city": "长春",
            ])
            #expect(page.status == .unprocessableEntity)
            #expect(page.text.contains("name=\"temperature\" inputmode=\"decimal\" value=\"abc\""))
            #expect(page.text.contains("id=\"rs-cough\" name=\"symptoms[]\" value=\"cough\" checked"))
            #expect(page.text.contains("id=\"rc-yes\" name=\"contactWithCases\" value=\"yes\" checked"))
            #expect(page.text.contains("name=\"city\" value=\"长春\""))
        }
    }

    @Test("An empty choice says 'required', not 'not a valid choice'")
    func emptyChoiceIsRequired() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let page = try await post(app, "/helpdesk", world.company, ["category": "", "urgency": "general", "title": "缺口罩", "description": "急需"])
            #expect(page.status == .unprocessableEntity)
            #expect(page.text.contains("必填"))
            #expect(!page.text.contains("不是可选的值"))
            #expect(FormText.choiceError("") == "error.required" && FormText.choiceError(nil) == "error.required")
            #expect(FormText.choiceError("teleport") == "error.choice")
        }
    }

    @Test("A returned application shows the reviewer's reason at the top and does not call itself ready while unchanged")
    func returnedReasonOnTop() async throws {
        try await withApp { app in
            let (world, id) = try await returnedApplication(app)
            let page = try await app.testing().sendRequest(.GET, "/resumption/\(id)", headers: world.company.pageHeaders)
            let html = page.text
            let reason = try #require(html.range(of: "请补充防控方案"))
            #expect(reason.lowerBound < html.range(of: "timeline-heading")!.lowerBound)
            #expect(reason.lowerBound < html.range(of: "class=\"facts\"")!.lowerBound)
            #expect(html.contains("申请退回后尚未修改"))
            // The way back to the list it belongs to.
            #expect(html.contains("<nav class=\"breadcrumbs\" aria-label=\"当前位置\"><a href=\"/\">首页</a> › <a href=\"/resumption\">"))
            #expect(!html.contains("预检没有须修正的问题，可以提交"))
        }
    }

    @Test("With an application returned, the list leads to it and 'new' opens it rather than a blank form")
    func returnedLeadsOn() async throws {
        try await withApp { app in
            let (world, id) = try await returnedApplication(app)
            let list = try await app.testing().sendRequest(.GET, "/resumption", headers: world.company.pageHeaders)
            #expect(list.text.contains("<a class=\"button primary\" href=\"/resumption/\(id)\">修改被退回的申请</a>"))
            #expect(!list.text.contains("href=\"/resumption/new\""))
            let new = try await app.testing().sendRequest(.GET, "/resumption/new", headers: world.company.pageHeaders)
            #expect(new.status == .seeOther)
            #expect(new.headers.first(name: .location) == "/resumption/\(id)")
        }
    }

    @Test("A reviewer's decision and comment come back as chosen after a mistake")
    func decisionKept() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            _ = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(id)/submit",
                                                    headers: world.company.apiHeaders.adding(.json), body: .json([:]))
            let page = try await post(app, "/resumption/\(id)/review", world.reviewer, ["decision": "return", "comment": ""])
            #expect(page.status == .unprocessableEntity)
            #expect(page.text.contains("id=\"d-return\" name=\"decision\" value=\"return\" checked"))
            #expect(page.text.contains("data-error-summary"))
            #expect(try await ResumptionApplication.find(id, on: app.db)?.state == .submitted)
        }
    }

    @Test("A form answered on a POST-only address names the page's own address for the address bar")
    func pageAddress() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let raised = try await app.testing().sendRequest(.POST, "/api/v1/tickets", headers: world.company.apiHeaders.adding(.json),
                                                             body: .json(["category": "supplies", "urgency": "general", "title": "缺口罩", "description": "急需"]))
            let ticketID = try #require(raised.text.firstMatch(of: /"id":"([0-9A-F-]{36})"/)?.output.1)
            let page = try await post(app, "/helpdesk/\(ticketID)/replies", world.company, ["body": ""])
            #expect(page.status == .unprocessableEntity)
            #expect(page.text.contains("<meta name=\"page-address\" content=\"/helpdesk/\(ticketID)\">"))
            #expect(Pages.pageAddress(app, path: "/workforce/guards") == "/workforce")
            // The new-ticket form, answered with a mistake, stays the form's page with its breadcrumb;
            // a parameter route (`/enterprises/:id`) is not a `new` form.
            #expect(Pages.pageAddress(app, path: "/helpdesk") == "/helpdesk/new")
            #expect(Pages.pageAddress(app, path: "/enterprises") != "/enterprises/new")
            let newTicket = try await post(app, "/helpdesk", world.company, ["category": "supplies", "urgency": "general", "title": "", "description": "急需"])
            #expect(newTicket.status == .unprocessableEntity && newTicket.text.contains("<meta name=\"page-address\" content=\"/helpdesk/new\">")
                    && newTicket.text.contains("<nav class=\"breadcrumbs\""))
            // Routes are matched as the router does: a fixed segment before a parameter.
            #expect(Pages.pageAddress(app, path: "/workforce/employees/import") == "/workforce/employees")
            #expect(!Pages.mayOpen(app, "/jobs/centre", as: .gateGuard))
            #expect(Pages.mayOpen(app, "/jobs/\(UUID())", as: .gateGuard))
        }
    }

    @Test("Home pages show the work: the agent's tickets by deadline, the officer's enterprises; the admin's menu is grouped")
    func homeQueues() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            _ = try await app.testing().sendRequest(.POST, "/api/v1/tickets", headers: world.company.apiHeaders.adding(.json),
                                                    body: .json(["category": "supplies", "urgency": "emergency", "title": "口罩告急", "description": "仅够两天"]))
            let home = try await app.testing().sendRequest(.GET, "/", headers: world.agent.pageHeaders)
            #expect(home.text.contains("待办工单"))
            #expect(home.text.contains("口罩告急"))
            #expect(home.text.contains("class=\"urgent\""))
            #expect(home.text.contains("<span class=\"badge urgent\">1 项紧急</span>"))
            #expect(home.text.contains("首次答复"))
            // The list: a card per ticket on a phone (table.stack, each cell named); the enterprise
            // is not shown its own name as a column.
            let agentList = try await app.testing().sendRequest(.GET, "/helpdesk", headers: world.agent.pageHeaders).text
            #expect(agentList.contains("<table class=\"stack\">") && agentList.contains("data-label=\"企业名称\""))
            let ownList = try await app.testing().sendRequest(.GET, "/helpdesk", headers: world.company.pageHeaders).text
            #expect(ownList.contains("口罩告急") && !ownList.contains("data-label=\"企业名称\""))
            let admin = try await app.testing().sendRequest(.GET, "/", headers: world.admin.pageHeaders)
            let nav = try #require(admin.text.firstMatch(of: /<nav class="main-nav".*?<\/nav>/.dotMatchesNewlines())?.output)
            #expect(nav.contains("<details><summary>系统管理</summary>"))
            #expect(nav.contains("href=\"/admin/users\""))
            // The menu's top level stays short enough for one line at 1280 px.
            let topLevel = String(nav).replacing(/<details>.*?<\/details>/.dotMatchesNewlines(), with: "")
            #expect(topLevel.matches(of: /<li/).count <= 14)
            // On a phone it folds behind one button that names where the reader is (layout.js).
            #expect(nav.contains("aria-controls=\"main-nav-list\"") && nav.contains("<ul id=\"main-nav-list\">"))
            #expect(nav.contains("菜单 · 首页</button>"))
        }
    }

    @Test("The district's workforce chart is two charts, a share and a count, each on its own scale; a day without a reply has no bar")
    func charts() async throws {
        try await withApp { app in
            let leader = try await Fixtures.caller(app, "leader", role: .leader)
            _ = try await Fixtures.enterprise(app)
            let district = try await app.testing().sendRequest(.GET, "/workforce/district", headers: leader.pageHeaders)
            #expect(district.status == .ok)
            #expect(district.text.contains("各企业今日打卡率"))
            #expect(district.text.contains("各企业今日发热人数"))
            #expect(district.text.matches(of: /<figure class="chart">/).count == 2)
            #expect(district.text.contains("100%</text>"))
            let chart = BarChart(title: "t", legend: "l", noData: "无答复", values: [("02-01", nil, nil), ("02-02", 30, nil)])
            #expect(chart.bars[0].width == 0 && chart.bars[0].text == "无答复")
            #expect(chart.bars[1].width > 0 && chart.bars[1].text == "30")
            #expect(chart.ticks.map(\.label) == ["0", "25", "50"])
            #expect(BarChart.niceTop(21) == 25 && BarChart.niceTop(7) == 10 && BarChart.niceTop(130) == 200)
            // Days of supplies left read as the table reads them: 2.6 days is not "3", at a 3-day warning.
            let days = BarChart(title: "t", legend: "l", tenths: true, values: [("口罩", 26, nil)])
            #expect(days.bars[0].text == "2.6" && days.ticks.map(\.label) == ["0", "2.5", "5.0"])
            // A line breaks where a day has no value, and a day standing alone still shows as a dot.
            let line = LineChart(title: "t", days: ["02-01", "02-02", "02-03", "02-04"], series: [("a", [1, nil, 3, 4])]) { String($0) }
            #expect(line.lines[0].segments.count == 1 && line.lines[0].dots.count == 3)
            #expect(line.lines[0].bridge.split(separator: " ").count == 3)
        }
    }

    @Test("Every page's demo banner is inside a landmark")
    func bannerInLandmark() async throws {
        try await withApp { app in
            app.holdsDemoData = true
            let page = try await app.testing().sendRequest(.GET, "/login")
            #expect(page.text.contains("<aside class=\"demo-banner\" aria-label=\"演示数据\">"))
        }
    }
}
