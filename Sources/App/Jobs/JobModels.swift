import Domain
import Fluent
import SQLKit
import Foundation
import Vapor

/// An enterprise on the talent network (人才就业网). It may publish postings once approved.
final class Employer: Model, @unchecked Sendable {
    static let schema = "employers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Enum(key: "status") var status: EmployerStatus
    @Field(key: "introduction") var introduction: String
    @Field(key: "size") var size: String
    @Field(key: "submitted_at") var submittedAt: Date
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    @OptionalField(key: "review_reason") var reviewReason: String?
    /// The business licence (营业执照) a new employer uploads for review.
    @OptionalField(key: "licence_file_id") var licenceFileID: UUID?
    @OptionalField(key: "licence_filename") var licenceFilename: String?

    init() {}
}

/// 职位.
final class JobPosting: Model, @unchecked Sendable {
    static let schema = "job_postings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "employer_id") var employer: Employer
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "title") var title: String
    @Enum(key: "category") var category: JobCategory
    @Field(key: "openings") var openings: Int
    @Field(key: "salary_min") var salaryMin: Int
    @Field(key: "salary_max") var salaryMax: Int
    @Enum(key: "education") var education: Education
    @Field(key: "experience") var experience: String
    @Field(key: "zone") var zone: String
    @Field(key: "address") var address: String
    @Field(key: "description") var description: String
    @Field(key: "benefits") var benefits: String
    /// ISO date, so that the day's comparison is the same text comparison on both databases.
    @Field(key: "closing_date") var closingDate: String
    @Enum(key: "status") var status: PostingStatus
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Title, employer and description as the index sees them (`SearchTerms.normalized`), for
    /// the phrase check after the term look-up.
    @Field(key: "search_text") var searchText: String

    init() {}
}

/// The search index: one row per term of a posting (`SearchTerms.index`), keyed by term then
/// posting, written and read with SQL only (`JobsStore`).
enum JobTerms {
    static let schema = "job_terms"
}

/// 简历: one per job seeker.
final class Resume: Model, @unchecked Sendable {
    static let schema = "resumes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @OptionalField(key: "gender") var gender: String?
    @Field(key: "birth_year") var birthYear: Int
    @Enum(key: "education") var education: Education
    @Field(key: "school") var school: String
    @Field(key: "major") var major: String
    @Field(key: "years_of_work") var yearsOfWork: Int
    @Field(key: "skills") var skills: String
    @Field(key: "expected_salary") var expectedSalary: Int
    @Field(key: "wanted_categories") var wantedCategories: [String]
    @Field(key: "wanted_zones") var wantedZones: [String]
    @Field(key: "work_history") var workHistory: String
    @Field(key: "introduction") var introduction: String
    @Field(key: "updated_at") var updatedAt: Date
    /// Consent to share the résumé with the employers one applies to: given and withdrawn
    /// separately from the résumé, each with its time.
    @OptionalField(key: "consent_given_at") var consentGivenAt: Date?
    @OptionalField(key: "consent_withdrawn_at") var consentWithdrawnAt: Date?

    init() {}

    var hasConsent: Bool { consentGivenAt != nil && consentWithdrawnAt == nil }
}

/// 投递: one per seeker and posting.
final class JobApplication: Model, @unchecked Sendable {
    static let schema = "job_applications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "posting_id") var posting: JobPosting
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Parent(key: "seeker_id") var seeker: User
    @Enum(key: "state") var state: ApplicationState
    @Field(key: "message") var message: String
    @OptionalField(key: "interview_at") var interviewAt: Date?
    @OptionalField(key: "interview_place") var interviewPlace: String?
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "hired_at") var hiredAt: Date?

    init() {}
}

struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Employer.schema)
            .id()
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("status", .string, .required)
            .field("introduction", .string, .required)
            .field("size", .string, .required)
            .field("submitted_at", .datetime, .required)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .uuid)
            .field("review_reason", .string)
            .field("licence_file_id", .uuid)
            .field("licence_filename", .string)
            .unique(on: "enterprise_id")
            .create()
        try await database.schema(JobPosting.schema)
            .id()
            .field("employer_id", .uuid, .required, .references(Employer.schema, "id"))
            .field("enterprise_id", .uuid, .required)
            .field("title", .string, .required)
            .field("category", .string, .required)
            .field("openings", .int, .required)
            .field("salary_min", .int, .required)
            .field("salary_max", .int, .required)
            .field("education", .string, .required)
            .field("experience", .string, .required)
            .field("zone", .string, .required)
            .field("address", .string, .required)
            .field("description", .string, .required)
            .field("benefits", .string, .required)
            .field("closing_date", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("search_text", .string, .required)
            .create()
        // The key is the search: a term's open postings, title matches last (read backwards: first),
        // then by age and closing date, so that a page is read off the index (`JobsStore`).
        try await database.schema(JobTerms.schema)
            .field("term", .string, .required)
            .field("in_title", .int, .required)
            .field("created_at", .datetime, .required)
            .field("closing_date", .string, .required)
            .field("posting_id", .uuid, .required, .references(JobPosting.schema, "id"))
            .compositeIdentifier(over: "term", "in_title", "created_at", "closing_date", "posting_id")
            .create()
        try await database.schema(Resume.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("name", .string, .required)
            .field("gender", .string)
            .field("birth_year", .int, .required)
            .field("education", .string, .required)
            .field("school", .string, .required)
            .field("major", .string, .required)
            .field("years_of_work", .int, .required)
            .field("skills", .string, .required)
            .field("expected_salary", .int, .required)
            .field("wanted_categories", .array(of: .string), .required)
            .field("wanted_zones", .array(of: .string), .required)
            .field("work_history", .string, .required)
            .field("introduction", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("consent_given_at", .datetime)
            .field("consent_withdrawn_at", .datetime)
            .unique(on: "user_id")
            .create()
        try await database.schema(JobApplication.schema)
            .id()
            .field("posting_id", .uuid, .required, .references(JobPosting.schema, "id"))
            .field("enterprise_id", .uuid, .required)
            .field("seeker_id", .uuid, .required, .references(User.schema, "id"))
            .field("state", .string, .required)
            .field("message", .string, .required)
            .field("interview_at", .datetime)
            .field("interview_place", .string)
            .field("reason", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("hired_at", .datetime)
            .unique(on: "posting_id", "seeker_id")
            .create()
        // Plain indexes (standard SQL, so both databases): the newest-first list, an employer's postings and applicants.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "job_postings_created_at").on(JobPosting.schema).column("created_at").run()
            try await sql.create(index: "job_postings_enterprise").on(JobPosting.schema).column("enterprise_id").run()
            try await sql.create(index: "job_applications_enterprise").on(JobApplication.schema).column("enterprise_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [JobApplication.schema, Resume.schema, JobTerms.schema, JobPosting.schema, Employer.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// The index moved from bigrams to n-grams of up to four characters (`SearchTerms`): open
/// postings are indexed again.
struct ReindexJobTerms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for posting in try await JobPosting.query(on: database).filter(\.$status == .open).all() {
            try await JobsStore.index(posting, on: database)
        }
    }

    func revert(on database: any Database) async throws {}
}
