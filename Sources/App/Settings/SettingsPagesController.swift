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
        /// Each field's text: the settings in force, or after a mistake what was typed.
        let values: [String: String]
        let visitorIDRequired: Bool
        let fields: [String: String]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, try await req.districtSettings(), form: nil, fields: [:])
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
            try await render(req, try await req.districtSettings(), form: form, fields: errors.messages, status: status)
        }) {
            try errors.throwIfAny()
            _ = try await SettingsService.change(req.context, body)
        }
    }

    static let levelNames = ["emergencyResponseHours", "emergencyResolutionHours", "generalResponseHours", "generalResolutionHours",
                             "complexResponseHours", "complexResolutionHours", "confirmationHours"]
    static let healthNames = ["feverThreshold", "quarantineDays", "closeContactDays", "homeProvince", "keyAreas", "clusterFevers",
                              "clusterDays", "supplyWarningDays", "retentionDays"]

    /// The settings in force as the form's texts.
    private static func texts(_ settings: DistrictSettings) -> [String: String] {
        func hours(_ value: Double) -> String { value.rounded() == value ? String(Int(value)) : String(value) }
        let levels = settings.serviceLevels, health = settings.health
        return [
            "resumptionMode": settings.resumptionMode.rawValue, "modeEffectiveFrom": settings.modeEffectiveFrom,
            "minimumNoticeWorkingDays": String(settings.minimumNoticeWorkingDays),
            "queueOverdueWorkingDays": String(settings.queueOverdueWorkingDays),
            "maxUploadMegabytes": String(settings.maxUploadMegabytes), "officerCap": String(settings.officerCap),
            "emergencyResponseHours": hours(levels.emergencyResponseHours), "emergencyResolutionHours": hours(levels.emergencyResolutionHours),
            "generalResponseHours": hours(levels.generalResponseHours), "generalResolutionHours": hours(levels.generalResolutionHours),
            "complexResponseHours": hours(levels.complexResponseHours), "complexResolutionHours": hours(levels.complexResolutionHours),
            "confirmationHours": hours(levels.confirmationHours), "districtWebhookURL": settings.districtWebhookURL,
            "briefingTime": settings.briefingTime,
            "feverThreshold": String(health.feverThreshold), "quarantineDays": String(health.quarantineDays),
            "closeContactDays": String(health.closeContactDays), "homeProvince": health.homeProvince,
            "keyAreas": health.keyAreas.joined(separator: "、"), "clusterFevers": String(health.clusterFevers),
            "clusterDays": String(health.clusterDays), "supplyWarningDays": String(health.supplyWarningDays),
            "retentionDays": String(health.retentionDays),
        ]
    }

    /// What was typed, field by field, over the settings in force (a field not sent keeps its
    /// value): the form's texts, read from its own encoding rather than listed again.
    private static func texts(_ form: Form, over settings: DistrictSettings) -> [String: String] {
        var values = texts(settings)
        let typed = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(form))) as? [String: Any] ?? [:]
        for case let (name, text as String) in typed { values[name] = text }
        return values
    }

    private static func render(_ req: Request, _ settings: DistrictSettings, form: Form?, fields: [String: String],
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let values = form.map { texts($0, over: settings) } ?? texts(settings)
        // The health rules' errors are named `health.…` as the API reports them; the page's fields are not.
        let messages = req.translated(fields).renamingFields { $0.hasPrefix("health.") ? String($0.dropFirst(7)) : $0 }
        func inputs(_ names: [String], labelPrefix: String) -> [InputField] {
            names.map { InputField(name: $0, label: req.t(labelPrefix + $0), value: values[$0] ?? "", error: messages[$0]) }
        }
        let equipment = form.map { form in
            form.protectiveEquipmentShown == nil ? settings.health.protectiveEquipment.map(\.rawValue) : form.protectiveEquipment ?? []
        } ?? settings.health.protectiveEquipment.map(\.rawValue)
        let context = Page(
            page: try await Pages.context(req, titleKey: "settings.title"), settings: settings,
            modeInForce: req.t(settings.mode(on: CivilDate(req.now)).nameKey),
            modes: ResumptionMode.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == values["resumptionMode"]) },
            levelFields: inputs(levelNames, labelPrefix: "settings."),
            healthFields: inputs(healthNames, labelPrefix: "settings.health."),
            equipment: ProtectiveItem.allCases.filter { $0 != .mask }.map {
                SelectOption(value: $0.rawValue, label: req.t("gate.\($0.rawValue)"), selected: equipment.contains($0.rawValue))
            },
            values: values,
            visitorIDRequired: form?.visitorIDRequired.flatMap(FormText.yesNo) ?? settings.health.visitorIDRequired,
            fields: messages
        )
        return try await Pages.render(req, "settings/settings", context, status: status)
    }
}
