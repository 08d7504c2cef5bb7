import Domain
import Foundation
import Testing

@Suite("Help desk: state machine and clock")
struct HelpdeskRulesTests {
    static let legal: [TicketState: [TicketAction: TicketState]] = [
        .new: [.accept: .accepted, .transfer: .new],
        .accepted: [.reply: .inProgress, .answer: .answered, .transfer: .new],
        .inProgress: [.reply: .inProgress, .answer: .answered, .transfer: .new],
        .answered: [.confirmSolved: .closed, .reject: .reopened, .autoClose: .closed],
        .reopened: [.accept: .accepted, .reply: .inProgress, .answer: .answered, .transfer: .new],
        .closed: [:],
    ]

    @Test("Every state × action is the listed move or an illegal transition")
    func wholeTable() {
        for state in TicketState.allCases {
            for action in TicketAction.allCases {
                let expected = Self.legal[state]?[action]
                do {
                    #expect(try state.applying(action) == expected, "\(state) \(action)")
                } catch {
                    #expect(expected == nil, "\(state) \(action) should be legal")
                    #expect(error.state == state && error.action == action)
                }
            }
        }
    }

    let raised = Date(timeIntervalSince1970: 1_581_120_000)
    let levels = ServiceLevels()

    @Test("Due times per urgency: emergency 2 h / 24 h, general 24 h / 7 days, complex 24 h / 15 days")
    func dueTimes() {
        #expect(levels.firstResponseDue(.emergency, raisedAt: raised) == raised.addingTimeInterval(2 * 3600))
        #expect(levels.resolutionDue(.emergency, raisedAt: raised) == raised.addingTimeInterval(24 * 3600))
        #expect(levels.firstResponseDue(.general, raisedAt: raised) == raised.addingTimeInterval(24 * 3600))
        #expect(levels.resolutionDue(.general, raisedAt: raised) == raised.addingTimeInterval(7 * 86_400))
        #expect(levels.resolutionDue(.complex, raisedAt: raised) == raised.addingTimeInterval(15 * 86_400))
    }

    func status(_ state: TicketState = .new, urgency: TicketUrgency = .emergency, responded: Double? = nil,
                answered: Double? = nil, hours: Double) -> ServiceLevels.Status {
        levels.status(state: state, firstResponseDue: levels.firstResponseDue(urgency, raisedAt: raised),
                      resolutionDue: levels.resolutionDue(urgency, raisedAt: raised),
                      firstResponseAt: responded.map { raised.addingTimeInterval($0 * 3600) },
                      answeredAt: answered.map { raised.addingTimeInterval($0 * 3600) }, now: raised.addingTimeInterval(hours * 3600))
    }

    @Test("Escalation: level 1 when a deadline passes, level 2 a day later; a response stops the response clock")
    func escalation() {
        #expect(status(hours: 1.9).escalationLevel == 0)
        #expect(status(hours: 2.1).escalationLevel == 1)
        #expect(status(hours: 2.1).responseOverdue)
        #expect(status(hours: 26.5).escalationLevel == 2)
        #expect(status(.accepted, responded: 1, hours: 10).escalationLevel == 0)
        #expect(status(.inProgress, responded: 1, hours: 25).resolutionOverdue)
        #expect(status(.inProgress, responded: 1, hours: 25).escalationLevel == 1)
        // Waiting for the enterprise's confirmation is not the department's delay.
        #expect(status(.answered, responded: 1, answered: 20, hours: 60).escalationLevel == 0)
        #expect(status(.closed, hours: 500).escalationLevel == 0)
    }

    @Test("An answer not confirmed within 3 days closes")
    func autoClose() {
        let answered = raised
        #expect(!levels.shouldAutoClose(state: .answered, answeredAt: answered, now: answered.addingTimeInterval(71 * 3600)))
        #expect(levels.shouldAutoClose(state: .answered, answeredAt: answered, now: answered.addingTimeInterval(72 * 3600)))
        #expect(!levels.shouldAutoClose(state: .inProgress, answeredAt: answered, now: answered.addingTimeInterval(100 * 3600)))
    }

    @Test("Numbers are per day in China time; scorecard rates follow their definitions")
    func numbersAndRates() {
        #expect(TicketNumber.make(day: CivilDate(year: 2020, month: 2, day: 8)!, sequence: 1) == "FG-20200208-0001")
        var card = Scorecard()
        card.tickets = 4; card.respondedInTime = 3; card.resolved = 2; card.rated = 3; card.satisfied = 2
        card.responseMinutes = [10, 30, 20, 40]
        #expect(card.responseRate == 0.75)
        #expect(card.resolutionRate == 0.5)
        #expect(card.satisfactionRate == 2.0 / 3.0)
        #expect(card.medianResponseMinutes == 25)
        #expect(Scorecard().satisfactionRate == nil)
        #expect(Satisfaction.basicallySatisfied.countsAsSatisfied && !Satisfaction.unsatisfied.countsAsSatisfied)
    }
}

@Suite("Who may take which step on a ticket")
struct TicketPermissionTests {
    @Test("The department's agent accepts before replying; the enterprise may add to its request while it is open")
    func replies() {
        #expect(TicketPermissions.refusal(.departmentAgent, .reply, in: .new) == .acceptFirst)
        #expect(TicketPermissions.allows(.departmentAgent, .reply, in: .accepted))
        #expect(TicketPermissions.allows(.enterprise, .reply, in: .new))
        #expect(TicketPermissions.refusal(.enterprise, .reply, in: .closed) == .closed)
        #expect(TicketPermissions.refusal(.enterprise, .note, in: .accepted) == .forbidden)
        #expect(TicketPermissions.refusal(.reader, .reply, in: .accepted) == .forbidden)
    }

    @Test("Each step follows the ticket's state machine")
    func steps() {
        for state in TicketState.allCases {
            #expect(TicketPermissions.allows(.departmentAgent, .accept, in: state) == state.allows(.accept))
            #expect(TicketPermissions.allows(.enterprise, .rate, in: state) == state.allows(.confirmSolved))
            #expect(TicketPermissions.allows(.districtAdmin, .transfer, in: state) == state.allows(.transfer))
            #expect(TicketPermissions.allows(.officer, .attach, in: state) == state.isOpen)
            #expect(!TicketPermissions.allows(.officer, .answer, in: state))
        }
    }
}

@Suite("Scorecards count tickets")
struct ScorecardCountTests {
    func facts(responseMinutes: Double?, dueMinutes: Double = 120, state: TicketState = .answered, closure: TicketClosure? = nil,
               solved: Bool? = nil, satisfaction: Satisfaction? = nil, liked: Bool = false, transfers: Int = 0, escalation: Int = 0,
               overdue: Bool = false) -> TicketFacts {
        let raised = Date(timeIntervalSince1970: 1_581_120_000)
        return TicketFacts(createdAt: raised, firstResponseAt: responseMinutes.map { raised.addingTimeInterval($0 * 60) },
                           firstResponseDueAt: raised.addingTimeInterval(dueMinutes * 60), state: state, closure: closure, solved: solved,
                           satisfaction: satisfaction, liked: liked, transferCount: transfers, escalationLevel: escalation, isOverdue: overdue)
    }

    @Test("In time, resolved only when confirmed solved, 基本满意 counts as satisfied, escalated counts as overdue")
    func counting() {
        let card = Scorecard(counting: [
            facts(responseMinutes: 30, state: .closed, closure: .confirmed, solved: true, satisfaction: .basicallySatisfied, liked: true),
            facts(responseMinutes: 180, state: .closed, closure: .noFeedback, transfers: 2, escalation: 1),
            facts(responseMinutes: nil, state: .new, overdue: true),
            facts(responseMinutes: 60, state: .reopened, solved: false, satisfaction: .unsatisfied),
        ])
        #expect(card.tickets == 4)
        #expect(card.responded == 3)
        #expect(card.respondedInTime == 2)
        #expect(card.resolved == 1)
        #expect(card.rated == 2)
        #expect(card.satisfied == 1)
        #expect(card.likes == 1)
        #expect(card.transfers == 2)
        #expect(card.overdue == 2)
        #expect(card.medianResponseMinutes == 60)
        #expect(card.responseRate == 0.5)
    }
}
