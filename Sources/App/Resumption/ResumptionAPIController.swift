import Domain
import Fluent
import Vapor

/// `/api/v1/resumption-applications`
enum ResumptionAPIController {
    struct Decision: Content {
        var decision: String?
        var comment: String?
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let application = try await ResumptionService.create(req.context, try req.content.decode(ResumptionService.Form.self))
        let response = Response(status: .created)
        try response.content.encode(try await ResumptionService.dto(req.context, application))
        return response
    }

    @Sendable static func list(req: Request) async throws -> [ResumptionApplicationDTO] {
        var items: [ResumptionApplicationDTO] = []
        for application in try await ResumptionService.list(req.context, .init(req)) {
            items.append(try await ResumptionService.dto(req.context, application))
        }
        return items
    }

    @Sendable static func show(req: Request) async throws -> ResumptionApplicationDTO {
        try await ResumptionService.dto(req.context, try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self)))
    }

    @Sendable static func update(req: Request) async throws -> ResumptionApplicationDTO {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        try await ResumptionService.update(req.context, application, try req.content.decode(ResumptionService.Form.self))
        return try await ResumptionService.dto(req.context, application)
    }

    @Sendable static func attach(req: Request) async throws -> Response {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        let upload = try req.content.decode(Upload.self)
        _ = try await ResumptionService.attach(req.context, application, kind: upload.kind, file: upload.file)
        let response = Response(status: .created)
        try response.content.encode(try await ResumptionService.dto(req.context, application))
        return response
    }

    @Sendable static func download(req: Request) async throws -> Response {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        guard let id = req.parameters.get("attachmentID", as: UUID.self),
              let attachment = try await ResumptionAttachment.query(on: req.db).filter(\.$id == id)
                .filter(\.$application.$id == application.requireID()).with(\.$file).first()
        else { throw AppError.notFound }
        return Uploads.response(attachment.file, name: attachment.filename)
    }

    @Sendable static func submit(req: Request) async throws -> ResumptionApplicationDTO {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        try await ResumptionService.submit(req.context, application)
        return try await ResumptionService.dto(req.context, application)
    }

    static let reviewDecisions: [String: ResumptionAction] = ["pass": .pass, "return": .returnForChanges, "refuse": .refuse]
    static let confirmDecisions: [String: ResumptionAction] = ["approve": .approve, "refuse": .leaderRefuse]

    static func decide(_ req: Request, _ choices: [String: ResumptionAction]) async throws -> ResumptionApplication {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        let body = try req.content.decode(Decision.self)
        guard let action = body.decision.flatMap({ choices[$0] }) else {
            throw FieldErrors("decision", FormText.choiceError(body.decision))
        }
        try await ResumptionService.transition(req.context, application, action, comment: body.comment)
        return application
    }

    @Sendable static func review(req: Request) async throws -> ResumptionApplicationDTO {
        try await ResumptionService.dto(req.context, try await decide(req, reviewDecisions))
    }

    @Sendable static func confirm(req: Request) async throws -> ResumptionApplicationDTO {
        try await ResumptionService.dto(req.context, try await decide(req, confirmDecisions))
    }

    @Sendable static func suspend(req: Request) async throws -> ResumptionApplicationDTO {
        let application = try await ResumptionService.find(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        try await ResumptionService.transition(req.context, application, .suspend, comment: try req.content.decode(Decision.self).comment)
        return try await ResumptionService.dto(req.context, application)
    }
}
