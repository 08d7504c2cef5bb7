@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Enterprise registry")
struct EnterpriseTests {
    @Test("A valid registration gets 201 with the enterprise, pending, and its first admin account")
    func register() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(.POST, "/api/v1/enterprises", headers: .json, body: .json(Fixtures.registration()))
            #expect(response.status == .created)
            let dto = try JSONDecoder.iso.decode(EnterpriseDTO.self, from: Data(buffer: response.body))
            #expect(dto.creditCode == "91350100M000100Y43")
            #expect(dto.status == .pending)
            #expect(dto.contactPhone == "13800138000")
            #expect(dto.zone == "xinqu")
            let admin = try #require(try await User.query(on: app.db).filter(\.$username == "newco").first())
            #expect(admin.role == .enterpriseAdmin)
            #expect(admin.$enterprise.id == dto.id)
            #expect(admin.passwordHash != Fixtures.password)
            let actions = try await AuditEvent.query(on: app.db).all().map(\.action).sorted()
            #expect(actions == ["enterprise.register", "user.create"])
            // No password in the audit log.
            #expect(try await AuditEvent.query(on: app.db).all().allSatisfy { ($0.detail ?? "").contains(Fixtures.password) == false })
        }
    }

    @Test("A bad check character gets 422 on creditCode and stores nothing")
    func badCreditCode() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(
                .POST, "/api/v1/enterprises", headers: .json, body: .json(Fixtures.registration(creditCode: "91350100M000100Y44")))
            #expect(response.status == .unprocessableEntity)
            #expect(response.apiError?.code == "invalid")
            #expect(response.apiError?.fields.keys.sorted() == ["creditCode"])
            #expect(response.apiError?.fields["creditCode"] == "统一社会信用代码校验位不正确，请核对营业执照。")
            #expect(try await Enterprise.query(on: app.db).count() == 0)
            #expect(try await User.query(on: app.db).count() == 0)
            #expect(try await AuditEvent.query(on: app.db).count() == 0)
        }
    }

    @Test("A bad mobile gets 422 on contactPhone, in English when asked")
    func badMobile() async throws {
        try await withApp { app in
            var body = Fixtures.registration()
            body["contactPhone"] = "1234"
            let response = try await app.testing().sendRequest(
                .POST, "/api/v1/enterprises", headers: HTTPHeaders.json.adding(["Accept-Language": "en-US,en;q=0.9"]), body: .json(body))
            #expect(response.status == .unprocessableEntity)
            #expect(response.apiError?.fields == ["contactPhone": "Enter an 11-digit mainland mobile number."])
            #expect(try await Enterprise.query(on: app.db).count() == 0)
        }
    }

    @Test("A wrong type is a 422 naming the field, not a 500")
    func wrongType() async throws {
        try await withApp { app in
            var body = Fixtures.registration()
            body["staffCount"] = "many"
            let response = try await app.testing().sendRequest(.POST, "/api/v1/enterprises", headers: .json, body: .json(body))
            #expect(response.status == .unprocessableEntity)
            #expect(response.apiError?.fields.keys.sorted() == ["staffCount"])
            let garbage = try await app.testing().sendRequest(.POST, "/api/v1/enterprises", headers: .json, body: ByteBuffer(string: "{not json"))
            #expect(garbage.status.code < 500)
        }
    }

    @Test("A credit code already registered gets 409")
    func duplicate() async throws {
        try await withApp { app in
            let first = try await app.testing().sendRequest(.POST, "/api/v1/enterprises", headers: .json, body: .json(Fixtures.registration()))
            #expect(first.status == .created)
            let again = try await app.testing().sendRequest(
                .POST, "/api/v1/enterprises", headers: .json,
                body: .json(Fixtures.registration(creditCode: "91350100m000100y43", adminUsername: "other")))
            #expect(again.status == .conflict)
            #expect(again.apiError?.fields.keys.sorted() == ["creditCode"])
            #expect(try await Enterprise.query(on: app.db).count() == 1)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test("A reviewer verifies or refuses; a refusal needs a reason; the enterprise sees which")
    func review() async throws {
        try await withApp { app in
            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let pending = try await Fixtures.enterprise(app, name: "待审企业", code: 1, status: .pending)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: pending)
            let path = "/api/v1/enterprises/\(pending.id!)/review"
            let noReason = try await app.testing().sendRequest(.POST, path, headers: reviewer.apiHeaders.adding(.json), body: .json(["decision": "refuse"]))
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.apiError?.fields.keys.sorted() == ["reason"])
            let refused = try await app.testing().sendRequest(
                .POST, path, headers: reviewer.apiHeaders.adding(.json), body: .json(["decision": "refuse", "reason": "信用代码与营业执照不符"]))
            #expect(refused.status == .ok)
            let seen = try await app.testing().sendRequest(.GET, "/api/v1/enterprises/\(pending.id!)", headers: company.apiHeaders)
            #expect(seen.text.contains("\"status\":\"refused\""))
            #expect(seen.text.contains("信用代码与营业执照不符"))
            let page = try await app.testing().sendRequest(.GET, "/enterprises/\(pending.id!)", headers: company.pageHeaders)
            #expect(page.text.contains("未通过"))
            #expect(page.text.contains("信用代码与营业执照不符"))
            let twice = try await app.testing().sendRequest(.POST, path, headers: reviewer.apiHeaders.adding(.json), body: .json(["decision": "approve"]))
            #expect(twice.status == .conflict)
            #expect(twice.apiError?.code == "illegalTransition")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "enterprise.refuse").count() == 1)
        }
    }

    @Test("The web review form verifies an enterprise")
    func webReview() async throws {
        try await withApp { app in
            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let pending = try await Fixtures.enterprise(app, name: "待审企业", code: 1, status: .pending)
            let detail = try await app.testing().sendRequest(.GET, "/enterprises/\(pending.id!)", headers: reviewer.pageHeaders)
            #expect(detail.text.contains("action=\"/enterprises/\(pending.id!)/review\""))
            let response = try await app.testing().sendRequest(
                .POST, "/enterprises/\(pending.id!)/review", headers: reviewer.pageHeaders.adding(.form),
                body: .form(["_csrf": reviewer.csrf, "decision": "approve", "reason": ""]))
            #expect(response.status == .seeOther)
            let stored = try await Enterprise.find(pending.id, on: app.db)
            #expect(stored?.status == .verified)
            #expect(stored?.$reviewedBy.id == reviewer.user.id)
        }
    }

    @Test("The registration page creates the enterprise; errors show next to their fields and keep the input")
    func webRegistration() async throws {
        try await withApp { app in
            let page = try await app.testing().sendRequest(.GET, "/register")
            let cookie = try #require(page.cookie("fugong_session"))
            let csrf = String(try #require(page.text.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1))
            #expect(page.text.contains("<label for=\"creditCode\">统一社会信用代码</label>"))
            var fields = Fixtures.registration().compactMapValues { $0 as? String }
            fields["staffCount"] = "80"
            fields["aboveDesignatedSize"] = "on"
            fields["adminPasswordConfirmation"] = Fixtures.password
            fields["_csrf"] = csrf
            fields["creditCode"] = "91350100M000100Y44"
            let headers = HTTPHeaders.form.adding(["Cookie": "fugong_session=\(cookie)"])
            let bad = try await app.testing().sendRequest(.POST, "/register", headers: headers, body: .form(fields))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("id=\"creditCode-error\">统一社会信用代码校验位不正确"))
            #expect(bad.text.contains("value=\"长春新材料有限公司\""))
            #expect(!bad.text.contains(Fixtures.password))
            #expect(try await Enterprise.query(on: app.db).count() == 0)

            fields["creditCode"] = "91350100M000100Y43"
            let good = try await app.testing().sendRequest(.POST, "/register", headers: headers, body: .form(fields))
            #expect(good.status == .seeOther)
            #expect(good.headers.first(name: .location) == "/login")
            let next = try await app.testing().sendRequest(.GET, "/login", headers: ["Cookie": "fugong_session=\(cookie)"])
            #expect(next.text.contains("注册已提交"))
            let stored = try #require(try await Enterprise.query(on: app.db).first())
            #expect(stored.aboveDesignatedSize)
            #expect(stored.staffCount == 80)
        }
    }

    @Test("Government roles list enterprises by zone, status and text; other roles see masked phones")
    func list() async throws {
        try await withApp { app in
            try await Fixtures.enterprise(app, name: "长春消毒液厂", code: 1)
            let other = try await Fixtures.enterprise(app, name: "兴隆乳业", code: 2, status: .pending)
            other.zone = "xinglong"
            try await other.save(on: app.db)
            let leader = try await Fixtures.caller(app, "leader", role: .leader)
            let byZone = try await app.testing().sendRequest(.GET, "/api/v1/enterprises?zone=xinglong", headers: leader.apiHeaders)
            #expect(byZone.text.contains("兴隆乳业"))
            #expect(!byZone.text.contains("长春消毒液厂"))
            #expect(byZone.text.contains("138****0001"))
            let byText = try await app.testing().sendRequest(.GET, "/api/v1/enterprises?q=%E6%B6%88%E6%AF%92", headers: leader.apiHeaders)
            #expect(byText.text.contains("长春消毒液厂"))
            #expect(byText.text.contains("\"total\":1"))
            let literal = try await app.testing().sendRequest(.GET, "/api/v1/enterprises?q=%25", headers: leader.apiHeaders)
            #expect(literal.text.contains("\"total\":0"))
            let page = try await app.testing().sendRequest(.GET, "/enterprises?status=pending", headers: leader.pageHeaders)
            #expect(page.text.contains("兴隆乳业"))
            #expect(!page.text.contains("长春消毒液厂"))
        }
    }

    @Test("规上: the enterprise list and the resumption queue filter by size, and mark those above designated size")
    func aboveDesignatedSize() async throws {
        try await withApp { app in
            let large = try await Fixtures.enterprise(app, name: "长春消毒液厂", code: 1)
            let small = try await Fixtures.enterprise(app, name: "兴隆小作坊", code: 2)
            small.aboveDesignatedSize = false
            try await small.save(on: app.db)
            let leader = try await Fixtures.caller(app, "leader", role: .leader)
            let above = try await app.testing().sendRequest(.GET, "/api/v1/enterprises?size=above", headers: leader.apiHeaders)
            #expect(above.text.contains("长春消毒液厂") && !above.text.contains("兴隆小作坊"))
            let below = try await app.testing().sendRequest(.GET, "/api/v1/enterprises?size=below", headers: leader.apiHeaders)
            #expect(!below.text.contains("长春消毒液厂") && below.text.contains("兴隆小作坊"))
            let page = try await app.testing().sendRequest(.GET, "/enterprises?size=above", headers: leader.pageHeaders)
            #expect(page.text.contains("长春消毒液厂") && !page.text.contains("兴隆小作坊"))
            #expect(page.text.contains(#"<option value="above" selected>"#) && page.text.contains(">规上</span>"))
            // The queue: one submitted application for each.
            for (enterprise, name) in [(large, "large"), (small, "small")] {
                let company = try await Fixtures.caller(app, "company-\(name)", role: .enterpriseAdmin, enterprise: enterprise)
                let id = try await ResumptionFixtures.readyDraft(app, company)
                _ = try await app.testing().sendRequest(.POST, "/api/v1/resumption-applications/\(id)/submit", headers: company.apiHeaders)
            }
            let queue = try await app.testing().sendRequest(.GET, "/api/v1/resumption-applications?size=below", headers: leader.apiHeaders)
            #expect(queue.text.contains("兴隆小作坊") && !queue.text.contains("长春消毒液厂"))
            let queuePage = try await app.testing().sendRequest(.GET, "/resumption?size=above", headers: leader.pageHeaders)
            #expect(queuePage.text.contains("长春消毒液厂") && !queuePage.text.contains("兴隆小作坊"))
        }
    }
}

extension JSONDecoder {
    static let iso: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
