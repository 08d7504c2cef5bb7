import Domain
import Vapor

extension Module {
    /// What every module stands on: platform flags, the audit log, stored files,
    /// notifications, live page updates, and the operator's commands.
    static let platform = Module(
        name: "platform",
        routes: { r in
            r.root.get("live", use: LiveController.stream).access(.signedIn)
            // Loopback or the metrics token only: `MetricsController.mayScrape`.
            r.root.get("metrics", use: MetricsController.scrape).access(.anyone)
            r.root.get("admin", "audit", use: AuditController.listPage).access(.roles(.districtAdmin))
            r.api.get("audit", use: AuditController.apiList).access(.roles(.districtAdmin))
        },
        migrations: [CreatePlatformFlags(), CreateAuditEvents(), CreateStoredFiles(), CreateNotifications(), CreateJobRuns()],
        navigation: [NavigationEntry("nav.audit", "/admin/audit", [.districtAdmin], group: NavigationEntry.administration)],
        jobs: [
            BackgroundJob(name: "job log purge", initialDelay: .minutes(2), every: .hours(6)) { app, now in
                try await BackgroundJobs.purgeLog(app, before: now.addingTimeInterval(-14 * 86_400))
            },
        ],
        commands: [
            ("demo", DemoCommand()), ("migrate", MigrateCommand()), ("backup", BackupCommand()), ("restore", RestoreCommand()),
        ]
    )
}
