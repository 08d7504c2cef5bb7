import Domain
import Fluent
import Vapor

/// `/api/v1/tickets`, `/api/v1/scorecards`: decode, call `HelpdeskService` with the caller's
/// context, answer with the ticket.
enum HelpdeskAPIController {
    @Sendable static func create(req: Request) async throws -> Response {
        let command = try req.content.decode(HelpdeskInput.NewTicket.self).command()
        let ticket = try await HelpdeskService.raise(req.context, command)
        return try Response.created(try await HelpdeskService.dto(req.context, ticket, withMessages: false))
    }

    @Sendable static func list(req: Request) async throws -> [TicketDTO] {
        var items: [TicketDTO] = []
        for ticket in try await HelpdeskService.list(req.context, .init(req)) {
            items.append(try await HelpdeskService.dto(req.context, ticket, withMessages: false))
        }
        return items
    }

    @Sendable static func show(req: Request) async throws -> TicketDTO {
        try await HelpdeskService.dto(req.context, try await ticket(req), withMessages: true)
    }

    /// The ticket the route names, if the caller may see it (404 otherwise).
    static func ticket(_ req: Request) async throws -> Ticket {
        try await HelpdeskService.find(req.context, id: req.parameters.get("ticketID", as: UUID.self))
    }

    static func after(_ req: Request, _ change: (ServiceContext, Ticket) async throws -> Void) async throws -> TicketDTO {
        let ticket = try await ticket(req)
        try await change(req.context, ticket)
        return try await HelpdeskService.dto(req.context, ticket, withMessages: true)
    }

    @Sendable static func accept(req: Request) async throws -> TicketDTO {
        try await after(req) { try await HelpdeskService.accept($0, $1) }
    }

    @Sendable static func reply(req: Request) async throws -> TicketDTO {
        let command = try req.content.decode(HelpdeskInput.Reply.self).command()
        return try await after(req) { try await HelpdeskService.reply($0, $1, command) }
    }

    @Sendable static func transfer(req: Request) async throws -> TicketDTO {
        let command = try req.content.decode(HelpdeskInput.Transfer.self).command()
        return try await after(req) { try await HelpdeskService.transfer($0, $1, command) }
    }

    @Sendable static func answer(req: Request) async throws -> TicketDTO {
        let command = try req.content.decode(HelpdeskInput.Reply.self).command()
        return try await after(req) { try await HelpdeskService.answer($0, $1, command) }
    }

    @Sendable static func feedback(req: Request) async throws -> TicketDTO {
        let command = try req.content.decode(HelpdeskInput.Feedback.self).command()
        return try await after(req) { try await HelpdeskService.feedback($0, $1, command) }
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let ticket = try await ticket(req)
        _ = try await HelpdeskService.attach(req.context, ticket, file: try req.content.decode(Upload.self).file)
        return try Response.created(try await HelpdeskService.dto(req.context, ticket, withMessages: true))
    }

    /// A ticket's file, as a download (pages and API alike).
    @Sendable static func download(req: Request) async throws -> Response {
        let attachment = try await HelpdeskService.attachment(req.context, try await ticket(req),
                                                              id: req.parameters.get("attachmentID", as: UUID.self))
        return Uploads.response(attachment.file, name: attachment.filename)
    }

    @Sendable static func scorecards(req: Request) async throws -> Scorecards.Report {
        try await Scorecards.report(req)
    }
}
