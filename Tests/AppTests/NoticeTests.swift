@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("传递通知: notices sent to enterprises, read receipts, reminders, calls")
struct NoticeTests {
    @Test("A notice to 经开区 reaches its enterprises' admins; reading is recorded per enterprise; the district and the officer see who has not read; remind and call")
    func receipts() async throws {
        try await withApp { app in
            let inZone = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司", code: 1)
            let alsoInZone = try await Fixtures.enterprise(app, name: "长春智驰汽车电子有限公司", code: 2)
            let elsewhere = try await Fixtures.enterprise(app, name: "长春圣卫防护服装有限公司", code: 3)
            elsewhere.zone = "xinqu"
            try await elsewhere.save(on: app.db)
            let admin = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: inZone)
            let outsider = try await Fixtures.caller(app, "outsider", role: .enterpriseAdmin, enterprise: elsewhere)
            let officer = try await Fixtures.caller(app, "officer", role: .officer)
            let assignment = OfficerAssignment()
            assignment.$officer.id = officer.user.id!
            assignment.$enterprise.id = alsoInZone.id!
            assignment.method = "manual"
            assignment.startedAt = app.clock.now
            try await assignment.create(on: app.db)

            let body: [String: Any] = ["kind": "notice", "title": "关于复工企业每日报送防疫情况的通知", "issuer": "经开区指挥部", "issuedOn": "2020-02-08",
                                       "body": "请于每日 10 时前报送。"]
            // A target that reaches nobody is refused with the rest of the form, and nothing is stored.
            var nobody = body
            nobody["title"] = ""
            nobody["targets"] = ["zones": ["xinglong"]]
            let refused = try await app.testing().sendRequest(.POST, "/api/v1/policies", headers: admin.apiHeaders.adding(.json), body: .json(nobody))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.apiError?.fields.keys.sorted() == ["targets", "title"])
            #expect(try await Policy.query(on: app.db).count() == 0)

            var sent = body
            sent["targets"] = ["zones": ["jingkai"]]
            let created = try await app.testing().sendRequest(.POST, "/api/v1/policies", headers: admin.apiHeaders.adding(.json), body: .json(sent))
            #expect(created.status == .created)
            let id = try #require(try await Policy.query(on: app.db).first()?.id)
            let told = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.notice.new").all()
            #expect(Set(told.compactMap(\.enterpriseID)) == [inZone.id!, alsoInZone.id!])

            // The company reads it on its page; the other enterprise in the zone does not.
            _ = try await app.testing().sendRequest(.GET, "/policies/\(id)", headers: company.pageHeaders)
            let unread = try await app.testing().sendRequest(.GET, "/api/v1/notices/\(id)/receipts?read=false", headers: admin.apiHeaders)
            struct Summary: Decodable { struct Receipt: Decodable { let enterpriseName: String; let readBy: String? }; let sent: Int; let read: Int; let receipts: [Receipt] }
            let summary = try JSONDecoder().decode(Summary.self, from: Data(buffer: unread.body))
            #expect(summary.sent == 2 && summary.read == 1 && summary.receipts.map(\.enterpriseName) == ["长春智驰汽车电子有限公司"])
            let all = try JSONDecoder().decode(Summary.self, from: Data(buffer: try await app.testing()
                .sendRequest(.GET, "/api/v1/notices/\(id)/receipts", headers: admin.apiHeaders).body))
            #expect(all.receipts.first { $0.enterpriseName == "吉林君安生物科技有限公司" }?.readBy == company.user.displayName)
            // The officer sees only the enterprise they serve; enterprises see none.
            let own = try JSONDecoder().decode(Summary.self, from: Data(buffer: try await app.testing()
                .sendRequest(.GET, "/api/v1/notices/\(id)/receipts", headers: officer.apiHeaders).body))
            #expect(own.receipts.map(\.enterpriseName) == ["长春智驰汽车电子有限公司"])
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/notices/\(id)/receipts", headers: outsider.apiHeaders).status == .forbidden)

            // Remind, and call: the call is in the dispatch log.
            let reminded = try await app.testing().sendRequest(.POST, "/api/v1/notices/\(id)/receipts/\(alsoInZone.id!)/reminder", headers: admin.apiHeaders)
            #expect(reminded.status == .noContent)
            #expect(try await Notification.query(on: app.db).filter(\.$messageKey == "notify.notice.reminder").count() == 1)
            // Not again within the hour.
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/notices/\(id)/receipts/\(alsoInZone.id!)/reminder", headers: admin.apiHeaders).status == .conflict)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/notices/\(id)/receipts/\(inZone.id!)/reminder", headers: admin.apiHeaders).status == .conflict)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/notices/\(id)/receipts/\(inZone.id!)/call", headers: officer.apiHeaders).status == .notFound)
            let called = try await app.testing().sendRequest(.POST, "/api/v1/notices/\(id)/receipts/\(alsoInZone.id!)/call", headers: officer.apiHeaders)
            #expect(called.status == .noContent)
            let contact = try #require(try await DispatchContact.query(on: app.db).first())
            #expect(contact.outcome == .informed && contact.channel == .phone && contact.$enterprise.id == alsoInZone.id!)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["notice.remind", "notice.call"]).count() == 2)

            // The page: read count, the unread enterprise with its follow-up.
            let page = try await app.testing().sendRequest(.GET, "/policies/\(id)", headers: admin.pageHeaders)
            #expect(page.text.contains("已读 1 家 / 共发送 2 家") && page.text.contains("已提醒 1 次") && page.text.contains("电话告知"))
        }
    }

    @Test("The publish form keeps every choice after a mistake, and says when the choice reaches nobody")
    func publishForm() async throws {
        try await withApp { app in
            try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司", code: 1)
            let admin = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let wrong = try await app.testing().sendRequest(.POST, "/policies", headers: admin.pageHeaders.adding(.form), body: .form([
                "_csrf": admin.csrf, "kind": "notice", "title": "关于做好防疫的通知", "issuer": "指挥部", "issuedOn": "2020-02-08", "body": "内容",
                "send": "chosen", "zones[]": "xinqu", "categories[]": "dailyNecessities", "industry": "乳制品",
            ]))
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains("按所选条件没有任何企业"))
            #expect(wrong.text.contains(#"id="send-chosen" name="send" value="chosen" checked"#))
            #expect(wrong.text.contains(#"value="xinqu" checked"#) && wrong.text.contains(#"value="dailyNecessities" checked"#))
            #expect(wrong.text.contains(#"value="乳制品""#) && wrong.text.contains(#"value="关于做好防疫的通知""#))
            #expect(try await Policy.query(on: app.db).count() == 0)
            let sent = try await app.testing().sendRequest(.POST, "/policies", headers: admin.pageHeaders.adding(.form), body: .form([
                "_csrf": admin.csrf, "kind": "notice", "title": "关于做好防疫的通知", "issuer": "指挥部", "issuedOn": "2020-02-08", "body": "内容",
                "send": "all",
            ]))
            #expect(sent.status == .seeOther)
            #expect(try await NoticeReceipt.query(on: app.db).count() == 1)
        }
    }
}
