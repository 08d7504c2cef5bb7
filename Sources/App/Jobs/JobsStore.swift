import Domain
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// The talent network's statements, in one place: the search index and the search. A posting's terms (`SearchTerms.index` of title, employer and description)
/// are kept in `job_terms` while it is open, each row keyed by (term, in title, created at,
/// closing date, posting). A search walks the rarest query term's rows in the order asked
/// (relevance: title matches first, then newest), checks the whole phrase in the posting's
/// normalised text, and stops after `countLimit` matches. One statement counts those
/// and reads the page's postings; a query of several terms first asks which is rarest. The same
/// SQL serves SQLite and PostgreSQL.
enum JobsStore {
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

    static func run(_ query: Query, today: CivilDate, counts: TermCounts, on db: any Database) async throws -> Result {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("search needs SQL") }
        let terms = SearchTerms.query(query.text)
        let matches = terms.isEmpty ? browse(query, today: today) : try await match(query, terms: terms, today: today, counts: counts, on: sql)
        return try await page(matches, query: query, today: today, on: sql)
    }

    /// The matching postings as one SQL source: their ids in the order asked, as `id` and the
    /// sort keys `k0`, `k1`, …
    private struct Matches {
        let from: any SQLExpression
        let id: String
        let condition: any SQLExpression
        /// Sort keys, each descending.
        let keys: [String]
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
    private static func browse(_ query: Query, today: CivilDate) -> Matches {
        let condition = and([SQLQueryString("p.status = \(bind: PostingStatus.open.rawValue)"),
                             SQLQueryString("p.closing_date >= \(bind: today.iso)")] + filters(query, today: today))
        let keys = query.sort == .salary ? ["p.salary_max", "p.created_at", "p.id"] : ["p.created_at", "p.id"]
        return Matches(from: SQLRaw("\(JobPosting.schema) p"), id: "p.id", condition: condition, keys: keys)
    }

    /// Query text: walk the rarest term's rows; the phrase in the text.
    private static func match(_ query: Query, terms: [String], today: CivilDate, counts: TermCounts, on sql: any SQLDatabase) async throws -> Matches {
        let driver = try await rarest(terms, counts: counts, on: sql)
        var conditions: [any SQLExpression] = [
            SQLQueryString("t.term = \(bind: driver)"),
            SQLQueryString("t.closing_date >= \(bind: today.iso)"),
        ]
        let posting = filters(query, today: today)
        var needsPosting = !posting.isEmpty || query.sort == .salary
        conditions += posting
        if terms.count > 1 {
            // Two or more terms: their places must make the phrase (电工 in 电工, not in 电子工厂).
            // The phrase holds every term, so the other terms need no look-up of their own:
            // reading the short normalised text costs less than their index seeks.
            needsPosting = true
            conditions.append(SQLQueryString("p.search_text LIKE \(bind: LikePattern.contains(SearchTerms.normalized(query.text))) ESCAPE '\\'"))
        }
        let from: any SQLExpression = needsPosting
            ? SQLRaw("\(JobTerms.schema) t JOIN \(JobPosting.schema) p ON p.id = t.posting_id")
            : SQLRaw("\(JobTerms.schema) t")
        // Relevance is the index's own order read backwards (title matches first, then newest),
        // so the walk stops at `countLimit` without sorting.
        let keys = switch query.sort {
        case .relevance: ["t.in_title", "t.created_at", "t.closing_date", "t.posting_id"]
        case .newest: ["t.created_at", "t.posting_id"]
        case .salary: ["p.salary_max", "t.created_at", "t.posting_id"]
        }
        return Matches(from: from, id: "t.posting_id", condition: and(conditions), keys: keys)
    }

    /// The term with the fewest postings (counted up to a bound), to drive the walk. Counts
    /// the instance has not seen in the last minute are read in one statement.
    private static func rarest(_ terms: [String], counts: TermCounts, on sql: any SQLDatabase) async throws -> String {
        guard terms.count > 1 else { return terms[0] }
        var known = counts.lookup(terms)
        let missing = terms.filter { known[$0] == nil }
        if !missing.isEmpty {
            struct Count: Decodable { let term: String; let count: Int }
            let selects = missing.map { term in
                SQLQueryString("""
                    SELECT \(bind: term) AS term, (SELECT COUNT(*) FROM (SELECT 1 FROM \(ident: JobTerms.schema) \
                    WHERE term = \(bind: term) LIMIT 1000) x) AS count
                    """)
            }
            let rows = try await sql.raw("\(SQLList(selects, separator: SQLRaw(" UNION ALL ")))").all(decoding: Count.self)
            for row in rows { known[row.term] = row.count }
            counts.store(rows.map { ($0.term, $0.count) })
        }
        return terms.min { known[$0, default: 0] < known[$1, default: 0] } ?? terms[0]
    }

    /// How many postings each term has, up to 1,000, as the instance last read it: these only
    /// choose which term drives a search (any choice gives the same results), so a minute old
    /// is fine.
    final class TermCounts: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: (count: Int, at: Date)] = [:]
        private let lifetime: TimeInterval = 60

        func lookup(_ terms: [String]) -> [String: Int] {
            let now = Date()
            return lock.withLock {
                var found: [String: Int] = [:]
                for term in terms {
                    if let entry = counts[term], now.timeIntervalSince(entry.at) < lifetime { found[term] = entry.count }
                }
                return found
            }
        }

        func store(_ entries: [(String, Int)]) {
            let now = Date()
            lock.withLock {
                if counts.count > 50_000 { counts.removeAll(keepingCapacity: true) }
                for (term, count) in entries { counts[term] = (count, now) }
            }
        }
    }

    /// One statement: the first `countLimit` matches in order, counted, and the page of them
    /// joined to its postings and employers' names, read column by column (a search result is
    /// read-only). A page past the matches still gives the count.
    private static func page(_ matches: Matches, query: Query, today: CivilDate, on sql: any SQLDatabase) async throws -> Result {
        let keys = matches.keys.enumerated()
        let order = SQLRaw(keys.map { "\($0.element) DESC" }.joined(separator: ", "))
        let matchedOrder = SQLRaw(keys.map { "k\($0.offset) DESC" }.joined(separator: ", "))
        let pageOrder = SQLRaw(keys.map { "g.k\($0.offset) DESC" }.joined(separator: ", "))
        let keyColumns = SQLRaw(keys.map { "\($0.element) AS k\($0.offset)" }.joined(separator: ", "))
        let rows = try await sql.raw("""
            WITH matched AS (SELECT \(unsafeRaw: matches.id) AS id, \(keyColumns) FROM \(matches.from) WHERE \(matches.condition) \
            ORDER BY \(order) LIMIT \(unsafeRaw: String(countLimit))) \
            SELECT c.total, p.id, p.employer_id, e.name AS employer_name, p.title, p.category, p.openings, p.salary_min, \
            p.salary_max, p.education, p.experience, p.zone, p.address, p.description, p.benefits, p.closing_date, p.status, \
            p.created_at FROM (SELECT COUNT(*) AS total FROM matched) c \
            LEFT JOIN (SELECT * FROM matched ORDER BY \(matchedOrder) LIMIT \(unsafeRaw: String(query.per)) \
            OFFSET \(unsafeRaw: String((query.page - 1) * query.per))) g ON TRUE \
            LEFT JOIN \(ident: JobPosting.schema) p ON p.id = g.id LEFT JOIN \(ident: Employer.schema) m ON m.id = p.employer_id \
            LEFT JOIN \(ident: Enterprise.schema) e ON e.id = m.enterprise_id ORDER BY \(pageOrder)
            """).all()
        let total = try rows.first?.decode(column: "total", as: Int.self) ?? 0
        let jobs = try rows.filter { try !$0.decodeNil(column: "id") }.map {
            try JobDTO(row: $0, today: today)
        }
        return Result(jobs: jobs, total: total)
    }
}

extension Application {
    private struct TermCountsKey: StorageKey { typealias Value = JobsStore.TermCounts }

    /// Made in `configure`.
    var jobTermCounts: JobsStore.TermCounts {
        get { storage[TermCountsKey.self]! }
        set { storage[TermCountsKey.self] = newValue }
    }
}
