import Domain
import Foundation
import Testing

private func day(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

@Suite("Working calendar and zones' modes")
struct CalendarAndModesTests {
    let calendar = WorkingCalendar(entries: WorkingCalendar.stateCouncil)

    @Test("A holiday on a Friday moves a deadline past the weekend; a make-up Saturday counts as a working day")
    func holidays() {
        // 2026-04-03 is a Friday; Qingming is 4–6 April (Saturday to Monday).
        #expect(calendar.adding(workingDays: 1, to: day("2026-04-02")) == day("2026-04-03"))
        #expect(calendar.adding(workingDays: 1, to: day("2026-04-03")) == day("2026-04-07"))
        // Mid-Autumn on Friday 25 September 2026: Thursday's next working day is Monday 28th.
        #expect(calendar.adding(workingDays: 1, to: day("2026-09-24")) == day("2026-09-28"))
        // Sunday 20 September 2026 is worked in exchange for the National Day holiday.
        #expect(calendar.isWorkingDay(day("2026-09-20")))
        #expect(calendar.isWorkingDay(day("2026-02-28"))) // a make-up Saturday
        #expect(calendar.workingDays(from: day("2026-02-27"), to: day("2026-03-02")) == 2) // Saturday 28th and Monday
        #expect(calendar.adding(workingDays: 1, to: day("2026-09-19")) == day("2026-09-20"))
        #expect(WorkingCalendar.weekdays.adding(workingDays: 1, to: day("2026-09-19")) == day("2026-09-21"))
        // The 2020 Spring Festival, extended to 2 February: Monday 3 February is the first working day.
        #expect(!calendar.isWorkingDay(day("2020-01-31")))
        #expect(calendar.adding(workingDays: 1, to: day("2020-01-23")) == day("2020-02-03"))
        // Whole working days between: the nine-day Spring Festival 2026 counts none.
        #expect(calendar.workingDays(from: day("2026-02-13"), to: day("2026-02-24")) == 2) // Saturday the 14th, Tuesday the 24th
    }

    @Test("One year's days are checked whole: in the year, once, a make-up day only on a weekend, a name")
    func checkYear() throws {
        let good = try WorkingCalendar.check(year: 2027, [("2027-01-01", "holiday", "元旦")])
        #expect(good == [.init(date: day("2027-01-01"), kind: .holiday, name: "元旦")])
        #expect(throws: FieldErrors.self) { try WorkingCalendar.check(year: 2027, [("2026-12-31", "holiday", "跨年")]) }
        do throws(FieldErrors) {
            _ = try WorkingCalendar.check(year: 2027, [
                ("2027-01-01", "holiday", "元旦"), ("2027-01-01", "holiday", "元旦"), ("2027-01-05", "workday", "调休"),
                ("2027-02-30", "holiday", "春节"), ("2027-03-01", "rest", ""),
            ])
            Issue.record("bad days were accepted")
        } catch {
            #expect(error.messages["days[1].date"] == "error.holiday.twice")
            #expect(error.messages["days[2].date"] == "error.holiday.workdayOnWeekday") // 5 January 2027 is a Tuesday
            #expect(error.messages["days[3].date"] == "error.date")
            #expect(error.messages["days[4].kind"] == "error.choice")
            #expect(error.messages["days[4].name"] == "error.required")
            #expect(error.messages["days[0].date"] == nil)
        }
        // A make-up Saturday is fine; an empty year is a year without holidays.
        #expect(try WorkingCalendar.check(year: 2027, [("2027-01-02", "workday", "调休")]).count == 1)
        #expect(try WorkingCalendar.check(year: 2027, []).isEmpty)
    }

    @Test("A zone's mode takes effect on its day; before it, or without one, the district's default decides")
    func zoneModes() {
        let changes = [
            ZoneModeChange(zone: "xinqu", mode: .filing, effectiveFrom: day("2020-02-03")),
            ZoneModeChange(zone: "jingkai", mode: .filing, effectiveFrom: day("2020-03-01")),
            ZoneModeChange(zone: "jingkai", mode: .approval, effectiveFrom: day("2020-03-01")), // recorded later, same day: wins
        ]
        #expect(ZoneModes.mode(zone: "xinqu", on: day("2020-02-02"), changes, districtDefault: .approval) == .approval)
        #expect(ZoneModes.mode(zone: "xinqu", on: day("2020-02-03"), changes, districtDefault: .approval) == .filing)
        #expect(ZoneModes.mode(zone: "jingkai", on: day("2020-03-01"), changes, districtDefault: .filing) == .approval)
        #expect(ZoneModes.mode(zone: "jingkai", on: day("2020-02-29"), changes, districtDefault: .filing) == .filing)
        #expect(ZoneModes.mode(zone: "xinglong", on: day("2020-06-01"), changes, districtDefault: .approval) == .approval)
    }

    @Test("A mode change names a known zone and a mode, from today on; all are refused if one is wrong")
    func checkModes() throws {
        let zones: Set = ["jingkai", "xinqu"]
        let today = day("2020-02-08")
        let checked = try ZoneModes.check([("xinqu", "filing", "2020-02-08")], zones: zones, today: today)
        #expect(checked == [ZoneModeChange(zone: "xinqu", mode: .filing, effectiveFrom: today)])
        do throws(FieldErrors) {
            _ = try ZoneModes.check([("xinqu", "filing", "2020-02-09"), ("moon", "auto", "2020-02-07"), ("", "", "")], zones: zones, today: today)
            Issue.record("bad changes were accepted")
        } catch {
            #expect(error.messages["[0].zone"] == nil)
            #expect(error.messages["[1].zone"] == "error.zone.unknown")
            #expect(error.messages["[1].mode"] == "error.choice")
            #expect(error.messages["[1].effectiveFrom"] == "error.mode.past")
            #expect(error.messages["[2].zone"] == "error.required")
            #expect(error.messages["[2].effectiveFrom"] == "error.required")
        }
        #expect(throws: FieldErrors.self) { try ZoneModes.check([], zones: zones, today: today) }
    }
}
