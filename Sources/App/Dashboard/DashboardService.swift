import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The district's picture, kept fresh without reading the other modules' tables on a view: a
/// background job counts today every 45 seconds (`refresh`) and keeps the snapshot in memory;
/// each day's totals, by zone, are kept in `dashboard_days` for the series and for yesterday's
/// values. Pages and API read the kept snapshot, which is never older than a minute.
enum DashboardService {
    /// How often today is counted again; the page says as of when. With a count taking a few
    /// seconds at 20,000 enterprises, every number is under a minute old.
    static let refreshSeconds: TimeInterval = 45
    /// The oldest today's count a view takes; older, the view counts itself.
    static let freshness: TimeInterval = 60
    /// A past day counted again after this long (late entries may still change it).
    static let pastDayLifetime: TimeInterval = 600
    /// The days a series shows by default: the month to the chosen day.
    static let seriesDays = 30

    // MARK: Snapshots

    /// `day`'s snapshot: today's as the job last counted it (counted now if there is none yet or
    /// it is older than `freshness`), a past day's from the cache or counted.
    static func snapshot(_ ctx: ServiceContext, day: CivilDate) async throws -> DashboardSnapshot {
        let today = CivilDate(ctx.now)
        let cache = ctx.app.dashboardCache
        let lifetime = day == today ? freshness : pastDayLifetime
        if let kept = cache.get(day), ctx.now.timeIntervalSince(kept.counted) < lifetime { return kept.snapshot }
        let counted = try await DashboardStore.snapshot(ctx.db, day: day, at: day == today ? ctx.now : day.adding(days: 1).start)
        cache.put(counted, counted: ctx.now)
        return counted
    }

    /// The job: count today (and yesterday, which may still change), keep them, and store their
    /// totals by zone for the series.
    static func refresh(_ app: Application, now: Date) async throws {
        let ctx = app.context(now: now)
        let today = CivilDate(now)
        for day in [today.adding(days: -1), today] {
            // Yesterday only when its count has aged: late entries may still change it, slowly.
            if day != today, let kept = app.dashboardCache.get(day), now.timeIntervalSince(kept.counted) < pastDayLifetime { continue }
            let snapshot = try await DashboardStore.snapshot(app.db, day: day, at: day == today ? now : day.adding(days: 1).start)
            app.dashboardCache.put(snapshot, counted: now)
            try await storeDay(ctx, snapshot)
        }
        // The series' days not kept yet (the first run, or days the job did not run), so that a
        // view reads kept days instead of counting a month of them inside its time limit.
        _ = try await days(ctx, from: today.adding(days: -(seriesDays - 1)), to: today)
        try await sendBriefingIfDue(app, now: now)
    }

    /// A day's totals and zones, as kept for the series.
    struct Day: Codable, Sendable, Equatable {
        let totals: DashboardCounts
        let zones: [String: DashboardCounts]
    }

    static func day(of snapshot: DashboardSnapshot) -> Day {
        Day(totals: snapshot.total(DashboardFilter()),
            zones: Dictionary(uniqueKeysWithValues: snapshot.breakdown(.zone, DashboardFilter()).map { ($0.key, $0.counts) }))
    }

    static func storeDay(_ ctx: ServiceContext, _ snapshot: DashboardSnapshot) async throws {
        let figures = String(decoding: try JSONEncoder().encode(day(of: snapshot)), as: UTF8.self)
        let iso = snapshot.day.iso
        @Sendable func store(_ db: any Database) async throws {
            if let row = try await DashboardDay.query(on: db).filter(\.$day == iso).first() {
                row.figures = figures
                row.asOf = snapshot.asOf
                try await row.save(on: db)
            } else {
                try await DashboardDay(day: iso, asOf: snapshot.asOf, figures: figures).create(on: db)
            }
        }
        do {
            try await ctx.transaction(store)
        } catch {
            // Another count (this instance's job, or another instance) kept the day first: keep ours over it.
            try await ctx.transaction(store)
        }
    }

    /// Kept days in a range; a day not kept yet is counted now and kept.
    static func days(_ ctx: ServiceContext, from: CivilDate, to: CivilDate) async throws -> [(day: CivilDate, figures: Day)] {
        // Past days read once per count of today (the views ask for the same 30 days).
        let cacheKey = "\(from.iso) \(to.iso)"
        if let kept = ctx.app.dashboardCache.series(cacheKey, now: ctx.now, lifetime: refreshSeconds) { return kept }
        let result = try await countDays(ctx, from: from, to: to)
        ctx.app.dashboardCache.keepSeries(cacheKey, result, now: ctx.now)
        return result
    }

    private static func countDays(_ ctx: ServiceContext, from: CivilDate, to: CivilDate) async throws -> [(day: CivilDate, figures: Day)] {
        let kept = try await DashboardDay.query(on: ctx.db).filter(\.$day >= from.iso).filter(\.$day <= to.iso).all()
        var byDay = Dictionary(uniqueKeysWithValues: kept.compactMap { row in row.decoded.map { (row.day, $0) } })
        var result: [(CivilDate, Day)] = []
        var day = from
        let today = CivilDate(ctx.now)
        while !(to < day) {
            if day == today || byDay[day.iso] == nil {
                let snapshot = try await snapshot(ctx, day: day)
                if byDay[day.iso] == nil { try await storeDay(ctx, snapshot) }
                byDay[day.iso] = self.day(of: snapshot)
            }
            result.append((day, byDay[day.iso]!))
            day = day.adding(days: 1)
        }
        return result
    }

    // MARK: Who sees what

    /// The district for leaders, administrators and reviewers; an officer their zone and the
    /// enterprises assigned to them.
    static func scope(_ ctx: ServiceContext) async throws -> DashboardFilter {
        let user = try ctx.requireUser()
        var filter = DashboardFilter()
        if user.role == .officer {
            let assigned = try await OfficerService.assignedEnterpriseIDs(user, on: ctx.db).map(\.uuidString)
            filter.restrictedTo = (user.zone, Set(assigned))
        }
        return filter
    }

    // MARK: The daily briefing (日报)

    struct Briefing: Content {
        let date: String
        let asOf: Date
        let text: String
        let figures: [String: Double]
    }

    /// The day's figures as the seed writes them, in `language`.
    static func briefing(_ ctx: ServiceContext, day: CivilDate, language: Language) async throws -> Briefing {
        let snapshot = try await snapshot(ctx, day: day)
        let counts = snapshot.total(DashboardFilter())
        var figures: [String: Double] = [:]
        for tile in DashboardTile.all { figures[tile.name] = tile.value(counts) }
        let officers = snapshot.officersServing
        figures["officersServing"] = Double(officers)
        func number(_ name: String) -> String {
            guard let value = figures[name] else { return "—" }
            if DashboardRate(rawValue: name) != nil { return "\(value)%" }
            return value.rounded() == value ? String(Int(value)) : String(value)
        }
        let strings = ctx.app.strings
        let date = language == .en ? day.iso : "\(day.month)月\(day.day)日"
        var paragraphs = [strings.text("dashboard.briefing.resumption", language, [
            date, number("enterprisesVerified"), number("enterprisesResumed"), number("resumedAboveDesignatedSize"),
            number("resumptionRate"), number("resumptionRateAboveDesignatedSize")])]
        paragraphs.append(strings.text("dashboard.briefing.dispatch", language, [
            number("contactsTotal"), number("enterprisesContacted"), String(officers), number("siteVisitsToday"), number("rectificationsOpen")]))
        paragraphs.append(strings.text("dashboard.briefing.people", language, [
            number("workersOnSite"), number("workersPlannedOnSite"), number("workersInQuarantine"), number("feverAlertsToday")]))
        paragraphs.append(strings.text("dashboard.briefing.helpdesk", language, [
            number("ticketsOpen"), number("ticketsOverdue"), number("responseRate"), number("resolutionRate"), number("satisfactionRate")]))
        paragraphs.append(strings.text("dashboard.briefing.jobs", language, [number("postingsOpen"), number("openings"), number("hiresTotal")]))
        if counts[.freightTrainsMonth] > 0 {
            paragraphs.append(strings.text("dashboard.briefing.freight", language, [
                number("freightTrainsMonth"), number("freightFeuMonth"), String(Int((Double(counts[.freightValueFenMonth]) / 1_000_000).rounded()))]))
        }
        return Briefing(date: day.iso, asOf: snapshot.asOf, text: paragraphs.joined(separator: "\n"), figures: figures)
    }

    /// Each morning at the set time (a district setting; off when empty) the day's briefing goes
    /// to the district's group robot, once a day.
    static func sendBriefingIfDue(_ app: Application, now: Date) async throws {
        let settings = try await app.context(now: now).settings()
        guard let time = BriefingTime(settings.briefingTime), !settings.districtWebhookURL.isEmpty else { return }
        let today = CivilDate(now)
        guard now >= today.start.addingTimeInterval(Double(time.minutes * 60)) else { return }
        let key = "dashboard.briefing.sent"
        let sent = try await PlatformFlag.query(on: app.db).filter(\.$key == key).first()
        guard sent?.value != today.iso else { return }
        // The briefing reports the day before, complete, as the seed's do.
        let briefing = try await briefing(app.context(now: now), day: today.adding(days: -1), language: .zhHans)
        try await app.transaction { db in
            if let sent { sent.value = today.iso; try await sent.save(on: db) } else { try await PlatformFlag(key: key, value: today.iso).create(on: db) }
            try await Audit.record(app.context(now: now), on: db, action: "dashboard.briefing.send", entity: "dashboard", detail: briefing.date)
        }
        GroupRobot.send(app, to: [settings.districtWebhookURL], briefing.text)
    }
}

/// One day's totals by zone, kept for the series (`DashboardService.Day` as JSON text).
final class DashboardDay: Model, @unchecked Sendable {
    static let schema = "dashboard_days"

    @ID(key: .id) var id: UUID?
    @Field(key: "day") var day: String
    @Field(key: "as_of") var asOf: Date
    @Field(key: "figures") var figures: String

    init() {}

    init(day: String, asOf: Date, figures: String) {
        self.day = day
        self.asOf = asOf
        self.figures = figures
    }

    var decoded: DashboardService.Day? { try? JSONDecoder().decode(DashboardService.Day.self, from: Data(figures.utf8)) }
}

struct CreateDashboardDays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DashboardDay.schema)
            .id()
            .field("day", .string, .required)
            .field("as_of", .datetime, .required)
            .field("figures", .string, .required)
            .unique(on: "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DashboardDay.schema).delete()
    }
}

/// Snapshots kept by this instance: today's (the job's) and past days a reader asked for.
final class DashboardCache: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [CivilDate: (snapshot: DashboardSnapshot, counted: Date)] = [:]

    private var series: [String: (days: [(day: CivilDate, figures: DashboardService.Day)], at: Date)] = [:]

    func get(_ day: CivilDate) -> (snapshot: DashboardSnapshot, counted: Date)? { lock.withLock { kept[day] } }

    func series(_ key: String, now: Date, lifetime: TimeInterval) -> [(day: CivilDate, figures: DashboardService.Day)]? {
        lock.withLock { series[key].flatMap { now.timeIntervalSince($0.at) < lifetime ? $0.days : nil } }
    }

    func keepSeries(_ key: String, _ days: [(day: CivilDate, figures: DashboardService.Day)], now: Date) {
        lock.withLock {
            if series.count > 50 { series.removeAll() }
            series[key] = (days, now)
        }
    }

    func put(_ snapshot: DashboardSnapshot, counted: Date) {
        lock.withLock {
            kept[snapshot.day] = (snapshot, counted)
            // A handful of days at most: each holds every enterprise's counts.
            if kept.count > 8, let oldest = kept.min(by: { $0.value.counted < $1.value.counted })?.key { kept[oldest] = nil }
        }
    }
}

extension Application {
    private struct DashboardCacheKey: StorageKey { typealias Value = DashboardCache }

    /// Set once in `configure`.
    var dashboardCache: DashboardCache {
        get { storage[DashboardCacheKey.self]! }
        set { storage[DashboardCacheKey.self] = newValue }
    }
}
