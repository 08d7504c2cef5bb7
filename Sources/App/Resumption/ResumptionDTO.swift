import Domain
import Fluent
import Foundation
import Vapor

struct ResumptionApplicationDTO: Content {
    struct Finding: Content {
        let code: String
        let severity: String
        let field: String?
        let message: String
    }

    struct Event: Content {
        let at: Date
        let actor: String
        let role: String
        let action: String
        let fromState: String?
        let toState: String
        let comment: String?
        let changes: [FieldChange]
    }

    struct Attachment: Content {
        let id: UUID
        let kind: String
        let filename: String
        let contentType: String
        let size: Int
        let createdAt: Date
    }

    let id: UUID
    let enterpriseId: UUID
    let enterpriseName: String
    let zone: String
    let category: ResumptionCategory
    let plannedDate: String
    let products: String
    let headcountTotal: Int
    let headcountOnSite: Int
    let headcountOutOfProvince: Int
    let headcountKeyAreas: Int
    let headcountIsolated: Int
    let checklist: [String]
    let maskDays: Int
    let disinfectantDays: Int
    let thermometerDays: Int
    let state: ResumptionState
    let mode: ResumptionMode?
    let submittedAt: Date?
    let stateChangedAt: Date
    let findings: [Finding]
    let history: [Event]
    let attachments: [Attachment]
}

extension ResumptionService {
    /// The application with its findings, timeline and attachments, as the API returns it.
    static func dto(_ ctx: ServiceContext, _ application: ResumptionApplication) async throws -> ResumptionApplicationDTO {
        let settings = try await ctx.settings()
        let findings = try await findings(ctx, application, settings: settings)
        let id = try application.requireID()
        let events = try await ResumptionEvent.query(on: ctx.db).filter(\.$application.$id == id).sort(\.$at).all()
        let attachments = try await ResumptionAttachment.query(on: ctx.db).filter(\.$application.$id == id).sort(\.$createdAt).all()
        if application.$enterprise.value == nil { try await application.$enterprise.load(on: ctx.db) }
        return ResumptionApplicationDTO(
            id: id, enterpriseId: application.$enterprise.id, enterpriseName: application.enterprise.name,
            zone: application.enterprise.zone, category: application.category, plannedDate: application.plannedDate,
            products: application.products, headcountTotal: application.headcountTotal, headcountOnSite: application.headcountOnSite,
            headcountOutOfProvince: application.headcountOutOfProvince, headcountKeyAreas: application.headcountKeyAreas,
            headcountIsolated: application.headcountIsolated, checklist: application.checklist, maskDays: application.maskDays,
            disinfectantDays: application.disinfectantDays, thermometerDays: application.thermometerDays,
            state: application.state, mode: application.mode, submittedAt: application.submittedAt,
            stateChangedAt: application.stateChangedAt,
            findings: findings.map { .init(code: $0.code, severity: $0.severity.rawValue, field: $0.field,
                                           message: ctx.app.strings.text($0.messageKey, ctx.language, $0.arguments)) },
            history: events.map { .init(at: $0.at, actor: $0.actorName, role: $0.actorRole, action: $0.action,
                                        fromState: $0.fromState, toState: $0.toState, comment: $0.comment, changes: $0.changes) },
            attachments: attachments.map { .init(id: $0.id!, kind: $0.kind.rawValue, filename: $0.filename,
                                                 contentType: $0.contentType, size: $0.size, createdAt: $0.createdAt) }
        )
    }
}
