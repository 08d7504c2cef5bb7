@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor

/// Workforce's supplies called directly, without HTTP.
@Suite("Workforce service: supplies by typed command, the request through the help desk's service")
struct WorkforceServiceTests {
    @Test("Counts change the stock and the day's use; a low stock becomes one emergency ticket, raised through the help desk")
    func supplies() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let enterpriseID = try world.enterprise.requireID()
            let company = app.context(as: world.company.user)
            try await Supplies.record(company, enterpriseID: enterpriseID, .init(item: .masks, stock: 100))
            try await Supplies.record(company, enterpriseID: enterpriseID, .init(item: .masks, used: 60))
            let masks = try #require(try await Supplies.items(company, enterpriseID: enterpriseID).first { $0.item == .masks })
            #expect(masks.stock == 40)
            #expect(masks.dailyUse == 60)
            #expect(masks.low)
            // Five clicks at once open one ticket; the other four hear that it is open (and nothing else).
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        do { _ = try await Supplies.request(company, enterpriseID: enterpriseID); return "raised" }
                        catch AppError.conflict(_, let key) { return key }
                        catch { return "\(error)" }
                    }
                }
                var all: [String] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.sorted() == ["error.supply.requestOpen", "error.supply.requestOpen", "error.supply.requestOpen",
                                          "error.supply.requestOpen", "raised"])
            let ticket = try #require(try await Supplies.openRequest(company, enterpriseID: enterpriseID))
            #expect(ticket.category == .supplies)
            #expect(ticket.urgency == .emergency)
            #expect(ticket.description.contains("口罩"))
            let audited = try await AuditEvent.query(on: app.db).filter(\.$username == "company").all().map(\.action)
            #expect(audited.filter { $0 == "supply.record" }.count == 2)
            #expect(audited.contains("ticket.create"))
            // One request at a time: while it is open, another click opens no second ticket.
            await #expect(throws: AppError.self) { try await Supplies.request(company, enterpriseID: enterpriseID) }
            #expect(try await Ticket.query(on: app.db).filter(\.$category == .supplies).count() == 1)
            ticket.state = .closed
            try await ticket.save(on: app.db)
            // Nothing low: no ticket.
            try await Supplies.record(company, enterpriseID: enterpriseID, .init(item: .masks, received: 10_000))
            await #expect(throws: FieldErrors.self) { try await Supplies.request(company, enterpriseID: enterpriseID) }
        }
    }
}
