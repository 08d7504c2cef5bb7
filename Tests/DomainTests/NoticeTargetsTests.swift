import Domain
import Foundation
import Testing

@Suite("传递通知: whom a notice reaches")
struct NoticeTargetsTests {
    let maker = NoticeTargets.Facts(zone: "jingkai", category: .epidemicPrevention, industry: "消毒用品制造")
    let dairy = NoticeTargets.Facts(zone: "xinglong", category: .dailyNecessities, industry: "乳制品")
    let newcomer = NoticeTargets.Facts(zone: "xinqu", category: nil, industry: "物流运输")

    @Test("Every kind chosen must match, any value of each; an enterprise without an application matches no category")
    func matching() {
        #expect(NoticeTargets(all: true).matches(newcomer))
        let zoneAndCategory = NoticeTargets(zones: ["jingkai", "xinglong"], categories: [.dailyNecessities])
        #expect(zoneAndCategory.matches(dairy) && !zoneAndCategory.matches(maker))
        #expect(!NoticeTargets(categories: [.epidemicPrevention, .dailyNecessities]).matches(newcomer))
        #expect(NoticeTargets(industries: ["消毒", "防护"]).matches(maker))
        #expect(!NoticeTargets().matches(maker)) // nothing chosen reaches nobody
    }

    @Test("A choice that reaches no enterprise, or nothing chosen, is refused; unknown zones and categories are named")
    func check() throws {
        let all = [maker, dairy, newcomer]
        let zones: Set = ["jingkai", "xinqu", "xinglong"]
        let targets = try NoticeTargets.check(all: false, zones: [" xinglong ", "xinglong"], categories: [], industries: [], knownZones: zones, enterprises: all)
        #expect(targets.zones == ["xinglong"])
        do throws(FieldErrors) {
            _ = try NoticeTargets.check(all: false, zones: ["xinqu"], categories: ["dailyNecessities"], industries: [], knownZones: zones, enterprises: all)
            Issue.record("a notice to nobody was accepted")
        } catch {
            #expect(error.messages == ["targets": "error.notice.reachesNobody"])
        }
        do throws(FieldErrors) {
            _ = try NoticeTargets.check(all: false, zones: [], categories: [], industries: [" "], knownZones: zones, enterprises: all)
            Issue.record("an empty choice was accepted")
        } catch {
            #expect(error.messages == ["targets": "error.notice.noTargets"])
        }
        do throws(FieldErrors) {
            _ = try NoticeTargets.check(all: false, zones: ["moon"], categories: ["luxury"], industries: [], knownZones: zones, enterprises: all)
            Issue.record("unknown values were accepted")
        } catch {
            #expect(error.messages == ["targets.zones": "error.zone.unknown", "targets.categories": "error.choice"])
        }
        // Nobody registered yet: even "all" reaches nobody.
        #expect(throws: FieldErrors.self) { try NoticeTargets.check(all: true, zones: [], categories: [], industries: [], knownZones: zones, enterprises: []) }
    }
}
