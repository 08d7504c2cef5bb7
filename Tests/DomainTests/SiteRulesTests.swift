import Domain
import Foundation
import Testing

@Suite("Site rules: disinfection, arrangements, output")
struct SiteRulesTests {
    let midnight = CivilDate(year: 2020, month: 2, day: 9)!.start

    @Test("An area is overdue past its interval: a daily one done at 20:00 is fine at midnight, overdue at 20:01 the next evening")
    func overdue() {
        let daily = DisinfectionArea(name: "宿舍", kind: .dormitory, timesPerDay: 1)
        let lastEvening = midnight.addingTimeInterval(-4 * 3600) // 20:00
        #expect(!DisinfectionSchedule.isOverdue(daily, last: lastEvening, since: lastEvening, now: midnight))
        #expect(!DisinfectionSchedule.isOverdue(daily, last: lastEvening, since: lastEvening, now: lastEvening.addingTimeInterval(86_400)))
        #expect(DisinfectionSchedule.isOverdue(daily, last: lastEvening, since: lastEvening, now: lastEvening.addingTimeInterval(86_460)))
        // Three times a day: eight hours at most; never done counts from when it was set up.
        let workshop = DisinfectionArea(name: "灌装车间", kind: .workshop, timesPerDay: 3)
        #expect(DisinfectionSchedule.isOverdue(workshop, last: nil, since: midnight.addingTimeInterval(-9 * 3600), now: midnight))
        #expect(!DisinfectionSchedule.isOverdue(workshop, last: nil, since: midnight.addingTimeInterval(-7 * 3600), now: midnight))
        // At midnight the day's count starts again: all three still to do.
        #expect(DisinfectionSchedule.missingToday(workshop, doneToday: 0) == 3)
        #expect(DisinfectionSchedule.missingToday(workshop, doneToday: 4) == 0)
    }

    @Test("Areas and records are checked field by field")
    func checks() throws {
        #expect(try DisinfectionArea.check(name: " 食堂 ", kind: "canteen", timesPerDay: 2) == DisinfectionArea(name: "食堂", kind: .canteen, timesPerDay: 2))
        do throws(FieldErrors) {
            _ = try DisinfectionArea.check(name: "", kind: "kitchen", timesPerDay: 13)
            Issue.record("accepted")
        } catch {
            #expect(error.messages == ["name": "error.required", "kind": "error.choice", "timesPerDay": "error.number.range"])
        }
        let now = midnight
        let ok = try DisinfectionSchedule.checkRecord(agent: "84消毒液", concentration: 500, unit: "milligramsPerLitre", at: nil, now: now)
        #expect(ok.at == now && ok.unit == .milligramsPerLitre)
        do throws(FieldErrors) {
            _ = try DisinfectionSchedule.checkRecord(agent: " ", concentration: 150, unit: "percent", at: now.addingTimeInterval(3600), now: now)
            Issue.record("accepted")
        } catch {
            #expect(error.messages == ["agent": "error.required", "concentration": "error.number.range", "at": "error.date.future"])
        }
    }

    @Test("Arrangements count each kind and those not set; above the approved on-site headcount is flagged, at it is not")
    func arrangements() {
        let counts = ArrangementCounts([.onSite, .onSite, .remote, .leave, .quarantine, .onSite], employed: 8)
        #expect(counts.onSite == 3 && counts.remote == 1 && counts.leave == 1 && counts.quarantine == 1 && counts.unset == 2)
        #expect(!counts.exceeds(approvedOnSite: 3))
        #expect(counts.exceeds(approvedOnSite: 2))
        #expect(!counts.exceeds(approvedOnSite: nil))
    }

    @Test("A day's output: known products once each, whole quantities, not tomorrow, not a month back")
    func output() throws {
        let today = CivilDate(year: 2020, month: 2, day: 8)!
        let products: Set = ["disinfectant", "protectiveSuits"]
        let ok = try OutputRules.check(date: "2020-02-08", items: [("disinfectant", 5_236, 18_000), ("protectiveSuits", 1_020, nil)],
                                       products: products, today: today)
        #expect(ok.day == today && ok.items.map(\.quantity) == [5_236, 1_020] && ok.items[1].ordersDue == nil)
        do throws(FieldErrors) {
            _ = try OutputRules.check(date: "2020-02-09", items: [("disinfectant", 1.5, nil), ("disinfectant", 1, nil), ("caviar", nil, -3)],
                                      products: products, today: today)
            Issue.record("accepted")
        } catch {
            #expect(error.messages["date"] == "error.date.future")
            #expect(error.messages["items[0].quantity"] == "error.number.whole")
            #expect(error.messages["items[1].product"] == "error.output.twice")
            #expect(error.messages["items[2].product"] == "error.choice")
            #expect(error.messages["items[2].quantity"] == "error.required")
            #expect(error.messages["items[2].ordersDue"] == "error.number.range")
        }
        #expect(throws: FieldErrors.self) { try OutputRules.check(date: "2020-01-01", items: [("disinfectant", 1, nil)], products: products, today: today) }
        #expect(throws: FieldErrors.self) { try OutputRules.check(date: "2020-02-08", items: [], products: products, today: today) }
    }
}
