import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `fugong bench-jobs --postings 100000`: fills the talent network with synthetic postings for
/// the search benchmark (`bench/job-search.sh`). It refuses a database that holds real accounts,
/// as the demo does. Postings are written in batches of 1,000 with their search terms, through
/// the same `SearchTerms` as a real posting.
struct JobsBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "postings", help: "How many postings (default 100000)")
        var postings: Int?
    }

    var help: String { "Fills the talent network with synthetic postings for the search benchmark." }

    static let employerCount = 100

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = signature.postings ?? 100_000
        guard try await User.query(on: app.db).filter(\.$role != .jobSeeker).count() == 0
                || app.holdsDemoData else {
            context.console.error("This database holds real accounts; benchmark data goes into an empty or demo database only.")
            return
        }
        guard let sql = app.db as? any SQLDatabase else { return }
        let now = app.clock.now
        let today = CivilDate(now)
        let zones = ["jingkai", "xinqu", "xinglong"]
        var employers: [(id: UUID, enterprise: UUID, name: String)] = []
        for index in 0..<Self.employerCount {
            let enterprise = UUID(), employer = UUID()
            let name = "长春\(["新区", "经开", "兴隆"][index % 3])\(["精密", "宏远", "华信", "北方", "联合"][index % 5])\(["实业", "科技", "制造", "发展"][index % 4])有限公司\(index)"
            try await sql.insert(into: Enterprise.schema)
                .columns("id", "name", "credit_code", "legal_representative", "contact_name", "contact_phone", "address", "zone", "industry",
                         "above_designated_size", "staff_count", "status", "created_at", "updated_at")
                .values(SQLBind(enterprise), SQLBind(name), SQLBind(String(format: "BENCH%013d", index)), SQLBind("张三"), SQLBind("李四"),
                        SQLBind("13800000000"), SQLBind("长春市 \(index) 号"), SQLBind(zones[index % 3]), SQLBind("制造业"), SQLBind(true),
                        SQLBind(100), SQLBind(EnterpriseStatus.verified.rawValue), SQLBind(now), SQLBind(now))
                .run()
            try await sql.insert(into: Employer.schema)
                .columns("id", "enterprise_id", "status", "introduction", "size", "submitted_at")
                .values(SQLBind(employer), SQLBind(enterprise), SQLBind(EmployerStatus.approved.rawValue), SQLBind("基准测试企业"),
                        SQLBind("100-499人"), SQLBind(now))
                .run()
            employers.append((employer, enterprise, name))
        }
        let chosen = employers
        let places = ["一号车间", "二号车间", "三号车间", "仓储中心", "配送站", "研发楼", "综合楼", "东厂区", "西厂区", "南门"]
        let started = Date()
        var written = 0
        while written < count {
            let batch = min(1_000, count - written), done = written
            try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                let postings = sql.insert(into: JobPosting.schema)
                    .columns("id", "employer_id", "enterprise_id", "title", "category", "openings", "salary_min", "salary_max", "education",
                             "experience", "zone", "address", "description", "benefits", "closing_date", "status", "created_at", "updated_at", "search_text")
                var terms: [(String, Int, Date, String, UUID)] = []
                for offset in 0..<batch {
                    let n = done + offset
                    let template = DemoJobs.templates[n % DemoJobs.templates.count]
                    let employer = chosen[(n / 7) % chosen.count]
                    let shift = DemoJobs.shifts[(n / 3) % DemoJobs.shifts.count]
                    let title = "\(template.title)（\(shift)）"
                    let description = "\(template.duty)。\(shift)，\(places[n % places.count])，岗前培训，编号 \(n)。"
                    let id = UUID()
                    let searchText = SearchTerms.normalized([title, employer.name, description].joined(separator: "\n"))
                    let created = now.addingTimeInterval(-Double(n % (30 * 24)) * 3_600)
                    let closing = today.adding(days: 10 + n % 60).iso
                    _ = postings.values(
                        SQLBind(id), SQLBind(employer.id), SQLBind(employer.enterprise), SQLBind(title), SQLBind(template.category.rawValue),
                        SQLBind(1 + n % 20), SQLBind(template.salary.0 + (n % 5) * 100), SQLBind(template.salary.1 + (n % 5) * 100),
                        SQLBind(template.education.rawValue), SQLBind("不限"), SQLBind(zones[n % 3]), SQLBind("长春市 \(n % 500) 号 \(places[n % places.count])"),
                        SQLBind(description), SQLBind("五险一金"), SQLBind(closing),
                        SQLBind(PostingStatus.open.rawValue), SQLBind(created), SQLBind(created), SQLBind(searchText))
                    let titleTerms = SearchTerms.index(SearchTerms.normalized(title))
                    terms += SearchTerms.index(searchText).map { ($0, titleTerms.contains($0) ? 1 : 0, created, closing, id) }
                }
                try await postings.run()
                for chunk in stride(from: 0, to: terms.count, by: 400) {
                    let insert = sql.insert(into: JobTerms.schema).columns("term", "in_title", "created_at", "closing_date", "posting_id")
                    for (term, inTitle, created, closing, id) in terms[chunk..<min(chunk + 400, terms.count)] {
                        _ = insert.values(SQLBind(term), SQLBind(inTitle), SQLBind(created), SQLBind(closing), SQLBind(id))
                    }
                    try await insert.run()
                }
            }
            written += batch
            if written % 10_000 == 0 || written == count {
                context.console.print("\(written) / \(count) postings (\(Int(Date().timeIntervalSince(started))) s)")
            }
        }
        if let sql = app.db as? any SQLDatabase, app.settings.databaseURL == nil { try await sql.raw("ANALYZE").run() }
        context.console.success("Wrote \(count) postings of \(Self.employerCount) employers.")
    }
}
