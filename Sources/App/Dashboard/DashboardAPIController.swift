import Domain
import Vapor

/// `/api/v1/dashboard…`: tiles with yesterday's values and breakdowns, series, drill-down,
/// the briefing; `?format=csv` for breakdowns and drill-downs.
enum DashboardAPIController {
    struct Tile: Content {
        let value: Double?
        let previous: Double?
    }

    struct Group: Content {
        let key: String
        let name: String
        let tiles: [String: Double?]
    }

    struct Overview: Content {
        let asOf: Date
        let date: String
        let tiles: [String: Tile]
        let byZone: [Group]
        let byIndustry: [Group]
        let byCategory: [Group]
        let bySize: [Group]
        /// 居家办公: who works on site and from home that day (`Site`).
        let site: SiteService.DayTotals
    }

    static func overview(_ req: Request, _ query: DashboardQuery) async throws -> Overview {
        let ctx = req.context
        let snapshot = try await DashboardService.snapshot(ctx, day: query.day)
        let previous = try await DashboardService.snapshot(ctx, day: query.day.adding(days: -1))
        let now = snapshot.total(query.filter), before = previous.total(query.filter)
        var tiles: [String: Tile] = [:]
        for tile in DashboardTile.all { tiles[tile.name] = Tile(value: tile.value(now), previous: tile.value(before)) }
        func groups(_ dimension: DashboardDimension) -> [Group] {
            snapshot.breakdown(dimension, query.filter).map { key, counts in
                Group(key: key, name: query.groupName(key, dimension, req),
                      tiles: Dictionary(uniqueKeysWithValues: DashboardTile.all.map { ($0.name, $0.value(counts)) }))
            }
        }
        return Overview(asOf: snapshot.asOf, date: query.day.iso, tiles: tiles, byZone: groups(.zone), byIndustry: groups(.industry),
                        byCategory: groups(.category), bySize: groups(.size),
                        site: try await SiteService.dayTotals(req.db, day: query.day, enterprises: try await SitePagesController.scope(req)))
    }

    @Sendable static func dashboard(req: Request) async throws -> Response {
        let query = try await DashboardQuery.read(req)
        if query.csv { return try await breakdownCSV(req, query) }
        return try await overview(req, query).encodeResponse(for: req)
    }

    /// One breakdown (`by`) with every tile, for Excel.
    static func breakdownCSV(_ req: Request, _ query: DashboardQuery) async throws -> Response {
        let snapshot = try await DashboardService.snapshot(req.context, day: query.day)
        var lines = [CSV.line([req.t(query.dimension.nameKey)] + DashboardTile.all.map { req.t($0.nameKey) })]
        for (key, counts) in snapshot.breakdown(query.dimension, query.filter) {
            lines.append(CSV.line([query.groupName(key, query.dimension, req)] + DashboardTile.all.map { DashboardFormat.text($0, $0.value(counts)) }))
        }
        return CSV.response(lines, filename: "dashboard-\(query.dimension.rawValue)-\(query.day.iso).csv")
    }

    // MARK: Series

    struct SeriesDay: Content {
        let date: String
        let value: Double?
        let zones: [String: Double?]
    }

    struct Series: Content {
        let metric: String
        let from: String
        let to: String
        let days: [SeriesDay]
    }

    static let maxSeriesDays = 92

    static func series(_ req: Request, _ query: DashboardQuery) async throws -> Series {
        let tile = query.tile ?? .count(.enterprisesResumed)
        let (from, to) = try req.dayRange(defaultDays: 30)
        if CivilDate(req.now) < to { throw FieldErrors("to", "error.date.future") }
        // A day not kept yet is counted on the way (seconds each at scale): a quarter at most.
        if to.daysSince(from) >= maxSeriesDays { throw FieldErrors("from", "error.date.span", arguments: [String(maxSeriesDays)]) }
        let days = try await DashboardService.days(req.context, from: from, to: to)
        return Series(metric: tile.name, from: from.iso, to: to.iso, days: days.map { day, figures in
            let zones = figures.zones.filter { query.filter.zone == nil || $0.key == query.filter.zone }
            let total = query.filter.zone.map { figures.zones[$0] ?? DashboardCounts() } ?? figures.totals
            return SeriesDay(date: day.iso, value: tile.value(total), zones: zones.mapValues { tile.value($0) })
        })
    }

    @Sendable static func seriesAPI(req: Request) async throws -> Series {
        try await series(req, try await DashboardQuery.read(req).narrowedForSeries())
    }

    // MARK: Drill-down

    struct DrillRow: Content {
        let id: String
        let name: String
        let zone: String
        let industry: String
        let category: String
        let size: String
        let value: Double?
    }

    struct Drill: Content {
        let metric: String
        let date: String
        let items: [DrillRow]
        let page: Int
        let per: Int
        let total: Int
    }

    static let perPage = 50

    /// The enterprises behind a number: those whose own count is above zero (for a rate, its
    /// numerator's; for "never contacted", those never contacted), largest first or by name.
    static func drill(_ req: Request, _ query: DashboardQuery) async throws -> [(enterprise: DashboardEnterprise, value: Int)] {
        let metric = (query.tile ?? .count(.enterprisesResumed)).drillMetric
        let snapshot = try await DashboardService.snapshot(req.context, day: query.day)
        return snapshot.matching(metric, query.filter, byName: query.sortByName)
    }

    /// A drill-down's line as shown: the groups' names in the reader's language.
    static func row(_ req: Request, _ query: DashboardQuery, _ item: (enterprise: DashboardEnterprise, value: Int)) -> DrillRow {
        let metric = (query.tile ?? .count(.enterprisesResumed)).drillMetric
        let enterprise = item.enterprise
        return DrillRow(id: enterprise.id, name: enterprise.name, zone: query.groupName(enterprise.zone, .zone, req), industry: enterprise.industry,
                        category: query.groupName(enterprise.category, .category, req), size: query.groupName(enterprise.key(.size), .size, req),
                        value: Double(item.value) / Double(metric.divisor))
    }

    /// One page of a drill-down's lines.
    static func page(_ req: Request, _ query: DashboardQuery, _ matched: [(enterprise: DashboardEnterprise, value: Int)]) -> [DrillRow] {
        let start = (query.page - 1) * perPage
        guard start < matched.count else { return [] }
        return matched[start..<min(matched.count, start + perPage)].map { row(req, query, $0) }
    }

    /// Every enterprise of a drill-down, for Excel.
    static func drillCSV(_ req: Request, _ query: DashboardQuery, _ tile: DashboardTile,
                         _ matched: [(enterprise: DashboardEnterprise, value: Int)]) -> Response {
        let rows = matched.map { row(req, query, $0) }
        var lines = [CSV.line([req.t("dashboard.drill.enterprise"), req.t("field.zone"), req.t("dashboard.by.industry"),
                               req.t("dashboard.by.category"), req.t("dashboard.by.size"), req.t(tile.nameKey)])]
        for row in rows {
            lines.append(CSV.line([row.name, row.zone, row.industry, row.category, row.size, DashboardFormat.text(.count(tile.drillMetric), row.value)]))
        }
        return CSV.response(lines, filename: "dashboard-\(tile.name)-\(query.day.iso).csv")
    }

    @Sendable static func drillAPI(req: Request) async throws -> Response {
        let query = try await DashboardQuery.read(req)
        guard let tile = query.tile else { throw FieldErrors("metric", "error.required") }
        let matched = try await drill(req, query)
        if query.csv { return drillCSV(req, query, tile, matched) }
        return try await Drill(metric: tile.name, date: query.day.iso, items: page(req, query, matched), page: query.page, per: perPage,
                               total: matched.count).encodeResponse(for: req)
    }

    // MARK: Briefing

    @Sendable static func briefing(req: Request) async throws -> DashboardService.Briefing {
        let query = try await DashboardQuery.read(req)
        return try await DashboardService.briefing(req.context, day: query.day, language: req.language)
    }
}
