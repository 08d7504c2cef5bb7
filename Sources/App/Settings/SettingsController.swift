import Domain
import Fluent
import Vapor

/// The district admin's settings: resumption mode and its effective date, notice and queue
/// thresholds, upload limit, officer cap.
enum SettingsController {
    struct Body: Content {
        var resumptionMode: String?
        var modeEffectiveFrom: String?
        var minimumNoticeWorkingDays: Int?
        var queueOverdueWorkingDays: Int?
        var maxUploadMegabytes: Int?
        var officerCap: Int?
    }

    static func change(_ req: Request, _ body: Body) async throws -> DistrictSettings {
        var settings = try await DistrictSettings.load(req.db)
        let before = settings
        var errors = FieldErrors()
        if let raw = body.resumptionMode {
            if let mode = ResumptionMode(rawValue: raw) {
                if mode != settings.resumptionMode {
                    settings.previousMode = settings.mode(on: CivilDate(req.now))
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
        try errors.throwIfAny()
        let changed = settings.stored.filter { before.stored[$0.key] != $0.value }.map { "\($0.key)=\($0.value)" }.sorted()
        let final = settings
        try await req.db.transaction { db in
            try await final.save(on: db)
            try await Audit.record(req, on: db, action: "settings.change", entity: "settings", detail: changed.joined(separator: ","))
        }
        return settings
    }

    @Sendable static func apiShow(req: Request) async throws -> DistrictSettings {
        try await DistrictSettings.load(req.db)
    }

    @Sendable static func apiChange(req: Request) async throws -> DistrictSettings {
        try await change(req, try req.content.decode(Body.self))
    }

    struct Page: Encodable {
        let page: PageContext
        let settings: DistrictSettings
        let modeInForce: String
        let modes: [SelectOption]
        let fields: [String: String]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, try await DistrictSettings.load(req.db), fields: [:])
    }

    struct Form: Content {
        var resumptionMode: String?
        var modeEffectiveFrom: String?
        var minimumNoticeWorkingDays: String?
        var queueOverdueWorkingDays: String?
        var maxUploadMegabytes: String?
        var officerCap: String?
    }

    @Sendable static func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        func int(_ text: String?, _ field: String) -> Int? {
            guard let text = text.map(FormText.trimmed), !text.isEmpty else { return nil }
            guard let value = Int(text) else { errors.add(field, "error.number"); return nil }
            return value
        }
        let body = Body(resumptionMode: form.resumptionMode, modeEffectiveFrom: form.modeEffectiveFrom,
                        minimumNoticeWorkingDays: int(form.minimumNoticeWorkingDays, "minimumNoticeWorkingDays"),
                        queueOverdueWorkingDays: int(form.queueOverdueWorkingDays, "queueOverdueWorkingDays"),
                        maxUploadMegabytes: int(form.maxUploadMegabytes, "maxUploadMegabytes"), officerCap: int(form.officerCap, "officerCap"))
        do {
            try errors.throwIfAny()
            _ = try await change(req, body)
            try await Pages.flash(req, "settings.saved")
            return req.redirect(to: "/admin/settings")
        } catch let errors as FieldErrors {
            return try await render(req, try await DistrictSettings.load(req.db), fields: errors.messages, status: .unprocessableEntity)
        }
    }

    private static func render(_ req: Request, _ settings: DistrictSettings, fields: [String: String],
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let context = Page(
            page: try await Pages.context(req, titleKey: "settings.title"), settings: settings,
            modeInForce: req.t(settings.mode(on: CivilDate(req.now)).nameKey),
            modes: ResumptionMode.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0 == settings.resumptionMode) },
            fields: req.translated(fields)
        )
        return try await Pages.render(req, "settings/settings", context, status: status)
    }
}
