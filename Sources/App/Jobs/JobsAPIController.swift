import Domain
import Fluent
import Vapor

/// `/api/v1/employers`, `/api/v1/jobs`, `/api/v1/job-seekers`, `/api/v1/resume`, `/api/v1/applications`.
enum JobsAPIController {
    // MARK: Employers

    struct EmployerRegistration: Content {
        var enterprise: EnterprisesController.RegistrationBody
        var profile: JobsService.EmployerProfile

        init(from decoder: any Decoder) throws {
            enterprise = try EnterprisesController.RegistrationBody(from: decoder)
            profile = try JobsService.EmployerProfile(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try enterprise.encode(to: encoder)
        }
    }

    @Sendable static func register(req: Request) async throws -> Response {
        let body = try req.content.decode(EmployerRegistration.self)
        let employer = try await JobsService.register(req.context, body.enterprise.registration, profile: body.profile)
        return try Response.created(EmployerDTO(employer, now: req.now))
    }

    @Sendable static func start(req: Request) async throws -> Response {
        let employer = try await JobsService.startRecruiting(req.context, try req.content.decode(JobsService.EmployerProfile.self))
        return try Response.created(EmployerDTO(employer, now: req.now))
    }

    @Sendable static func listEmployers(req: Request) async throws -> [EmployerDTO] {
        let query = Employer.query(on: req.db).with(\.$enterprise).sort(\.$submittedAt)
        if let raw = req.query[String.self, at: "status"] {
            guard let status = EmployerStatus(rawValue: raw) else { throw FieldErrors("status", "error.choice") }
            query.filter(\.$status == status)
        }
        return try await query.limit(500).all().map { EmployerDTO($0, now: req.now) }
    }

    @Sendable static func showEmployer(req: Request) async throws -> EmployerDTO {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        guard JobsService.canSee(req.auth.get(User.self), employer) else { throw AppError.notFound }
        return EmployerDTO(employer, now: req.now)
    }

    @Sendable static func review(req: Request) async throws -> EmployerDTO {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        let body = try req.content.decode(EnterprisesController.ReviewBody.self)
        try await JobsService.review(req.context, employer, decision: body.decision, reason: body.reason)
        return EmployerDTO(employer, now: req.now)
    }

    @Sendable static func licence(req: Request) async throws -> EmployerDTO {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        try await JobsService.attachLicence(req.context, employer, file: try req.content.decode(Upload.self).file)
        return EmployerDTO(employer, now: req.now)
    }

    // MARK: Postings

    @Sendable static func publish(req: Request) async throws -> Response {
        let posting = try await JobsService.publish(req.context, try req.content.decode(JobsService.PostingInput.self))
        return try Response.created(JobDTO(posting, employerName: posting.employer.enterprise.name, today: CivilDate(req.now)))
    }

    @Sendable static func update(req: Request) async throws -> JobDTO {
        let posting = try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self))
        try await JobsService.update(req.context, posting, try req.content.decode(JobsService.PostingInput.self))
        return JobDTO(posting, employerName: posting.employer.enterprise.name, today: CivilDate(req.now))
    }

    @Sendable static func search(req: Request) async throws -> ListDTO<JobDTO> {
        let search = try JobsStore.query(req)
        let today = CivilDate(req.now)
        let result = try await JobsStore.run(search, today: today, counts: req.application.jobTermCounts, on: req.db)
        return ListDTO(result.jobs, PageMetadata(page: search.page, per: search.per, total: result.total))
    }

    /// Public: an open, filled or expired posting of an approved employer.
    @Sendable static func show(req: Request) async throws -> JobDTO {
        let posting = try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self))
        guard JobsService.canSee(req.auth.get(User.self), posting.employer) else { throw AppError.notFound }
        return JobDTO(posting, employerName: posting.employer.enterprise.name, today: CivilDate(req.now))
    }

    // MARK: Seekers, résumés, applications

    @Sendable static func registerSeeker(req: Request) async throws -> Response {
        let user = try await JobsService.registerSeeker(req.context, try req.content.decode(JobsService.SeekerRegistration.self))
        return try Response.created(try user.toDTO())
    }

    @Sendable static func resume(req: Request) async throws -> ResumeDTO {
        guard let resume = try await JobsService.resume(of: try req.requireUser(), on: req.db) else { throw AppError.notFound }
        return ResumeDTO(resume)
    }

    @Sendable static func saveResume(req: Request) async throws -> ResumeDTO {
        ResumeDTO(try await JobsService.saveResume(req.context, try req.content.decode(JobsService.ResumeInput.self)))
    }

    struct Consent: Content { var consent: Bool? }

    @Sendable static func consent(req: Request) async throws -> ResumeDTO {
        ResumeDTO(try await JobsService.setConsent(req.context, try req.content.decode(Consent.self).consent))
    }

    struct Apply: Content { var message: String? }

    @Sendable static func apply(req: Request) async throws -> Response {
        let posting = try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self))
        let body = try? req.content.decode(Apply.self)
        let application = try await JobsService.applyFor(req.context, posting, message: body?.message)
        return try Response.created(try await JobsService.dto(req.context, try await JobsService.findApplication(req.context, id: application.requireID())))
    }

    @Sendable static func applications(req: Request) async throws -> [ApplicationDTO] {
        let applications = try await JobsService.applications(req.context, posting: req.query[UUID.self, at: "jobId"], state: req.query[String.self, at: "state"].flatMap(ApplicationState.init(rawValue:)))
        var items: [ApplicationDTO] = []
        for application in applications { items.append(try await JobsService.dto(req.context, application)) }
        try await JobsService.auditApplicantRead(req.context, applications)
        return items
    }

    @Sendable static func showApplication(req: Request) async throws -> ApplicationDTO {
        let application = try await JobsService.findApplication(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        try await JobsService.markViewed(req.context, application)
        try await JobsService.auditApplicantRead(req.context, [application])
        return try await JobsService.dto(req.context, application)
    }

    @Sendable static func move(req: Request) async throws -> ApplicationDTO {
        let application = try await JobsService.findApplication(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        guard try req.requireUser().role == .enterpriseAdmin else { throw AppError.forbidden }
        try await JobsService.move(req.context, application, try req.content.decode(JobsService.Move.self))
        return try await JobsService.dto(req.context, application)
    }
}
