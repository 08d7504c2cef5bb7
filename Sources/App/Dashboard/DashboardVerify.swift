import Domain
import Fluent
import Vapor

/// `fugong dashboard verify`: every kept day counted again from the raw tables, as of the
/// moment it was kept, and each difference printed (a day, a zone, a figure, kept and counted).
/// A difference means a kept day is stale: something was entered afterwards with an earlier
/// time, or a count is wrong.
enum DashboardVerify {
    struct Difference: Equatable, CustomStringConvertible {
        let day: String
        let zone: String?
        let metric: String
        let kept: Int
        let counted: Int

        var description: String { "\(day) \(zone ?? "district") \(metric): kept \(kept), counted \(counted)" }
    }

    static func differences(_ db: any Database, days: Int = 60, now: Date) async throws -> [Difference] {
        let from = CivilDate(now).adding(days: 1 - days).iso
        var found: [Difference] = []
        for row in try await DashboardDay.query(on: db).filter(\.$day >= from).sort(\.$day).all() {
            guard let day = CivilDate(iso: row.day), let kept = row.decoded else {
                found.append(Difference(day: row.day, zone: nil, metric: "unreadable", kept: 0, counted: 0))
                continue
            }
            let counted = DashboardService.day(of: try await DashboardStore.snapshot(db, day: day, at: row.asOf))
            func compare(_ zone: String?, _ a: DashboardCounts, _ b: DashboardCounts) {
                for metric in DashboardMetric.allCases where a[metric] != b[metric] {
                    found.append(Difference(day: row.day, zone: zone, metric: metric.rawValue, kept: a[metric], counted: b[metric]))
                }
            }
            compare(nil, kept.totals, counted.totals)
            for zone in Set(kept.zones.keys).union(counted.zones.keys).sorted() {
                compare(zone, kept.zones[zone] ?? DashboardCounts(), counted.zones[zone] ?? DashboardCounts())
            }
        }
        return found
    }
}

struct DashboardCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "`verify`: count every kept day again from the raw tables and print any difference; `refresh`: count today now.")
        var action: String
    }

    var help: String { "The district dashboard's kept figures: verify or refresh them." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "verify":
            let differences = try await DashboardVerify.differences(app.db, now: app.clock.now)
            if differences.isEmpty {
                context.console.success("No difference: every kept day matches its recount.")
            } else {
                for difference in differences { context.console.warning(difference.description) }
                context.console.error("\(differences.count) difference(s).")
                exit(1)
            }
        case "refresh":
            try await DashboardService.refresh(app, now: app.clock.now)
            context.console.success("Counted today and yesterday.")
        default:
            context.console.error("Unknown action \(signature.action): use verify or refresh.")
            exit(2)
        }
    }
}
