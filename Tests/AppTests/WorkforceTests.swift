@testable import App
import Domain
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import VaporTesting

enum WorkforceFixtures {
    typealias F = JobsFixtures

    /// A valid resident ID number from its first 17 digits (GB 11643 check character).
    static func residentID(_ seventeen: String) -> String { ResidentID.completing(seventeen) }

    static let people: [(name: String, id: String, mobile: String, number: String, department: String)] = [
        ("王强", residentID("22010219850301001"), "13904310011", "A001", "总装车间"),
        ("李娜", residentID("22010219900512002"), "13904310012", "A002", "总装车间"),
        ("张伟", residentID("22010219880808003"), "13904310013", "A003", "总装车间"),
        ("刘洋", residentID("22010219950101004"), "13904310014", "B001", "质检部"),
    ]

    static func csv(_ rows: [(name: String, id: String, mobile: String, number: String, department: String)]) -> String {
        "姓名,身份证号码,手机号码,工号,部门,班次,户籍省份,户籍城市\r\n"
            + rows.map { "\($0.name),\($0.id),\($0.mobile),\($0.number),\($0.department),白班,吉林省,长春市" }.joined(separator: "\r\n") + "\r\n"
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ caller: Caller?, _ body: [String: Any]? = nil) async throws -> TestingHTTPResponse {
        try await F.send(app, method, path, caller, body)
    }

    static func importCSV(_ app: Application, _ admin: Caller, _ enterprise: Enterprise, _ data: Data) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/enterprises/\(enterprise.id!)/employees/import",
                                            headers: admin.apiHeaders.adding(["Content-Type": "text/csv"]), body: ByteBuffer(data: data))
    }

    static func employee(_ app: Application, number: String) async throws -> Employee {
        try #require(try await Employee.query(on: app.db).filter(\.$employeeNumber == number).first())
    }

    /// An employee's account made by the enterprise admin, signed in.
    static func account(_ app: Application, _ admin: Caller, _ employee: Employee) async throws -> Caller {
        let made = try await send(app, .POST, "/api/v1/users", admin, [
            "username": "emp\(employee.employeeNumber.lowercased())", "password": Fixtures.password, "role": "employee",
            "displayName": employee.name, "employeeId": employee.id!.uuidString,
        ])
        #expect(made.status == .created)
        let user = try #require(try await User.query(on: app.db).filter(\.$employeeID == employee.id).first())
        #expect(user.$enterprise.id == employee.$enterprise.id)
        return try await Fixtures.caller(app, user)
    }

    static func report(_ app: Application, _ caller: Caller, temperature: Double, symptoms: [String] = ["none"]) async throws -> TestingHTTPResponse {
        try await send(app, .POST, "/api/v1/health-reports", caller,
                       ["temperature": temperature, "symptoms": symptoms, "contactWithCases": false, "city": "长春市", "note": ""])
    }

    static func gate(_ app: Application, _ guardCaller: Caller, _ fields: [String: Any]) async throws -> Gate.DecisionDTO {
        let response = try await send(app, .POST, "/api/v1/gate/check-ins", guardCaller, fields)
        #expect(response.status == .ok, "\(response.text)")
        return try #require(response.decoded(Gate.DecisionDTO.self))
    }
}

@Suite("Workforce health and the gate")
struct WorkforceTests {
    typealias W = WorkforceFixtures

    @Test("A whole day: import (GBK, bad rows first), accounts, reports, health code and QR pass, the gate, a fever alert, visitors, the summary")
    func wholeDay() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "长春一汽配套厂")
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)

            // A GBK file with a bad ID, a bad mobile and a repeated number: nothing imported, every line named.
            var bad = W.people
            bad[1].id = "220102199005120021"
            bad[2].mobile = "1234"
            bad.append(("赵敏", W.residentID("22010219920202005"), "13904310015", "A001", "总装车间"))
            let gbk = try #require(W.csv(bad).data(using: String.Encoding(rawValue: 0x8000_0632)))
            let refused = try await W.importCSV(app, admin, enterprise, gbk)
            #expect(refused.status == .unprocessableEntity)
            let result = try #require(refused.decoded(Roster.ImportResult.self))
            #expect(result.imported == 0 && result.errors.map(\.line) == [3, 4, 6])
            #expect(result.errors.first?.field == "idNumber" && result.errors.first?.message == "身份证号码校验码不正确。")
            #expect(result.errors.last?.field == "employeeNumber" && result.errors.last?.message == "与第 2 行重复。")
            #expect(try await Employee.query(on: app.db).count() == 0)

            // The same roster, fixed, in GBK: all four in.
            let fixed = try #require(W.csv(W.people).data(using: String.Encoding(rawValue: 0x8000_0632)))
            let imported = try await W.importCSV(app, admin, enterprise, fixed)
            #expect(imported.status == .ok && imported.decoded(Roster.ImportResult.self)?.imported == 4)
            let stored = try await W.employee(app, number: "A001")
            #expect(stored.name == "王强" && stored.idMasked == "220102********" + String(W.people[0].id.suffix(4)))
            #expect(!stored.idSealed.contains(W.people[0].id) && stored.idHash.count == 64)
            // Again: every row is already there.
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .unprocessableEntity)

            let wang = try await W.account(app, admin, stored)
            let li = try await W.account(app, admin, try await W.employee(app, number: "A002"))
            let zhang = try await W.account(app, admin, try await W.employee(app, number: "A003"))

            // 王强 reports at 36.5: green, with today's pass, and the pass's QR code reads back.
            let reported = try await W.report(app, wang, temperature: 36.5)
            #expect(reported.status == .created)
            let code = try #require(try await W.send(app, .GET, "/api/v1/employees/\(stored.id!)/health-code", wang).decoded(Health.CodeDTO.self))
            #expect(code.color == .green && code.reasons.isEmpty)
            let pass = try #require(code.passCode)
            #expect(pass.count == 10)
            let svg = try await W.send(app, .GET, "/api/v1/gate-pass.svg", wang)
            #expect(svg.headers.contentType?.subType == "svg+xml")
            if QRReader.available { #expect(try QRReader.decode(svg: svg.text) == pass) }

            // The gate: 王强 by pass, allowed; 李娜 has not reported: yellow, denied; no mask: denied.
            var decision = try await W.gate(app, guardCaller, ["passCode": pass.lowercased(), "temperature": 36.4, "mask": true, "direction": "in"])
            #expect(decision.decision == "allow" && decision.name == "王强" && decision.healthCode == .green)
            decision = try await W.gate(app, guardCaller, ["employeeNumber": "A002", "temperature": 36.6, "mask": true, "direction": "in"])
            #expect(decision.decision == "deny" && decision.reasons == [.yellowCode] && decision.reasonTexts == ["健康码黄码"])
            #expect(try await W.report(app, li, temperature: 36.7).status == .created)
            decision = try await W.gate(app, guardCaller, ["employeeNumber": "A002", "temperature": 36.6, "mask": false, "direction": "in"])
            #expect(decision.reasons == [.noMask])
            decision = try await W.gate(app, guardCaller, ["employeeNumber": "A002", "temperature": 36.6, "mask": true, "direction": "in"])
            #expect(decision.decision == "allow")
            // Not on the roster; a typing error in the temperature changes nothing.
            #expect(try await W.gate(app, guardCaller, ["employeeNumber": "Z999", "temperature": 36.6, "mask": true]).reasons == [.notOnRoster])
            let typo = try await W.send(app, .POST, "/api/v1/gate/check-ins", guardCaller, ["employeeNumber": "A001", "temperature": 365, "mask": true])
            #expect(typo.status == .unprocessableEntity && typo.apiError?.fields["temperature"] != nil)

            // 张伟 reported well but has 37.8 at the gate: denied, the admin is alerted, his code turns yellow.
            #expect(try await W.report(app, zhang, temperature: 36.8).status == .created)
            decision = try await W.gate(app, guardCaller, ["employeeNumber": "A003", "temperature": 37.8, "mask": true, "direction": "in"])
            #expect(decision.decision == "deny" && decision.reasons == [.feverNow])
            let zhangID = try await W.employee(app, number: "A003").id!
            let after = try #require(try await W.send(app, .GET, "/api/v1/employees/\(zhangID)/health-code", zhang).decoded(Health.CodeDTO.self))
            #expect(after.color == .yellow && after.reasons == [.feverLastReading])
            let alerts = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/fever-alerts", admin)
                .decoded([FeverAlerts.AlertDTO].self))
            #expect(alerts.map(\.name) == ["张伟"] && alerts.first?.temperature == 37.8 && alerts.first?.source == .gate)
            let notices = try await Notification.query(on: app.db).filter(\.$userID == admin.user.id).all()
            #expect(notices.map(\.messageKey) == ["notice.fever"])
            // Leaving is allowed, and logged.
            decision = try await W.gate(app, guardCaller, ["employeeNumber": "A002", "mask": true, "direction": "out"])
            #expect(decision.decision == "allow")

            // Visitors: one from 湖北 is refused; one from 沈阳 comes in and leaves.
            let refusedVisitor = try await W.send(app, .POST, "/api/v1/gate/visitors", guardCaller, [
                "name": "陈访客", "mobile": "13512345678", "organisation": "武汉某物流", "purpose": "送货",
                "places": [["province": "湖北省", "city": "武汉市"]], "keyAreaContact": false, "temperature": 36.5, "mask": true,
            ])
            #expect(refusedVisitor.status == .created && refusedVisitor.decoded(Gate.VisitorDTO.self)?.reasons == [.keyAreaTravel])
            let visitor = try #require(try await W.send(app, .POST, "/api/v1/gate/visitors", guardCaller, [
                "name": "周工", "mobile": "13512345679", "idNumber": W.residentID("21010219800101001"), "organisation": "沈阳机床",
                "purpose": "设备调试", "hostEmployeeNumber": "A001", "places": [["province": "辽宁省", "city": "沈阳市"]],
                "keyAreaContact": false, "temperature": 36.4, "mask": true,
            ]).decoded(Gate.VisitorDTO.self))
            #expect(visitor.decision == "allow" && visitor.hostName == "王强" && visitor.idNumber?.contains("********") == true)
            #expect(try await W.send(app, .POST, "/api/v1/gate/visitors/\(visitor.id)/check-out", guardCaller).status == .ok)
            #expect(try await W.send(app, .POST, "/api/v1/gate/visitors/\(visitor.id)/check-out", guardCaller).status == .unprocessableEntity)
            let bogus = try await W.send(app, .POST, "/api/v1/gate/visitors", guardCaller, ["name": "", "mobile": "12", "temperature": 50])
            #expect(bogus.status == .unprocessableEntity && Set(bogus.apiError?.fields.keys ?? [:].keys).isSuperset(of: ["name", "mobile", "temperature", "mask"]))

            // The summary: four employed, three reported, one on site (李娜 left), one fever, two visitors.
            let summary = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/daily-summary", admin)
                .decoded(DailySummary.DTO.self))
            #expect(summary.employees == 4 && summary.reported == 3 && summary.reportedShare == 0.75)
            #expect(summary.onSite == 1 && summary.fevers == 1 && summary.visitors == 2 && summary.gateDenials == 4)
            let missing = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/employees/not-reported", admin)
                .decoded([Roster.EmployeeDTO].self))
            #expect(missing.map(\.name) == ["刘洋"])
        }
    }

    @Test("QR codes drawn by the server read back with a standard reader, versions 1 to 6", .enabled(if: QRReader.available))
    func qrCodes() throws {
        // 10 characters (version 1) up to 106 (version 6), text and digits.
        for length in [1, 10, 14, 20, 30, 50, 62, 84, 106] {
            let text = String((0..<length).map { Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ-:/")[($0 * 7 + length) % 34] })
            #expect(try QRReader.decode(svg: try QRCode(text).svg(label: text)) == text, "length \(length)")
        }
        #expect(throws: QRCode.Problem.tooLong) { try QRCode(String(repeating: "A", count: 107)) }
    }

    @Test("A second report the same day replaces the first; both are audited; nothing is copied from yesterday")
    func replaceReport() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            let wang = try await W.account(app, admin, try await W.employee(app, number: "A001"))
            #expect(try await W.report(app, wang, temperature: 36.5).status == .created)
            let second = try await W.report(app, wang, temperature: 36.9, symptoms: ["cough"])
            #expect(second.decoded(Health.ReportDTO.self)?.replaced == true)
            let rows = try await (app.db as! any SQLDatabase).select().column("temperature").from(HealthReportTable.schema).all()
            let temperatures = try rows.map { try $0.decode(column: "temperature", as: Double.self) }
            #expect(temperatures == [36.9])
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["health.report", "health.report.replace"]).all()
            #expect(audits.map(\.action).sorted() == ["health.report", "health.report.replace"])
            // A report must say everything: no field is taken from an earlier one.
            let partial = try await W.send(app, .POST, "/api/v1/health-reports", wang, ["temperature": 36.5])
            #expect(partial.status == .unprocessableEntity && Set(partial.apiError?.fields.keys ?? [:].keys) == ["symptoms", "contactWithCases", "city"])
            let typo = try await W.report(app, wang, temperature: 33.0)
            #expect(typo.status == .unprocessableEntity && typo.apiError?.fields["temperature"]?.contains("34.0") == true)
            // The next day there is no report until one is made: yellow.
            app.clock.advance(by: 86_400)
            let fresh = try await Fixtures.caller(app, wang.user)
            let code = try #require(try await W.send(app, .GET, "/api/v1/employees/\(wang.user.employeeID!)/health-code", fresh).decoded(Health.CodeDTO.self))
            #expect(code.color == .yellow && code.reasons == [.noReportToday])
        }
    }

    @Test("Travel from outside the province starts a 14-day quarantine: red and refused at the gate on day 13, released from day 14; no early release; extension with a reason")
    func quarantine() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.user(app, "gate1", role: .gateGuard, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            let liu = try await W.employee(app, number: "B001")
            let record = try await W.send(app, .POST, "/api/v1/employees/\(liu.id!)/travel-records", admin, [
                "leftCity": true, "places": [["province": "辽宁", "city": "大连市"]], "returnDate": "2020-02-07", "transport": "train",
                "transportNumber": "G1234", "contactWithCases": false, "symptomsLast14Days": false,
            ])
            #expect(record.status == .created)
            let travel = try #require(record.decoded(Screening.TravelDTO.self))
            #expect(travel.outsideProvince && !travel.keyArea && travel.quarantineId != nil)
            let bad = try await W.send(app, .POST, "/api/v1/employees/\(liu.id!)/travel-records", admin, ["leftCity": true, "transport": "rocket"])
            #expect(bad.status == .unprocessableEntity && bad.apiError?.fields["transport"] != nil && bad.apiError?.fields["places"] != nil)
            let overview = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/screening", admin).decoded(Screening.Overview.self))
            #expect(overview.total == 4 && overview.screened == 1 && overview.outsideProvince == 1 && overview.notScreened == 3)

            // Day 13 after arrival (2020-02-20): still in; the gate refuses even with a report.
            app.clock.set(CivilDate(iso: "2020-02-20")!.start.addingTimeInterval(9 * 3600))
            let admin2 = try await Fixtures.caller(app, admin.user)
            let liuCaller = try await W.account(app, admin2, liu)
            #expect(try await W.report(app, liuCaller, temperature: 36.5).status == .created)
            let code = try #require(try await W.send(app, .GET, "/api/v1/employees/\(liu.id!)/health-code", liuCaller).decoded(Health.CodeDTO.self))
            #expect(code.color == .red && code.reasons == [.inQuarantine])
            // The person's home page says so first, with the day it ends, before they set out.
            let home = try await app.testing().sendRequest(.GET, "/", headers: liuCaller.pageHeaders)
            #expect(home.text.contains("今日健康码：红码") && home.text.contains("处于隔离期 · 2020-02-21 解除隔离") && home.text.contains("门岗会拒绝进入"))
            #expect(home.text.contains("查看健康码和原因") && !home.text.contains("进门时出示健康码"))
            let decision = try await W.gate(app, try await Fixtures.caller(app, guardCaller), ["employeeNumber": "B001", "temperature": 36.5, "mask": true])
            #expect(decision.reasons == [.inQuarantine, .redCode])
            let list = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/quarantines", admin2).decoded([Screening.QuarantineDTO].self))
            #expect(list.count == 1 && list[0].daysRemaining == 1 && list[0].plannedEnd == "2020-02-21" && list[0].active)
            let early = try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/quarantines/\(list[0].id)/release", admin2)
            #expect(early.status == .unprocessableEntity && early.apiError?.fields["quarantine"] != nil)
            #expect(try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/quarantines/\(list[0].id)/readings", admin2,
                                     ["slot": 1, "temperature": 36.4]).status == .created)

            // Day 14 (the planned end): not red any more; the gate lets a reported, masked person in.
            app.clock.set(CivilDate(iso: "2020-02-21")!.start.addingTimeInterval(8 * 3600))
            let admin3 = try await Fixtures.caller(app, admin.user)
            let liu3 = try await Fixtures.caller(app, liuCaller.user)
            #expect(try await W.report(app, liu3, temperature: 36.5).status == .created)
            let green = try #require(try await W.send(app, .GET, "/api/v1/employees/\(liu.id!)/health-code", liu3).decoded(Health.CodeDTO.self))
            #expect(green.color == .green)
            #expect(try await app.testing().sendRequest(.GET, "/", headers: liu3.pageHeaders).text.contains("今日健康码") == false)
            #expect(try await W.gate(app, try await Fixtures.caller(app, guardCaller), ["employeeNumber": "B001", "temperature": 36.5, "mask": true]).decision == "allow")
            // A later report with a cough: yellow, which the gate refuses as it does red; the home page says so.
            #expect(try await W.report(app, liu3, temperature: 36.6, symptoms: ["cough"]).status == .created)
            let yellowHome = try await app.testing().sendRequest(.GET, "/", headers: liu3.pageHeaders).text
            #expect(yellowHome.contains("今日健康码：黄码") && yellowHome.contains("今日报告有症状") && yellowHome.contains("门岗会拒绝进入"))
            #expect(try await W.gate(app, try await Fixtures.caller(app, guardCaller), ["employeeNumber": "B001", "temperature": 36.5, "mask": true]).reasons == [.yellowCode])
            // An extension needs a later end and a reason; after it the person is red again.
            let noReason = try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/quarantines/\(list[0].id)/extension", admin3,
                                            ["plannedEnd": "2020-02-25", "reason": ""])
            #expect(noReason.status == .unprocessableEntity && noReason.apiError?.fields["reason"] != nil)
            #expect(try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/quarantines/\(list[0].id)/extension", admin3,
                                     ["plannedEnd": "2020-02-25", "reason": "同住家属确诊"]).status == .noContent)
            let red = try #require(try await W.send(app, .GET, "/api/v1/employees/\(liu.id!)/health-code", liu3).decoded(Health.CodeDTO.self))
            #expect(red.color == .red)
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["quarantine.start", "quarantine.extend", "travel.record"]).count()
            #expect(audits == 3)
        }
    }

    @Test("Three fevers in one department within three days is a cluster: the officer and the reviewers are told once")
    func cluster() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let officer = try await Fixtures.user(app, "officer1", role: .officer)
            let reviewer = try await Fixtures.user(app, "reviewer1", role: .reviewer)
            let assignment = OfficerAssignment()
            assignment.$officer.id = officer.id!
            assignment.$enterprise.id = enterprise.id!
            assignment.method = "manual"
            assignment.startedAt = app.clock.now
            try await assignment.create(on: app.db)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            // Day 1: A001; day 3: A002 (two in the window: no cluster); B001 is another department.
            _ = try await W.gate(app, guardCaller, ["employeeNumber": "A001", "temperature": 37.6, "mask": true])
            _ = try await W.gate(app, guardCaller, ["employeeNumber": "B001", "temperature": 38.0, "mask": true])
            app.clock.advance(by: 2 * 86_400)
            let guard3 = try await Fixtures.caller(app, guardCaller.user)
            _ = try await W.gate(app, guard3, ["employeeNumber": "A002", "temperature": 37.4, "mask": true])
            #expect(try await Notification.query(on: app.db).filter(\.$messageKey == "notice.feverCluster").count() == 0)
            // A003 the same day: three people in 总装车间 within three days.
            _ = try await W.gate(app, guard3, ["employeeNumber": "A003", "temperature": 37.9, "mask": true])
            let cluster = try await Notification.query(on: app.db).filter(\.$messageKey == "notice.feverCluster").all()
            #expect(Set(cluster.compactMap(\.userID)) == [officer.id!, reviewer.id!])
            #expect(cluster.first?.arguments.contains("总装车间") == true)
            // A fourth fever does not announce the cluster again.
            _ = try await W.gate(app, guard3, ["employeeNumber": "A001", "temperature": 37.5, "mask": true])
            #expect(try await Notification.query(on: app.db).filter(\.$messageKey == "notice.feverCluster").count() == 2)
            // Spread over four days it would not have been one.
            let alerts = try await FeverAlert.query(on: app.db).filter(\.$cluster == true).count()
            #expect(alerts == 1)
        }
    }

    @Test("Access: a guard sees decisions, never people or temperatures; enterprise B never sees A's people; an employee sees only themself; IDs unmasked only on request, audited")
    func access() async throws {
        try await withApp { app in
            let a = try await Fixtures.enterprise(app, name: "甲企业", code: 1)
            let b = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            let adminA = try await Fixtures.caller(app, "hra", role: .enterpriseAdmin, enterprise: a)
            let adminB = try await Fixtures.caller(app, "hrb", role: .enterpriseAdmin, enterprise: b)
            let guardA = try await Fixtures.caller(app, "gatea", role: .gateGuard, enterprise: a)
            let guardB = try await Fixtures.caller(app, "gateb", role: .gateGuard, enterprise: b)
            #expect(try await W.importCSV(app, adminA, a, Data(W.csv(W.people).utf8)).status == .ok)
            let wang = try await W.employee(app, number: "A001")
            let wangCaller = try await W.account(app, adminA, wang)
            _ = try await W.report(app, wangCaller, temperature: 37.5)

            // The guard: no person, no history, no roster, no summary.
            for path in ["/api/v1/employees/\(wang.id!)", "/api/v1/employees/\(wang.id!)/health-reports", "/api/v1/employees/\(wang.id!)/health-code"] {
                #expect(try await W.send(app, .GET, path, guardA).status == .forbidden, "\(path)")
            }
            #expect(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/employees", guardA).status == .forbidden)
            #expect(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/daily-summary", guardA).status == .forbidden)
            _ = try await W.gate(app, guardA, ["employeeNumber": "A001", "temperature": 37.6, "mask": true])
            let log = try await W.send(app, .GET, "/api/v1/gate/check-ins", guardA)
            #expect(log.status == .ok && log.text.contains("feverNow") && !log.text.contains("37.6") && !log.text.contains("temperature"))
            // Another enterprise's guard cannot find A's people, even by number.
            #expect(try await W.gate(app, guardB, ["employeeNumber": "A001", "temperature": 36.5, "mask": true]).reasons == [.notOnRoster])
            let logB = try #require(try await W.send(app, .GET, "/api/v1/gate/check-ins", guardB).decoded([Gate.LogEntry].self))
            #expect(logB.count == 1 && logB[0].name == nil && logB[0].reasons == [.notOnRoster]) // B's own attempt, nothing of A's

            // Enterprise B's admin: A's roster, people, summary and quarantines do not exist.
            #expect(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/employees", adminB).status == .notFound)
            #expect(try await W.send(app, .GET, "/api/v1/employees/\(wang.id!)", adminB).status == .notFound)
            #expect(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/daily-summary", adminB).status == .notFound)
            #expect(try await W.send(app, .POST, "/api/v1/health-reports", adminB,
                                     ["employeeId": wang.id!.uuidString, "temperature": 36.5, "symptoms": [], "contactWithCases": false, "city": "长春"]).status == .notFound)
            // An employee: only themself.
            let li = try await W.employee(app, number: "A002")
            #expect(try await W.send(app, .GET, "/api/v1/employees/\(li.id!)", wangCaller).status == .notFound)
            #expect(try await W.send(app, .GET, "/api/v1/employees/\(wang.id!)", wangCaller).decoded(Roster.EmployeeDTO.self)?.name == "王强")
            // An enterprise admin may not make district accounts.
            let officer = try await W.send(app, .POST, "/api/v1/users", adminA, ["username": "sneaky", "password": Fixtures.password,
                                                                                 "role": "officer", "displayName": "x"])
            #expect(officer.status == .unprocessableEntity && officer.apiError?.fields["role"] != nil)

            // IDs: masked in the list and the export; in full on request, audited.
            let list = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/employees?q=王", adminA).decoded(ListDTO<Roster.EmployeeDTO>.self))
            #expect(list.items.map(\.name) == ["王强"] && list.items[0].idNumber.contains("********") && list.items[0].mobile == "139****0011")
            let byID = try #require(try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/employees?q=\(W.people[1].id)", adminA).decoded(ListDTO<Roster.EmployeeDTO>.self))
            #expect(byID.items.map(\.name) == ["李娜"])
            let export = try await W.send(app, .GET, "/api/v1/enterprises/\(a.id!)/employees/export", adminA)
            #expect(export.text.hasPrefix("\u{FEFF}姓名,身份证号码") && export.text.contains("王强") && !export.text.contains(W.people[0].id))
            #expect(try await W.send(app, .GET, "/api/v1/employees/\(wang.id!)/id-number", wangCaller).status == .forbidden)
            let full = try await W.send(app, .GET, "/api/v1/employees/\(wang.id!)/id-number", adminA)
            #expect(full.text.contains(W.people[0].id))
            let reads = try await AuditEvent.query(on: app.db).filter(\.$action == "person.read").filter(\.$entityID == wang.id!.uuidString).all()
            #expect(reads.map(\.detail) == ["idNumber"])
        }
    }

    @Test("Retention: reports, gate logs and visitors older than 30 days are deleted by the purge, which is audited")
    func retention() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            let wang = try await W.account(app, admin, try await W.employee(app, number: "A001"))
            _ = try await W.report(app, wang, temperature: 36.5)
            _ = try await W.gate(app, guardCaller, ["employeeNumber": "A001", "temperature": 36.5, "mask": true])
            app.clock.advance(by: 25 * 86_400)
            let wang2 = try await Fixtures.caller(app, wang.user)
            _ = try await W.report(app, wang2, temperature: 36.6)
            app.clock.advance(by: 6 * 86_400)
            let outcome = try await Retention.purge(app, now: app.clock.now)
            #expect(outcome == Retention.Outcome(before: "2020-02-09", healthReports: 1, gateCheckIns: 1, visitors: 0))
            let left = try await (app.db as! any SQLDatabase).select().column("day").from(HealthReportTable.schema).all()
            #expect(try left.map { try $0.decode(column: "day", as: String.self) } == ["2020-03-04"])
            let audit = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "retention.purge").first())
            #expect(audit.detail == "before=2020-02-09,healthReports=1,gateCheckIns=1,visitors=0")
        }
    }
}

/// Reads a QR code the way a phone at the gate would: the SVG drawn as a picture by librsvg
/// (`rsvg-convert`, Debian's `librsvg2-bin`), then read by `zbarimg` (`zbar-tools`); `.ci/run`
/// installs both. (zbarimg's own SVG reading draws these paths wrongly.)
enum QRReader {
    /// Installed by `.ci/run`; on a machine without them these checks are skipped.
    static let available = ["/usr/bin/rsvg-convert", "/usr/bin/zbarimg"].allSatisfy(FileManager.default.isExecutableFile(atPath:))

    static func decode(svg: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pass.svg"), picture = folder.appendingPathComponent("pass.png")
        try svg.write(to: file, atomically: true, encoding: .utf8)
        _ = try run("/usr/bin/rsvg-convert", ["--zoom", "2", file.path, "--output", picture.path])
        return try run("/usr/bin/zbarimg", ["--quiet", "--raw", picture.path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Workforce through the pages")
struct WorkforcePageTests {
    typealias W = WorkforceFixtures

    func post(_ app: Application, _ path: String, _ caller: Caller, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        var fields = fields
        fields["_csrf"] = caller.csrf
        return try await app.testing().sendRequest(.POST, path, headers: caller.pageHeaders.adding(.form), body: .form(fields))
    }

    func get(_ app: Application, _ path: String, _ caller: Caller) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path, headers: caller.pageHeaders)
    }

    @Test("The district sets the health rules on its settings page: a new fever threshold and key areas change the gate's decisions; a threshold out of bounds is refused")
    func healthSettings() async throws {
        try await withApp { app in
            let districtAdmin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            let bad = try await post(app, "/admin/settings", districtAdmin, ["feverThreshold": "40", "keyAreas": "湖北省"])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("aria-invalid"))
            #expect(try await req(app).districtSettings().health.feverThreshold == 37.3)
            let saved = try await post(app, "/admin/settings", districtAdmin, ["feverThreshold": "37.5", "keyAreas": "湖北省、黑龙江省", "visitorIDRequired": "yes"])
            #expect(saved.status == .seeOther)
            let health = try await req(app).districtSettings().health
            #expect(health.feverThreshold == 37.5 && health.keyAreas == ["湖北省", "黑龙江省"] && health.visitorIDRequired)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "settings.change").count() == 1)
            let wang = try await W.account(app, admin, try await W.employee(app, number: "A001"))
            _ = try await W.report(app, wang, temperature: 37.4)
            #expect(try await W.gate(app, guardCaller, ["employeeNumber": "A001", "temperature": 37.4, "mask": true]).decision == "allow")
            let visitor = try await W.send(app, .POST, "/api/v1/gate/visitors", guardCaller, [
                "name": "钱访客", "mobile": "13512345670", "organisation": "哈尔滨某厂", "purpose": "洽谈",
                "places": [["province": "黑龙江", "city": "哈尔滨市"]], "keyAreaContact": false, "temperature": 36.5, "mask": true,
            ])
            #expect(visitor.decoded(Gate.VisitorDTO.self)?.reasons == [.idRequired, .keyAreaTravel])
        }
    }

    func req(_ app: Application) -> Request { Request(application: app, on: app.eventLoopGroup.next()) }

    @Test("Import on the page (GBK, line errors first), an employee's account, a report on the phone with its pass, the guard's gate and a refused visitor, the ID shown once and audited")
    func pages() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "长春一汽配套厂")
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)

            var bad = W.people
            bad[3].id = "22010219950101004X"
            let gbk = try #require(W.csv(bad).data(using: String.Encoding(rawValue: 0x8000_0632)))
            let (headers, body) = ResumptionPageTests().multipartForm([("_csrf", admin.csrf), ("progress", "t1")],
                                                                      file: ("file", "花名册.csv", "text/csv", gbk))
            let refused = try await app.testing().sendRequest(.POST, "/workforce/employees/import", headers: admin.pageHeaders.adding(headers), body: body)
            #expect(refused.status == .unprocessableEntity && refused.text.contains("导入未完成") && refused.text.contains("<td>5</td>"))
            #expect(try await Employee.query(on: app.db).count() == 0)
            let progress = try await get(app, "/workforce/imports/t1", admin)
            #expect(progress.text.contains("\"failed\""))
            let (goodHeaders, goodBody) = ResumptionPageTests().multipartForm([("_csrf", admin.csrf)],
                                                                              file: ("file", "花名册.csv", "text/csv", try #require(W.csv(W.people).data(using: String.Encoding(rawValue: 0x8000_0632)))))
            let imported = try await app.testing().sendRequest(.POST, "/workforce/employees/import", headers: admin.pageHeaders.adding(goodHeaders), body: goodBody)
            #expect(imported.status == .ok && imported.text.contains("已导入 4 人") && imported.text.contains("王强"))
            #expect(!imported.text.contains(W.people[0].id))

            // The employee's account, made on the person's page.
            let wang = try await W.employee(app, number: "A001")
            let made = try await post(app, "/workforce/employees/\(wang.id!)/account", admin, ["username": "wangqiang", "password": Fixtures.password])
            #expect(made.status == .seeOther)
            let wangUser = try #require(try await User.query(on: app.db).filter(\.$username == "wangqiang").first())
            #expect(wangUser.role == .employee && wangUser.employeeID == wang.id)
            let phone = try await Fixtures.caller(app, wangUser)

            // On the phone: yellow until the report, then green with a pass and its QR code.
            #expect(try await get(app, "/health", phone).text.contains("今日尚未健康打卡"))
            let typo = try await post(app, "/health", phone, ["temperature": "3.65", "contactWithCases": "no", "city": "长春"])
            #expect(typo.status == .unprocessableEntity && typo.text.contains("34.0–43.0"))
            #expect(try await post(app, "/health", phone, ["temperature": "36.5", "contactWithCases": "no", "city": "长春"]).status == .seeOther)
            let card = try await get(app, "/health", phone)
            #expect(card.text.contains("code-green") && card.text.contains("<svg"))
            let pass = try #require(try await GatePass.query(on: app.db).first()?.code)
            #expect(card.text.contains(pass))

            // The guard: the pass lets 王强 in; 李娜 (no report) is refused with the reason.
            let allowed = try await post(app, "/gate", guardCaller, ["who": pass, "temperature": "36.4", "mask": "yes", "direction": "in"])
            #expect(allowed.status == .ok && allowed.text.contains("gate-result allow") && allowed.text.contains("王强"))
            let denied = try await post(app, "/gate", guardCaller, ["who": "A002", "temperature": "36.4", "mask": "yes", "direction": "in"])
            #expect(denied.text.contains("gate-result deny") && denied.text.contains("健康码黄码"))
            let empty = try await post(app, "/gate", guardCaller, ["who": "", "temperature": "", "mask": "yes"])
            #expect(empty.status == .unprocessableEntity && empty.text.contains("请扫描通行码或输入工号"))
            let visitor = try await post(app, "/gate/visitors", guardCaller, [
                "name": "陈访客", "mobile": "13512345678", "organisation": "武汉某物流", "purpose": "送货", "places": "湖北省 武汉市",
                "keyAreaContact": "no", "temperature": "36.5", "mask": "yes",
            ])
            #expect(visitor.text.contains("gate-result deny") && visitor.text.contains("14 天内到过重点地区"))
            // The guard's pages hold decisions, never temperatures; the office is not theirs.
            #expect(!(try await get(app, "/gate", guardCaller).text.contains("36.4")))
            // The menu marks one entry: 访客 on the visitors' page, not also 门岗 above it.
            let visitorsPage = try await get(app, "/gate/visitors", guardCaller).text
            #expect(visitorsPage.matches(of: /aria-current="page"/).count == 1 && visitorsPage.contains("<a href=\"/gate/visitors\" aria-current=\"page\">"))
            // The day's refusals alone, from the guard's home: 李娜 without 王强.
            #expect(try await get(app, "/", guardCaller).text.contains("href=\"/gate?refused=1\""))
            let refusals = try await get(app, "/gate?refused=1", guardCaller).text
            let refusalLog = try #require(refusals.firstMatch(of: /<section class="card" aria-labelledby="log-heading">.*?<\/section>/.dotMatchesNewlines())?.output)
            #expect(refusalLog.contains("李娜") && !refusalLog.contains("王强") && refusalLog.contains("aria-current=\"true\">今日全部拒绝"))
            #expect(try await get(app, "/workforce", guardCaller).status == .forbidden)
            #expect(try await get(app, "/workforce/employees/\(wang.id!)", guardCaller).status == .forbidden)

            // The office: the day, the person's page, the full ID once (audited).
            let office = try await get(app, "/workforce", admin)
            #expect(office.status == .ok && office.text.contains("1 / 4") && office.text.contains("<svg"))
            let person = try await get(app, "/workforce/employees/\(wang.id!)", admin)
            #expect(person.text.contains("220102********") && !person.text.contains(W.people[0].id))
            let revealed = try await post(app, "/workforce/employees/\(wang.id!)/reveal", admin, [:])
            #expect(revealed.text.contains(W.people[0].id))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "person.read").filter(\.$detail == "idNumber").count() == 1)
            let english = try await app.testing().sendRequest(.GET, "/workforce?lang=en", headers: admin.pageHeaders)
            #expect(english.text.contains("Workforce health") && english.text.contains("Fever alerts"))

            // 王强 reports his own holiday travel on the phone: back from 辽宁 two days ago, so red.
            let missing = try await post(app, "/health/travel", phone, ["leftCity": "yes", "places": "辽宁省 沈阳市"])
            #expect(missing.status == .unprocessableEntity && missing.text.contains("field-error"))
            let travel = try await post(app, "/health/travel", phone, [
                "leftCity": "yes", "places": "辽宁省 沈阳市", "returnDate": "2020-02-06", "transport": "train", "transportNumber": "G1",
                "contactWithCases": "no", "symptomsLast14Days": "no",
            ])
            #expect(travel.status == .seeOther)
            let red = try await get(app, "/health", phone)
            #expect(red.text.contains("code-red") && red.text.contains("处于隔离期"))
        }
    }
}
