import Domain
import Fluent
import Vapor

/// The district's settings: resumption mode and its effective date, notice and queue
/// thresholds, upload limit, officer cap, help-desk deadlines and robot, the health rules.
/// Each change is checked whole, saved, audited with what changed, and every instance's cache
/// of the settings is cleared.
enum SettingsService {
    /// A change of some settings: what is given changes, what is left out stays. The API's
    /// body is this; the page's form maps to it.
    struct Change: Content {
        var resumptionMode: String?
        var modeEffectiveFrom: String?
        var minimumNoticeWorkingDays: Int?
        var queueOverdueWorkingDays: Int?
        var maxUploadMegabytes: Int?
        var officerCap: Int?
        var serviceLevels: ServiceLevels?
        var districtWebhookURL: String?
        /// `08:30`, or empty to send no daily briefing.
        var briefingTime: String?
        var health: HealthPolicy?
    }

    static func change(_ ctx: ServiceContext, _ body: Change) async throws -> DistrictSettings {
        var settings = try await ctx.settings()
        let before = settings
        var errors = FieldErrors()
        if let raw = body.resumptionMode {
            if let mode = ResumptionMode(rawValue: raw) {
                if mode != settings.resumptionMode {
                    settings.previousMode = settings.mode(on: CivilDate(ctx.now))
                    settings.resumptionMode = mode
                }
            } else { errors.add("resumptionMode", "error.choice") }
        }
        if let raw = body.modeEffectiveFrom {
            if CivilDate(iso: raw) != nil { settings.modeEffectiveFrom = raw } else { errors.add("modeEffectiveFrom", "error.date") }
        }
        func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>, _ keyPath: WritableKeyPath<DistrictSettings, Int>) {
            guard let value else { return }
            if range.contains(value) { settings[keyPath: keyPath] = value } else { errors.add(field, "error.number.range") }
        }
        number(body.minimumNoticeWorkingDays, "minimumNoticeWorkingDays", 0...30, \.minimumNoticeWorkingDays)
        number(body.queueOverdueWorkingDays, "queueOverdueWorkingDays", 1...30, \.queueOverdueWorkingDays)
        number(body.maxUploadMegabytes, "maxUploadMegabytes", 1...20, \.maxUploadMegabytes)
        number(body.officerCap, "officerCap", 1...500, \.officerCap)
        if let levels = body.serviceLevels {
            let hours = [levels.emergencyResponseHours, levels.emergencyResolutionHours, levels.generalResponseHours,
                         levels.generalResolutionHours, levels.complexResponseHours, levels.complexResolutionHours,
                         levels.confirmationHours, levels.secondEscalationHours]
            if hours.allSatisfy({ $0 > 0 && $0 <= 24 * 90 }) { settings.serviceLevels = levels } else { errors.add("serviceLevels", "error.number.range") }
        }
        if let url = body.districtWebhookURL.map(FormText.trimmed) {
            if url.isEmpty || url.hasPrefix("https://") || url.hasPrefix("http://") { settings.districtWebhookURL = url } else { errors.add("districtWebhookURL", "error.url") }
        }
        if let time = body.briefingTime.map(FormText.trimmed) {
            if time.isEmpty || BriefingTime(time) != nil { settings.briefingTime = time } else { errors.add("briefingTime", "error.time") }
        }
        if let health = body.health {
            let fields = health.check()
            if fields.isEmpty { settings.health = health } else { errors.merge(fields) }
        }
        try errors.throwIfAny()
        let changed = settings.stored.filter { before.stored[$0.key] != $0.value }.map { "\($0.key)=\($0.value)" }.sorted()
        let final = settings
        try await ctx.transaction { db in
            try await final.save(on: db)
            try await Audit.record(ctx, on: db, action: "settings.change", entity: "settings", detail: changed.joined(separator: ","))
        }
        ctx.app.cluster.changed(.settings)
        return settings
    }
}
