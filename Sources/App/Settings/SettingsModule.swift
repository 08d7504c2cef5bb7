import Domain
import Vapor

extension Module {
    /// The district's settings: resumption mode, thresholds, limits, help-desk deadlines.
    static let settings = Module(
        name: "settings",
        routes: { r in
            r.api.get("settings", use: SettingsController.apiShow).access(.roles(.districtAdmin))
            r.api.put("settings", use: SettingsController.apiChange).access(.roles(.districtAdmin))
            r.root.get("admin", "settings", use: SettingsController.page).access(.roles(.districtAdmin))
            r.root.post("admin", "settings", use: SettingsController.save).access(.roles(.districtAdmin))
        },
        migrations: [CreateDistrictSettings()],
        navigation: [NavigationEntry("nav.settings", "/admin/settings", [.districtAdmin])]
    )
}
