import Domain
import Fluent
import SQLKit
import Vapor

struct EmployerDTO: Content {
    let id: UUID
    let enterpriseId: UUID
    let name: String
    let status: EmployerStatus
    let introduction: String
    let size: String
    let industry: String
    let address: String
    let zone: String
    let submittedAt: Date
    let reviewedAt: Date?
    let reason: String?
    let hasLicence: Bool
    /// Hours since submission while pending: what the employer waits, and the reviewer's queue order.
    let waitingHours: Int?

    init(_ employer: Employer, now: Date) {
        id = employer.id!
        enterpriseId = employer.$enterprise.id
        name = employer.enterprise.name
        status = employer.status
        introduction = employer.introduction
        size = employer.size
        industry = employer.enterprise.industry
        address = employer.enterprise.address
        zone = employer.enterprise.zone
        submittedAt = employer.submittedAt
        reviewedAt = employer.reviewedAt
        reason = employer.reviewReason
        hasLicence = employer.licenceFileID != nil
        waitingHours = employer.status == .pending ? max(0, Int(now.timeIntervalSince(employer.submittedAt) / 3600)) : nil
    }
}

struct JobDTO: Content {
    let id: UUID
    let employerId: UUID
    let employerName: String
    let title: String
    let category: JobCategory
    let openings: Int
    let salaryMin: Int
    let salaryMax: Int
    let education: Education
    let experience: String
    let zone: String
    let address: String
    let description: String
    let benefits: String
    let closingDate: String
    let status: PostingStatus
    let createdAt: Date

    /// A posting's status as the reader sees it: an open posting past its closing date is expired.
    init(_ posting: JobPosting, employerName: String, today: CivilDate) {
        id = posting.id!; employerId = posting.$employer.id; self.employerName = employerName; title = posting.title
        category = posting.category; openings = posting.openings; salaryMin = posting.salaryMin; salaryMax = posting.salaryMax
        education = posting.education; experience = posting.experience; zone = posting.zone; address = posting.address
        description = posting.description; benefits = posting.benefits; closingDate = posting.closingDate; createdAt = posting.createdAt
        status = PostingRules.status(posting.status, closingDate: posting.closingDate, today: today)
    }
}

struct ResumeDTO: Content {
    let name: String
    let gender: String?
    let birthYear: Int
    let education: Education
    let school: String
    let major: String
    let yearsOfWork: Int
    let skills: String
    let expectedSalary: Int
    let wantedCategories: [String]
    let wantedZones: [String]
    let workHistory: String
    let introduction: String
    let updatedAt: Date
    let consent: Bool
    let consentGivenAt: Date?
    let consentWithdrawnAt: Date?

    init(_ resume: Resume) {
        name = resume.name; gender = resume.gender; birthYear = resume.birthYear; education = resume.education
        school = resume.school; major = resume.major; yearsOfWork = resume.yearsOfWork; skills = resume.skills
        expectedSalary = resume.expectedSalary; wantedCategories = resume.wantedCategories; wantedZones = resume.wantedZones
        workHistory = resume.workHistory; introduction = resume.introduction; updatedAt = resume.updatedAt
        consent = resume.hasConsent; consentGivenAt = resume.consentGivenAt; consentWithdrawnAt = resume.consentWithdrawnAt
    }
}

struct ApplicationDTO: Content {
    /// What the employer sees of the applicant: contact and résumé only while consent stands.
    struct Applicant: Content {
        let name: String
        let mobile: String?
        let resume: ResumeDTO?
    }

    let id: UUID
    let jobId: UUID
    let jobTitle: String
    let employerName: String
    let state: ApplicationState
    let message: String
    let interviewAt: Date?
    let interviewPlace: String?
    let reason: String?
    let createdAt: Date
    let updatedAt: Date
    let applicant: Applicant?
}

extension JobsService {
    static func dto(_ ctx: ServiceContext, _ application: JobApplication) async throws -> ApplicationDTO {
        let user = try ctx.requireUser()
        var applicant: ApplicationDTO.Applicant?
        if user.role == .enterpriseAdmin {
            let resume = try await resume(of: application.seeker, on: ctx.db)
            let shared = resume?.hasConsent == true
            applicant = .init(name: resume?.name ?? application.seeker.displayName, mobile: shared ? application.seeker.username : nil,
                              resume: shared ? resume.map(ResumeDTO.init) : nil)
        }
        return ApplicationDTO(
            id: try application.requireID(), jobId: application.$posting.id, jobTitle: application.posting.title,
            employerName: application.posting.employer.enterprise.name, state: application.state, message: application.message,
            interviewAt: application.interviewAt, interviewPlace: application.interviewPlace, reason: application.reason,
            createdAt: application.createdAt, updatedAt: application.updatedAt, applicant: applicant
        )
    }
}

extension JobDTO {
    /// A posting as `JobsStore` selects it (with `employer_name`), read column by column: a
    /// decoder with key conversion cost a search a fifth of its time.
    init(row: any SQLRow, today: CivilDate) throws {
        func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
        func choice<T: RawRepresentable<String>>(_ column: String, _: T.Type) throws -> T {
            guard let value = T(rawValue: try text(column)) else { throw AppError.internalError("\(column) is not a known value") }
            return value
        }
        id = try row.decode(column: "id", as: UUID.self); employerId = try row.decode(column: "employer_id", as: UUID.self)
        employerName = try text("employer_name"); title = try text("title"); category = try choice("category", JobCategory.self)
        openings = try row.decode(column: "openings", as: Int.self); salaryMin = try row.decode(column: "salary_min", as: Int.self)
        salaryMax = try row.decode(column: "salary_max", as: Int.self); education = try choice("education", Education.self)
        experience = try text("experience"); zone = try text("zone"); address = try text("address")
        description = try text("description"); benefits = try text("benefits"); closingDate = try text("closing_date")
        createdAt = try row.decode(column: "created_at", as: Date.self)
        status = PostingRules.status(try choice("status", PostingStatus.self), closingDate: closingDate, today: today)
    }
}
