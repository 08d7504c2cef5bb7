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
