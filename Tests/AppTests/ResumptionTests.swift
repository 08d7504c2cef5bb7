@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// 2020-02-08 is a Saturday; 2 working days after it is Tuesday 2020-02-11.
enum ResumptionFixtures {
    static var form: [String: Any] { [
        "category": "epidemicPrevention", "plannedDate": "2020-02-12", "products": "消毒液 5000瓶/日",
        "headcountTotal": 120, "headcountOnSite": 40, "headcountOutOfProvince": 3, "headcountKeyAreas": 0,
        "headcountIsolated": 0, "checklist": ["temperaturePoints", "masksForAll", "dailyDisinfection", "isolationRoom"],
        "maskDays": 10, "disinfectantDays": 20, "thermometerDays": 30,
    ] }

    static let pdf = Data("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D])

    static func multipart(kind: String, filename: String, data: Data, contentType: String = "application/pdf") -> (HTTPHeaders, ByteBuffer) {
        let boundary = "fugong-test-boundary"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return (["Content-Type": "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: body))
    }

    struct World {
        let company: Caller
        let reviewer: Caller
        let leader: Caller
        let officer: Caller
        let enterprise: Enterprise
    }

    static func world(_ app: Application) async throws -> World {
        let enterprise = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司", code: 1)
        let officerUser = try await Fixtures.user(app, "officer", role: .officer)
        officerUser.zone = "jingkai"
        try await officerUser.save(on: app.db)
        return World(
            company: try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise),
            reviewer: try await Fixtures.caller(app, "reviewer", role: .reviewer),
            leader: try await Fixtures.caller(app, "leader", role: .leader),
            officer: try await Fixtures.caller(app, officerUser),
            enterprise: enterprise
        )
    }

    /// A draft with its signed commitment, ready to submit.
    static func readyDraft(_ app: Application, _ company: Caller) async throws -> UUID {
        let created = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications",
                                                          headers: company.apiHeaders.adding(.json), body: .json(form))
        #expect(created.status == .created)
        let id = try JSONDecoder.iso.decode(ResumptionApplicationDTO.self, from: Data(buffer: created.body)).id
        let (headers, body) = multipart(kind: "commitment", filename: "承诺书.pdf", data: pdf)
        let uploaded = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(id)/attachments",
                                                           headers: company.apiHeaders.adding(headers), body: body)
        #expect(uploaded.status == .created)
        return id
    }
}

extension TestingHTTPResponse {
    var application: ResumptionApplicationDTO? {
        try? JSONDecoder.iso.decode(ResumptionApplicationDTO.self, from: Data(buffer: body))
    }
}

@Suite("Resumption approvals")
struct ResumptionTests {
    @Test("Approval mode end to end: submit, review, green light, site visit, resumed — every step in the history")
    func approvalMode() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            let path = "/api/v1/resumption-applications/\(id)"

            let submitted = try await app.testing().sendRequest(.POST, "\(path)/submit", headers: world.company.apiHeaders)
            #expect(submitted.status == .ok)
            #expect(submitted.application?.state == .submitted)
            #expect(submitted.application?.mode == .approval)

            // A leader cannot review, a reviewer cannot confirm.
            #expect(try await app.testing().sendRequest(.POST, "\(path)/review", headers: world.leader.apiHeaders.adding(.json),
                                                        body: .json(["decision": "pass"])).status == .forbidden)
            let early = try await app.testing().sendRequest(.POST, "\(path)/confirm", headers: world.leader.apiHeaders.adding(.json),
                                                            body: .json(["decision": "approve"]))
            #expect(early.status == .conflict)

            let passed = try await app.testing().sendRequest(.POST, "\(path)/review", headers: world.reviewer.apiHeaders.adding(.json),
                                                             body: .json(["decision": "pass", "comment": "证明材料齐全"]))
            #expect(passed.application?.state == .passed)
            let approved = try await app.testing().sendRequest(.POST, "\(path)/confirm", headers: world.leader.apiHeaders.adding(.json),
                                                               body: .json(["decision": "approve"]))
            #expect(approved.application?.state == .approved)

            // The officer of the zone was assigned and a resumption-day visit scheduled for the planned date.
            let visits = try await SiteVisit.query(on: app.db).all()
            #expect(visits.count == 1)
            #expect(visits.first?.$officer.id == world.officer.user.id)
            #expect(visits.first?.scheduledFor == "2020-02-12")
            let visitID = try #require(visits.first?.id)
            let listed = try await app.testing().sendRequest(.GET, "/api/v1/site-visits?date=2020-02-12", headers: world.officer.apiHeaders)
            #expect(listed.text.contains(visitID.uuidString))

            let allMet = Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, true) })
            // Not before the visit: a report filed on 8 February for the 12th is refused and changes nothing.
            let reportedEarly = try await app.testing().sendRequest(
                .POST, "/api/v1/site-visits/\(visitID)/report", headers: world.officer.apiHeaders.adding(.json),
                body: .json(["results": allMet, "headcountFound": 38]))
            #expect(reportedEarly.status == .conflict)
            #expect(reportedEarly.apiError?.message.contains("走访当天或之后") == true)
            #expect(try await SiteVisit.find(visitID, on: app.db)?.status == .scheduled)
            // The day comes (the visit is moved to today: the test's sign-ins would not outlive four days).
            let scheduled = try #require(try await SiteVisit.find(visitID, on: app.db))
            scheduled.scheduledFor = CivilDate(app.clock.now).iso
            try await scheduled.save(on: app.db)
            let report = try await app.testing().sendRequest(
                .POST, "/api/v1/site-visits/\(visitID)/report", headers: world.officer.apiHeaders.adding(.json),
                body: .json(["results": allMet, "headcountFound": 38]))
            #expect(report.status == .ok)
            let final = try await app.testing().sendRequest(.GET, path, headers: world.company.apiHeaders)
            #expect(final.application?.state == .resumed)
            #expect(final.application?.history.map(\.action) == ["create", "submit", "pass", "approve", "confirmResumed"])
            #expect(final.application?.history.map(\.toState) == ["draft", "submitted", "passed", "approved", "resumed"])
            #expect(final.application?.history[2].comment == "证明材料齐全")
            // Audited, and the enterprise was told at each decision.
            let audited = try await AuditEvent.query(on: app.db).filter(\.$entity == "resumptionApplication").all().map(\.action)
            #expect(audited.contains("resumption.approve") && audited.contains("resumption.confirmResumed"))
            let notices = try await Notification.query(on: app.db).filter(\.$enterpriseID == world.enterprise.id).all().map(\.messageKey)
            #expect(Set(notices) == ["notify.resumption.passed", "notify.resumption.approved", "notify.resumption.resumed"])
        }
    }
}

@Suite("Resumption: modes, returns, pre-check, uploads, access")
struct ResumptionRulesAppTests {
    func post(_ app: Application, _ path: String, _ caller: Caller, _ body: [String: Any] = [:]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, path, headers: caller.apiHeaders.adding(.json), body: .json(body))
    }

    @Test("Filing mode from its effective date: filed at once, inspected, suspended on a failed visit, resumed after the revisit")
    func filingMode() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            // Jilin switched to filing on 19 Feb 2020; the clock says 8 Feb, so approval is still in force.
            let later = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json),
                                                            body: .json(["resumptionMode": "filing", "modeEffectiveFrom": "2020-02-19"]))
            #expect(later.status == .ok)
            #expect(try await DistrictSettings.load(app.db).mode(on: CivilDate(app.clock.now)) == .approval)
            _ = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json),
                                                    body: .json(["modeEffectiveFrom": "2020-02-08"]))
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            let filed = try await post(app, "/api/v1/resumption-applications/\(id)/submit", world.company)
            #expect(filed.application?.state == .filed)
            #expect(filed.application?.mode == .filing)
            let visit = try #require(try await SiteVisit.query(on: app.db).first())
            // The officer went early: the visit is moved to today, and reported.
            visit.scheduledFor = CivilDate(app.clock.now).iso
            try await visit.save(on: app.db)

            var results = Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, true) })
            results["records"] = false
            let noNote = try await post(app, "/api/v1/site-visits/\(visit.id!)/report", world.officer, ["results": results, "headcountFound": 30])
            #expect(noNote.status == .unprocessableEntity)
            #expect(noNote.apiError?.fields.keys.sorted() == ["notes.records"])
            let failed = try await post(app, "/api/v1/site-visits/\(visit.id!)/report", world.officer,
                                        ["results": results, "notes": ["records": "无体温登记台账"], "headcountFound": 30])
            #expect(failed.status == .ok)
            let after = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: world.company.apiHeaders)
            #expect(after.application?.state == .suspended)
            let visits = try await SiteVisit.query(on: app.db).sort(\.$createdAt).all()
            #expect(visits.map(\.status) == [.rectificationRequired, .scheduled])
            #expect(visits.last?.purpose == "revisit")
            #expect(visits.last?.scheduledFor == "2020-02-11")
            // The enterprise follows the link on its application to the report and reads what to put right;
            // another enterprise's admin gets 404.
            let detail = try await app.testing().sendRequest(.GET, "/resumption/\(id)", headers: world.company.pageHeaders)
            #expect(detail.text.contains("href=\"/visits/\(visit.id!)\""))
            let report = try await app.testing().sendRequest(.GET, "/visits/\(visit.id!)", headers: world.company.pageHeaders)
            #expect(report.status == .ok && report.text.contains("无体温登记台账") && !report.text.contains("action=\"/visits/\(visit.id!)/report\""))
            let other = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            let stranger = try await Fixtures.caller(app, "b-admin", role: .enterpriseAdmin, enterprise: other)
            #expect(try await app.testing().sendRequest(.GET, "/visits/\(visit.id!)", headers: stranger.pageHeaders).status == .notFound)

            let twice = try await post(app, "/api/v1/site-visits/\(visit.id!)/report", world.officer,
                                       ["results": Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, true) }), "headcountFound": 30])
            #expect(twice.status == .conflict)
            visits.last!.scheduledFor = CivilDate(app.clock.now).iso
            try await visits.last!.save(on: app.db)
            let revisit = try await post(app, "/api/v1/site-visits/\(visits.last!.id!)/report", world.officer,
                                         ["results": Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, true) }), "headcountFound": 32])
            #expect(revisit.status == .ok)
            let resumed = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: world.company.apiHeaders)
            #expect(resumed.application?.state == .resumed)
            // The application keeps the mode it was submitted under when the setting changes again.
            _ = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json),
                                                    body: .json(["resumptionMode": "approval"]))
            let kept = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: world.company.apiHeaders)
            #expect(kept.application?.mode == .filing)
        }
    }

    @Test("A returned application shows reviewers what changed, field by field")
    func returnAndResubmit() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            let path = "/api/v1/resumption-applications/\(id)"
            _ = try await post(app, "\(path)/submit", world.company)
            let noComment = try await post(app, "\(path)/review", world.reviewer, ["decision": "return"])
            #expect(noComment.status == .unprocessableEntity)
            #expect(noComment.apiError?.fields.keys.sorted() == ["comment"])
            let returned = try await post(app, "\(path)/review", world.reviewer, ["decision": "return", "comment": "到岗人数请压缩至最少"])
            #expect(returned.application?.state == .returned)
            let notice = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.resumption.returned").first()
            #expect(notice?.arguments == ["到岗人数请压缩至最少"])

            let patched = try await app.testing().sendRequest(.PATCH, path, headers: world.company.apiHeaders.adding(.json),
                                                              body: .json(["headcountOnSite": 25, "maskDays": 14]))
            #expect(patched.status == .ok)
            let resubmitted = try await post(app, "\(path)/submit", world.company)
            #expect(resubmitted.application?.state == .submitted)
            let changes = try #require(resubmitted.application?.history.last?.changes)
            #expect(changes.map(\.field) == ["headcountOnSite", "maskDays"])
            #expect(changes.first?.before == "40" && changes.first?.after == "25")
            let page = try await app.testing().sendRequest(.GET, "/resumption/\(id)", headers: world.reviewer.pageHeaders)
            #expect(page.text.contains("<del>40</del> → <ins>25</ins>"), "\(page.status) \(page.text.prefix(3000))")
            // Once submitted, the enterprise cannot change it.
            let locked = try await app.testing().sendRequest(.PATCH, path, headers: world.company.apiHeaders.adding(.json), body: .json(["maskDays": 1]))
            #expect(locked.status == .conflict)
        }
    }

    @Test("Pre-check errors block submission with per-field messages and change nothing")
    func preCheckBlocks() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            var form = ResumptionFixtures.form
            form["plannedDate"] = "2020-02-10"
            form["headcountOnSite"] = 200
            let created = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications",
                                                              headers: world.company.apiHeaders.adding(.json), body: .json(form))
            let dto = try #require(created.application)
            #expect(Set(dto.findings.filter { $0.severity == "error" }.map(\.code)) == ["onSiteAboveTotal", "plannedTooSoon", "noCommitment"])
            let blocked = try await post(app, "/api/v1/resumption-applications/\(dto.id)/submit", world.company)
            #expect(blocked.status == .unprocessableEntity)
            #expect(blocked.apiError?.fields.keys.sorted() == ["commitment", "headcountOnSite", "plannedDate"])
            #expect(blocked.apiError?.fields["plannedDate"]?.contains("2020-02-11") == true)
            let stored = try await ResumptionApplication.find(dto.id, on: app.db)
            #expect(stored?.state == .draft)
            #expect(try await ResumptionEvent.query(on: app.db).count() == 1)
        }
    }

    @Test("Bad form input: per-field errors, nothing stored; only one open application")
    func badInput() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let bad = try await app.testing().sendRequest(
                .POST, "/api/v1/resumption-applications", headers: world.company.apiHeaders.adding(.json),
                body: .json(["category": "luxury", "plannedDate": "2020-02-30", "products": "", "headcountTotal": -1, "checklist": ["disco"]]))
            #expect(bad.status == .unprocessableEntity)
            let fields = Set(bad.apiError?.fields.keys.map { $0 } ?? [])
            #expect(fields.isSuperset(of: ["category", "plannedDate", "products", "headcountTotal", "checklist", "headcountOnSite"]))
            #expect(try await ResumptionApplication.query(on: app.db).count() == 0)
            _ = try await ResumptionFixtures.readyDraft(app, world.company)
            let second = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications",
                                                             headers: world.company.apiHeaders.adding(.json), body: .json(ResumptionFixtures.form))
            #expect(second.status == .conflict)
        }
    }

    @Test("Uploads are refused for size, content and path tricks, and nothing is stored")
    func uploads() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let created = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications",
                                                              headers: world.company.apiHeaders.adding(.json), body: .json(ResumptionFixtures.form))
            let id = try #require(created.application?.id)
            let path = "/api/v1/resumption-applications/\(id)/attachments"
            func upload(_ kind: String, _ name: String, _ data: Data, _ type: String = "application/pdf") async throws -> TestingHTTPResponse {
                let (headers, body) = ResumptionFixtures.multipart(kind: kind, filename: name, data: data, contentType: type)
                return try await app.testing().sendRequest(.POST, path, headers: world.company.apiHeaders.adding(headers), body: body)
            }
            // An HTML page named .pdf, a script named .png: refused by content.
            let html = try await upload("evidence", "order.pdf", Data("<html><script>alert(1)</script></html>".utf8))
            #expect(html.status == .unprocessableEntity)
            #expect(html.apiError?.fields["file"] == "只接受 PDF、JPEG 或 PNG 文件（按文件内容判断）。")
            #expect(try await upload("evidence", "x.png", Data("#!/bin/sh\nrm -rf /".utf8), "image/png").status == .unprocessableEntity)
            // Too large (limit 1 MB here).
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            _ = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json), body: .json(["maxUploadMegabytes": 1]))
            var big = ResumptionFixtures.pdf
            big.append(Data(count: 1024 * 1024 + 1))
            let tooLarge = try await upload("evidence", "big.pdf", big)
            #expect(tooLarge.status == .unprocessableEntity)
            #expect(tooLarge.apiError?.fields["file"] == "文件太大。")
            #expect(try await upload("secret", "a.pdf", ResumptionFixtures.pdf).status == .unprocessableEntity)
            #expect(try await StoredFile.query(on: app.db).count() == 0)
            #expect(try await ResumptionAttachment.query(on: app.db).count() == 0)

            // A path in the name is dropped; the extension follows the content; served as a download.
            let tricky = try await upload("roster", "..\\..\\etc/pass|wd.png", ResumptionFixtures.pdf)
            #expect(tricky.status == .created)
            let attachment = try #require(tricky.application?.attachments.first)
            #expect(attachment.filename == "passwd.pdf")
            #expect(attachment.contentType == "application/pdf")
            let download = try await app.testing().sendRequest(.GET, "\(path)/\(attachment.id)", headers: world.company.apiHeaders)
            #expect(download.status == .ok)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"passwd.pdf\"") == true)
            #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(Data(buffer: download.body) == ResumptionFixtures.pdf)
        }
    }

    @Test("Enterprise B cannot see A's application or files; an officer sees only their zone and assignments")
    func access() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            _ = try await post(app, "/api/v1/resumption-applications/\(id)/submit", world.company)
            let attachment = try #require(try await ResumptionAttachment.query(on: app.db).first())

            let other = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            let intruder = try await Fixtures.caller(app, "b-admin", role: .enterpriseAdmin, enterprise: other)
            for path in ["/api/v1/resumption-applications/\(id)", "/api/v1/resumption-applications/\(id)/attachments/\(attachment.id!)"] {
                #expect(try await app.testing().sendRequest(.GET, path, headers: intruder.apiHeaders).status == .notFound)
            }
            for path in ["/resumption/\(id)", "/resumption/\(id)/attachments/\(attachment.id!)"] {
                #expect(try await app.testing().sendRequest(.GET, path, headers: intruder.pageHeaders).status == .notFound)
            }
            let list = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications", headers: intruder.apiHeaders)
            #expect(list.text == "[]")
            #expect(try await app.testing().sendRequest(.PATCH, "/api/v1/resumption-applications/\(id)",
                                                        headers: intruder.apiHeaders.adding(.json), body: .json(["maskDays": 1])).status == .notFound)

            // An officer of another zone does not see it, until assigned.
            let farOfficer = try await Fixtures.user(app, "officer-xinglong", role: .officer)
            farOfficer.zone = "xinglong"
            try await farOfficer.save(on: app.db)
            let far = try await Fixtures.caller(app, farOfficer)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: far.apiHeaders).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications", headers: far.apiHeaders).text == "[]")
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: world.officer.apiHeaders).status == .ok)
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let assigned = try await app.testing().sendRequest(
                .POST, "/api/v1/officer-assignments", headers: admin.apiHeaders.adding(.json),
                body: .json(["enterpriseId": world.enterprise.id!.uuidString, "officerId": farOfficer.id!.uuidString]))
            #expect(assigned.status == .created)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications/\(id)", headers: far.apiHeaders).status == .ok)
            // Drafts stay the enterprise's own business.
            let queue = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications?state=draft", headers: world.reviewer.apiHeaders)
            #expect(queue.text == "[]")
        }
    }
}

@Suite("Dispatch and officers")
struct DispatchTests {
    @Test("Contacts add up to 户次 and 户 by day and zone; the uncontacted are listed; bad input is refused")
    func dispatchSummary() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let second = try await Fixtures.enterprise(app, name: "长春智驰汽车电子", code: 3)
            let untouched = try await Fixtures.enterprise(app, name: "未联系企业", code: 4)
            untouched.zone = "jingkai"
            try await untouched.save(on: app.db)
            for (enterprise, channel) in [(world.enterprise, "phone"), (world.enterprise, "wechat"), (second, "onSite")] {
                let response = try await app.testing().sendRequest(
                    .POST, "/api/v1/dispatch-contacts", headers: world.officer.apiHeaders.adding(.json),
                    body: .json(["enterpriseId": enterprise.id!.uuidString, "channel": channel, "summary": "了解复工意向", "outcome": "intendsToResume"]))
                #expect(response.status == .created)
            }
            let bad = try await app.testing().sendRequest(
                .POST, "/api/v1/dispatch-contacts", headers: world.officer.apiHeaders.adding(.json),
                body: .json(["enterpriseId": UUID().uuidString, "channel": "pigeon", "summary": "", "outcome": "maybe"]))
            #expect(bad.apiError?.fields.keys.sorted() == ["channel", "enterpriseId", "outcome", "summary"])
            let summary = try await app.testing().sendRequest(.GET, "/api/v1/dispatch-contacts/summary?from=2020-02-01&to=2020-02-08", headers: world.leader.apiHeaders)
            let decoded = try JSONDecoder().decode(DispatchService.Summary.self, from: Data(buffer: summary.body))
            #expect(decoded.contacts == 3)
            #expect(decoded.enterprises == 2)
            #expect(decoded.rows.map(\.day) == ["2020-02-08"])
            #expect(decoded.notContacted.map(\.name) == ["未联系企业"])
            let page = try await app.testing().sendRequest(.GET, "/dispatch?from=2020-02-01&to=2020-02-08", headers: world.leader.pageHeaders)
            #expect(page.text.contains("调度企业 3 户次，涉及 2 户"))
            #expect(page.text.contains("<svg"))
            let reversed = try await app.testing().sendRequest(.GET, "/api/v1/dispatch-contacts/summary?from=2020-02-09&to=2020-02-01", headers: world.leader.apiHeaders)
            #expect(reversed.status == .unprocessableEntity)
            // The contacts themselves, newest first: the officer's own on their page and by API, the
            // officer named for the district; another officer sees none of them.
            struct Contact: Decodable { let enterpriseId: UUID; let channel: String }
            let own = try JSONDecoder.iso.decode([Contact].self, from: Data(buffer: try await app.testing()
                .sendRequest(.GET, "/api/v1/dispatch-contacts?from=2020-02-01&to=2020-02-08", headers: world.officer.apiHeaders).body))
            #expect(own.count == 3 && Set(own.map(\.channel)) == ["phone", "wechat", "onSite"])
            let mine = try await app.testing().sendRequest(.GET, "/dispatch", headers: world.officer.pageHeaders)
            #expect(mine.text.contains("我最近的调度记录") && mine.text.contains("长春智驰汽车电子") && mine.text.contains("了解复工意向"))
            let district = try await app.testing().sendRequest(.GET, "/dispatch", headers: world.leader.pageHeaders)
            #expect(district.text.contains("最近的调度记录") && district.text.contains(world.officer.user.displayName))
            let colleague = try await Fixtures.caller(app, "officer2", role: .officer)
            let theirs = try await app.testing().sendRequest(.GET, "/api/v1/dispatch-contacts", headers: colleague.apiHeaders)
            #expect(theirs.status == .ok && theirs.text == "[]")
            let elsewhere = try await app.testing().sendRequest(.GET, "/api/v1/dispatch-contacts?zone=mars", headers: world.leader.apiHeaders)
            #expect(elsewhere.text == "[]")
        }
    }

    @Test("Automatic assignment balances load within the zone and respects the cap, with history")
    func automaticAssignment() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            _ = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: admin.apiHeaders.adding(.json), body: .json(["officerCap": 1]))
            for name in ["officer-a", "officer-b"] {
                let officer = try await Fixtures.user(app, name, role: .officer)
                officer.zone = "jingkai"
                try await officer.save(on: app.db)
            }
            var assigned: [String] = []
            for code in 1...3 {
                let enterprise = try await Fixtures.enterprise(app, name: "企业\(code)", code: code)
                let response = try await app.testing().sendRequest(.POST, "/api/v1/officer-assignments", headers: admin.apiHeaders.adding(.json),
                                                                   body: .json(["enterpriseId": enterprise.id!.uuidString]))
                if response.status == .created {
                    let officerID = try JSONDecoder.iso.decode(OfficersAPIController.AssignmentDTO.self, from: Data(buffer: response.body)).officerId
                    assigned.append(try await User.find(officerID, on: app.db)!.username)
                } else {
                    #expect(response.status == .conflict)
                    #expect(response.apiError?.fields["officerId"] != nil)
                }
            }
            #expect(assigned == ["officer-a", "officer-b"])
            let history = try await app.testing().sendRequest(.GET, "/api/v1/officer-assignments", headers: admin.apiHeaders)
            #expect(history.text.contains("\"method\":\"automatic\""))
        }
    }
}

@Suite("Resumption through the pages")
struct ResumptionPageTests {
    func multipartForm(_ fields: [(String, String)], file: (name: String, filename: String, type: String, data: Data)?) -> (HTTPHeaders, ByteBuffer) {
        let boundary = "page-boundary"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        if let file {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8))
            body.append(file.data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return (["Content-Type": "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: body))
    }

    @Test("Enterprise fills the form, uploads, submits; reviewer passes; leader approves; officer reports with a photo")
    func wholeFlowThroughPages() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let company = world.company
            let form = try await app.testing().sendRequest(.GET, "/resumption/new", headers: company.pageHeaders)
            #expect(form.text.contains("<label for=\"headcountOnSite\">到岗人数</label>"))

            var fields: [String: String] = ["_csrf": company.csrf, "category": "epidemicPrevention", "plannedDate": "2020-02-12",
                                            "products": "消毒液 5000瓶/日", "headcountTotal": "120", "headcountOnSite": "many",
                                            "headcountOutOfProvince": "0", "headcountKeyAreas": "0", "headcountIsolated": "0",
                                            "maskDays": "10", "disinfectantDays": "10", "thermometerDays": "10"]
            let bad = try await app.testing().sendRequest(.POST, "/resumption", headers: company.pageHeaders.adding(.form), body: .form(fields))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("id=\"headcountOnSite-error\">请填写数字。"))
            #expect(bad.text.contains("value=\"消毒液 5000瓶/日\""))
            #expect(try await ResumptionApplication.query(on: app.db).count() == 0)

            fields["headcountOnSite"] = "40"
            let created = try await app.testing().sendRequest(.POST, "/resumption", headers: company.pageHeaders.adding(.form),
                                                              body: ByteBuffer(string: String(buffer: .form(fields)) + "&checklist%5B%5D=isolationRoom"))
            #expect(created.status == .seeOther)
            let application = try #require(try await ResumptionApplication.query(on: app.db).first())
            #expect(application.checklist == ["isolationRoom"])
            let detailPath = "/resumption/\(application.id!)"

            let blocked = try await app.testing().sendRequest(.POST, "\(detailPath)/submit", headers: company.pageHeaders.adding(.form),
                                                              body: .form(["_csrf": company.csrf]))
            #expect(blocked.status == .unprocessableEntity)
            #expect(blocked.text.contains("尚未上传签字盖章的承诺书"))

            let (headers, body) = multipartForm([("_csrf", company.csrf), ("kind", "commitment")],
                                                file: ("file", "承诺书.pdf", "application/pdf", ResumptionFixtures.pdf))
            let uploaded = try await app.testing().sendRequest(.POST, "\(detailPath)/attachments", headers: company.pageHeaders.adding(headers), body: body)
            #expect(uploaded.status == .seeOther)
            let (_, noToken) = multipartForm([("kind", "evidence")], file: ("file", "order.pdf", "application/pdf", ResumptionFixtures.pdf))
            let forged = try await app.testing().sendRequest(.POST, "\(detailPath)/attachments", headers: company.pageHeaders.adding(headers), body: noToken)
            #expect(forged.status == .forbidden)
            #expect(try await ResumptionAttachment.query(on: app.db).count() == 1)

            let submitted = try await app.testing().sendRequest(.POST, "\(detailPath)/submit", headers: company.pageHeaders.adding(.form),
                                                                body: .form(["_csrf": company.csrf]))
            #expect(submitted.status == .seeOther)

            let queue = try await app.testing().sendRequest(.GET, "/resumption", headers: world.reviewer.pageHeaders)
            #expect(queue.text.contains("吉林君安生物科技有限公司"))
            let reviewPage = try await app.testing().sendRequest(.GET, detailPath, headers: world.reviewer.pageHeaders)
            #expect(reviewPage.text.contains("action=\"\(detailPath)/review\""))
            #expect(!reviewPage.text.contains("action=\"\(detailPath)/confirm\""))
            #expect(reviewPage.text.contains("未设置隔离观察室") == false)
            let passed = try await app.testing().sendRequest(.POST, "\(detailPath)/review", headers: world.reviewer.pageHeaders.adding(.form),
                                                             body: .form(["_csrf": world.reviewer.csrf, "decision": "pass", "comment": ""]))
            #expect(passed.status == .seeOther)
            let leaderPage = try await app.testing().sendRequest(.GET, detailPath, headers: world.leader.pageHeaders)
            #expect(leaderPage.text.contains("action=\"\(detailPath)/confirm\""))
            _ = try await app.testing().sendRequest(.POST, "\(detailPath)/confirm", headers: world.leader.pageHeaders.adding(.form),
                                                    body: .form(["_csrf": world.leader.csrf, "decision": "approve", "comment": "同意"]))
            #expect(try await ResumptionApplication.find(application.id, on: app.db)?.state == .approved)

            // The enterprise sees the decision on its home page.
            let home = try await app.testing().sendRequest(.GET, "/", headers: company.pageHeaders)
            #expect(home.text.contains("复工申请已获绿灯放行"))

            let visit = try #require(try await SiteVisit.query(on: app.db).first())
            // Before its day the page offers no report form, and says when it opens.
            let ahead = try await app.testing().sendRequest(.GET, "/visits/\(visit.id!)", headers: world.officer.pageHeaders)
            #expect(ahead.text.contains("走访当天起可以在这里填写报告"))
            #expect(!ahead.text.contains("name=\"photos[]\""))
            visit.scheduledFor = CivilDate(app.clock.now).iso
            try await visit.save(on: app.db)
            var report: [(String, String)] = [("_csrf", world.officer.csrf), ("headcountFound", "38"), ("problems", "")]
            for standard in SiteStandard.allCases { report.append(("results[\(standard.rawValue)]", "passed")) }
            let png = ResumptionFixtures.png
            let (reportHeaders, reportBody) = multipartForm(report, file: ("photos[]", "gate.png", "image/png", png))
            let reported = try await app.testing().sendRequest(.POST, "/visits/\(visit.id!)/report",
                                                               headers: world.officer.pageHeaders.adding(reportHeaders), body: reportBody)
            #expect(reported.status == .seeOther)
            #expect(try await ResumptionApplication.find(application.id, on: app.db)?.state == .resumed)
            let photo = try await ResumptionAttachment.query(on: app.db).filter(\.$kind == .visitPhoto).first()
            #expect(photo?.filename == "gate.png")
            let final = try await app.testing().sendRequest(.GET, detailPath, headers: company.pageHeaders)
            #expect(final.text.contains("已复工"))
            #expect(final.text.contains("现场确认复工"))
        }
    }

    @Test("The queue marks applications waiting longer than the setting, oldest first")
    func overdueQueue() async throws {
        try await withApp { app in
            let world = try await ResumptionFixtures.world(app)
            let id = try await ResumptionFixtures.readyDraft(app, world.company)
            _ = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(id)/submit", headers: world.company.apiHeaders)
            let fresh = try await app.testing().sendRequest(.GET, "/resumption", headers: world.reviewer.pageHeaders)
            #expect(!fresh.text.contains("class=\"overdue\""))
            app.clock.advance(by: 4 * 86_400) // Saturday → Wednesday: two working days
            let reviewer = try await Fixtures.caller(app, world.reviewer.user) // the old session has expired
            let late = try await app.testing().sendRequest(.GET, "/resumption", headers: reviewer.pageHeaders)
            #expect(late.text.contains("class=\"overdue\""))
            #expect(late.text.contains("超时"))
        }
    }
}
