@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Dashboard (复工复产一张图)")
struct DashboardTests {
    struct Overview: Decodable {
        struct Tile: Decodable { let value: Double?; let previous: Double? }
        struct Group: Decodable { let key: String; let name: String; let tiles: [String: Double?] }
        let asOf: Date
        let date: String
        let tiles: [String: Tile]
        let byZone: [Group]
        let byIndustry: [Group]
        let byCategory: [Group]
        let bySize: [Group]
    }

    /// A known district on 2020-02-08: A (经开区, 规上) resumed after review, green light and visit,
    /// contacted twice, with a ticket and a train that left this month; B (新区, 规下) verified,
    /// never contacted; C pending.
    static func district(_ app: Application) async throws -> (ResumptionFixtures.World, Enterprise, Caller) {
        let world = try await ResumptionFixtures.world(app)
        let b = try await FreightFixtures.exporter(app, 3, zone: "xinqu")
        b.aboveDesignatedSize = false
        try await b.save(on: app.db)
        try await FreightFixtures.exporter(app, 4, status: .pending)
        let id = try await ResumptionFixtures.readyDraft(app, world.company)
        let path = "/api/v1/resumption-applications/\(id)"
        func post(_ path: String, _ caller: Caller, _ body: [String: Any] = [:]) async throws {
            let response = try await app.testing().sendRequest(.POST, path, headers: caller.apiHeaders.adding(.json), body: .json(body))
            #expect(response.status.code < 300, "\(path) \(response.text)")
        }
        try await post("\(path)/submit", world.company)
        try await post("\(path)/review", world.reviewer, ["decision": "pass"])
        try await post("\(path)/confirm", world.leader, ["decision": "approve"])
        let visit = try #require(try await SiteVisit.query(on: app.db).first())
        // The visit took place today (a report is filed on the visit's day or after).
        visit.scheduledFor = CivilDate(app.clock.now).iso
        try await visit.save(on: app.db)
        try await post("/api/v1/site-visits/\(visit.id!)/report", world.officer,
                       ["results": Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, true) }), "headcountFound": 38])
        for summary in ["电话了解复工准备", "上门核实防疫物资"] {
            try await post("/api/v1/dispatch-contacts", world.officer, ["enterpriseId": world.enterprise.id!.uuidString, "channel": "phone",
                                                                          "summary": summary, "outcome": "intendsToResume"])
        }
        _ = try await Fixtures.department(app)
        let ticket = try await HelpdeskFixtures.raise(app, world.company)
        #expect(ticket.status == .created)
        // A train that left this month with the enterprise's FEU.
        let port = try await Fixtures.caller(app, "port", role: .portOperator)
        let departure = try await FreightFixtures.departure(app, port, capacityFeu: 5)
        let booked = try #require(try await FreightFixtures.book(app, world.company, FreightFixtures.booking(departure.id)).decoded(BookingDTO.self))
        let train = try #require(try await TrainDeparture.find(departure.id, on: app.db))
        train.departsAt = app.clock.now.addingTimeInterval(-3600)
        train.storedState = .departed
        try await train.save(on: app.db)
        let booking = try #require(try await ContainerBooking.find(booked.id, on: app.db))
        booking.state = .departed
        try await booking.save(on: app.db)
        return (world, b, try await Fixtures.caller(app, "admin", role: .districtAdmin))
    }

    @Test("Tiles, breakdowns, drill-downs and the briefing give the known district's exact numbers; verify finds nothing")
    func knownDistrict() async throws {
        try await withApp { app in
            let (world, b, admin) = try await Self.district(app)
            try await DashboardService.refresh(app, now: app.clock.now)
            let response = try await app.testing().sendRequest(.GET, "/api/v1/dashboard", headers: world.leader.apiHeaders)
            #expect(response.status == .ok)
            let overview = try JSONDecoder.iso.decode(Overview.self, from: Data(buffer: response.body))
            #expect(overview.date == "2020-02-08" && overview.asOf == app.clock.now)
            let expected: [String: Double] = [
                "enterprisesVerified": 2, "applicationsSubmitted": 1, "applicationsApproved": 1, "enterprisesResumed": 1,
                "enterprisesSuspended": 0, "applicationsRefused": 0, "resumedAboveDesignatedSize": 1, "resumptionRate": 50,
                "resumptionRateAboveDesignatedSize": 100, "workersOnSite": 0, "workersPlannedOnSite": 40, "workersInQuarantine": 0,
                "feverAlertsToday": 0, "contactsToday": 2, "contactsTotal": 2, "enterprisesContacted": 1, "enterprisesNeverContacted": 1,
                "siteVisitsToday": 1, "rectificationsOpen": 0, "ticketsOpen": 1, "ticketsOverdue": 0, "responseRate": 0, "resolutionRate": 0,
                "postingsOpen": 0, "openings": 0, "hiresTotal": 0, "freightTrainsMonth": 1, "freightFeuMonth": 1,
                "freightValueFenMonth": 150_000_000,
            ]
            for (name, value) in expected { #expect(overview.tiles[name]?.value == value, "\(name)") }
            #expect(overview.tiles["satisfactionRate"]?.value == nil)
            // The day before: nothing had been submitted or contacted yet.
            #expect(overview.tiles["applicationsSubmitted"]?.previous == 0 && overview.tiles["contactsTotal"]?.previous == 0)
            #expect(overview.tiles["enterprisesVerified"]?.previous == 2)
            #expect(Set(overview.tiles.keys) == Set(DashboardTile.all.map(\.name)))

            let zones = Dictionary(uniqueKeysWithValues: overview.byZone.map { ($0.key, $0) })
            #expect(zones["jingkai"]?.tiles["enterprisesResumed"] == 1 && zones["xinqu"]?.tiles["enterprisesResumed"] == 0)
            #expect(zones["xinqu"]?.tiles["enterprisesNeverContacted"] == 1 && zones["jingkai"]?.name == "经开区")
            let sizes = Dictionary(uniqueKeysWithValues: overview.bySize.map { ($0.key, $0) })
            #expect(sizes["above"]?.tiles["resumptionRate"] == 100 && sizes["below"]?.tiles["resumptionRate"] == 0)
            let categories = Dictionary(uniqueKeysWithValues: overview.byCategory.map { ($0.key, $0) })
            #expect(categories["epidemicPrevention"]?.tiles["enterprisesResumed"] == 1 && categories["none"]?.tiles["enterprisesVerified"] == 1)
            #expect(overview.byIndustry.map(\.key).sorted() == ["汽车零部件", "消毒用品"])

            // Each number opens the enterprises behind it.
            func drill(_ query: String) async throws -> [String] {
                let drilled = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/drill?\(query)", headers: world.leader.apiHeaders)
                #expect(drilled.status == .ok, "\(query)")
                struct Drill: Decodable { struct Row: Decodable { let name: String }; let items: [Row]; let total: Int }
                return try JSONDecoder.iso.decode(Drill.self, from: Data(buffer: drilled.body)).items.map(\.name)
            }
            #expect(try await drill("metric=enterprisesResumed") == [world.enterprise.name])
            #expect(try await drill("metric=enterprisesNeverContacted") == [b.name])
            #expect(try await drill("metric=enterprisesResumed&zone=xinqu") == [])
            #expect(try await drill("metric=resumptionRate&size=above") == [world.enterprise.name])
            #expect(try await drill("metric=enterprisesVerified&sort=name").count == 2)

            // Wrong questions are named.
            let futureDay = try await app.testing().sendRequest(.GET, "/api/v1/dashboard?date=2020-03-01", headers: world.leader.apiHeaders)
            #expect(futureDay.apiError?.fields["date"] == "日期不能晚于今天。")
            for (query, field) in [("metric=bogus", "metric"), ("zone=mars", "zone"), ("date=2020-02-30", "date"), ("date=2020-03-01", "date"),
                                   ("category=space", "category"), ("size=huge", "size")] {
                let wrong = try await app.testing().sendRequest(.GET, "/api/v1/dashboard?\(query)", headers: world.leader.apiHeaders)
                #expect(wrong.status == .unprocessableEntity && wrong.apiError?.fields[field] != nil, "\(query)")
            }

            // The series: resumed enterprises by day.
            let series = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/series?metric=enterprisesResumed&from=2020-02-06&to=2020-02-08",
                                                             headers: world.leader.apiHeaders)
            struct Series: Decodable { struct Day: Decodable { let date: String; let value: Double?; let zones: [String: Double?] }; let days: [Day] }
            let days = try JSONDecoder.iso.decode(Series.self, from: Data(buffer: series.body)).days
            #expect(days.map(\.date) == ["2020-02-06", "2020-02-07", "2020-02-08"] && days.map(\.value) == [0, 0, 1])
            #expect(days.last?.zones["jingkai"] == 1)

            // The briefing, in the seed's words; CSV for Excel.
            let briefing = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/briefing", headers: world.leader.apiHeaders)
            let text = try JSONDecoder.iso.decode(DashboardService.Briefing.self, from: Data(buffer: briefing.body)).text
            #expect(text.contains("截至2月8日") && text.contains("已有1家企业复工复产，其中规上工业企业1家") && text.contains("累计调度企业2户次")
                    && text.contains("1名助企干部") && text.contains("中欧班列（长满欧）已发运1列、1个大柜，货值约150万元"))
            let english = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/briefing", headers: world.leader.apiHeaders.adding(["Accept-Language": "en"]))
            #expect(english.text.contains("As of 2020-02-08"))
            let plain = try await app.testing().sendRequest(.GET, "/dashboard/briefing?format=text", headers: admin.pageHeaders)
            #expect(plain.status == .ok && plain.headers.contentType?.subType == "plain" && plain.text.hasPrefix("截至2月8日"))
            let csv = try await app.testing().sendRequest(.GET, "/api/v1/dashboard?format=csv&by=size", headers: world.leader.apiHeaders)
            #expect(Array(csv.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF] && csv.text.contains("规上,2") == false && csv.text.contains("规上,1"))

            // Who sees what: an officer their zone; enterprise people nothing.
            let officerView = try JSONDecoder.iso.decode(Overview.self, from: Data(buffer: try await app.testing()
                .sendRequest(.GET, "/api/v1/dashboard", headers: world.officer.apiHeaders).body))
            #expect(officerView.tiles["enterprisesVerified"]?.value == 1 && officerView.byZone.map(\.key) == ["jingkai"])
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/dashboard/briefing", headers: world.officer.apiHeaders).status == .forbidden)
            let otherZone = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/series?zone=xinqu&from=2020-02-08&to=2020-02-08",
                                                                headers: world.officer.apiHeaders)
            #expect(try JSONDecoder.iso.decode(Series.self, from: Data(buffer: otherZone.body)).days.first?.zones.keys.sorted() == ["jingkai"])
            let future = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/series?from=2020-02-08&to=2020-02-09", headers: world.leader.apiHeaders)
            #expect(future.status == .unprocessableEntity && future.apiError?.fields["to"] != nil)
            let long = try await app.testing().sendRequest(.GET, "/api/v1/dashboard/series?from=2019-11-01&to=2020-02-08", headers: world.leader.apiHeaders)
            #expect(long.status == .unprocessableEntity && long.apiError?.fields["from"] != nil)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/dashboard", headers: world.company.apiHeaders).status == .forbidden)
            #expect(try await app.testing().sendRequest(.GET, "/dashboard", headers: world.company.pageHeaders).status == .forbidden)

            // Pages: the tiles link to their enterprises; the drill-down lists them; the briefing prints.
            let page = try await app.testing().sendRequest(.GET, "/dashboard", headers: admin.pageHeaders)
            #expect(page.status == .ok && page.text.contains("已复工企业") && page.text.contains("/dashboard/drill?date=2020-02-08&amp;metric=enterprisesResumed")
                    && page.text.contains("<polyline"), "\(page.status) \(page.text.prefix(300))")
            let drillPage = try await app.testing().sendRequest(.GET, "/dashboard/drill?metric=enterprisesNeverContacted", headers: admin.pageHeaders)
            #expect(drillPage.status == .ok && drillPage.text.contains(b.name) && drillPage.text.contains("/enterprises/\(b.id!)"))
            let briefingPage = try await app.testing().sendRequest(.GET, "/dashboard/briefing", headers: admin.pageHeaders)
            #expect(briefingPage.status == .ok && briefingPage.text.contains("复工复产日报（2020-02-08）"))

            // Verify: every kept day matches its recount…
            #expect(try await DashboardVerify.differences(app.db, now: app.clock.now) == [])
            // …until something is entered afterwards with an earlier time.
            let late = DispatchContact()
            late.$officer.id = try world.officer.user.requireID()
            late.$enterprise.id = try b.requireID()
            late.channel = .phone
            late.contactedAt = app.clock.now.addingTimeInterval(-600)
            late.day = "2020-02-08"
            late.summary = "补录"
            late.outcome = .notYet
            late.createdAt = app.clock.now
            try await late.create(on: app.db)
            let found = try await DashboardVerify.differences(app.db, now: app.clock.now)
            #expect(found.contains(DashboardVerify.Difference(day: "2020-02-08", zone: nil, metric: "contactsTotal", kept: 2, counted: 3)))
            #expect(found.contains(DashboardVerify.Difference(day: "2020-02-08", zone: "xinqu", metric: "enterprisesNeverContacted", kept: 1, counted: 0)))
            try await DashboardService.refresh(app, now: app.clock.now)
            #expect(try await DashboardVerify.differences(app.db, now: app.clock.now) == [])
        }
    }

    @Test("The briefing goes to the district's robot once a day at the set time, and not when off")
    func briefingSchedule() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let wrong = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json),
                                                            body: .json(["briefingTime": "8点半"]))
            #expect(wrong.status == .unprocessableEntity && wrong.apiError?.fields["briefingTime"] != nil)
            try await DashboardService.sendBriefingIfDue(app, now: app.clock.now)
            #expect(try await PlatformFlag.query(on: app.db).filter(\.$key == "dashboard.briefing.sent").count() == 0)
            let set = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json),
                                                          body: .json(["briefingTime": "09:00", "districtWebhookURL": "http://127.0.0.1:9/robot"]))
            #expect(set.status == .ok)
            GroupRobot.backoff = [0.05, 0.1] // as the help desk's robot test sets it: tests run together
            try await DashboardService.sendBriefingIfDue(app, now: app.clock.now) // 08:00: not yet
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "dashboard.briefing.send").count() == 0)
            try await DashboardService.sendBriefingIfDue(app, now: app.clock.now.addingTimeInterval(3600))
            try await DashboardService.sendBriefingIfDue(app, now: app.clock.now.addingTimeInterval(7200))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "dashboard.briefing.send").count() == 1)
            #expect(try await PlatformFlag.query(on: app.db).filter(\.$key == "dashboard.briefing.sent").first()?.value == "2020-02-08")
        }
    }
}
