import Domain
import Vapor

extension Module {
    /// The district's settings: resumption mode (the district's, and each zone's), the working
    /// calendar, thresholds, limits, help-desk deadlines.
    static let settings = Module(
        name: "settings",
        routes: { r in
            r.api.get("settings", use: SettingsAPIController.apiShow).access(.roles(.districtAdmin))
            r.api.put("settings", use: SettingsAPIController.apiChange).access(.roles(.districtAdmin))
            r.root.get("admin", "settings", use: SettingsPagesController.page).access(.roles(.districtAdmin))
            r.root.post("admin", "settings", use: SettingsPagesController.save).access(.roles(.districtAdmin))

            typealias C = CalendarAndModesController
            r.api.get("settings", "holidays", use: C.apiHolidays).access(.roles(.districtAdmin))
            r.api.put("settings", "holidays", use: C.apiReplaceHolidays).access(.roles(.districtAdmin))
            r.root.get("admin", "holidays", use: C.holidaysPage).access(.roles(.districtAdmin))
            r.root.post("admin", "holidays", use: C.addHoliday).access(.roles(.districtAdmin))
            r.root.post("admin", "holidays", "remove", use: C.removeHoliday).access(.roles(.districtAdmin))
            r.api.get("settings", "resumption-modes", use: C.apiModes).access(.roles(.districtAdmin))
            r.api.put("settings", "resumption-modes", use: C.apiRecordModes).access(.roles(.districtAdmin))
            r.root.get("admin", "resumption-modes", use: C.modesPage).access(.roles(.districtAdmin))
            r.root.post("admin", "resumption-modes", use: C.recordMode).access(.roles(.districtAdmin))
        },
        migrations: [CreateDistrictSettings(), CreateHolidays(), CreateZoneModeChanges()],
        navigation: [NavigationEntry("nav.settings", "/admin/settings", [.districtAdmin], group: NavigationEntry.administration)],
        demo: { context in
            // 分区施策 as the seed tells it: 新区 lets enterprises resume on filing; 经开区 (and
            // the bonded zone) keep the district's approval.
            for zone in ["xinqu"] {
                let record = ZoneModeRecord()
                record.zone = zone
                record.mode = .filing
                record.effectiveFrom = CivilDate(context.now.addingTimeInterval(-30 * 86_400)).iso
                record.recordedAt = context.now.addingTimeInterval(-31 * 86_400)
                record.recordedBy = "admin"
                try await record.create(on: context.db)
            }
        }
    )
}
