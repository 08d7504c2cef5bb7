@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Help desk: the page and the API follow one rule for who may take which step")
struct TicketStepsTests {
    func post(_ app: Application, _ path: String, _ caller: Caller, _ body: [String: Any] = [:]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, path, headers: caller.apiHeaders.adding(.json), body: try .json(body))
    }

    @Test("On a new ticket the enterprise may add to its request, through the API and on the page; the agent must accept first")
    func replyToNewTicket() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let path = "/api/v1/tickets/\(id)"
            let page = try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: world.company.pageHeaders)
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"reply-body\""), "the enterprise's page offers the reply form")
            let added = try await post(app, "\(path)/replies", world.company, ["body": "补充：还需要手套 500 副"])
            #expect(added.status.code < 300, "\(added.text)")
            let early = try await post(app, "\(path)/replies", world.agent, ["body": "收到"])
            #expect(early.status == .conflict)
            let agentPage = try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: world.agent.pageHeaders)
            #expect(!agentPage.text.contains("id=\"reply-body\""), "the agent's page offers accept, not reply")
            let messages = try await TicketMessage.query(on: app.db).all()
            #expect(messages.contains { $0.body == "补充：还需要手套 500 副" })
            #expect(!messages.contains { $0.body == "收到" })
        }
    }
}
