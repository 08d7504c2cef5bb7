import Domain
import Fluent
import Vapor

/// `/api/v1/tickets`, `/api/v1/scorecards`.
enum HelpdeskAPIController {
    @Sendable static func create(req: Request) async throws -> Response {
        let ticket = try await HelpdeskService.raise(req, try req.content.decode(HelpdeskService.NewTicket.self))
        let response = Response(status: .created)
        try response.content.encode(try await HelpdeskService.dto(req, ticket, withMessages: false))
        return response
    }

    @Sendable static func list(req: Request) async throws -> [TicketDTO] {
        var items: [TicketDTO] = []
        for ticket in try await HelpdeskService.list(req) { items.append(try await HelpdeskService.dto(req, ticket, withMessages: false)) }
        return items
    }

    @Sendable static func show(req: Request) async throws -> TicketDTO {
        try await HelpdeskService.dto(req, try await HelpdeskService.find(req), withMessages: true)
    }

    static func after(_ req: Request, _ change: (Ticket) async throws -> Void) async throws -> TicketDTO {
        let ticket = try await HelpdeskService.find(req)
        try await change(ticket)
        return try await HelpdeskService.dto(req, ticket, withMessages: true)
    }

    @Sendable static func accept(req: Request) async throws -> TicketDTO {
        try await after(req) { try await HelpdeskService.accept(req, $0) }
    }

    @Sendable static func reply(req: Request) async throws -> TicketDTO {
        let body = try req.content.decode(HelpdeskService.Reply.self)
        return try await after(req) { try await HelpdeskService.reply(req, $0, body) }
    }

    @Sendable static func transfer(req: Request) async throws -> TicketDTO {
        let body = try req.content.decode(HelpdeskService.Transfer.self)
        return try await after(req) { try await HelpdeskService.transfer(req, $0, body) }
    }

    @Sendable static func answer(req: Request) async throws -> TicketDTO {
        let body = try req.content.decode(HelpdeskService.Reply.self)
        return try await after(req) { try await HelpdeskService.answer(req, $0, body) }
    }

    @Sendable static func feedback(req: Request) async throws -> TicketDTO {
        let body = try req.content.decode(HelpdeskService.Feedback.self)
        return try await after(req) { try await HelpdeskService.feedback(req, $0, body) }
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let ticket = try await HelpdeskService.find(req)
        _ = try await HelpdeskService.attach(req, ticket, file: try req.content.decode(Upload.self).file)
        let response = Response(status: .created)
        try response.content.encode(try await HelpdeskService.dto(req, ticket, withMessages: true))
        return response
    }

    @Sendable static func download(req: Request) async throws -> Response {
        try await HelpdeskService.download(req)
    }

    @Sendable static func scorecards(req: Request) async throws -> Scorecards.Report {
        try await Scorecards.report(req)
    }
}
