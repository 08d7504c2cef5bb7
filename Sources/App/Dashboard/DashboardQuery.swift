import Domain
import Vapor

/// What a dashboard view asks for, read from its query (`date`, `zone`, `industry`,
/// `category`, `size`, `metric`, `by`, `page`, `sort`): each checked, a wrong one a 422 naming it.
/// Pages and API read it the same way, and the caller's scope (an officer's zone) is applied.
struct DashboardQuery {
    let day: CivilDate
    var filter: DashboardFilter
    let tile: DashboardTile?
    let dimension: DashboardDimension
    let page: Int
    let sortByName: Bool
    let csv: Bool
    let zoneNames: [String: String]

    static func read(_ req: Request, metric defaultMetric: DashboardTile? = nil) async throws -> DashboardQuery {
        var errors = FieldErrors()
        func text(_ name: String) -> String? {
            let value = FormText.trimmed(req.query[String.self, at: name])
            return value.isEmpty ? nil : value
        }
        let today = CivilDate(req.now)
        var day = today
        if let raw = text("date") {
            if let parsed = DateText.day(raw) {
                if today < parsed { errors.add("date", "error.date.future") } else { day = parsed }
            } else { errors.add("date", "error.date") }
        }
        let zones = try await EnterpriseRegistry.zones(req.db)
        var filter = DashboardFilter()
        if let zone = text("zone") {
            if zones.contains(where: { $0.code == zone }) { filter.zone = zone } else { errors.add("zone", "error.choice") }
        }
        filter.industry = text("industry").map { String($0.prefix(100)) }
        if let category = text("category") {
            if category == "none" || ResumptionCategory(rawValue: category) != nil { filter.category = category } else { errors.add("category", "error.choice") }
        }
        if let size = text("size") {
            if ["above", "below"].contains(size) { filter.size = size } else { errors.add("size", "error.choice") }
        }
        var tile = defaultMetric
        if let raw = text("metric") {
            if let named = DashboardTile(name: raw) { tile = named } else { errors.add("metric", "error.dashboard.metric") }
        }
        var dimension = DashboardDimension.zone
        if let raw = text("by") {
            if let named = DashboardDimension(rawValue: raw) { dimension = named } else { errors.add("by", "error.choice") }
        }
        var page = 1
        if let raw = text("page") {
            if let number = Int(raw), (1...100_000).contains(number) { page = number } else { errors.add("page", "error.number") }
        }
        let sort = text("sort")
        if let sort, !["name", "value"].contains(sort) { errors.add("sort", "error.choice") }
        var csv = false
        if let format = text("format") {
            // `text` is the briefing's plain text; the other views answer it as they answer json.
            if format == "csv" { csv = true } else if !["json", "text"].contains(format) { errors.add("format", "error.choice") }
        }
        try errors.throwIfAny()
        let scope = try await DashboardService.scope(req.context)
        filter.restrictedTo = scope.restrictedTo
        return DashboardQuery(day: day, filter: filter, tile: tile, dimension: dimension, page: page, sortByName: sort == "name",
                              csv: csv, zoneNames: EnterpriseRegistry.zoneNames(zones, req.language))
    }

    /// Series are kept by zone for the whole district: an officer's are their own zone's,
    /// whatever zone they ask for (the enterprises assigned to them elsewhere are not in it).
    func narrowedForSeries() throws -> DashboardQuery {
        guard let restricted = filter.restrictedTo else { return self }
        guard let zone = restricted.zone else { throw AppError.forbidden }
        var narrowed = self
        narrowed.filter.zone = zone
        return narrowed
    }

    /// A group's name along a dimension, in the reader's language.
    func groupName(_ key: String, _ dimension: DashboardDimension, _ req: Request) -> String {
        switch dimension {
        case .zone: zoneNames[key] ?? key
        case .industry: key
        case .category: key == "none" ? req.t("dashboard.category.none") : req.t("resumption.category.\(key)")
        case .size: req.t("dashboard.size.\(key)")
        }
    }

    /// The query string of this view's filters, for links.
    var filterItems: [String: String] {
        ["date": day.iso, "zone": filter.zone ?? "", "industry": filter.industry ?? "", "category": filter.category ?? "", "size": filter.size ?? ""]
    }
}

/// A number as the dashboard shows it: whole numbers plain, FEU with a half, rates with `%`,
/// money in 万元; nothing to divide by as `—`.
enum DashboardFormat {
    static func text(_ tile: DashboardTile, _ value: Double?) -> String {
        guard let value else { return "—" }
        switch tile {
        case .rate: return String(format: "%.1f%%", value)
        case .count(.freightValueFenMonth): return Yuan.wan(fen: Int(value))
        case .count(.freightFeuMonth): return FEU.text(halves: Int((value * 2).rounded()))
        case .count: return String(Int(value))
        }
    }
}
