import Domain
import Fluent
import Foundation
import SQLKit

/// Every figure of one day, per enterprise, as of a moment (the end of the day, or now for
/// today): the only place the dashboard reads the other modules' tables. Each figure is one
/// statement grouped by enterprise; `DashboardVerify` recounts them another way.
struct DashboardSnapshot: Sendable {
    let day: CivilDate
    let asOf: Date
    let enterprises: [DashboardEnterprise]
    let counts: [String: DashboardCounts]
    /// Support officers who served enterprises in the ten days to the day (a contact or a visit
    /// report): the briefing's "…名助企干部到企服务".
    let officersServing: Int
    /// Each enterprise's counts in `enterprises`' order, so that adding up needs no look-up.
    private let aligned: [DashboardCounts?]
    /// What views asked of this snapshot, kept until the next count replaces it: most views
    /// ask the same few questions, and a district of 20,000 enterprises takes milliseconds to add up.
    private let memo = Memo()

    init(day: CivilDate, asOf: Date, enterprises: [DashboardEnterprise], counts: [String: DashboardCounts], officersServing: Int) {
        self.day = day
        self.asOf = asOf
        self.enterprises = enterprises
        self.counts = counts
        self.officersServing = officersServing
        aligned = enterprises.map { counts[$0.id] }
    }

    /// The counts of the enterprises `filter` takes, added up.
    func total(_ filter: DashboardFilter) -> DashboardCounts {
        memo.value("total \(filter.key)") {
            var total = DashboardCounts()
            for (index, enterprise) in enterprises.enumerated() where filter.includes(enterprise) {
                if let counts = aligned[index] { total.add(counts) }
            }
            return [("", total)]
        }[0].counts
    }

    /// The counts added up per group along `dimension`.
    func breakdown(_ dimension: DashboardDimension, _ filter: DashboardFilter) -> [(key: String, counts: DashboardCounts)] {
        memo.value("\(dimension.rawValue) \(filter.key)") {
            var groups: [String: DashboardCounts] = [:]
            for (index, enterprise) in enterprises.enumerated() where filter.includes(enterprise) {
                let key = enterprise.key(dimension)
                if let counts = aligned[index] { groups[key, default: DashboardCounts()].add(counts) } else if groups[key] == nil {
                    groups[key] = DashboardCounts()
                }
            }
            return groups.keys.sorted().map { ($0, groups[$0]!) }
        }
    }

    /// The enterprises whose `metric` is above zero among those `filter` takes, largest first
    /// (or by name), kept like the sums.
    func matching(_ metric: DashboardMetric, _ filter: DashboardFilter, byName: Bool) -> [(enterprise: DashboardEnterprise, value: Int)] {
        memo.list("\(metric.rawValue) \(byName) \(filter.key)") {
            var matched: [(enterprise: DashboardEnterprise, value: Int)] = []
            for (index, enterprise) in enterprises.enumerated() where filter.includes(enterprise) {
                let value = aligned[index]?[metric] ?? 0
                if value > 0 { matched.append((enterprise, value)) }
            }
            matched.sort { byName ? $0.enterprise.name < $1.enterprise.name : ($0.value, $1.enterprise.name) > ($1.value, $0.enterprise.name) }
            return matched
        }
    }

    private final class Memo: @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [String: [(key: String, counts: DashboardCounts)]] = [:]

        func value(_ key: String, _ make: () -> [(key: String, counts: DashboardCounts)]) -> [(key: String, counts: DashboardCounts)] {
            if let found = lock.withLock({ kept[key] }) { return found }
            let made = make()
            lock.withLock {
                // A bounded handful: filters typed by hand would otherwise pile up.
                if kept.count > 200 { kept.removeAll() }
                kept[key] = made
            }
            return made
        }

        private var lists: [String: [(enterprise: DashboardEnterprise, value: Int)]] = [:]

        func list(_ key: String, _ make: () -> [(enterprise: DashboardEnterprise, value: Int)]) -> [(enterprise: DashboardEnterprise, value: Int)] {
            if let found = lock.withLock({ lists[key] }) { return found }
            let made = make()
            lock.withLock {
                if lists.count > 100 { lists.removeAll() }
                lists[key] = made
            }
            return made
        }
    }
}

enum DashboardStore {
    /// Counts `day` as of `at` (at most the day's end).
    static func snapshot(_ db: any Database, day: CivilDate, at moment: Date) async throws -> DashboardSnapshot {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("the dashboard needs SQL") }
        let dayStart = day.start, dayEnd = day.adding(days: 1).start
        // Whole seconds: the moment is kept with the day and counted again by `verify`, and
        // every database keeps whole seconds exactly.
        let at = min(Date(timeIntervalSince1970: moment.timeIntervalSince1970.rounded(.down)), dayEnd)
        let iso = day.iso
        var counts: [String: DashboardCounts] = [:]
        func add(_ enterprise: String, _ metric: DashboardMetric, _ value: Int) {
            counts[enterprise, default: DashboardCounts()][metric] += value
        }
        func rows(_ query: SQLQueryString) async throws -> [any SQLRow] { try await sql.raw(query).all() }
        func key(_ row: any SQLRow, _ column: String = "enterprise_id") throws -> String {
            try row.decode(column: column, as: UUID.self).uuidString
        }

        // The registry: verified by then.
        var byID: [String: (name: String, zone: String, industry: String, above: Bool)] = [:]
        for row in try await rows("SELECT id, name, zone, industry, above_designated_size, status, reviewed_at FROM enterprises") {
            let id = try key(row, "id")
            let above = try row.decode(column: "above_designated_size", as: Bool.self)
            byID[id] = (try row.decode(column: "name", as: String.self), try row.decode(column: "zone", as: String.self),
                        try row.decode(column: "industry", as: String.self), above)
            let reviewed = try row.decode(column: "reviewed_at", as: Date?.self)
            if try row.decode(column: "status", as: String.self) == EnterpriseStatus.verified.rawValue, (reviewed ?? .distantPast) <= at {
                add(id, .enterprisesVerified, 1)
                if above { add(id, .verifiedAboveDesignatedSize, 1) }
            }
        }

        // Resumption: each application's state as of then — its state now when it has not
        // changed since, else its last step's by then (its timeline) — added up per enterprise
        // by the database; an enterprise's category is its latest application's.
        var resumed: Set<String> = [], suspended: Set<String> = []
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS submitted, \
            CAST(SUM(CASE WHEN state IN ('approved', 'filed', 'resumed', 'suspended') THEN 1 ELSE 0 END) AS BIGINT) AS approved, \
            CAST(SUM(CASE WHEN state IN ('approved', 'filed', 'resumed') THEN on_site ELSE 0 END) AS BIGINT) AS planned, \
            CAST(SUM(CASE WHEN state = 'resumed' THEN 1 ELSE 0 END) AS BIGINT) AS resumed, \
            CAST(SUM(CASE WHEN state = 'suspended' THEN 1 ELSE 0 END) AS BIGINT) AS suspended, \
            CAST(SUM(CASE WHEN state = 'refused' THEN 1 ELSE 0 END) AS BIGINT) AS refused \
            FROM (SELECT a.enterprise_id, a.headcount_on_site AS on_site, \
            CASE WHEN a.state_changed_at <= \(bind: at) THEN a.state ELSE \
            (SELECT e.to_state FROM resumption_events e WHERE e.application_id = a.id AND e.at <= \(bind: at) ORDER BY e.at DESC LIMIT 1) END AS state \
            FROM resumption_applications a WHERE a.submitted_at IS NOT NULL AND a.submitted_at <= \(bind: at)) s \
            WHERE state IS NOT NULL GROUP BY enterprise_id
            """) {
            let id = try key(row)
            func number(_ column: String) throws -> Int { try row.decode(column: column, as: Int?.self) ?? 0 }
            add(id, .applicationsSubmitted, try number("submitted"))
            add(id, .applicationsApproved, try number("approved"))
            add(id, .workersPlannedOnSite, try number("planned"))
            add(id, .applicationsRefused, try number("refused"))
            if try number("resumed") > 0 { resumed.insert(id) } else if try number("suspended") > 0 { suspended.insert(id) }
        }
        var latestCategory: [String: String] = [:]
        for row in try await rows("""
            SELECT enterprise_id, category FROM (SELECT enterprise_id, category, \
            ROW_NUMBER() OVER (PARTITION BY enterprise_id ORDER BY submitted_at DESC) AS n \
            FROM resumption_applications WHERE submitted_at IS NOT NULL AND submitted_at <= \(bind: at)) latest WHERE n = 1
            """) { latestCategory[try key(row)] = try row.decode(column: "category", as: String.self) }
        for enterprise in resumed {
            add(enterprise, .enterprisesResumed, 1)
            if byID[enterprise]?.above == true { add(enterprise, .resumedAboveDesignatedSize, 1) }
        }
        for enterprise in suspended { add(enterprise, .enterprisesSuspended, 1) }

        // People: distinct employees let in that day; quarantines running; the day's fever alerts.
        for row in try await rows("""
            SELECT enterprise_id, COUNT(DISTINCT employee_id) AS n FROM gate_check_ins \
            WHERE at >= \(bind: dayStart) AND at < \(bind: dayEnd) AND at <= \(bind: at) AND direction = 'in' AND allowed = \(bind: true) AND employee_id IS NOT NULL \
            GROUP BY enterprise_id
            """) { add(try key(row), .workersOnSite, try row.decode(column: "n", as: Int.self)) }
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS n FROM quarantines WHERE start_date <= \(bind: iso) AND planned_end >= \(bind: iso) \
            AND created_at <= \(bind: at) AND (released_at IS NULL OR released_at > \(bind: at)) GROUP BY enterprise_id
            """) { add(try key(row), .workersInQuarantine, try row.decode(column: "n", as: Int.self)) }
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS n FROM fever_alerts WHERE day = \(bind: iso) AND created_at <= \(bind: at) GROUP BY enterprise_id
            """) { add(try key(row), .feverAlertsToday, try row.decode(column: "n", as: Int.self)) }

        // Dispatch (户次 and 户), visits, rectifications.
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS total, CAST(SUM(CASE WHEN day = \(bind: iso) THEN 1 ELSE 0 END) AS BIGINT) AS today \
            FROM dispatch_contacts WHERE contacted_at <= \(bind: at) GROUP BY enterprise_id
            """) {
            let id = try key(row)
            add(id, .contactsTotal, try row.decode(column: "total", as: Int.self))
            add(id, .contactsToday, try row.decode(column: "today", as: Int.self))
            add(id, .enterprisesContacted, 1)
        }
        for id in byID.keys where counts[id]?[.enterprisesContacted] ?? 0 == 0 && counts[id]?[.enterprisesVerified] ?? 0 > 0 {
            add(id, .enterprisesNeverContacted, 1)
        }
        for row in try await rows("""
            SELECT enterprise_id, CAST(SUM(CASE WHEN reported_at >= \(bind: dayStart) AND reported_at < \(bind: dayEnd) THEN 1 ELSE 0 END) AS BIGINT) AS today, \
            CAST(SUM(CASE WHEN status = 'rectificationRequired' THEN 1 ELSE 0 END) AS BIGINT) AS open \
            FROM site_visits WHERE reported_at IS NOT NULL AND reported_at <= \(bind: at) GROUP BY enterprise_id
            """) {
            add(try key(row), .siteVisitsToday, try row.decode(column: "today", as: Int.self))
            add(try key(row), .rectificationsOpen, try row.decode(column: "open", as: Int.self))
        }

        // The help desk: open and overdue then; the rates over every ticket raised by then.
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS tickets, \
            CAST(SUM(CASE WHEN closed_at IS NULL OR closed_at > \(bind: at) THEN 1 ELSE 0 END) AS BIGINT) AS open, \
            CAST(SUM(CASE WHEN (closed_at IS NULL OR closed_at > \(bind: at)) AND resolution_due_at < \(bind: at) THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
            CAST(SUM(CASE WHEN first_response_at IS NOT NULL AND first_response_at <= first_response_due_at AND first_response_at <= \(bind: at) \
            THEN 1 ELSE 0 END) AS BIGINT) AS in_time, \
            CAST(SUM(CASE WHEN closed_at <= \(bind: at) AND closure = 'confirmed' AND solved = \(bind: true) THEN 1 ELSE 0 END) AS BIGINT) AS resolved, \
            CAST(SUM(CASE WHEN closed_at <= \(bind: at) AND satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS rated, \
            CAST(SUM(CASE WHEN closed_at <= \(bind: at) AND satisfaction IN ('satisfied', 'basicallySatisfied') THEN 1 ELSE 0 END) AS BIGINT) AS satisfied \
            FROM tickets WHERE created_at <= \(bind: at) GROUP BY enterprise_id
            """) {
            let id = try key(row)
            for (column, metric) in [("tickets", DashboardMetric.tickets), ("open", .ticketsOpen), ("overdue", .ticketsOverdue),
                                     ("in_time", .ticketsRespondedInTime), ("resolved", .ticketsResolved), ("rated", .ticketsRated),
                                     ("satisfied", .ticketsSatisfied)] {
                add(id, metric, try row.decode(column: column, as: Int?.self) ?? 0)
            }
        }

        // Recruitment: postings open that day and their openings; hires by then.
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS n, CAST(SUM(openings) AS BIGINT) AS openings FROM job_postings \
            WHERE status = 'open' AND created_at <= \(bind: at) AND closing_date >= \(bind: iso) GROUP BY enterprise_id
            """) {
            add(try key(row), .postingsOpen, try row.decode(column: "n", as: Int.self))
            add(try key(row), .openings, try row.decode(column: "openings", as: Int?.self) ?? 0)
        }
        for row in try await rows("""
            SELECT enterprise_id, COUNT(*) AS n FROM job_applications WHERE hired_at IS NOT NULL AND hired_at <= \(bind: at) GROUP BY enterprise_id
            """) { add(try key(row), .hiresTotal, try row.decode(column: "n", as: Int.self)) }

        // Freight: the bookings on trains of the day's month that left by then.
        let monthStart = CivilDate(year: day.year, month: day.month, day: 1)!.start
        for row in try await rows("""
            SELECT b.enterprise_id, b.departure_id, b.halves, b.value_fen FROM freight_bookings b \
            JOIN freight_departures d ON d.id = b.departure_id \
            WHERE d.departs_at >= \(bind: monthStart) AND d.departs_at <= \(bind: at) AND b.state IN ('departed', 'arrived')
            """) {
            let id = try key(row)
            counts[id, default: DashboardCounts()].addTrain(try row.decode(column: "departure_id", as: UUID.self).uuidString)
            add(id, .freightFeuMonth, try row.decode(column: "halves", as: Int.self))
            add(id, .freightValueFenMonth, try row.decode(column: "value_fen", as: Int.self))
        }

        let officers = try await rows("""
            SELECT COUNT(DISTINCT officer_id) AS n FROM (SELECT officer_id FROM dispatch_contacts \
            WHERE contacted_at >= \(bind: day.adding(days: -9).start) AND contacted_at <= \(bind: at) \
            UNION SELECT officer_id FROM site_visits WHERE reported_at >= \(bind: day.adding(days: -9).start) AND reported_at <= \(bind: at)) serving
            """).first.map { try $0.decode(column: "n", as: Int.self) } ?? 0

        let enterprises = byID.map { id, facts in
            DashboardEnterprise(id: id, name: facts.name, zone: facts.zone, industry: facts.industry,
                                category: latestCategory[id] ?? "none", aboveDesignatedSize: facts.above)
        }.sorted { $0.name < $1.name }
        return DashboardSnapshot(day: day, asOf: at, enterprises: enterprises, counts: counts, officersServing: officers)
    }
}
