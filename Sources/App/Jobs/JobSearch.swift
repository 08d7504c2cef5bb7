import Domain
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// The job search. A posting's terms (`SearchTerms.index` of title, employer and description)
/// are kept in `job_terms` while it is open, each row keyed by (term, in title, created at,
/// closing date, posting). A search walks the rarest query term's rows in the order asked
/// (relevance: title matches first, then newest), checks the other terms by key and the whole
/// phrase in the posting's text, and stops at the page: it reads postings for the page, not for
/// every match. The count stops at `countLimit`. The same SQL serves SQLite and PostgreSQL.
enum JobSearch {
    /// Beyond this many matches the total reads "300+" (15 pages; refine the search for more):
    /// counting further costs every reader.
    static let countLimit = 300

    enum Sort: String, CaseIterable { case relevance, newest, salary }

    struct Query {
        var text = ""
        var category: JobCategory?
        /// Postings asking at most this level.
        var education: Education?
        var salaryMin: Int?
        var zone: String?
        var postedWithinDays: Int?
        var sort: Sort = .relevance
        var page = 1
        var per = 20
    }

    struct Result {
        let jobs: [JobDTO]
        /// Up to `countLimit`.
        let total: Int
    }

    // MARK: The index

    /// Replaces the posting's rows: written while it is open, removed once filled.
    static func index(_ posting: JobPosting, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("the job index needs SQL") }
        let id = try posting.requireID()
        try await sql.delete(from: JobTerms.schema).where("posting_id", .equal, SQLBind(id)).run()
        guard posting.status == .open else { return }
        let titleTerms = SearchTerms.index(SearchTerms.normalized(posting.title))
        let terms = SearchTerms.index(posting.searchText).sorted()
        for chunk in stride(from: 0, to: terms.count, by: 200) {
            let insert = sql.insert(into: JobTerms.schema).columns("term", "in_title", "created_at", "closing_date", "posting_id")
            for term in terms[chunk..<min(chunk + 200, terms.count)] {
                _ = insert.values(SQLBind(term), SQLBind(titleTerms.contains(term) ? 1 : 0), SQLBind(posting.createdAt),
                                  SQLBind(posting.closingDate), SQLBind(id))
            }
            try await insert.run()
        }
    }

    // MARK: Reading the request

    static func query(_ req: Request) throws -> Query {
        var query = Query()
        var errors = FieldErrors()
        query.text = FormText.trimmed(req.query[String.self, at: "q"])
        if query.text.count > 50 { errors.add("q", "error.tooLong") }
        if let raw = req.query[String.self, at: "category"], !raw.isEmpty {
            query.category = JobCategory(rawValue: raw)
            if query.category == nil { errors.add("category", "error.choice") }
        }
        if let raw = req.query[String.self, at: "education"], !raw.isEmpty {
            query.education = Education(rawValue: raw)
            if query.education == nil { errors.add("education", "error.choice") }
        }
        for (name, keyPath) in [("salaryMin", \Query.salaryMin), ("postedWithin", \Query.postedWithinDays)] {
            if let raw = req.query[String.self, at: name], !raw.isEmpty {
                if let value = Int(raw), value >= 0, value <= 1_000_000 { query[keyPath: keyPath] = value } else { errors.add(name, "error.number") }
            }
        }
        if let zone = req.query[String.self, at: "zone"], !zone.isEmpty { query.zone = zone }
        if let raw = req.query[String.self, at: "sort"], !raw.isEmpty {
            if let sort = Sort(rawValue: raw) { query.sort = sort } else { errors.add("sort", "error.choice") }
        } else if query.text.isEmpty {
            query.sort = .newest
        }
        if let raw = req.query[String.self, at: "page"], !raw.isEmpty {
            if let page = Int(raw), page >= 1, page <= countLimit / query.per { query.page = page } else { errors.add("page", "error.number") }
        }
        try errors.throwIfAny()
        return query
    }

    // MARK: Searching

    static func run(_ query: Query, today: CivilDate, on db: any Database) async throws -> Result {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("search needs SQL") }
        let terms = SearchTerms.query(query.text)
        let ids: [UUID]
        let total: Int
        if terms.isEmpty {
            (ids, total) = try await browse(query, today: today, on: sql)
        } else {
            (ids, total) = try await match(query, terms: terms, today: today, on: sql)
        }
        guard !ids.isEmpty else { return Result(jobs: [], total: total) }
        // The page's postings with their employers' names in one statement, decoded without
        // Fluent's per-model reflection (a search result is read-only).
        let rows = try await sql.raw("""
            SELECT p.id, p.employer_id, e.name AS employer_name, p.title, p.category, p.openings, p.salary_min, p.salary_max, \
            p.education, p.experience, p.zone, p.address, p.description, p.benefits, p.closing_date, p.status, p.created_at \
            FROM \(ident: JobPosting.schema) p JOIN \(ident: Employer.schema) m ON m.id = p.employer_id \
            JOIN \(ident: Enterprise.schema) e ON e.id = m.enterprise_id WHERE p.id IN \(SQLGroupExpression(ids.map { SQLBind($0) }))
            """).all(decoding: JobDTO.Stored.self, keyDecodingStrategy: .convertFromSnakeCase)
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        return Result(jobs: ids.compactMap { byID[$0].map { JobDTO($0, today: today) } }, total: total)
    }

    /// Conditions on the posting itself (`p`): the filters.
    private static func filters(_ query: Query, today: CivilDate) -> [any SQLExpression] {
        var conditions: [any SQLExpression] = []
        if let category = query.category { conditions.append(SQLQueryString("p.category = \(bind: category.rawValue)")) }
        if let education = query.education {
            let levels = Education.allCases.filter { $0 <= education }.map { SQLBind($0.rawValue) as any SQLExpression }
            conditions.append(SQLBinaryExpression(left: SQLRaw("p.education"), op: SQLBinaryOperator.in, right: SQLGroupExpression(levels)))
        }
        if let salary = query.salaryMin { conditions.append(SQLQueryString("p.salary_max >= \(bind: salary)")) }
        if let zone = query.zone { conditions.append(SQLQueryString("p.zone = \(bind: zone)")) }
        if let days = query.postedWithinDays { conditions.append(SQLQueryString("p.created_at >= \(bind: today.adding(days: -days).start)")) }
        return conditions
    }

    private static func and(_ conditions: [any SQLExpression]) -> any SQLExpression {
        SQLList(conditions, separator: SQLRaw(" AND "))
    }

    /// No query text: open postings, newest (or best paid) first.
    private static func browse(_ query: Query, today: CivilDate, on sql: any SQLDatabase) async throws -> ([UUID], Int) {
        let condition = and([SQLQueryString("p.status = \(bind: PostingStatus.open.rawValue)"),
                             SQLQueryString("p.closing_date >= \(bind: today.iso)")] + filters(query, today: today))
        let order: [any SQLExpression] = query.sort == .salary
            ? [SQLRaw("p.salary_max DESC"), SQLRaw("p.created_at DESC"), SQLRaw("p.id")]
            : [SQLRaw("p.created_at DESC"), SQLRaw("p.id")]
        return try await page(from: SQLRaw("\(JobPosting.schema) p"), id: "p.id", condition: condition, order: order, query: query,
                              countOrder: nil, on: sql)
    }

    /// Query text: walk the rarest term's rows; the others by key; the phrase in the text.
    private static func match(_ query: Query, terms: [String], today: CivilDate, on sql: any SQLDatabase) async throws -> ([UUID], Int) {
        let driver = try await rarest(terms, on: sql)
        var conditions: [any SQLExpression] = [
            SQLQueryString("t.term = \(bind: driver)"),
            SQLQueryString("t.closing_date >= \(bind: today.iso)"),
        ]
        for term in terms where term != driver {
            conditions.append(SQLQueryString("""
                EXISTS (SELECT 1 FROM \(ident: JobTerms.schema) u WHERE u.term = \(bind: term) AND u.in_title IN (0, 1) \
                AND u.created_at = t.created_at AND u.closing_date = t.closing_date AND u.posting_id = t.posting_id)
                """))
        }
        let posting = filters(query, today: today)
        var needsPosting = !posting.isEmpty || query.sort == .salary
        conditions += posting
        if terms.count > 1 {
            // Two or more terms: their places must make the phrase (电工 in 电工, not in 电子工厂).
            needsPosting = true
            conditions.append(SQLQueryString("p.search_text LIKE \(bind: LikePattern.contains(SearchTerms.normalized(query.text))) ESCAPE '\\'"))
        }
        let from: any SQLExpression = needsPosting
            ? SQLRaw("\(JobTerms.schema) t JOIN \(JobPosting.schema) p ON p.id = t.posting_id")
            : SQLRaw("\(JobTerms.schema) t")
        let order: [any SQLExpression] = switch query.sort {
        case .relevance: [SQLRaw("t.in_title DESC"), SQLRaw("t.created_at DESC"), SQLRaw("t.posting_id")]
        case .newest: [SQLRaw("t.created_at DESC"), SQLRaw("t.posting_id")]
        case .salary: [SQLRaw("p.salary_max DESC"), SQLRaw("t.created_at DESC"), SQLRaw("t.posting_id")]
        }
        // Counting walks title matches first: they are where the phrase usually is.
        return try await page(from: from, id: "t.posting_id", condition: and(conditions), order: order, query: query,
                              countOrder: SQLRaw("t.in_title DESC"), on: sql)
    }

    /// The term with the fewest postings (counted up to a bound), to drive the walk.
    private static func rarest(_ terms: [String], on sql: any SQLDatabase) async throws -> String {
        guard terms.count > 1 else { return terms[0] }
        struct Count: Decodable { let count: Int }
        var best = (term: terms[0], count: Int.max)
        for term in terms {
            let count = try await sql.raw("""
                SELECT COUNT(*) AS count FROM (SELECT 1 FROM \(ident: JobTerms.schema) WHERE term = \(bind: term) LIMIT 1000) x
                """).first(decoding: Count.self)?.count ?? 0
            if count < best.count { best = (term, count) }
        }
        return best.term
    }

    /// One page of ids in order, and the number of matches up to `countLimit`.
    private static func page(from: any SQLExpression, id: String, condition: any SQLExpression, order: [any SQLExpression],
                             query: Query, countOrder: (any SQLExpression)?, on sql: any SQLDatabase) async throws -> ([UUID], Int) {
        struct Row: Decodable { let id: UUID }
        struct Count: Decodable { let count: Int }
        let ids = try await sql.raw("""
            SELECT \(unsafeRaw: id) AS id FROM \(from) WHERE \(condition) ORDER BY \(SQLList(order)) \
            LIMIT \(unsafeRaw: String(query.per)) OFFSET \(unsafeRaw: String((query.page - 1) * query.per))
            """).all(decoding: Row.self).map(\.id)
        let total = try await sql.raw("""
            SELECT COUNT(*) AS count FROM (SELECT 1 FROM \(from) WHERE \(condition) \
            \(countOrder.map { SQLQueryString("ORDER BY \($0)") } ?? SQLRaw("")) LIMIT \(unsafeRaw: String(countLimit))) x
            """).first(decoding: Count.self)?.count ?? 0
        return (ids, total)
    }
}
