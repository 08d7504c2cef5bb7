import Domain
import Vapor

extension Module {
    /// The district's settings: resumption mode, thresholds, limits, help-desk deadlines.
    static let settings = Module(
        name: "settings",
        routes: { r in
            r.api.get("settings", use: SettingsAPIController.apiShow).access(.roles(.districtAdmin))
            r.api.put("settings", use: SettingsAPIController.apiChange).access(.roles(.districtAdmin))
            r.root.get("admin", "settings", use: SettingsPagesController.page).access(.roles(.districtAdmin))
            r.root.post("admin", "settings", use: SettingsPagesController.save).access(.roles(.districtAdmin))
        },
        migrations: [CreateDistrictSettings()],
        navigation: [NavigationEntry("nav.settings", "/admin/settings", [.districtAdmin])]
    )
}
