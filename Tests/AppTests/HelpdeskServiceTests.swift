@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor

/// The help desk's service called directly, without HTTP: as another module, a background job
/// or the demo would.
@Suite("Help desk service: typed commands and a context, no request")
struct HelpdeskServiceTests {
    @Test("Raise, accept, answer, rate, each audited under its actor; the rule refuses the wrong party")
    func loop() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let company = app.context(as: world.company.user)
            let agent = app.context(as: world.agent.user)
            let ticket = try await HelpdeskService.raise(company, .init(category: .supplies, urgency: .emergency, title: "口罩缺口",
                                                                        description: "仅够 2 天"))
            #expect(ticket.number.hasPrefix("FG-20200208-"))
            #expect(ticket.$department.id == world.industry.id)
            #expect(ticket.source == .enterprise)
            await #expect(throws: AppError.self) {
                try await HelpdeskService.answer(company, ticket, .init(text: "我自己回答"))
            }
            let found = try await HelpdeskService.find(agent, id: ticket.id)
            try await HelpdeskService.accept(agent, found)
            try await HelpdeskService.answer(agent, found, .init(text: "已调配 2 万只"))
            #expect(found.state == .answered)
            try await HelpdeskService.feedback(company, found, .init(solved: true, satisfaction: .satisfied, like: true, comment: ""))
            #expect(found.state == .closed)
            let actions = try await AuditEvent.query(on: app.db).filter(\.$entity == "ticket").sort(\.$at).all()
            #expect(actions.map(\.action) == ["ticket.create", "ticket.accept", "ticket.answer", "ticket.confirm"])
            #expect(actions.map(\.username) == ["company", "agent", "agent", "company"].map(Optional.some))
        }
    }

    @Test("The clock's sweep runs as the platform: its escalation is audited as system, with no actor")
    func sweepAsSystem() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            _ = try await HelpdeskService.raise(app.context(as: world.company.user),
                                                .init(category: .supplies, urgency: .emergency, title: "急", description: "急"))
            app.clock.advance(by: 3 * 3600)
            #expect(try await HelpdeskService.sweep(app.context()) == 1)
            let escalation = try #require(try await AuditEvent.query(on: app.db).filter(\.$action == "ticket.escalate").first())
            #expect(escalation.userID == nil)
            #expect(escalation.address == "system")
        }
    }
}
