import Domain
import Foundation
import Testing

@Suite("Resumption state machine")
struct ResumptionStateMachineTests {
    /// Every legal move, and nothing else: the whole table of state × action × mode.
    static let legal: [ResumptionMode: [ResumptionState: [ResumptionAction: ResumptionState]]] = [
        .approval: [
            .draft: [.submit: .submitted],
            .returned: [.submit: .submitted],
            .submitted: [.pass: .passed, .returnForChanges: .returned, .refuse: .refused],
            .passed: [.approve: .approved, .leaderRefuse: .refused],
            .approved: [.confirmResumed: .resumed],
            .resumed: [.suspend: .suspended],
            .suspended: [.confirmResumed: .resumed],
        ],
        .filing: [
            .draft: [.submit: .filed],
            .returned: [.submit: .filed],
            .filed: [.confirmResumed: .resumed, .suspend: .suspended],
            .resumed: [.suspend: .suspended],
            .suspended: [.confirmResumed: .resumed],
        ],
    ]

    @Test("Every state × action × mode is either the listed move or an illegal transition")
    func wholeTable() {
        var checked = 0
        for mode in ResumptionMode.allCases {
            for state in ResumptionState.allCases {
                for action in ResumptionAction.allCases {
                    let expected = Self.legal[mode]?[state]?[action]
                    do {
                        let next = try state.applying(action, mode: mode)
                        #expect(next == expected, "\(mode) \(state) \(action)")
                    } catch {
                        #expect(expected == nil, "\(mode) \(state) \(action) should be legal")
                        #expect(error.state == state && error.action == action)
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * 9 * 8)
    }

    @Test("Refused is final; only drafts and returned applications are editable")
    func terminal() {
        for mode in ResumptionMode.allCases {
            #expect(ResumptionState.refused.availableActions(mode: mode).isEmpty)
        }
        #expect(ResumptionState.allCases.filter(\.isEditable) == [.draft, .returned])
    }

    @Test("Each action belongs to its role; refusals, returns and suspensions need a reason")
    func roles() {
        #expect(ResumptionAction.submit.roles == [.enterpriseAdmin])
        #expect(ResumptionAction.pass.roles == [.reviewer])
        #expect(ResumptionAction.approve.roles == [.leader])
        #expect(!ResumptionAction.approve.roles.contains(.reviewer))
        #expect(!ResumptionAction.pass.roles.contains(.leader))
        #expect(ResumptionAction.allCases.filter(\.needsComment) == [.returnForChanges, .refuse, .leaderRefuse, .suspend])
    }
}

@Suite("Pre-check, calendar, diff, officers")
struct ResumptionRulesTests {
    let saturday = CivilDate(year: 2020, month: 2, day: 8)!

    func input(planned: CivilDate? = nil, onSite: Int = 40, commitment: Bool = true, category: ResumptionCategory = .epidemicPrevention,
               evidence: Bool = false, isolationRoom: Bool = true, masks: Int = 10, isolated: Int = 0) -> PreCheck.Input {
        PreCheck.Input(category: category, plannedDate: planned ?? CivilDate(year: 2020, month: 2, day: 12)!, submissionDate: saturday,
                       headcountTotal: 120, headcountOnSite: onSite, headcountIsolated: isolated, hasCommitment: commitment,
                       hasEvidence: evidence, hasIsolationRoom: isolationRoom, maskDays: masks, disinfectantDays: 10, thermometerDays: 10)
    }

    @Test("A complete application has no findings")
    func clean() {
        #expect(PreCheck().findings(input()).isEmpty)
    }

    @Test("Errors block: on site above total, planned too soon, no commitment")
    func errors() {
        let findings = PreCheck().findings(input(planned: CivilDate(year: 2020, month: 2, day: 10)!, onSite: 121, commitment: false))
        #expect(findings.filter { $0.severity == .error }.map(\.code) == ["onSiteAboveTotal", "plannedTooSoon", "noCommitment"])
        #expect(PreCheck.blocks(findings))
        // Saturday + 2 working days = Tuesday 11 February.
        #expect(findings[1].arguments == ["2", "2020-02-11"])
        #expect(PreCheck().findings(input(planned: CivilDate(year: 2020, month: 2, day: 11)!)).isEmpty)
        #expect(PreCheck(minimumNoticeWorkingDays: 3).findings(input(planned: CivilDate(year: 2020, month: 2, day: 11)!)).map(\.code) == ["plannedTooSoon"])
    }

    @Test("Warnings go to reviewers without blocking")
    func warnings() {
        let findings = PreCheck().findings(input(category: .otherVital, isolationRoom: false, masks: 2, isolated: 3))
        #expect(!PreCheck.blocks(findings))
        #expect(findings.map(\.code) == ["otherWithoutEvidence", "lowSupplies.masks", "noIsolationRoom", "staffInIsolation"])
        #expect(PreCheck().findings(input(category: .otherVital, evidence: true)).isEmpty)
    }

    @Test("Working days skip weekends")
    func calendar() {
        let friday = CivilDate(year: 2020, month: 2, day: 7)!
        #expect(WorkingCalendar.weekdays.adding(workingDays: 1, to: friday) == CivilDate(year: 2020, month: 2, day: 10))
        #expect(WorkingCalendar.weekdays.workingDays(from: friday, to: CivilDate(year: 2020, month: 2, day: 11)!) == 2)
        #expect(WorkingCalendar.weekdays.workingDays(from: saturday, to: saturday) == 0)
        #expect(CivilDate(year: 2020, month: 2, day: 29)!.adding(days: 1) == CivilDate(year: 2020, month: 3, day: 1))
    }

    @Test("Queues mark what waits for the district longer than the set working days")
    func overdue() {
        let wednesday = CivilDate(year: 2020, month: 2, day: 12)!
        #expect(ResumptionState.submitted.isOverdue(since: saturday, today: wednesday, workingDays: 1))
        #expect(!ResumptionState.submitted.isOverdue(since: saturday, today: wednesday, workingDays: 3))
        #expect(!ResumptionState.approved.isOverdue(since: saturday, today: wednesday, workingDays: 1))
    }

    @Test("The diff lists changed fields only, by name")
    func diff() {
        let changes = FieldChange.diff(["a": "1", "b": "2", "c": "x"], ["a": "1", "b": "3", "d": "y", "c": "x"])
        #expect(changes == [FieldChange.diff(["b": "2"], ["b": "3"])[0], FieldChange.diff(["d": ""], ["d": "y"])[0]])
        #expect(changes.map(\.field) == ["b", "d"])
        #expect(changes[0].before == "2" && changes[0].after == "3")
    }

    @Test("Automatic assignment picks the least loaded officer under the cap")
    func balancer() {
        #expect(OfficerBalancer.pick([(officer: "a", load: 3), (officer: "b", load: 1), (officer: "c", load: 1)], cap: 5) == "b")
        #expect(OfficerBalancer.pick([(officer: "a", load: 5), (officer: "b", load: 5)], cap: 5) == nil)
        #expect(OfficerBalancer.pick([(officer: "a", load: 5), (officer: "b", load: 4)], cap: 5) == "b")
    }

    @Test("A visit passes only when all five standards are met")
    func visitOutcome() {
        var results = Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0, true) })
        #expect(SiteVisitOutcome(results: results) == .passed)
        results[.records] = false
        #expect(SiteVisitOutcome(results: results) == .rectificationRequired)
        results.removeValue(forKey: .records)
        #expect(SiteVisitOutcome(results: results) == .rectificationRequired)
    }
}
