import Domain
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// 人才就业网: employers and their review, postings, search, job seekers and their résumés,
/// applications through the employer's pipeline. Pages and API call these same functions.
enum JobsService {
    // MARK: Employers

    struct EmployerProfile: Content {
        var introduction: String?
        var size: String?
    }

    static func employer(of enterpriseID: UUID?, on db: any Database) async throws -> Employer? {
        guard let enterpriseID else { return nil }
        return try await Employer.query(on: db).filter(\.$enterprise.$id == enterpriseID).with(\.$enterprise).first()
    }

    static func profile(_ input: EmployerProfile, into errors: inout FieldErrors) -> (introduction: String, size: String) {
        let introduction = FormText.trimmed(input.introduction)
        if introduction.count > 2000 { errors.add("introduction", "error.tooLong") }
        let size = FormText.trimmed(input.size)
        if size.count > 30 { errors.add("size", "error.tooLong") }
        return (introduction, size)
    }

    /// An enterprise already in Fugong starts recruiting from its own account. One the district
    /// has verified is approved at once (it was reviewed already); a pending one waits for review.
    static func startRecruiting(_ ctx: ServiceContext, _ input: EmployerProfile) async throws -> Employer {
        let user = try ctx.requireUser()
        guard let enterprise = try await user.$enterprise.get(on: ctx.db) else { throw AppError.forbidden }
        if try await employer(of: enterprise.id, on: ctx.db) != nil {
            throw AppError.conflict(field: nil, messageKey: "error.employer.exists")
        }
        var errors = FieldErrors()
        let profile = profile(input, into: &errors)
        try errors.throwIfAny()
        let employer = Employer()
        employer.$enterprise.id = try enterprise.requireID()
        employer.introduction = profile.introduction
        employer.size = profile.size
        employer.submittedAt = ctx.now
        if enterprise.status == .verified {
            employer.status = .approved
            employer.reviewedAt = ctx.now
        } else {
            employer.status = .pending
        }
        try await ctx.transaction { db in
            try await employer.create(on: db)
            try await Audit.record(ctx, on: db, action: "employer.start", entity: "employer", entityID: employer.id,
                                   detail: "status=\(employer.status.rawValue)")
        }
        employer.$enterprise.value = enterprise
        return employer
    }

    /// A new employer: the enterprise registration (same fields) and its employer record, pending.
    static func register(_ ctx: ServiceContext, _ input: EnterpriseRegistry.Registration, profile: EmployerProfile) async throws -> Employer {
        var errors = FieldErrors()
        let checked = self.profile(profile, into: &errors)
        try errors.throwIfAny()
        let employer = Employer()
        employer.status = .pending
        employer.introduction = checked.introduction
        employer.size = checked.size
        employer.submittedAt = ctx.now
        let enterprise = try await EnterpriseRegistry.register(ctx, input) { enterprise, admin, db in
            employer.$enterprise.id = try enterprise.requireID()
            try await employer.create(on: db)
            try await Audit.record(ctx, on: db, action: "employer.register", entity: "employer", entityID: employer.id, actor: admin)
        }
        employer.$enterprise.value = enterprise
        return employer
    }

    static func findEmployer(_ ctx: ServiceContext, id: UUID?) async throws -> Employer {
        guard let id,
              let employer = try await Employer.query(on: ctx.db).filter(\.$id == id).with(\.$enterprise).first()
        else { throw AppError.notFound }
        return employer
    }

    /// Reviewers see every employer; anyone else an approved one, or their own.
    static func canSee(_ user: User?, _ employer: Employer) -> Bool {
        if employer.status == .approved { return true }
        guard let user else { return false }
        return [.reviewer, .districtAdmin].contains(user.role) || user.$enterprise.id == employer.$enterprise.id
    }

    /// Approve or refuse a pending employer; a refusal needs its reason. An enterprise that came
    /// in through the talent network and is still pending is verified or refused with it.
    static func review(_ ctx: ServiceContext, _ employer: Employer, decision rawDecision: String?, reason rawReason: String?) async throws {
        let review = try EnterpriseStatus.Review.check(decision: rawDecision, reason: rawReason)
        let (decision, reason) = (review.decision, review.reason)
        guard employer.status == .pending else { throw AppError.illegalTransition(messageKey: "error.enterprise.alreadyReviewed") }
        let enterprise = employer.enterprise
        employer.status = decision == .approve ? .approved : .refused
        employer.reviewReason = reason.isEmpty ? nil : reason
        employer.reviewedAt = ctx.now
        employer.reviewedBy = try ctx.requireUser().id
        let alsoEnterprise = enterprise.status == .pending
        if alsoEnterprise {
            enterprise.status = decision == .approve ? .verified : .refused
            enterprise.reviewReason = employer.reviewReason
            enterprise.reviewedAt = ctx.now
            enterprise.$reviewedBy.id = employer.reviewedBy
        }
        let enterpriseID = try enterprise.requireID()
        try await ctx.transaction { db in
            try await employer.save(on: db)
            if alsoEnterprise { try await enterprise.save(on: db) }
            try await Notification.toEnterprise(enterpriseID, decision == .approve ? "notify.employer.approved" : "notify.employer.refused",
                                                [reason], link: "/jobs/centre", at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "employer.\(decision.rawValue)", entity: "employer", entityID: employer.id,
                                   detail: alsoEnterprise ? "enterprise=\(enterprise.status.rawValue)" : nil)
        }
    }

    /// The business licence, uploaded by the employer while its review is pending.
    static func attachLicence(_ ctx: ServiceContext, _ employer: Employer, file: File?) async throws {
        guard ctx.user?.$enterprise.id == employer.$enterprise.id else { throw AppError.notFound }
        guard employer.status != .approved else { throw AppError.illegalTransition(messageKey: "error.enterprise.alreadyReviewed") }
        let (stored, name) = try await Uploads.accept(file, ctx)
        try await ctx.transaction { db in
            try await stored.create(on: db)
            employer.licenceFileID = try stored.requireID()
            employer.licenceFilename = name
            try await employer.save(on: db)
            try await Audit.record(ctx, on: db, action: "employer.licence", entity: "employer", entityID: employer.id,
                                   detail: "size=\(stored.size)")
        }
    }

    // MARK: Postings

    struct PostingInput: Content {
        var title: String?
        var category: String?
        var openings: Int?
        var salaryMin: Int?
        var salaryMax: Int?
        var education: String?
        var experience: String?
        var zone: String?
        var address: String?
        var description: String?
        var benefits: String?
        var closingDate: String?
        /// PATCH only: `filled` marks the posting filled; `open` reopens it before its closing date.
        var status: String?

        var draftIsEmpty: Bool {
            [title, category, education, experience, zone, address, description, benefits, closingDate].allSatisfy { $0 == nil }
                && [openings, salaryMin, salaryMax].allSatisfy { $0 == nil }
        }

        var draft: PostingDraft {
            PostingDraft(title: title, category: category, openings: openings, salaryMin: salaryMin, salaryMax: salaryMax,
                         education: education, experience: experience, zone: zone, address: address,
                         description: description, benefits: benefits, closingDate: closingDate)
        }
    }

    /// The employer of the signed-in enterprise admin, which must be approved to publish.
    static func approvedEmployer(_ ctx: ServiceContext) async throws -> Employer {
        guard let employer = try await employer(of: try ctx.requireUser().$enterprise.id, on: ctx.db) else {
            throw AppError.conflict(field: nil, messageKey: "error.employer.none")
        }
        guard employer.status == .approved else { throw AppError.conflict(field: nil, messageKey: "error.employer.notApproved") }
        return employer
    }

    static func publish(_ ctx: ServiceContext, _ input: PostingInput) async throws -> JobPosting {
        let employer = try await approvedEmployer(ctx)
        let checked = try PostingRules.check(input.draft, today: CivilDate(ctx.now), zones: try await EnterpriseRegistry.zoneCodes(ctx.db))
        try await refuseDuplicate(ctx, checked, employer: employer, except: nil)
        let posting = JobPosting()
        posting.$employer.id = try employer.requireID()
        posting.enterpriseID = employer.$enterprise.id
        posting.status = .open
        posting.createdAt = ctx.now
        apply(checked, to: posting, employerName: employer.enterprise.name, now: ctx.now)
        try await ctx.transaction { db in
            try await posting.create(on: db)
            try await JobsStore.index(posting, on: db)
            try await Audit.record(ctx, on: db, action: "job.publish", entity: "job", entityID: posting.id, detail: posting.title)
        }
        posting.$employer.value = employer
        return posting
    }

    /// Changes what the body names; the whole posting is checked again before it goes live.
    static func update(_ ctx: ServiceContext, _ posting: JobPosting, _ input: PostingInput) async throws {
        let employer = try await approvedEmployer(ctx)
        guard posting.enterpriseID == employer.$enterprise.id else { throw AppError.notFound }
        let today = CivilDate(ctx.now)
        var draft = input.draft
        draft.title = draft.title ?? posting.title
        draft.category = draft.category ?? posting.category.rawValue
        draft.openings = draft.openings ?? posting.openings
        draft.salaryMin = draft.salaryMin ?? posting.salaryMin
        draft.salaryMax = draft.salaryMax ?? posting.salaryMax
        draft.education = draft.education ?? posting.education.rawValue
        draft.experience = draft.experience ?? posting.experience
        draft.zone = draft.zone ?? posting.zone
        draft.address = draft.address ?? posting.address
        draft.description = draft.description ?? posting.description
        draft.benefits = draft.benefits ?? posting.benefits
        draft.closingDate = draft.closingDate ?? posting.closingDate
        var status = posting.status
        if let raw = input.status {
            guard let wanted = PostingStatus(rawValue: raw), wanted != .expired else { throw FieldErrors("status", "error.choice") }
            status = wanted
        }
        // Marking filled changes nothing else, so it is not checked again (its closing date may have passed).
        if status == .filled, input.draftIsEmpty {
            try await save(ctx, posting, status: .filled)
            return
        }
        let checked = try PostingRules.check(draft, today: today, zones: try await EnterpriseRegistry.zoneCodes(ctx.db))
        if status == .open { try await refuseDuplicate(ctx, checked, employer: employer, except: posting.id) }
        apply(checked, to: posting, employerName: employer.enterprise.name, now: ctx.now)
        posting.status = status
        try await ctx.transaction { db in
            try await posting.save(on: db)
            try await JobsStore.index(posting, on: db)
            try await Audit.record(ctx, on: db, action: "job.update", entity: "job", entityID: posting.id, detail: "status=\(posting.status.rawValue)")
        }
    }

    private static func save(_ ctx: ServiceContext, _ posting: JobPosting, status: PostingStatus) async throws {
        posting.status = status
        posting.updatedAt = ctx.now
        try await ctx.transaction { db in
            try await posting.save(on: db)
            try await JobsStore.index(posting, on: db)
            try await Audit.record(ctx, on: db, action: "job.update", entity: "job", entityID: posting.id, detail: "status=\(status.rawValue)")
        }
    }

    /// Same title and place, same employer, still open: refused.
    static func refuseDuplicate(_ ctx: ServiceContext, _ posting: CheckedPosting, employer: Employer, except: UUID?) async throws {
        let query = JobPosting.query(on: ctx.db).filter(\.$enterpriseID == employer.$enterprise.id)
            .filter(\.$title == posting.title).filter(\.$address == posting.address)
            .filter(\.$status == .open).filter(\.$closingDate >= CivilDate(ctx.now).iso)
        if let except { query.filter(\.$id != except) }
        if try await query.count() > 0 { throw AppError.conflict(field: "title", messageKey: "error.job.duplicate") }
    }

    private static func apply(_ checked: CheckedPosting, to posting: JobPosting, employerName: String, now: Date) {
        posting.title = checked.title
        posting.category = checked.category
        posting.openings = checked.openings
        posting.salaryMin = checked.salaryMin
        posting.salaryMax = checked.salaryMax
        posting.education = checked.education
        posting.experience = checked.experience
        posting.zone = checked.zone
        posting.address = checked.address
        posting.description = checked.description
        posting.benefits = checked.benefits
        posting.closingDate = checked.closingDate.iso
        posting.updatedAt = now
        posting.searchText = SearchTerms.normalized([checked.title, employerName, checked.description].joined(separator: "\n"))
    }

    static func findPosting(_ ctx: ServiceContext, id: UUID?) async throws -> JobPosting {
        guard let id,
              let posting = try await JobPosting.query(on: ctx.db).filter(\.$id == id).with(\.$employer) { $0.with(\.$enterprise) }.first()
        else { throw AppError.notFound }
        return posting
    }

    // MARK: Job seekers and résumés

    struct SeekerRegistration: Content {
        var mobile: String?
        var password: String?
        var name: String?
    }

    /// Self-registration: the mobile is the username.
    static func registerSeeker(_ ctx: ServiceContext, _ input: SeekerRegistration) async throws -> User {
        var errors = FieldErrors()
        var mobile: MobileNumber?
        let rawMobile = FormText.trimmed(input.mobile)
        if rawMobile.isEmpty { errors.add("mobile", "error.required") } else {
            do { mobile = try MobileNumber(rawMobile) } catch { errors.add("mobile", error.messageKey) }
        }
        AccountRules.password(input.password, username: mobile?.value ?? "", into: &errors)
        let name = FormText.required(input.name, field: "name", maxLength: 30, into: &errors)
        try errors.throwIfAny()
        guard let mobile, let password = input.password else { throw AppError.internalError("validated seeker") }
        if try await User.query(on: ctx.db).filter(\.$username == mobile.value).count() > 0 {
            throw AppError.conflict(field: "mobile", messageKey: "error.mobile.taken")
        }
        let user = User(username: mobile.value, passwordHash: try await ctx.app.password.async.hash(password), role: .jobSeeker, displayName: name)
        try await ctx.transaction { db in
            try await user.create(on: db)
            try await Audit.record(ctx, on: db, action: "user.create", entity: "user", entityID: user.id, detail: "role=jobSeeker", actor: user)
        }
        return user
    }

    struct ResumeInput: Content {
        var name: String?
        var gender: String?
        var birthYear: Int?
        var education: String?
        var school: String?
        var major: String?
        var yearsOfWork: Int?
        var skills: String?
        var expectedSalary: Int?
        var wantedCategories: [String]?
        var wantedZones: [String]?
        var workHistory: String?
        var introduction: String?
    }

    static func resume(of user: User, on db: any Database) async throws -> Resume? {
        try await Resume.query(on: db).filter(\.$user.$id == user.requireID()).first()
    }

    static func saveResume(_ ctx: ServiceContext, _ input: ResumeInput) async throws -> Resume {
        let user = try ctx.requireUser()
        let draft = ResumeDraft(name: input.name, gender: input.gender, birthYear: input.birthYear, education: input.education,
                                school: input.school, major: input.major, yearsOfWork: input.yearsOfWork, skills: input.skills,
                                expectedSalary: input.expectedSalary, wantedCategories: input.wantedCategories,
                                wantedZones: input.wantedZones, workHistory: input.workHistory, introduction: input.introduction)
        let checked = try ResumeRules.check(draft, thisYear: CivilDate(ctx.now).year, zones: try await EnterpriseRegistry.zoneCodes(ctx.db))
        let resume = try await resume(of: user, on: ctx.db) ?? Resume()
        resume.$user.id = try user.requireID()
        resume.name = checked.name
        resume.gender = checked.gender
        resume.birthYear = checked.birthYear
        resume.education = checked.education
        resume.school = checked.school
        resume.major = checked.major
        resume.yearsOfWork = checked.yearsOfWork
        resume.skills = checked.skills
        resume.expectedSalary = checked.expectedSalary
        resume.wantedCategories = checked.wantedCategories.map(\.rawValue)
        resume.wantedZones = checked.wantedZones
        resume.workHistory = checked.workHistory
        resume.introduction = checked.introduction
        resume.updatedAt = ctx.now
        try await ctx.transaction { db in
            try await resume.save(on: db)
            try await Audit.record(ctx, on: db, action: "resume.save", entity: "resume", entityID: resume.id)
        }
        return resume
    }

    /// Consent is asked separately from the résumé, recorded with its time, and can be withdrawn.
    static func setConsent(_ ctx: ServiceContext, _ given: Bool?) async throws -> Resume {
        guard let given else { throw FieldErrors("consent", "error.required") }
        guard let resume = try await resume(of: try ctx.requireUser(), on: ctx.db) else {
            throw AppError.conflict(field: nil, messageKey: "error.application.noResume")
        }
        if given {
            resume.consentGivenAt = ctx.now
            resume.consentWithdrawnAt = nil
        } else {
            resume.consentWithdrawnAt = ctx.now
        }
        try await ctx.transaction { db in
            try await resume.save(on: db)
            try await Audit.record(ctx, on: db, action: given ? "resume.consent" : "resume.withdrawConsent", entity: "resume", entityID: resume.id)
        }
        return resume
    }

    // MARK: Applications

    static func applyFor(_ ctx: ServiceContext, _ posting: JobPosting, message rawMessage: String?) async throws -> JobApplication {
        let user = try ctx.requireUser()
        guard let resume = try await resume(of: user, on: ctx.db) else {
            throw AppError.conflict(field: nil, messageKey: "error.application.noResume")
        }
        guard resume.hasConsent else { throw AppError.conflict(field: "consent", messageKey: "error.application.consent") }
        guard PostingRules.status(posting.status, closingDate: posting.closingDate, today: CivilDate(ctx.now)) == .open else {
            throw AppError.illegalTransition(messageKey: "error.application.closed")
        }
        let message = FormText.trimmed(rawMessage)
        if message.count > 500 { throw FieldErrors("message", "error.tooLong") }
        if try await JobApplication.query(on: ctx.db).filter(\.$posting.$id == posting.requireID())
            .filter(\.$seeker.$id == user.requireID()).count() > 0 {
            throw AppError.conflict(field: nil, messageKey: "error.application.duplicate")
        }
        let application = JobApplication()
        application.$posting.id = try posting.requireID()
        application.enterpriseID = posting.enterpriseID
        application.$seeker.id = try user.requireID()
        application.state = .applied
        application.message = message
        application.createdAt = ctx.now
        application.updatedAt = ctx.now
        try await ctx.transaction { db in
            try await application.create(on: db)
            try await Notification.toEnterprise(posting.enterpriseID, "notify.application.new", [posting.title, resume.name],
                                                link: "/jobs/centre", at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "application.create", entity: "jobApplication", entityID: application.id)
        }
        application.$posting.value = posting
        return application
    }

    static func findApplication(_ ctx: ServiceContext, id: UUID?) async throws -> JobApplication {
        let user = try ctx.requireUser()
        guard let id,
              let application = try await JobApplication.query(on: ctx.db).filter(\.$id == id)
                .with(\.$posting) { $0.with(\.$employer) { $0.with(\.$enterprise) } }.with(\.$seeker).first()
        else { throw AppError.notFound }
        // Employers see only those who applied to them; a seeker only their own.
        let mine = user.role == .jobSeeker ? application.$seeker.id == user.id : application.enterpriseID == user.$enterprise.id
        guard mine else { throw AppError.notFound }
        return application
    }

    struct Move: Content {
        var state: String?
        var reason: String?
        var interviewAt: Date?
        var interviewPlace: String?
    }

    /// The employer moves an application along its pipeline; the seeker is told.
    static func move(_ ctx: ServiceContext, _ application: JobApplication, _ input: Move) async throws {
        var errors = FieldErrors()
        let next = input.state.flatMap(ApplicationState.init(rawValue:))
        if next == nil { errors.add("state", FormText.choiceError(input.state)) }
        if let next, !application.state.allows(next) { throw AppError.illegalTransition(messageKey: "error.application.illegalTransition") }
        let place = FormText.trimmed(input.interviewPlace)
        if next == .interview {
            if input.interviewAt == nil { errors.add("interviewAt", "error.required") }
            if place.isEmpty { errors.add("interviewPlace", "error.required") } else if place.count > 200 { errors.add("interviewPlace", "error.tooLong") }
        }
        let reason = FormText.trimmed(input.reason)
        if reason.count > 500 { errors.add("reason", "error.tooLong") }
        try errors.throwIfAny()
        guard let next else { throw AppError.internalError("validated state") }
        application.state = next
        application.updatedAt = ctx.now
        if next == .interview {
            application.interviewAt = input.interviewAt
            application.interviewPlace = place
        }
        if next == .rejected { application.reason = reason.isEmpty ? nil : reason }
        if next == .hired { application.hiredAt = ctx.now }
        let seekerID = application.$seeker.id
        let title = application.posting.title
        try await ctx.transaction { db in
            try await application.save(on: db)
            try await Notification.toUser(seekerID, "notify.application.\(next.rawValue)", [title],
                                          link: "/my-applications", at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "application.\(next.rawValue)", entity: "jobApplication", entityID: application.id)
        }
    }

    /// An employer reading applicants' contact details and résumés is audited, one row per read.
    static func auditApplicantRead(_ ctx: ServiceContext, _ applications: [JobApplication]) async throws {
        guard try ctx.requireUser().role == .enterpriseAdmin, !applications.isEmpty else { return }
        let ids = applications.compactMap(\.id)
        try await ctx.transaction { db in
            try await Audit.record(ctx, on: db, action: "application.read", entity: "jobApplication",
                                   entityID: ids.count == 1 ? ids[0] : nil, detail: "applications=\(ids.count)")
        }
    }

    /// Opening an application marks it viewed (已查看), which the seeker sees.
    static func markViewed(_ ctx: ServiceContext, _ application: JobApplication) async throws {
        guard try ctx.requireUser().role == .enterpriseAdmin, application.state == .applied else { return }
        try await move(ctx, application, Move(state: ApplicationState.viewed.rawValue))
    }

    /// An employer's applications may be narrowed to one posting; either side's, to a state.
    static func applications(_ ctx: ServiceContext, posting: UUID? = nil, state: ApplicationState? = nil) async throws -> [JobApplication] {
        let user = try ctx.requireUser()
        let query = JobApplication.query(on: ctx.db).with(\.$posting) { $0.with(\.$employer) { $0.with(\.$enterprise) } }.with(\.$seeker)
            .sort(\.$updatedAt, .descending)
        if user.role == .jobSeeker {
            query.filter(\.$seeker.$id == (try user.requireID()))
        } else {
            guard let enterpriseID = user.$enterprise.id else { return [] }
            query.filter(\.$enterpriseID == enterpriseID)
            if let posting { query.filter(\.$posting.$id == posting) }
        }
        if let state { query.filter(\.$state == state) }
        return try await query.limit(500).all()
    }
}
