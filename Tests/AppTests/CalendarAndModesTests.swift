@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Settings: the working calendar and each zone's mode")
struct CalendarAndModesTests {
    @Test("Holidays: the State Council's days are there; a year replaced by the admin moves the pre-check's earliest day; bad days change nothing")
    func holidays() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let admin = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let shipped = try await app.testing().sendRequest(.GET, "/api/v1/settings/holidays?year=2026", headers: admin.apiHeaders)
            #expect(shipped.status == .ok)
            let days2026 = try JSONDecoder().decode([[String: String]].self, from: Data(buffer: shipped.body))
            #expect(days2026.contains(["date": "2026-02-16", "kind": "holiday", "name": "春节"]))
            #expect(days2026.contains(["date": "2026-09-20", "kind": "workday", "name": "国庆节调休上班"]))
            #expect(days2026.count == 39)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/settings/holidays", headers: world.reviewer.apiHeaders).status == .forbidden)

            // 2020 as shipped, plus two days the district stops work (10 and 11 February).
            let year2020 = try await HolidayService.days(year: 2020, on: app.db)
            let days: [[String: String]] = year2020.map { ["date": $0.day, "kind": $0.kind.rawValue, "name": $0.name] }
                + [["date": "2020-02-10", "kind": "holiday", "name": "延迟复工"], ["date": "2020-02-11", "kind": "holiday", "name": "延迟复工"]]
            let replaced = try await app.testing().sendRequest(.PUT, "/api/v1/settings/holidays", headers: admin.apiHeaders.adding(.json),
                                                               body: .json(["year": 2020, "days": days]))
            #expect(replaced.status == .ok)
            #expect(try await HolidayService.days(year: 2020, on: app.db).count == year2020.count + 2)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "holidays.change").count() == 1)
            // Planned for Wednesday 12th, submitted on Saturday 8th: two working days' notice now ends on the 13th.
            let created = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications",
                                                              headers: world.company.apiHeaders.adding(.json), body: .json(ResumptionFixtures.form))
            let finding = try #require(created.application?.findings.first { $0.code == "plannedTooSoon" })
            #expect(finding.message.contains("2020-02-13"))

            let bad = try await app.testing().sendRequest(.PUT, "/api/v1/settings/holidays", headers: admin.apiHeaders.adding(.json), body: .json([
                "year": 2020, "days": [["date": "2020-02-12", "kind": "workday", "name": "调休"], ["date": "2021-01-01", "kind": "holiday", "name": "元旦"]],
            ]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields.keys.sorted() == ["days[0].date", "days[1].date"])
            #expect(try await HolidayService.days(year: 2020, on: app.db).count == year2020.count + 2)
        }
    }

    @Test("The holidays page: add a day; a mistake shows its field's message and keeps what was typed; remove a day")
    func holidaysPage() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let page = try await app.testing().sendRequest(.GET, "/admin/holidays?year=2026", headers: admin.pageHeaders)
            #expect(page.status == .ok)
            #expect(page.text.contains("2026-10-07") && page.text.contains("调休上班"))
            let wrong = try await app.testing().sendRequest(.POST, "/admin/holidays", headers: admin.pageHeaders.adding(.form), body: .form([
                "_csrf": admin.csrf, "year": "2027", "date": "2027-01-05", "kind": "workday", "name": "元旦调休",
            ]))
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("调休上班日须是周六或周日"))
            #expect(wrong.text.contains(#"value="2027-01-05""#) && wrong.text.contains(#"value="元旦调休""#))
            #expect(wrong.text.contains(#"<option value="workday" selected>"#))
            // Next year's day, typed on this year's page: it goes to its own year.
            let added = try await app.testing().sendRequest(.POST, "/admin/holidays", headers: admin.pageHeaders.adding(.form), body: .form([
                "_csrf": admin.csrf, "year": "2026", "date": "2027-01-01", "kind": "holiday", "name": "元旦",
            ]))
            #expect(added.status == .seeOther)
            #expect(added.headers.first(name: .location) == "/admin/holidays?year=2027")
            #expect(try await HolidayService.days(year: 2027, on: app.db).map(\.day) == ["2027-01-01"])
            let removed = try await app.testing().sendRequest(.POST, "/admin/holidays/remove", headers: admin.pageHeaders.adding(.form),
                                                              body: .form(["_csrf": admin.csrf, "date": "2027-01-01"]))
            #expect(removed.status == .seeOther)
            #expect(try await HolidayService.days(year: 2027, on: app.db).isEmpty)
        }
    }

    @Test("分区施策: 经开区 files from today while 新区 keeps approval; each application keeps its zone's mode; bad changes are refused whole")
    func zoneModes() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let admin = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let recorded = try await app.testing().sendRequest(.PUT, "/api/v1/settings/resumption-modes", headers: admin.apiHeaders.adding(.json),
                                                               body: .json([["zone": "jingkai", "mode": "filing", "effectiveFrom": "2020-02-08"]]))
            #expect(recorded.status == .ok)
            struct Zone: Decodable { let zone: String; let mode: String; let effectiveFrom: String?; let followsDistrict: Bool; let history: [[String: String]] }
            let zones = try JSONDecoder().decode([Zone].self, from: Data(buffer: recorded.body))
            #expect(zones.first { $0.zone == "jingkai" }.map { ($0.mode, $0.effectiveFrom, $0.history.count) } ?? ("", nil, 0) == ("filing", "2020-02-08", 1))
            #expect(zones.first { $0.zone == "xinqu" }.map { ($0.mode, $0.followsDistrict) } ?? ("", false) == ("approval", true))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "settings.zoneMode").count() == 1)

            // The company is in 经开区: filed at once.
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            let filed = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(id)/submit", headers: world.company.apiHeaders)
            #expect(filed.application?.mode == .filing)
            // An enterprise of 新区 follows the district: approval.
            let other = try await Fixtures.enterprise(app, name: "长春新区示范企业", code: 2)
            other.zone = "xinqu"
            try await other.save(on: app.db)
            let otherAdmin = try await Fixtures.caller(app, "xinqu-admin", role: .enterpriseAdmin, enterprise: other)
            let otherID = try await ResumptionFixtures.readyDraft(app, otherAdmin)
            let submitted = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(otherID)/submit", headers: otherAdmin.apiHeaders)
            #expect(submitted.application?.mode == .approval)

            let bad = try await app.testing().sendRequest(.PUT, "/api/v1/settings/resumption-modes", headers: admin.apiHeaders.adding(.json), body: .json([
                ["zone": "xinqu", "mode": "filing", "effectiveFrom": "2020-02-10"], ["zone": "moon", "mode": "auto", "effectiveFrom": "2020-02-07"],
            ]))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields.keys.sorted() == ["[1].effectiveFrom", "[1].mode", "[1].zone"])
            #expect(try await ZoneModeRecord.query(on: app.db).count() == 1)
            // The mode a zone has on that day already is no change.
            let same = try await app.testing().sendRequest(.PUT, "/api/v1/settings/resumption-modes", headers: admin.apiHeaders.adding(.json),
                                                           body: .json([["zone": "jingkai", "mode": "filing", "effectiveFrom": "2020-02-09"]]))
            #expect(same.apiError?.fields.keys.sorted() == ["[0].mode"])
            #expect(try await ZoneModeRecord.query(on: app.db).count() == 1)
            #expect(try await app.testing().sendRequest(.PUT, "/api/v1/settings/resumption-modes", headers: world.reviewer.apiHeaders.adding(.json),
                                                        body: .json([["zone": "xinqu", "mode": "filing", "effectiveFrom": "2020-02-10"]])).status == .forbidden)

            // The page: today's modes, and a mistake that keeps the choices.
            let page = try await app.testing().sendRequest(.GET, "/admin/resumption-modes", headers: admin.pageHeaders)
            #expect(page.text.contains("经开区") && page.text.contains("自 2020-02-08 起") && page.text.contains("沿用全区模式"))
            let wrong = try await app.testing().sendRequest(.POST, "/admin/resumption-modes", headers: admin.pageHeaders.adding(.form), body: .form([
                "_csrf": admin.csrf, "zone": "xinqu", "mode": "filing", "effectiveFrom": "2020-02-01",
            ]))
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("生效日期不能早于今天"))
            #expect(wrong.text.contains(#"<option value="xinqu" selected>"#) && wrong.text.contains(#"<option value="filing" selected>"#))
            #expect(wrong.text.contains(#"value="2020-02-01""#))
        }
    }
}
