import Domain
import NIOCore
import Vapor

extension Module {
    /// 复工复产一张图: the district's figures for a day with yesterday beside them, broken down
    /// by zone, industry, category and size, drilled into the enterprises behind each number,
    /// as series by zone, and as the daily briefing; kept fresh by a job, checked by `fugong
    /// dashboard verify`.
    static let dashboard = Module(
        name: "dashboard",
        routes: { r in
            // Officers see their zone and the enterprises assigned to them (`DashboardService.scope`).
            let readers: Set<Role> = [.leader, .districtAdmin, .reviewer, .officer]
            let district: Set<Role> = [.leader, .districtAdmin, .reviewer]
            typealias A = DashboardAPIController
            r.api.get("dashboard", use: A.dashboard).access(.roles(readers))
            r.api.get("dashboard", "series", use: A.seriesAPI).access(.roles(readers))
            r.api.get("dashboard", "drill", use: A.drillAPI).access(.roles(readers))
            r.api.get("dashboard", "briefing", use: A.briefing).access(.roles(district))

            typealias P = DashboardPagesController
            r.root.get("dashboard", use: P.dashboard).access(.roles(readers))
            r.root.get("dashboard", "drill", use: P.drill).access(.roles(readers))
            r.root.get("dashboard", "export", use: P.export).access(.roles(readers))
            r.root.get("dashboard", "briefing", use: P.briefing).access(.roles(district))
        },
        migrations: [CreateDashboardDays()],
        navigation: [NavigationEntry("nav.dashboard", "/dashboard", [.leader, .districtAdmin, .reviewer, .officer])],
        jobs: [
            BackgroundJob(name: "dashboard", initialDelay: .seconds(5), every: .seconds(Int64(DashboardService.refreshSeconds))) { app, now in
                try await DashboardService.refresh(app, now: now)
            },
        ],
        commands: [("dashboard", DashboardCommand()), ("bench-dashboard", DashboardBenchmarkCommand())],
        demo: { try await DemoDashboard(context: $0).load() }
    )
}
