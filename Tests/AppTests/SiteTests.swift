@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

enum SiteFixtures {
    struct World {
        let enterprise: Enterprise
        let admin: Caller
        let other: Enterprise
        let otherAdmin: Caller
        let officer: Caller
        let leader: Caller
    }

    static func world(_ app: Application) async throws -> World {
        let enterprise = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司", code: 1)
        let other = try await Fixtures.enterprise(app, name: "长春圣卫防护服装有限公司", code: 2)
        let officer = try await Fixtures.caller(app, "officer", role: .officer)
        let assignment = OfficerAssignment()
        assignment.$officer.id = officer.user.id!
        assignment.$enterprise.id = enterprise.id!
        assignment.method = "manual"
        assignment.startedAt = app.clock.now
        try await assignment.create(on: app.db)
        return World(enterprise: enterprise, admin: try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise),
                     other: other, otherAdmin: try await Fixtures.caller(app, "other", role: .enterpriseAdmin, enterprise: other),
                     officer: officer, leader: try await Fixtures.caller(app, "leader", role: .leader))
    }

    /// A resumption in force for `category`, with `onSite` allowed on site.
    static func resumed(_ app: Application, _ enterprise: Enterprise, category: ResumptionCategory, onSite: Int) async throws {
        let application = ResumptionApplication()
        application.$enterprise.id = enterprise.id!
        application.category = category
        application.products = "消毒液 5000瓶/日"
        application.plannedDate = "2020-02-10"
        application.headcountTotal = 10
        application.headcountOnSite = onSite
        application.headcountOutOfProvince = 0
        application.headcountKeyAreas = 0
        application.headcountIsolated = 0
        application.checklist = []
        application.maskDays = 10
        application.disinfectantDays = 10
        application.thermometerDays = 10
        application.state = .resumed
        application.mode = .approval
        application.stateChangedAt = app.clock.now
        try await application.create(on: app.db)
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ caller: Caller, _ body: Any? = nil) async throws -> TestingHTTPResponse {
        if let body {
            return try await app.testing().sendRequest(method, path, headers: caller.apiHeaders.adding(.json), body: .json(body))
        }
        return try await app.testing().sendRequest(method, path, headers: caller.apiHeaders)
    }
}

@Suite("Site: disinfection, who works where, output of key supplies")
struct SiteTests {
    typealias F = SiteFixtures

    @Test("Disinfection: areas and records by field, today's count, an overdue alert told once and cleared by the next record; others get 404")
    func disinfection() async throws {
        try await withApp { app in
            let world = try await F.world(app)
            let base = "/api/v1/enterprises/\(world.enterprise.id!)"
            let bad = try await F.send(app, .POST, "\(base)/disinfection-areas", world.admin, ["name": "", "kind": "kitchen", "timesPerDay": 30])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields.keys.sorted() == ["kind", "name", "timesPerDay"])
            let created = try await F.send(app, .POST, "\(base)/disinfection-areas", world.admin, ["name": "灌装车间", "kind": "workshop", "timesPerDay": 3])
            #expect(created.status == .created)
            struct Area: Decodable { let id: UUID }
            let area = try JSONDecoder().decode(Area.self, from: Data(buffer: created.body))
            #expect(try await F.send(app, .POST, "\(base)/disinfection-areas", world.admin, ["name": "灌装车间", "kind": "workshop", "timesPerDay": 2]).status == .unprocessableEntity)

            let wrong = try await F.send(app, .POST, "\(base)/disinfections", world.admin,
                                         ["area": area.id.uuidString, "agent": "84消毒液", "concentration": 50_000, "unit": "milligramsPerLitre"])
            #expect(wrong.apiError?.fields.keys.sorted() == ["concentration"])
            #expect(try await Disinfection.query(on: app.db).count() == 0)
            let recorded = try await F.send(app, .POST, "\(base)/disinfections", world.admin,
                                            ["area": area.id.uuidString, "agent": "84消毒液", "concentration": 500, "unit": "milligramsPerLitre"])
            #expect(recorded.status == .created)
            let status = try await F.send(app, .GET, "\(base)/disinfection-areas", world.officer)
            #expect(status.text.contains(#""doneToday":1"#) && status.text.contains(#""missingToday":2"#) && status.text.contains(#""overdue":false"#))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["site.area.add", "site.disinfect"]).count() == 2)

            // Another enterprise: neither its admin nor an officer who does not serve it.
            #expect(try await F.send(app, .GET, "\(base)/disinfection-areas", world.otherAdmin).status == .notFound)
            #expect(try await F.send(app, .GET, "/api/v1/enterprises/\(world.other.id!)/disinfection-areas", world.officer).status == .notFound)
            let foreign = try await F.send(app, .POST, "/api/v1/enterprises/\(world.other.id!)/disinfections", world.otherAdmin,
                                           ["area": area.id.uuidString, "agent": "酒精", "concentration": 75, "unit": "percent"])
            #expect(foreign.apiError?.fields["area"] != nil)

            // Nine hours later the workshop (three times a day) is overdue: its admins hear once.
            app.clock.advance(by: 9 * 3600)
            #expect(try await SiteService.alertOverdue(app.context()) == 1)
            #expect(try await SiteService.alertOverdue(app.context()) == 0)
            let notices = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.site.overdue").all()
            #expect(notices.map(\.enterpriseID) == [world.enterprise.id])
            let admin = try await Fixtures.caller(app, world.admin.user) // a fresh token: the clock moved on
            let again = try await F.send(app, .POST, "\(base)/disinfections", admin, ["area": area.id.uuidString, "agent": "84消毒液", "concentration": 500, "unit": "milligramsPerLitre"])
            #expect(again.status == .created, "\(again.text)")
            #expect(try await SiteArea.find(area.id, on: app.db)?.alertedAt == nil)
        }
    }

    @Test("Who works where: the day's counts against the approved on-site headcount; above it, the officer is told once")
    func arrangements() async throws {
        try await withApp { app in
            let world = try await F.world(app)
            try await F.resumed(app, world.enterprise, category: .epidemicPrevention, onSite: 2)
            let imported = try await WorkforceFixtures.importCSV(app, world.admin, world.enterprise, Data(WorkforceFixtures.csv(WorkforceFixtures.people).utf8))
            #expect(imported.status == .ok)
            let people = try await Employee.query(on: app.db).sort(\.$employeeNumber).all().map { $0.id!.uuidString }
            let base = "/api/v1/enterprises/\(world.enterprise.id!)/work-arrangements"
            let day = CivilDate(app.clock.now).iso
            let set = try await F.send(app, .PUT, base, world.admin, ["date": day, "items": [
                ["employeeId": people[0], "arrangement": "onSite"], ["employeeId": people[1], "arrangement": "remote"],
                ["employeeId": people[2], "arrangement": "leave"],
            ]])
            #expect(set.status == .ok)
            #expect(set.text.contains(#""onSite":1"#) && set.text.contains(#""remote":1"#) && set.text.contains(#""unset":1"#))
            #expect(set.text.contains(#""aboveApproved":false"#))
            let bad = try await F.send(app, .PUT, base, world.admin, ["date": day, "items": [["employeeId": UUID().uuidString, "arrangement": "beach"]]])
            #expect(bad.apiError?.fields.keys.sorted() == ["items[0].employeeId"])
            // Three on site, two allowed: the officer hears, once.
            for _ in 0..<2 {
                let above = try await F.send(app, .PUT, base, world.admin, ["date": day, "items": [
                    ["employeeId": people[1], "arrangement": "onSite"], ["employeeId": people[2], "arrangement": "onSite"],
                ]])
                #expect(above.text.contains(#""aboveApproved":true"#))
            }
            // The daily summary and the dashboard count them.
            let summary = try await F.send(app, .GET, "/api/v1/enterprises/\(world.enterprise.id!)/daily-summary", world.officer)
            #expect(summary.text.contains(#""onSite":3"#) && summary.text.contains(#""aboveApproved":true"#))
            let dashboard = try await app.testing().sendRequest(.GET, "/dashboard", headers: world.leader.pageHeaders)
            #expect(dashboard.text.contains("今日到岗 3 人，居家办公 0 人"))
            let figures = try await F.send(app, .GET, "/api/v1/dashboard", world.leader)
            #expect(figures.text.contains(#""site":{"onSite":3,"remote":0}"#) || figures.text.contains(#""site":{"remote":0,"onSite":3}"#))
            let told = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.site.aboveApproved").all()
            #expect(told.map(\.userID) == [world.officer.user.id])
            let page = try await app.testing().sendRequest(.GET, "/site/district", headers: world.officer.pageHeaders)
            #expect(page.text.contains("吉林君安生物科技有限公司") && page.text.contains("超员"))
            #expect(try await F.send(app, .PUT, "/api/v1/enterprises/\(world.enterprise.id!)/work-arrangements", world.otherAdmin,
                                     ["date": day, "items": [["employeeId": people[0], "arrangement": "remote"]]]).status == .notFound)
        }
    }

    @Test("Output of key supplies: only enterprises resumed for prevention or necessities; a day replaced whole; district totals by product and day")
    func output() async throws {
        try await withApp { app in
            let world = try await F.world(app)
            let base = "/api/v1/enterprises/\(world.enterprise.id!)/output"
            let day = CivilDate(app.clock.now).iso
            let early = try await F.send(app, .POST, base, world.admin, ["date": day, "items": [["product": "disinfectant", "quantity": 5_200]]])
            #expect(early.status == .conflict)
            try await F.resumed(app, world.enterprise, category: .epidemicPrevention, onSite: 80)
            let bad = try await F.send(app, .POST, base, world.admin, ["date": day, "items": [["product": "gold", "quantity": 1.5]]])
            #expect(bad.apiError?.fields.keys.sorted() == ["items[0].product", "items[0].quantity"])
            for quantity in [5_000, 5_236] {
                let reported = try await F.send(app, .POST, base, world.admin, ["date": day, "items": [
                    ["product": "disinfectant", "quantity": quantity, "ordersDue": 18_000], ["product": "masks", "quantity": 20_000],
                ]])
                #expect(reported.status == .created)
            }
            #expect(try await OutputReport.query(on: app.db).count() == 2)
            let totals = try await F.send(app, .GET, "/api/v1/output-totals?from=\(day)&to=\(day)", world.leader)
            struct Totals: Decodable { struct Product: Decodable { let code: String; let quantities: [Int]; let enterprises: Int }; let products: [Product] }
            let decoded = try JSONDecoder().decode(Totals.self, from: Data(buffer: totals.body))
            #expect(decoded.products.first { $0.code == "disinfectant" }?.quantities == [5_236])
            #expect(decoded.products.first { $0.code == "masks" }?.enterprises == 1)
            #expect(try await F.send(app, .GET, "/api/v1/output-totals", world.admin).status == .forbidden)
            let page = try await app.testing().sendRequest(.GET, "/site/district", headers: world.leader.pageHeaders)
            #expect(page.text.contains("消毒液（瓶）") && page.text.contains("5,236") && page.text.contains("<svg"))
        }
    }

    @Test("The enterprise's page: each form with a mistake shows its field's message and keeps what was typed")
    func pages() async throws {
        try await withApp { app in
            let world = try await F.world(app)
            try await F.resumed(app, world.enterprise, category: .epidemicPrevention, onSite: 80)
            let empty = try await app.testing().sendRequest(.GET, "/site", headers: world.admin.pageHeaders)
            #expect(empty.status == .ok && empty.text.contains("尚未设置消毒区域"))
            let area = try await app.testing().sendRequest(.POST, "/site/areas", headers: world.admin.pageHeaders.adding(.form), body: .form([
                "_csrf": world.admin.csrf, "name": "职工食堂", "kind": "canteen", "timesPerDay": "20",
            ]))
            #expect(area.status == .unprocessableEntity)
            #expect(area.text.contains(#"value="职工食堂""#) && area.text.contains(#"<option value="canteen" selected>"#) && area.text.contains(#"value="20""#))
            let added = try await app.testing().sendRequest(.POST, "/site/areas", headers: world.admin.pageHeaders.adding(.form), body: .form([
                "_csrf": world.admin.csrf, "name": "职工食堂", "kind": "canteen", "timesPerDay": "2",
            ]))
            #expect(added.status == .seeOther)
            let areaID = try #require(try await SiteArea.query(on: app.db).first()?.id)
            let record = try await app.testing().sendRequest(.POST, "/site/disinfections", headers: world.admin.pageHeaders.adding(.form), body: .form([
                "_csrf": world.admin.csrf, "area": areaID.uuidString, "agent": "84消毒液", "concentration": "abc", "unit": "milligramsPerLitre",
            ]))
            #expect(record.status == .unprocessableEntity)
            #expect(record.text.contains(#"value="84消毒液""#) && record.text.contains(#"value="abc""#))
            #expect(record.text.contains(#"<option value="\#(areaID.uuidString)" selected>"#))
            let output = try await app.testing().sendRequest(.POST, "/site/output", headers: world.admin.pageHeaders.adding(.form), body: .form([
                "_csrf": world.admin.csrf, "date": CivilDate(app.clock.now).iso, "quantity_disinfectant": "5236", "quantity_masks": "1.5",
            ]))
            #expect(output.status == .unprocessableEntity)
            #expect(output.text.contains(#"value="5236""#) && output.text.contains(#"value="1.5""#))
            #expect(output.text.contains(#"id="q-masks-error""#))
            #expect(try await OutputReport.query(on: app.db).count() == 0)
        }
    }
}
