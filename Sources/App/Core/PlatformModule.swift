import Domain
import Vapor

extension Module {
    /// What every module stands on: platform flags, the audit log, stored files,
    /// notifications, live page updates, and the operator's commands.
    static let platform = Module(
        name: "platform",
        routes: { r in
            r.root.get("live", use: LiveController.stream).access(.signedIn)
            r.root.get("admin", "audit", use: AuditController.listPage).access(.roles(.districtAdmin))
            r.api.get("audit", use: AuditController.apiList).access(.roles(.districtAdmin))
        },
        migrations: [CreatePlatformFlags(), CreateAuditEvents(), CreateStoredFiles(), CreateNotifications()],
        navigation: [NavigationEntry("nav.audit", "/admin/audit", [.districtAdmin])],
        commands: [
            ("demo", DemoCommand()), ("migrate", MigrateCommand()), ("backup", BackupCommand()), ("restore", RestoreCommand()),
        ]
    )
}
