import Domain
import Fluent
import Vapor

/// `/dashboard`: the tiles with yesterday beside them, breakdowns as charts and tables, the
/// series by zone, each number a link to the enterprises behind it; `/dashboard/drill`;
/// `/dashboard/briefing`, printable and to copy.
enum DashboardPagesController {
    struct TileView: Encodable {
        let name: String
        let label: String
        let value: String
        let previous: String
        /// `up`, `down` or `same` against yesterday.
        let trend: String
        let href: String
    }

    struct GroupView: Encodable {
        let key: String
        let label: String
        let tiles: [TileView]
    }

    struct BreakdownRow: Encodable {
        let name: String
        let values: [String]
        let href: String
    }

    struct Page: Encodable {
        let page: PageContext
        let asOf: String
        let date: String
        let today: String
        /// The choices each form keeps of the other's.
        let zone: String
        let category: String
        let size: String
        let by: String
        let metric: String
        let groups: [GroupView]
        let zones: [SelectOption]
        let categories: [SelectOption]
        let sizes: [SelectOption]
        let industry: String
        let dimensions: [SelectOption]
        let metrics: [SelectOption]
        let metricLabel: String
        let dimensionLabel: String
        let chart: BarChart
        let columns: [String]
        let rows: [BreakdownRow]
        let csvHref: String
        /// One chart, in a list so that the chart's template finds it as `chart`.
        let series: [LineChart]
        let canBrief: Bool
        /// 居家办公: the day's arrangements in the caller's scope (`Site`).
        let onSite: Int
        let remote: Int
    }

    /// A tile's value as a bar: money in 万元, rates in whole percent, FEU whole.
    static func chartValue(_ tile: DashboardTile, _ counts: DashboardCounts) -> Int {
        let value = tile.value(counts) ?? 0
        return tile == .count(.freightValueFenMonth) ? Int((value / 1_000_000).rounded()) : Int(value.rounded())
    }

    /// "As of …", and for today how often it is counted.
    static func asOfText(_ req: Request, _ snapshot: DashboardSnapshot) -> String {
        let time = DisplayFormat.dateTime(snapshot.asOf)
        return snapshot.day == CivilDate(req.now) ? req.t("dashboard.asOf", time) : req.t("dashboard.asOfPast", time)
    }

    static let tableTiles: [DashboardTile] = [.count(.enterprisesVerified), .count(.enterprisesResumed), .rate(.resumptionRate),
                                              .count(.workersOnSite), .count(.contactsTotal), .count(.ticketsOpen)]

    static func link(_ path: String, _ items: [String: String]) -> String {
        var components = URLComponents()
        components.path = path
        components.queryItems = items.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return components.string ?? path
    }

    @Sendable static func dashboard(req: Request) async throws -> Response {
        let query = try await DashboardQuery.read(req, metric: .count(.enterprisesResumed))
        let ctx = req.context
        // An officer without a zone has no zone's series; the rest of the page is theirs.
        let seriesQuery = try? query.narrowedForSeries()
        let snapshot = try await DashboardService.snapshot(ctx, day: query.day)
        let previous = try await DashboardService.snapshot(ctx, day: query.day.adding(days: -1))
        let now = snapshot.total(query.filter), before = previous.total(query.filter)
        let groups = DashboardTile.groups.map { key, tiles in
            GroupView(key: key, label: req.t("dashboard.group.\(key)"), tiles: tiles.map { tile in
                let value = tile.value(now), last = tile.value(before)
                let trend = value.flatMap { v in last.map { v > $0 ? "up" : v < $0 ? "down" : "same" } } ?? "same"
                return TileView(name: tile.name, label: req.t(tile.nameKey), value: DashboardFormat.text(tile, value),
                                previous: DashboardFormat.text(tile, last), trend: trend,
                                href: link("/dashboard/drill", query.filterItems.merging(["metric": tile.name]) { $1 }))
            })
        }
        let tile = query.tile ?? .count(.enterprisesResumed)
        let breakdown = snapshot.breakdown(query.dimension, query.filter)
        let chart = BarChart(title: "\(req.t(tile.nameKey)) · \(req.t(query.dimension.nameKey))", legend: req.t(tile.nameKey),
                             rows: breakdown.map { (label: query.groupName($0.key, query.dimension, req), value: chartValue(tile, $0.counts), second: nil) })
        let columns = ([tile] + tableTiles.filter { $0 != tile })
        let rows = breakdown.map { key, counts in
            var items = query.filterItems.merging(["metric": tile.name]) { $1 }
            // The group's enterprises: the row's key is the filter of its own dimension.
            items[query.dimension.rawValue] = key
            return BreakdownRow(name: query.groupName(key, query.dimension, req), values: columns.map { DashboardFormat.text($0, $0.value(counts)) },
                                href: link("/dashboard/drill", items))
        }
        // The series: the chosen figure by zone over the last 30 days to the chosen day.
        let days = try await DashboardService.days(ctx, from: query.day.adding(days: -(DashboardService.seriesDays - 1)), to: query.day)
        var zoneCodes = Set(days.flatMap { $0.figures.zones.keys })
        if let zone = seriesQuery?.filter.zone { zoneCodes = zoneCodes.filter { $0 == zone } }
        if seriesQuery == nil { zoneCodes = [] }
        var lines: [(label: String, values: [Double?])] = zoneCodes.sorted().map { zone in
            (query.zoneNames[zone] ?? zone, days.map { tile.value($0.figures.zones[zone] ?? DashboardCounts()) })
        }
        if query.filter.zone == nil, query.filter.restrictedTo == nil {
            lines.insert((req.t("dashboard.district"), days.map { tile.value($0.figures.totals) }), at: 0)
        }
        let series = LineChart(title: req.t("dashboard.series.title", req.t(tile.nameKey)), days: days.map(\.day.iso), series: lines) {
            DashboardFormat.text(tile, $0)
        }
        let zones = try await EnterpriseRegistry.zones(req.db)
        let user = try ctx.requireUser()
        let site = try await SiteService.dayTotals(req.db, day: query.day, enterprises: try await SitePagesController.scope(req))
        let context = Page(
            page: try await Pages.context(req, titleKey: "dashboard.title"), asOf: asOfText(req, snapshot),
            date: query.day.iso, today: CivilDate(req.now).iso, zone: query.filter.zone ?? "", category: query.filter.category ?? "",
            size: query.filter.size ?? "", by: query.dimension.rawValue, metric: tile.name, groups: groups,
            // An officer's view is their zone (and their assigned enterprises): no other zone to pick.
            zones: [SelectOption(value: "", label: req.t(query.filter.restrictedTo == nil ? "dashboard.allZones" : "dashboard.myEnterprises"),
                                 selected: query.filter.zone == nil)]
                + zones.filter { query.filter.restrictedTo == nil || $0.code == query.filter.restrictedTo?.zone }
                .map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: query.filter.zone == $0.code) },
            categories: [SelectOption(value: "", label: req.t("list.all"), selected: query.filter.category == nil)]
                + (ResumptionCategory.allCases.map(\.rawValue) + ["none"]).map {
                    SelectOption(value: $0, label: query.groupName($0, .category, req), selected: query.filter.category == $0)
                },
            sizes: [SelectOption(value: "", label: req.t("list.all"), selected: query.filter.size == nil)]
                + ["above", "below"].map { SelectOption(value: $0, label: req.t("dashboard.size.\($0)"), selected: query.filter.size == $0) },
            industry: query.filter.industry ?? "",
            dimensions: DashboardDimension.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0 == query.dimension) },
            metrics: DashboardTile.all.map { SelectOption(value: $0.name, label: req.t($0.nameKey), selected: $0 == tile) },
            metricLabel: req.t(tile.nameKey), dimensionLabel: req.t(query.dimension.nameKey), chart: chart,
            columns: columns.map { req.t($0.nameKey) }, rows: rows,
            csvHref: link("/dashboard/export", query.filterItems.merging(["by": query.dimension.rawValue]) { $1 }),
            series: [series], canBrief: [.leader, .districtAdmin, .reviewer].contains(user.role),
            onSite: site.onSite, remote: site.remote)
        return try await Pages.render(req, "dashboard/dashboard", context)
    }

    /// The breakdown as CSV, from the page (signed in by session).
    @Sendable static func export(req: Request) async throws -> Response {
        try await DashboardAPIController.breakdownCSV(req, try await DashboardQuery.read(req))
    }

    struct DrillPage: Encodable {
        struct Row: Encodable { let id: String; let name: String; let zone: String; let industry: String; let category: String; let size: String; let value: String }
        let page: PageContext
        let title: String
        let filters: String
        let rows: [Row]
        /// The drill-down counts its figure's parts for a rate: the enterprises resumed for the resumption rate.
        let valueLabel: String
        let pagination: Pagination
        let byNameHref: String
        let byValueHref: String
        let csvHref: String
        let backHref: String
    }

    @Sendable static func drill(req: Request) async throws -> Response {
        let query = try await DashboardQuery.read(req, metric: .count(.enterprisesResumed))
        let tile = query.tile ?? .count(.enterprisesResumed)
        let matched = try await DashboardAPIController.drill(req, query)
        if query.csv { return DashboardAPIController.drillCSV(req, query, tile, matched) }
        let per = DashboardAPIController.perPage, total = matched.count
        let pageRows = DashboardAPIController.page(req, query, matched)
        var items = query.filterItems.merging(["metric": tile.name]) { $1 }
        if query.sortByName { items["sort"] = "name" }
        let filters = [query.filter.zone.map { query.groupName($0, .zone, req) }, query.filter.industry,
                       query.filter.category.map { query.groupName($0, .category, req) }, query.filter.size.map { query.groupName($0, .size, req) }]
            .compactMap { $0 }.joined(separator: " · ")
        let context = DrillPage(
            page: try await Pages.context(req, titleKey: "dashboard.drill.title"),
            title: "\(req.t(tile.nameKey)) · \(query.day.iso)", filters: filters,
            rows: pageRows.map { .init(id: $0.id, name: $0.name, zone: $0.zone, industry: $0.industry, category: $0.category, size: $0.size,
                                       value: DashboardFormat.text(.count(tile.drillMetric), $0.value)) },
            valueLabel: req.t(tile.drillMetric.nameKey),
            pagination: Pagination(PageMetadata(page: query.page, per: per, total: total), path: "/dashboard/drill", query: items),
            byNameHref: link("/dashboard/drill", items.merging(["sort": "name"]) { $1 }),
            byValueHref: link("/dashboard/drill", items.filter { $0.key != "sort" }),
            csvHref: link("/dashboard/drill", items.merging(["format": "csv"]) { $1 }),
            backHref: link("/dashboard", query.filterItems.merging(["metric": tile.name]) { $1 }))
        return try await Pages.render(req, "dashboard/drill", context)
    }

    struct BriefingPage: Encodable {
        struct Figure: Encodable { let label: String; let value: String }
        let page: PageContext
        let date: String
        let asOf: String
        let paragraphs: [String]
        let text: String
        let figures: [Figure]
    }

    @Sendable static func briefing(req: Request) async throws -> Response {
        let query = try await DashboardQuery.read(req)
        let briefing = try await DashboardService.briefing(req.context, day: query.day, language: req.language)
        if req.query[String.self, at: "format"] == "text" {
            let response = Response(status: .ok, body: .init(string: briefing.text))
            response.headers.replaceOrAdd(name: .contentType, value: "text/plain; charset=utf-8")
            return response
        }
        let figures = DashboardTile.all.map { tile in
            BriefingPage.Figure(label: req.t(tile.nameKey), value: DashboardFormat.text(tile, briefing.figures[tile.name] ?? nil))
        }
        let context = BriefingPage(page: try await Pages.context(req, titleKey: "dashboard.briefing.title"), date: briefing.date,
                                   asOf: asOfText(req, try await DashboardService.snapshot(req.context, day: query.day)), paragraphs: briefing.text.components(separatedBy: "\n"),
                                   text: briefing.text, figures: figures)
        return try await Pages.render(req, "dashboard/briefing", context)
    }
}
