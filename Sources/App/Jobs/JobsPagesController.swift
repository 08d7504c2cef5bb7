import Domain
import Fluent
import Vapor

/// The talent network's pages: the public job list and job pages, the enterprise centre
/// (start recruiting, licence, postings, applicants), the seeker's résumé and applications,
/// the reviewer's queue and the district's figures.
enum JobsPagesController {
    struct Row: Encodable {
        let id: UUID
        let title: String
        let employer: String
        let salary: String
        let zoneName: String
        let educationName: String
        let posted: String
        let statusName: String
        let status: String
    }

    static func row(_ req: Request, _ dto: JobDTO, zones: [String: String]) -> Row {
        Row(id: dto.id, title: dto.title, employer: dto.employerName, salary: salary(dto.salaryMin, dto.salaryMax),
            zoneName: zones[dto.zone] ?? dto.zone, educationName: req.t(dto.education.nameKey),
            posted: DisplayFormat.date(dto.createdAt), statusName: req.t(dto.status.nameKey), status: dto.status.rawValue)
    }

    static func salary(_ low: Int, _ high: Int) -> String {
        low == high ? "¥\(low)" : "¥\(low)–\(high)"
    }

    // MARK: Public list and job page

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let q: String
        let categories: [SelectOption]
        let educations: [SelectOption]
        let zones: [SelectOption]
        let sorts: [SelectOption]
        let salaryMin: String
        let postedWithin: String
        let pagination: Pagination
        let capped: Bool
        let errorFields: [String: String]
    }

    @Sendable static func list(req: Request) async throws -> Response {
        var errors = FieldErrors()
        var search = JobsStore.Query()
        do { search = try JobsStore.query(req) } catch let found as FieldErrors { errors = found }
        let today = CivilDate(req.now)
        let result = errors.isEmpty ? try await JobsStore.run(search, today: today, counts: req.application.jobTermCounts, on: req.db) : JobsStore.Result(jobs: [], total: 0)
        let zones = try await EnterpriseRegistry.zoneNames(req.context)
        let query = ["q": search.text, "category": search.category?.rawValue ?? "", "education": search.education?.rawValue ?? "",
                     "zone": search.zone ?? "", "salaryMin": search.salaryMin.map(String.init) ?? "",
                     "postedWithin": search.postedWithinDays.map(String.init) ?? "", "sort": req.query[String.self, at: "sort"] ?? ""]
        // The filters as typed: after a mistake the search is not run, and nothing chosen is lost.
        func typed(_ name: String, _ searched: String?) -> String { errors.isEmpty ? searched ?? "" : req.query[String.self, at: name] ?? "" }
        let category = typed("category", search.category?.rawValue), education = typed("education", search.education?.rawValue)
        let zone = typed("zone", search.zone), sort = typed("sort", search.sort.rawValue)
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "jobs.title"),
            rows: result.jobs.map { row(req, $0, zones: zones) },
            q: typed("q", search.text),
            categories: JobCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == category) },
            educations: Education.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == education) },
            zones: zones.sorted { $0.key < $1.key }.map { SelectOption(value: $0.key, label: $0.value, selected: $0.key == zone) },
            sorts: JobsStore.Sort.allCases.map { SelectOption(value: $0.rawValue, label: req.t("jobs.sort.\($0.rawValue)"), selected: $0.rawValue == sort) },
            salaryMin: typed("salaryMin", query["salaryMin"]), postedWithin: typed("postedWithin", query["postedWithin"]),
            pagination: Pagination(PageMetadata(page: search.page, per: search.per, total: result.total), path: "/jobs", query: query),
            capped: result.total >= JobsStore.countLimit,
            errorFields: req.translated(errors)
        )
        return try await Pages.render(req, "jobs/list", context, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    struct JobPage: Encodable {
        let page: PageContext
        let job: JobDTO
        let row: Row
        let categoryName: String
        let isSeeker: Bool
        let signedOut: Bool
        let canApply: Bool
        let needsResume: Bool
        let needsConsent: Bool
        let applicationState: String?
        /// After a mistake: the messages by field, and the note as typed.
        let fields: [String: String]
        let message: String
    }

    @Sendable static func job(req: Request) async throws -> Response {
        try await renderJob(req, try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self)))
    }

    static func renderJob(_ req: Request, _ posting: JobPosting, fields: [String: String] = [:], message: String = "",
                          status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = req.auth.get(User.self)
        guard JobsService.canSee(user, posting.employer) else { throw AppError.notFound }
        let dto = JobDTO(posting, employerName: posting.employer.enterprise.name, today: CivilDate(req.now))
        var resume: Resume?
        var state: String?
        if let user, user.role == .jobSeeker {
            resume = try await JobsService.resume(of: user, on: req.db)
            state = try await JobApplication.query(on: req.db).filter(\.$posting.$id == dto.id).filter(\.$seeker.$id == user.requireID())
                .first().map { req.t($0.state.nameKey) }
        }
        let isSeeker = user?.role == .jobSeeker
        let context = JobPage(
            page: try await Pages.context(req, titleKey: "jobs.title", forms: true), job: dto, row: row(req, dto, zones: try await EnterpriseRegistry.zoneNames(req.context)),
            categoryName: req.t(dto.category.nameKey), isSeeker: isSeeker, signedOut: user == nil,
            canApply: isSeeker && dto.status == .open && state == nil && resume?.hasConsent == true,
            needsResume: isSeeker && resume == nil, needsConsent: isSeeker && resume != nil && resume?.hasConsent == false,
            applicationState: state, fields: fields, message: message
        )
        return try await Pages.render(req, "jobs/job", context, status: status)
    }

    @Sendable static func apply(req: Request) async throws -> Response {
        let posting = try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self))
        struct Form: Content { var message: String? }
        let message = try req.content.decode(Form.self).message
        do {
            _ = try await JobsService.applyFor(req.context, posting, message: message)
            try await Pages.flash(req, "jobs.applied")
            return req.redirect(to: "/my-applications")
        } catch let error as AppError {
            return try await renderJob(req, posting, fields: ["form": req.t(error.messageKey)], message: message ?? "", status: error.status)
        } catch let errors as FieldErrors {
            return try await renderJob(req, posting, fields: req.translated(errors), message: message ?? "", status: .unprocessableEntity)
        }
    }

    struct EmployerPage: Encodable {
        let page: PageContext
        let employer: EmployerDTO
        let zoneName: String
        let rows: [Row]
    }

    @Sendable static func employer(req: Request) async throws -> Response {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        guard JobsService.canSee(req.auth.get(User.self), employer) else { throw AppError.notFound }
        let today = CivilDate(req.now)
        let postings = try await JobPosting.query(on: req.db).filter(\.$employer.$id == employer.requireID())
            .filter(\.$status == .open).filter(\.$closingDate >= today.iso).sort(\.$createdAt, .descending).limit(100).all()
        let zones = try await EnterpriseRegistry.zoneNames(req.context)
        let context = EmployerPage(page: try await Pages.context(req, titleKey: "jobs.employer"), employer: EmployerDTO(employer, now: req.now),
                                   zoneName: zones[employer.enterprise.zone] ?? "",
                                   rows: postings.map { row(req, JobDTO($0, employerName: employer.enterprise.name, today: today), zones: zones) })
        return try await Pages.render(req, "jobs/employer", context)
    }

    // MARK: Enterprise centre

    struct CentrePage: Encodable {
        struct Posting: Encodable {
            let row: Row
            let applications: Int
            let canFill: Bool
        }
        struct Applicant: Encodable {
            let id: UUID
            let name: String
            let jobTitle: String
            let stateName: String
            let state: String
            let updated: String
        }
        let page: PageContext
        let employer: EmployerDTO?
        let statusName: String
        let postings: [Posting]
        let applicants: [Applicant]
        let fields: [String: String]
        let values: [String: String]
        let categories: [SelectOption]
        let educations: [SelectOption]
        let zones: [SelectOption]
        let maxUploadMegabytes: Int
        let closingHint: String
    }

    @Sendable static func centre(req: Request) async throws -> Response {
        try await renderCentre(req, fields: FieldErrors(), values: [:])
    }

    static func renderCentre(_ req: Request, fields: FieldErrors, values: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let employer = try await JobsService.employer(of: user.$enterprise.id, on: req.db)
        let today = CivilDate(req.now)
        var postings: [CentrePage.Posting] = []
        var applicants: [CentrePage.Applicant] = []
        let zones = try await EnterpriseRegistry.zoneNames(req.context)
        if let employer, employer.status == .approved {
            let own = try await JobPosting.query(on: req.db).filter(\.$employer.$id == employer.requireID()).sort(\.$createdAt, .descending).limit(200).all()
            let applications = try await JobsService.applications(req.context, posting: req.query[UUID.self, at: "jobId"], state: req.query[String.self, at: "state"].flatMap(ApplicationState.init(rawValue:)))
            let counts = Dictionary(grouping: applications, by: { $0.$posting.id }).mapValues(\.count)
            postings = own.map { posting in
                let dto = JobDTO(posting, employerName: employer.enterprise.name, today: today)
                return .init(row: row(req, dto, zones: zones), applications: counts[dto.id] ?? 0, canFill: dto.status == .open)
            }
            applicants = applications.map {
                .init(id: $0.id!, name: $0.seeker.displayName, jobTitle: $0.posting.title, stateName: req.t($0.state.nameKey),
                      state: $0.state.rawValue, updated: DisplayFormat.dateTime($0.updatedAt))
            }
        }
        let context = CentrePage(
            page: try await Pages.context(req, titleKey: "jobs.centre"), employer: employer.map { EmployerDTO($0, now: req.now) },
            statusName: employer.map { req.t($0.status.nameKey) } ?? "", postings: postings, applicants: applicants,
            fields: req.translated(fields), values: values,
            categories: JobCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == values["category"]) },
            educations: Education.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == values["education"]) },
            zones: zones.sorted { $0.key < $1.key }.map { SelectOption(value: $0.key, label: $0.value, selected: $0.key == values["zone"]) },
            maxUploadMegabytes: try await req.districtSettings().maxUploadBytes / 1_048_576,
            closingHint: req.t("jobs.closingHint", today.adding(days: PostingRules.maxDaysOpen).iso)
        )
        return try await Pages.render(req, "jobs/centre", context, status: status)
    }

    /// Runs a centre form; field errors and refusals show on the centre page.
    static func centreAction(_ req: Request, values: [String: String] = [:], flash: String, _ change: () async throws -> Void) async throws -> Response {
        try await FormAction.run(req, flash: flash, redirect: "/jobs/centre", render: { errors, status in
            try await renderCentre(req, fields: errors, values: values, status: status)
        }, change)
    }

    @Sendable static func start(req: Request) async throws -> Response {
        let input = try req.content.decode(JobsService.EmployerProfile.self)
        return try await centreAction(req, flash: "jobs.started") { _ = try await JobsService.startRecruiting(req.context, input) }
    }

    @Sendable static func licence(req: Request) async throws -> Response {
        let upload = try req.content.decode(Upload.self)
        return try await centreAction(req, flash: "jobs.licenceAttached") {
            guard let employer = try await JobsService.employer(of: try req.requireUser().$enterprise.id, on: req.db) else { throw AppError.notFound }
            try await JobsService.attachLicence(req.context, employer, file: upload.file)
        }
    }

    struct PostingForm: Content {
        var title: String?
        var category: String?
        var openings: String?
        var salaryMin: String?
        var salaryMax: String?
        var education: String?
        var experience: String?
        var zone: String?
        var address: String?
        var description: String?
        var benefits: String?
        var closingDate: String?

        var values: [String: String] {
            ["title": title ?? "", "category": category ?? "", "openings": openings ?? "", "salaryMin": salaryMin ?? "",
             "salaryMax": salaryMax ?? "", "education": education ?? "", "experience": experience ?? "", "zone": zone ?? "",
             "address": address ?? "", "description": description ?? "", "benefits": benefits ?? "", "closingDate": closingDate ?? ""]
        }
    }

    @Sendable static func publish(req: Request) async throws -> Response {
        let form = try req.content.decode(PostingForm.self)
        return try await centreAction(req, values: form.values, flash: "jobs.published") {
            var errors = FieldErrors()
            func number(_ name: String, _ raw: String?) -> Int? { FormText.integer(raw, field: name, into: &errors) }
            let input = JobsService.PostingInput(
                title: form.title, category: form.category, openings: number("openings", form.openings), salaryMin: number("salaryMin", form.salaryMin),
                salaryMax: number("salaryMax", form.salaryMax), education: form.education, experience: form.experience, zone: form.zone,
                address: form.address, description: form.description, benefits: form.benefits, closingDate: form.closingDate)
            try errors.throwIfAny()
            _ = try await JobsService.publish(req.context, input)
        }
    }

    @Sendable static func markFilled(req: Request) async throws -> Response {
        let posting = try await JobsService.findPosting(req.context, id: req.parameters.get("jobID", as: UUID.self))
        return try await centreAction(req, flash: "jobs.filled") {
            try await JobsService.update(req.context, posting, JobsService.PostingInput(status: PostingStatus.filled.rawValue))
        }
    }

    struct ApplicantPage: Encodable {
        let page: PageContext
        let application: ApplicationDTO
        let stateName: String
        let resume: ResumeDTO?
        let educationName: String
        let next: [SelectOption]
        let interviewAt: String
        let fields: [String: String]
    }

    @Sendable static func applicant(req: Request) async throws -> Response {
        let application = try await JobsService.findApplication(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        try await JobsService.markViewed(req.context, application)
        try await JobsService.auditApplicantRead(req.context, [application])
        return try await renderApplicant(req, application, fields: FieldErrors())
    }

    static func renderApplicant(_ req: Request, _ application: JobApplication, fields: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let dto = try await JobsService.dto(req.context, application)
        let context = ApplicantPage(
            page: try await Pages.context(req, titleKey: "jobs.applicant"), application: dto, stateName: req.t(dto.state.nameKey),
            resume: dto.applicant?.resume, educationName: dto.applicant?.resume.map { req.t($0.education.nameKey) } ?? "",
            next: ApplicationState.allCases.filter { application.state.allows($0) }.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: false) },
            interviewAt: dto.interviewAt.map(DisplayFormat.dateTime) ?? "", fields: req.translated(fields)
        )
        return try await Pages.render(req, "jobs/applicant", context, status: status)
    }

    @Sendable static func move(req: Request) async throws -> Response {
        let application = try await JobsService.findApplication(req.context, id: req.parameters.get("applicationID", as: UUID.self))
        struct Form: Content { var state: String?; var reason: String?; var interviewAt: String?; var interviewPlace: String? }
        let form = try req.content.decode(Form.self)
        var move = JobsService.Move(state: form.state, reason: form.reason, interviewPlace: form.interviewPlace)
        do {
            if let raw = form.interviewAt, !raw.isEmpty {
                // A datetime-local field: the district's time (UTC+8).
                guard let at = DisplayFormat.parseLocalDateTime(raw) else { throw FieldErrors("interviewAt", "error.date") }
                move.interviewAt = at
            }
            try await JobsService.move(req.context, application, move)
            try await Pages.flash(req, "jobs.moved")
            return req.redirect(to: "/jobs/centre/applications/\(application.id!)")
        } catch let errors as FieldErrors {
            return try await renderApplicant(req, application, fields: errors, status: .unprocessableEntity)
        } catch AppError.illegalTransition(let key) {
            return try await renderApplicant(req, application, fields: FieldErrors("state", key), status: .conflict)
        }
    }

    // MARK: Job seekers

    struct SeekerRegisterPage: Encodable {
        let page: PageContext
        let values: [String: String]
        let fields: [String: String]
    }

    @Sendable static func seekerRegisterPage(req: Request) async throws -> Response {
        try await Pages.render(req, "jobs/seeker-register", SeekerRegisterPage(page: try await Pages.context(req, titleKey: "jobs.seekerRegister", forms: true), values: [:], fields: [:]))
    }

    @Sendable static func registerSeeker(req: Request) async throws -> Response {
        let input = try req.content.decode(JobsService.SeekerRegistration.self)
        let values = ["mobile": input.mobile ?? "", "name": input.name ?? ""]
        func again(_ fields: FieldErrors, _ status: HTTPResponseStatus) async throws -> Response {
            try await Pages.render(req, "jobs/seeker-register", SeekerRegisterPage(page: try await Pages.context(req, titleKey: "jobs.seekerRegister", forms: true),
                                                                                   values: values, fields: req.translated(fields)), status: status)
        }
        do {
            _ = try await JobsService.registerSeeker(req.context, input)
        } catch let errors as FieldErrors {
            return try await again(errors, .unprocessableEntity)
        } catch AppError.conflict(let field, let key) {
            return try await again(FieldErrors(field ?? "mobile", key), .conflict)
        }
        try await Pages.flash(req, "jobs.seekerRegistered")
        return req.redirect(to: "/login?next=/resume")
    }

    struct ResumePage: Encodable {
        let page: PageContext
        let values: [String: String]
        let fields: [String: String]
        let educations: [SelectOption]
        let categories: [SelectOption]
        let zones: [SelectOption]
        let genders: [SelectOption]
        let hasResume: Bool
        let consent: Bool
        let consentSince: String
    }

    @Sendable static func resumePage(req: Request) async throws -> Response {
        let resume = try await JobsService.resume(of: try req.requireUser(), on: req.db)
        var values: [String: String] = [:]
        if let resume {
            values = ["name": resume.name, "gender": resume.gender ?? "", "birthYear": String(resume.birthYear), "education": resume.education.rawValue,
                      "school": resume.school, "major": resume.major, "yearsOfWork": String(resume.yearsOfWork), "skills": resume.skills,
                      "expectedSalary": String(resume.expectedSalary), "workHistory": resume.workHistory, "introduction": resume.introduction]
        }
        return try await renderResume(req, resume, values: values, wanted: Set((resume?.wantedCategories ?? []) + (resume?.wantedZones ?? [])), fields: FieldErrors())
    }

    static func renderResume(_ req: Request, _ resume: Resume?, values: [String: String], wanted: Set<String>, fields: FieldErrors,
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let zones = try await EnterpriseRegistry.zoneNames(req.context)
        let context = ResumePage(
            page: try await Pages.context(req, titleKey: "jobs.resume"), values: values, fields: req.translated(fields),
            educations: Education.allCases.filter { $0 != .any }.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == values["education"]) },
            categories: JobCategory.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: wanted.contains($0.rawValue)) },
            zones: zones.sorted { $0.key < $1.key }.map { SelectOption(value: $0.key, label: $0.value, selected: wanted.contains($0.key)) },
            genders: ["male", "female"].map { SelectOption(value: $0, label: req.t("jobs.gender.\($0)"), selected: $0 == values["gender"]) },
            hasResume: resume != nil, consent: resume?.hasConsent == true,
            consentSince: resume?.consentGivenAt.map(DisplayFormat.dateTime) ?? ""
        )
        return try await Pages.render(req, "jobs/resume", context, status: status)
    }

    @Sendable static func saveResume(req: Request) async throws -> Response {
        struct Form: Content {
            var name: String?; var gender: String?; var birthYear: String?; var education: String?; var school: String?; var major: String?
            var yearsOfWork: String?; var skills: String?; var expectedSalary: String?; var wantedCategories: [String]?; var wantedZones: [String]?
            var workHistory: String?; var introduction: String?
        }
        let form = try req.content.decode(Form.self)
        let values = ["name": form.name ?? "", "gender": form.gender ?? "", "birthYear": form.birthYear ?? "", "education": form.education ?? "",
                      "school": form.school ?? "", "major": form.major ?? "", "yearsOfWork": form.yearsOfWork ?? "", "skills": form.skills ?? "",
                      "expectedSalary": form.expectedSalary ?? "", "workHistory": form.workHistory ?? "", "introduction": form.introduction ?? ""]
        var errors = FieldErrors()
        func number(_ name: String, _ raw: String?) -> Int? { FormText.integer(raw, field: name, into: &errors) }
        let input = JobsService.ResumeInput(
            name: form.name, gender: form.gender, birthYear: number("birthYear", form.birthYear), education: form.education, school: form.school,
            major: form.major, yearsOfWork: number("yearsOfWork", form.yearsOfWork), skills: form.skills,
            expectedSalary: number("expectedSalary", form.expectedSalary), wantedCategories: form.wantedCategories, wantedZones: form.wantedZones,
            workHistory: form.workHistory, introduction: form.introduction)
        do {
            try errors.throwIfAny()
            _ = try await JobsService.saveResume(req.context, input)
        } catch let found as FieldErrors {
            let resume = try await JobsService.resume(of: try req.requireUser(), on: req.db)
            return try await renderResume(req, resume, values: values, wanted: Set((form.wantedCategories ?? []) + (form.wantedZones ?? [])),
                                          fields: found, status: .unprocessableEntity)
        }
        try await Pages.flash(req, "jobs.resumeSaved")
        return req.redirect(to: "/resume")
    }

    @Sendable static func consent(req: Request) async throws -> Response {
        struct Form: Content { var consent: String? }
        let given = try req.content.decode(Form.self).consent
        _ = try await JobsService.setConsent(req.context, given.map { $0 == "yes" })
        try await Pages.flash(req, given == "yes" ? "jobs.consentGiven" : "jobs.consentWithdrawn")
        return req.redirect(to: "/resume")
    }

    struct MyApplicationsPage: Encodable {
        struct Item: Encodable {
            let jobId: UUID
            let jobTitle: String
            let employer: String
            let state: String
            let stateName: String
            let updated: String
            let interview: String?
            let reason: String?
        }
        let page: PageContext
        let items: [Item]
    }

    @Sendable static func myApplications(req: Request) async throws -> Response {
        let items = try await JobsService.applications(req.context, posting: req.query[UUID.self, at: "jobId"], state: req.query[String.self, at: "state"].flatMap(ApplicationState.init(rawValue:))).map { application in
            MyApplicationsPage.Item(
                jobId: application.$posting.id, jobTitle: application.posting.title, employer: application.posting.employer.enterprise.name,
                state: application.state.rawValue, stateName: req.t(application.state.nameKey), updated: DisplayFormat.dateTime(application.updatedAt),
                interview: application.state == .interview ? application.interviewAt.map { "\(DisplayFormat.dateTime($0)) · \(application.interviewPlace ?? "")" } : nil,
                reason: application.reason)
        }
        return try await Pages.render(req, "jobs/my-applications", MyApplicationsPage(page: try await Pages.context(req, titleKey: "jobs.myApplications"), items: items))
    }

    // MARK: Review

    struct ReviewPage: Encodable {
        struct Item: Encodable {
            let employer: EmployerDTO
            let zoneName: String
            let creditCode: String
            let waiting: String
            /// This employer's form was sent with a mistake: its message and the reason as typed.
            let error: String?
            let reason: String
        }
        let page: PageContext
        let items: [Item]
        let errorFields: [String: String]
    }

    @Sendable static func reviewQueue(req: Request) async throws -> Response {
        try await renderReview(req, fields: FieldErrors())
    }

    static func renderReview(_ req: Request, fields: FieldErrors, employerID: UUID? = nil, reason: String = "",
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let messages = req.translated(fields)
        let zones = try await EnterpriseRegistry.zoneNames(req.context)
        let pending = try await Employer.query(on: req.db).filter(\.$status == .pending).with(\.$enterprise).sort(\.$submittedAt).limit(200).all()
        let items = pending.map { employer in
            let dto = EmployerDTO(employer, now: req.now)
            let failed = employer.id == employerID
            return ReviewPage.Item(employer: dto, zoneName: zones[dto.zone] ?? dto.zone, creditCode: employer.enterprise.creditCode,
                                   waiting: req.t("jobs.waitingHours", String(dto.waitingHours ?? 0)),
                                   error: failed ? messages["reason"] ?? messages["decision"] : nil, reason: failed ? reason : "")
        }
        // The summary's entry leads to the form that was sent.
        let summary = messages.renamingFields { ["reason", "decision"].contains($0) ? "reason-\(employerID?.uuidString ?? "")" : $0 }
        return try await Pages.render(req, "jobs/review", ReviewPage(page: try await Pages.context(req, titleKey: "jobs.review"), items: items,
                                                                     errorFields: summary), status: status)
    }

    @Sendable static func review(req: Request) async throws -> Response {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        let form = try req.content.decode(EnterprisesController.ReviewBody.self)
        do {
            try await JobsService.review(req.context, employer, decision: form.decision, reason: form.reason)
        } catch let errors as FieldErrors {
            return try await renderReview(req, fields: errors, employerID: employer.id, reason: form.reason ?? "", status: .unprocessableEntity)
        } catch AppError.illegalTransition(let key) {
            return try await renderReview(req, fields: FieldErrors("decision", key), employerID: employer.id, reason: form.reason ?? "",
                                          status: .conflict)
        }
        try await Pages.flash(req, "jobs.reviewed")
        return req.redirect(to: "/jobs/review")
    }

    /// The reviewer (or the employer itself) downloads the licence.
    @Sendable static func licenceFile(req: Request) async throws -> Response {
        let employer = try await JobsService.findEmployer(req.context, id: req.parameters.get("employerID", as: UUID.self))
        let user = try req.requireUser()
        guard user.role == .reviewer || user.$enterprise.id == employer.$enterprise.id,
              let id = employer.licenceFileID, let file = try await StoredFile.find(id, on: req.db) else { throw AppError.notFound }
        return Uploads.response(file, name: employer.licenceFilename ?? "licence.pdf")
    }
}
