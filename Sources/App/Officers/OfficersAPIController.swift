import Domain
import Fluent
import Vapor

/// `/api/v1/dispatch-contacts`, `/api/v1/officer-assignments`, `/api/v1/site-visits`.
enum OfficersAPIController {
    struct ContactDTO: Content {
        let id: UUID
        let officerId: UUID
        let enterpriseId: UUID
        let channel: DispatchChannel
        let contactedAt: Date
        let summary: String
        let outcome: DispatchOutcome

        init(_ contact: DispatchContact) {
            id = contact.id!
            officerId = contact.$officer.id
            enterpriseId = contact.$enterprise.id
            channel = contact.channel
            contactedAt = contact.contactedAt
            summary = contact.summary
            outcome = contact.outcome
        }
    }

    @Sendable static func recordContact(req: Request) async throws -> Response {
        let contact = try await DispatchService.record(req.context, try req.content.decode(DispatchService.NewContact.self))
        let response = Response(status: .created)
        try response.content.encode(ContactDTO(contact))
        return response
    }

    /// The latest contacts in the range (an officer's own), newest first.
    @Sendable static func contacts(req: Request) async throws -> [ContactDTO] {
        try await DispatchService.recent(req.context, try req.dayRange(defaultDays: 14), zone: zone(req)).map(ContactDTO.init)
    }

    static func zone(_ req: Request) -> String? {
        req.query[String.self, at: "zone"].map(FormText.trimmed).flatMap { $0.isEmpty ? nil : $0 }
    }

    @Sendable static func summary(req: Request) async throws -> DispatchService.Summary {
        try await DispatchService.summary(req.context, try req.dayRange(defaultDays: 14), zone: zone(req))
    }

    struct AssignmentBody: Content {
        var enterpriseId: UUID?
        var officerId: UUID?
    }

    struct AssignmentDTO: Content {
        let id: UUID
        let enterpriseId: UUID
        let officerId: UUID
        let method: String
        let startedAt: Date
        let endedAt: Date?
    }

    @Sendable static func assign(req: Request) async throws -> Response {
        let body = try req.content.decode(AssignmentBody.self)
        let assignment = try await OfficerService.assign(req.context, enterpriseID: body.enterpriseId, officerID: body.officerId)
        let response = Response(status: .created)
        try response.content.encode(assignment.dto)
        return response
    }

    @Sendable static func assignments(req: Request) async throws -> [AssignmentDTO] {
        let query = OfficerAssignment.query(on: req.db).sort(\.$startedAt, .descending)
        if let enterprise = req.query[UUID.self, at: "enterpriseId"] { query.filter(\.$enterprise.$id == enterprise) }
        if let officer = req.query[UUID.self, at: "officerId"] { query.filter(\.$officer.$id == officer) }
        return try await query.limit(500).all().map(\.dto)
    }

    struct VisitDTO: Content {
        let id: UUID
        let applicationId: UUID
        let enterpriseId: UUID
        let officerId: UUID
        let scheduledFor: String
        let purpose: String
        let status: String
        let reportedAt: Date?
        let results: [String: Bool]?
        let notes: [String: String]?
        let headcountFound: Int?
        let problems: String?
    }

    /// Officers see their own visits; the district admin, leaders and reviewers see all.
    @Sendable static func visits(req: Request) async throws -> [VisitDTO] {
        let user = try req.requireUser()
        let query = SiteVisit.query(on: req.db).sort(\.$scheduledFor)
        if user.role == .officer {
            query.filter(\.$officer.$id == (try user.requireID()))
        } else if let officer = req.query[UUID.self, at: "officer"] {
            query.filter(\.$officer.$id == officer)
        }
        if let date = req.query[String.self, at: "date"], !date.isEmpty {
            guard CivilDate(iso: date) != nil else { throw FieldErrors("date", "error.date") }
            query.filter(\.$scheduledFor == date)
        }
        return try await query.limit(500).all().map(\.dto)
    }

    /// The visit named by the route: an officer's own, an enterprise's about itself (to read its
    /// report and what to put right), any for the district; otherwise 404.
    static func findVisit(_ req: Request) async throws -> SiteVisit {
        let user = try req.requireUser()
        guard let id = req.parameters.get("visitID", as: UUID.self), let visit = try await SiteVisit.find(id, on: req.db) else {
            throw AppError.notFound
        }
        switch user.role {
        case .districtAdmin, .leader, .reviewer: break
        case .officer: guard visit.$officer.id == user.id else { throw AppError.notFound }
        case .enterpriseAdmin: try req.checkEnterprise(visit.$enterprise.id, for: user)
        default: throw AppError.notFound
        }
        return visit
    }

    @Sendable static func report(req: Request) async throws -> VisitDTO {
        let visit = try await findVisit(req)
        try await OfficerService.report(req.context, visit, try req.content.decode(OfficerService.Report.self), photos: [])
        return visit.dto
    }
}

extension OfficerAssignment {
    var dto: OfficersAPIController.AssignmentDTO {
        .init(id: id!, enterpriseId: $enterprise.id, officerId: $officer.id, method: method, startedAt: startedAt, endedAt: endedAt)
    }
}

extension SiteVisit {
    var dto: OfficersAPIController.VisitDTO {
        .init(id: id!, applicationId: $application.id, enterpriseId: $enterprise.id, officerId: $officer.id,
              scheduledFor: scheduledFor, purpose: purpose, status: status.rawValue, reportedAt: reportedAt,
              results: results, notes: notes, headcountFound: headcountFound, problems: problems)
    }
}
