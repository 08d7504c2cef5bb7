import Domain
import Fluent
import Vapor

/// `/admin/settings`: the district admin's settings page.
enum SettingsPagesController {
    struct Page: Encodable {
        let page: PageContext
        let settings: DistrictSettings
        let modeInForce: String
        let modes: [SelectOption]
        let levelFields: [InputField]
        let healthFields: [InputField]
        let equipment: [SelectOption]
        let fields: [String: String]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, try await req.districtSettings(), fields: [:])
    }

    struct Form: Content {
        var resumptionMode: String?
        var modeEffectiveFrom: String?
        var minimumNoticeWorkingDays: String?
        var queueOverdueWorkingDays: String?
        var maxUploadMegabytes: String?
        var officerCap: String?
        var emergencyResponseHours: String?
        var emergencyResolutionHours: String?
        var generalResponseHours: String?
        var generalResolutionHours: String?
        var complexResponseHours: String?
        var complexResolutionHours: String?
        var confirmationHours: String?
        var districtWebhookURL: String?
        var briefingTime: String?
        var feverThreshold: String?
        var quarantineDays: String?
        var closeContactDays: String?
        var homeProvince: String?
        var keyAreas: String?
        var clusterFevers: String?
        var clusterDays: String?
        var supplyWarningDays: String?
        var retentionDays: String?
        var visitorIDRequired: String?
        /// The protective items checked beyond the mask; the fieldset's marker says it was shown.
        var protectiveEquipment: [String]?
        var protectiveEquipmentShown: String?
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        func int(_ text: String?, _ field: String) -> Int? {
            guard let text = text.map(FormText.trimmed), !text.isEmpty else { return nil }
            guard let value = Int(text) else { errors.add(field, "error.number"); return nil }
            return value
        }
        var levels = try await req.districtSettings().serviceLevels
        func hours(_ text: String?, _ field: String) -> Double? {
            guard let text = text.map(FormText.trimmed), !text.isEmpty else { return nil }
            guard let value = Double(text), value > 0, value <= 24 * 90 else { errors.add(field, "error.number.range"); return nil }
            return value
        }
        if let value = hours(form.emergencyResponseHours, "emergencyResponseHours") { levels.emergencyResponseHours = value }
        if let value = hours(form.emergencyResolutionHours, "emergencyResolutionHours") { levels.emergencyResolutionHours = value }
        if let value = hours(form.generalResponseHours, "generalResponseHours") { levels.generalResponseHours = value }
        if let value = hours(form.generalResolutionHours, "generalResolutionHours") { levels.generalResolutionHours = value }
        if let value = hours(form.complexResponseHours, "complexResponseHours") { levels.complexResponseHours = value }
        if let value = hours(form.complexResolutionHours, "complexResolutionHours") { levels.complexResolutionHours = value }
        if let value = hours(form.confirmationHours, "confirmationHours") { levels.confirmationHours = value }
        // The health rules (field names `health.…`, as the API reports them).
        var health = try await req.districtSettings().health
        if let value = FormText.decimal(form.feverThreshold, field: "health.feverThreshold", into: &errors) { health.feverThreshold = value }
        for (text, field, keyPath) in [(form.quarantineDays, "quarantineDays", \HealthPolicy.quarantineDays),
                                       (form.closeContactDays, "closeContactDays", \HealthPolicy.closeContactDays),
                                       (form.clusterFevers, "clusterFevers", \HealthPolicy.clusterFevers),
                                       (form.clusterDays, "clusterDays", \HealthPolicy.clusterDays),
                                       (form.supplyWarningDays, "supplyWarningDays", \HealthPolicy.supplyWarningDays),
                                       (form.retentionDays, "retentionDays", \HealthPolicy.retentionDays)] {
            if let value = FormText.integer(text, field: "health.\(field)", into: &errors) { health[keyPath: keyPath] = value }
        }
        if let province = form.homeProvince.map(FormText.trimmed), !province.isEmpty { health.homeProvince = province }
        if let areas = form.keyAreas {
            health.keyAreas = areas.split(whereSeparator: { " ,，、\n".contains($0) }).map { FormText.trimmed(String($0)) }.filter { !$0.isEmpty }
        }
        if let required = FormText.yesNo(form.visitorIDRequired) { health.visitorIDRequired = required }
        if form.protectiveEquipmentShown != nil {
            health.protectiveEquipment = ProtectiveItem.allCases.filter { $0 != .mask && (form.protectiveEquipment ?? []).contains($0.rawValue) }
        }
        let body = SettingsService.Change(resumptionMode: form.resumptionMode, modeEffectiveFrom: form.modeEffectiveFrom,
                        minimumNoticeWorkingDays: int(form.minimumNoticeWorkingDays, "minimumNoticeWorkingDays"),
                        queueOverdueWorkingDays: int(form.queueOverdueWorkingDays, "queueOverdueWorkingDays"),
                        maxUploadMegabytes: int(form.maxUploadMegabytes, "maxUploadMegabytes"), officerCap: int(form.officerCap, "officerCap"),
                        serviceLevels: levels, districtWebhookURL: form.districtWebhookURL,
                        briefingTime: form.briefingTime, health: health)
        return try await FormAction.run(req, flash: "settings.saved", redirect: "/admin/settings", render: { errors, status in
            try await render(req, try await req.districtSettings(), fields: errors.messages, status: status)
        }) {
            try errors.throwIfAny()
            _ = try await SettingsService.change(req.context, body)
        }
    }

    private static func levelFields(_ req: Request, _ levels: ServiceLevels, errors: [String: String]) -> [InputField] {
        let values: [(String, Double)] = [
            ("emergencyResponseHours", levels.emergencyResponseHours), ("emergencyResolutionHours", levels.emergencyResolutionHours),
            ("generalResponseHours", levels.generalResponseHours), ("generalResolutionHours", levels.generalResolutionHours),
            ("complexResponseHours", levels.complexResponseHours), ("complexResolutionHours", levels.complexResolutionHours),
            ("confirmationHours", levels.confirmationHours),
        ]
        return values.map { name, value in
            let text = value.rounded() == value ? String(Int(value)) : String(value)
            return InputField(name: name, label: req.t("settings.\(name)"), value: text, error: errors[name])
        }
    }

    private static func healthFields(_ req: Request, _ health: HealthPolicy, errors: [String: String]) -> [InputField] {
        let values: [(String, String)] = [
            ("feverThreshold", String(health.feverThreshold)), ("quarantineDays", String(health.quarantineDays)),
            ("closeContactDays", String(health.closeContactDays)), ("homeProvince", health.homeProvince),
            ("keyAreas", health.keyAreas.joined(separator: "、")), ("clusterFevers", String(health.clusterFevers)),
            ("clusterDays", String(health.clusterDays)), ("supplyWarningDays", String(health.supplyWarningDays)),
            ("retentionDays", String(health.retentionDays)),
        ]
        return values.map { name, value in
            InputField(name: name, label: req.t("settings.health.\(name)"), value: value, error: errors["health.\(name)"])
        }
    }

    private static func render(_ req: Request, _ settings: DistrictSettings, fields: [String: String],
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = Page(
            page: try await Pages.context(req, titleKey: "settings.title"), settings: settings,
            modeInForce: req.t(settings.mode(on: CivilDate(req.now)).nameKey),
            modes: ResumptionMode.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0 == settings.resumptionMode) },
            levelFields: levelFields(req, settings.serviceLevels, errors: req.translated(fields)),
            healthFields: healthFields(req, settings.health, errors: req.translated(fields)),
            equipment: ProtectiveItem.allCases.filter { $0 != .mask }.map {
                SelectOption(value: $0.rawValue, label: req.t("gate.\($0.rawValue)"), selected: settings.health.protectiveEquipment.contains($0))
            },
            fields: req.translated(fields)
        )
        return try await Pages.render(req, "settings/settings", context, status: status)
    }
}
