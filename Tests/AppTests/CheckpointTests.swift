@testable import App
import Domain
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("车间消毒区再次测温: checkpoints inside the site, and protective equipment at the gate")
struct CheckpointTests {
    typealias W = WorkforceFixtures

    @Test("Where the district asks for suits, the gate asks and a missing suit is a reason; a checkpoint takes the temperature again and a fever there alerts")
    func checkpointsAndEquipment() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司")
            let other = try await Fixtures.enterprise(app, name: "长春圣卫防护服装有限公司", code: 2)
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let otherAdmin = try await Fixtures.caller(app, "hr2", role: .enterpriseAdmin, enterprise: other)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            #expect(try await W.importCSV(app, admin, enterprise, Data(W.csv(W.people).utf8)).status == .ok)
            let district = try await Fixtures.user(app, "district", role: .districtAdmin)
            var health = try await DistrictSettings.load(app.db).health
            health.protectiveEquipment = [.suit]
            _ = try await SettingsService.change(app.context(as: district), .init(health: health))

            // The gate asks for the suit coming in, not going out.
            let unanswered = try await W.send(app, .POST, "/api/v1/gate/check-ins", guardCaller, ["employeeNumber": "A001", "temperature": 36.5, "mask": true])
            #expect(unanswered.apiError?.fields.keys.sorted() == ["suit"])
            let noSuit = try await W.gate(app, guardCaller, ["employeeNumber": "A001", "temperature": 36.5, "mask": true, "suit": false])
            #expect(noSuit.decision == "deny" && noSuit.reasons.contains(.noSuit) && noSuit.reasonTexts.contains("未穿防护服"))
            let suited = try await W.gate(app, guardCaller, ["employeeNumber": "A001", "temperature": 36.5, "mask": true, "suit": true])
            #expect(!suited.reasons.contains(.noSuit))
            let leaving = try await W.gate(app, guardCaller, ["employeeNumber": "A001", "mask": true, "direction": "out"])
            #expect(leaving.decision == "allow")

            // A checkpoint of the enterprise's; another's is refused.
            let added = try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/checkpoints", admin, ["name": "灌装车间入口"])
            #expect(added.status == .created)
            let checkpoint = try #require(added.decoded(Gate.CheckpointDTO.self))
            #expect(try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/checkpoints", admin, ["name": ""]).status == .unprocessableEntity)
            let listed = try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/checkpoints", guardCaller)
            #expect(listed.text.contains("灌装车间入口"))
            #expect(try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/checkpoints", otherAdmin).status == .notFound)
            let foreign = try await W.send(app, .POST, "/api/v1/enterprises/\(other.id!)/checkpoints", otherAdmin, ["name": "包装车间"])
            let foreignID = try #require(foreign.decoded(Gate.CheckpointDTO.self)).id
            let wrongPlace = try await W.send(app, .POST, "/api/v1/gate/check-ins", guardCaller,
                                              ["employeeNumber": "A002", "temperature": 36.5, "mask": true, "suit": true, "checkpoint": foreignID.uuidString])
            #expect(wrongPlace.apiError?.fields.keys.sorted() == ["checkpoint"])
            let out = try await W.send(app, .POST, "/api/v1/gate/check-ins", guardCaller,
                                       ["employeeNumber": "A002", "mask": true, "direction": "out", "checkpoint": checkpoint.id.uuidString])
            #expect(out.apiError?.fields.keys.sorted() == ["direction"])

            // A fever at the workshop's checkpoint: denied, an alert like the gate's, in the checkpoint's own log.
            let gateRows = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM gate_check_ins").first(decoding: Count.self)?.n
            let fever = try await W.gate(app, guardCaller, ["employeeNumber": "A002", "temperature": 38.1, "mask": true, "suit": true,
                                                             "checkpoint": checkpoint.id.uuidString])
            #expect(fever.decision == "deny" && fever.reasons.contains(.feverNow))
            let alert = try #require(try await FeverAlert.query(on: app.db).first())
            #expect(alert.source == .checkpoint && alert.temperature == 38.1)
            let passages = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM checkpoint_passages").first(decoding: Count.self)?.n
            #expect(passages == 1)
            #expect(try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM gate_check_ins").first(decoding: Count.self)?.n == gateRows)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "gate.checkpoint.add").count() == 2)
        }
    }

    @Test("The guard's page: choose a checkpoint; after a mistake every answer stays as it was, \"no mask\" included")
    func gatePage() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司")
            let admin = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            let guardCaller = try await Fixtures.caller(app, "gate1", role: .gateGuard, enterprise: enterprise)
            let district = try await Fixtures.user(app, "district", role: .districtAdmin)
            var health = try await DistrictSettings.load(app.db).health
            health.protectiveEquipment = [.gloves]
            _ = try await SettingsService.change(app.context(as: district), .init(health: health))
            let added = try await app.testing().sendRequest(.POST, "/workforce/checkpoints", headers: admin.pageHeaders.adding(.form),
                                                            body: .form(["_csrf": admin.csrf, "name": "配液车间入口"]))
            #expect(added.status == .seeOther)
            let id = try #require(try await Checkpoint.query(on: app.db).first()?.id)
            let page = try await app.testing().sendRequest(.GET, "/gate?checkpoint=\(id)", headers: guardCaller.pageHeaders)
            #expect(page.text.contains("配液车间入口") && page.text.contains("是否戴手套") && page.text.contains(#"name="checkpoint" value="\#(id)""#))
            let wrong = try await app.testing().sendRequest(.POST, "/gate", headers: guardCaller.pageHeaders.adding(.form), body: .form([
                "_csrf": guardCaller.csrf, "who": "A001", "temperature": "abc", "mask": "no", "gloves": "yes", "direction": "in", "checkpoint": id.uuidString,
            ]))
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.text.contains(#"id="mask-no" name="mask" value="no" checked"#) && !wrong.text.contains(#"id="mask-yes" name="mask" value="yes" checked"#))
            #expect(wrong.text.contains(#"id="gloves-yes" name="gloves" value="yes" checked"#))
            #expect(wrong.text.contains(#"value="abc""#) && wrong.text.contains(#"name="checkpoint" value="\#(id)""#))
            // A check at the checkpoint shows in its own log, not the gate's.
            _ = try await WorkforceFixtures.importCSV(app, admin, enterprise, Data(WorkforceFixtures.csv(WorkforceFixtures.people).utf8))
            let checked = try await app.testing().sendRequest(.POST, "/gate", headers: guardCaller.pageHeaders.adding(.form), body: .form([
                "_csrf": guardCaller.csrf, "who": "A003", "temperature": "36.6", "mask": "yes", "gloves": "yes", "direction": "in", "checkpoint": id.uuidString,
            ]))
            #expect(checked.status == .ok && checked.text.contains("本检查点今日记录") && checked.text.contains("张伟"))
            let atGate = try await app.testing().sendRequest(.GET, "/gate", headers: guardCaller.pageHeaders)
            #expect(!atGate.text.contains("张伟"))
        }
    }
}

private struct Count: Decodable { let n: Int }
