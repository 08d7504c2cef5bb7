import Domain
import Fluent
import Vapor

/// 人才就业网 figures for the district: postings, openings, applications and hires per day and
/// per zone, for a range of days (China Standard Time, both ends inclusive).
enum JobFigures {
    struct Row: Content {
        let key: String
        var postings = 0
        var openings = 0
        var applications = 0
        var hires = 0
    }

    struct Report: Content {
        let from: String
        let to: String
        let days: [Row]
        let zones: [Row]
        let totals: Row
    }

    static func report(_ req: Request) async throws -> Report {
        let (from, to) = try req.dayRange(defaultDays: 14)
        let start = from.start, end = to.adding(days: 1).start
        let postings = try await JobPosting.query(on: req.db).filter(\.$createdAt >= start).filter(\.$createdAt < end)
            .field(\.$createdAt).field(\.$zone).field(\.$openings).all()
        let applications = try await JobApplication.query(on: req.db).filter(\.$createdAt >= start).filter(\.$createdAt < end)
            .join(JobPosting.self, on: \JobApplication.$posting.$id == \JobPosting.$id)
            .field(\.$createdAt).field(JobPosting.self, \.$zone).all()
        let hires = try await JobApplication.query(on: req.db).filter(\.$hiredAt >= start).filter(\.$hiredAt < end)
            .join(JobPosting.self, on: \JobApplication.$posting.$id == \JobPosting.$id)
            .field(\.$hiredAt).field(JobPosting.self, \.$zone).all()
        var days: [String: Row] = [:]
        var day = from
        while !(to < day) { days[day.iso] = Row(key: day.iso); day = day.adding(days: 1) }
        var zones: [String: Row] = [:]
        func add(_ date: Date, _ zone: String, _ change: (inout Row) -> Void) {
            let key = CivilDate(date).iso
            if days[key] != nil { change(&days[key]!) }
            change(&zones[zone, default: Row(key: zone)])
        }
        for posting in postings { add(posting.createdAt, posting.zone) { $0.postings += 1; $0.openings += posting.openings } }
        for application in applications {
            add(application.createdAt, (try? application.joined(JobPosting.self).zone) ?? "") { $0.applications += 1 }
        }
        for hire in hires {
            guard let at = hire.hiredAt else { continue }
            add(at, (try? hire.joined(JobPosting.self).zone) ?? "") { $0.hires += 1 }
        }
        let sortedZones = zones.values.sorted { $0.key < $1.key }
        var totals = Row(key: "total")
        for row in sortedZones {
            totals.postings += row.postings; totals.openings += row.openings; totals.applications += row.applications; totals.hires += row.hires
        }
        return Report(from: from.iso, to: to.iso, days: days.values.sorted { $0.key < $1.key }, zones: sortedZones, totals: totals)
    }

    @Sendable static func api(req: Request) async throws -> Report {
        try await report(req)
    }

    struct Page: Encodable {
        struct ZoneRow: Encodable { let name: String; let row: Row }
        let page: PageContext
        let report: Report
        let zones: [ZoneRow]
        let charts: [BarChart]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        let report = try await report(req)
        let names = try await EnterpriseRegistry.zoneNames(req.context)
        let charts = [
            BarChart(title: req.t("jobs.figures.dailyPostings"), legend: req.t("jobs.figures.postings"), secondLegend: req.t("jobs.figures.applications"),
                     rows: report.days.map { (label: String($0.key.suffix(5)), value: $0.postings, second: $0.applications) }),
            BarChart(title: req.t("jobs.figures.byZone"), legend: req.t("jobs.figures.openings"), secondLegend: req.t("jobs.figures.hires"),
                     rows: report.zones.map { (label: names[$0.key] ?? $0.key, value: $0.openings, second: $0.hires) }),
        ]
        let context = Page(page: try await Pages.context(req, titleKey: "jobs.figures"), report: report,
                           zones: report.zones.map { .init(name: names[$0.key] ?? $0.key, row: $0) }, charts: charts)
        return try await Pages.render(req, "jobs/figures", context)
    }
}
