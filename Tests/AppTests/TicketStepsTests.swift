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

    @Test("A ticket's history is typed: API clients get each event's kind and named fields, and the line in their language")
    func typedHistory() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let path = "/api/v1/tickets/\(id)"
            #expect(try await post(app, "\(path)/accept", world.agent).status == .ok)
            let moved = try await post(app, "\(path)/transfer", world.agent, ["departmentId": world.transport.id!.uuidString, "reason": "涉及运输通行证"])
            #expect(moved.status == .ok)
            let english = try await app.testing().sendRequest(.GET, path, headers: world.admin.apiHeaders.adding(["Accept-Language": "en"]))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: english.body)) as? [String: Any])
            let messages = try #require(object["messages"] as? [[String: Any]])
            let receipt = try #require(messages.first)
            #expect((receipt["event"] as? [String: Any])?["kind"] as? String == "receipt")
            #expect(receipt["author"] as? String == "System")
            let transfer = try #require(messages.first { ($0["event"] as? [String: Any])?["kind"] as? String == "transferred" })
            let event = try #require(transfer["event"] as? [String: Any])
            #expect(event["from"] as? String == "工信局")
            #expect(event["to"] as? String == "交通运输局")
            #expect(event["reason"] as? String == "涉及运输通行证")
            #expect((transfer["body"] as? String)?.contains("涉及运输通行证") == true)
            #expect((transfer["body"] as? String)?.contains("|") == false)
            // Stored as the typed value, not as pipe-joined text.
            let stored = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .system).all().first { $0.event != nil && $0.body.contains("transferred") })
            #expect(stored.event == .transferred(from: "工信局", to: "交通运输局", reason: "涉及运输通行证"))
        }
    }

    @Test("Events stored as pipe-joined text by the first releases are rewritten as typed values")
    func legacyEvents() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let ticket = try #require(try await Ticket.find(id, on: app.db))
            for (kind, body) in [(TicketMessageKind.system, "transferred|工信局|交通运输局|原因|含竖线"), (.feedback, "unsolved|unsatisfied|like|还没到货")] {
                let message = TicketMessage()
                message.$ticket.id = id
                message.at = app.clock.now
                message.authorName = ""
                message.authorRole = "system"
                message.kind = kind
                message.isInternal = false
                message.body = body
                try await message.create(on: app.db)
            }
            try await TypedTicketEvents().prepare(on: app.db)
            let events = try await TicketMessage.query(on: app.db).filter(\.$ticket.$id == ticket.id!).all().compactMap(\.event)
            #expect(events.contains(.transferred(from: "工信局", to: "交通运输局", reason: "原因|含竖线")))
            #expect(events.contains(.feedback(solved: false, satisfaction: .unsatisfied, like: true, comment: "还没到货")))
        }
    }
}
