import Domain
import Fluent
import Vapor

/// The working calendar (`/admin/holidays`, `/api/v1/settings/holidays`) and the resumption
/// mode of each zone (`/admin/resumption-modes`, `/api/v1/settings/resumption-modes`).
enum CalendarAndModesController {
    // MARK: API

    @Sendable static func apiHolidays(req: Request) async throws -> [Holiday.DTO] {
        let year = try req.query.get(Int?.self, at: "year") ?? CivilDate(req.now).year
        guard (2000...2100).contains(year) else { throw FieldErrors("year", "error.number.range") }
        return try await HolidayService.days(year: year, on: req.db).map(\.dto)
    }

    @Sendable static func apiReplaceHolidays(req: Request) async throws -> [Holiday.DTO] {
        try await HolidayService.replace(req.context, try req.content.decode(HolidayService.Year.self)).map(\.dto)
    }

    @Sendable static func apiModes(req: Request) async throws -> [ZoneModesService.ZoneMode] {
        try await ZoneModesService.overview(req.context, language: req.language)
    }

    @Sendable static func apiRecordModes(req: Request) async throws -> [ZoneModesService.ZoneMode] {
        try await ZoneModesService.record(req.context, try req.content.decode([ZoneModesService.Change].self))
        return try await ZoneModesService.overview(req.context, language: req.language)
    }

    // MARK: The holidays page

    struct HolidaysPage: Encodable {
        struct Day: Encodable {
            let date: String
            let weekday: String
            let kind: String
            let kindLabel: String
            let name: String
        }

        let page: PageContext
        let year: Int
        let years: [Int]
        let days: [Day]
        let kinds: [SelectOption]
        let form: FormState
    }

    struct HolidayForm: Content {
        var year: Int?
        var date: String?
        var kind: String?
        var name: String?
    }

    @Sendable static func holidaysPage(req: Request) async throws -> Response {
        let year = (try? req.query.get(Int.self, at: "year")).flatMap { (2000...2100).contains($0) ? $0 : nil } ?? CivilDate(req.now).year
        return try await renderHolidays(req, year: year, form: FormState())
    }

    /// Adds one day to its year, or shows the form again with what was typed.
    @Sendable static func addHoliday(req: Request) async throws -> Response {
        let form = try req.content.decode(HolidayForm.self)
        // The day's own year, whichever year's page it was typed on.
        let year = form.date.flatMap(CivilDate.init(iso:))?.year ?? form.year ?? CivilDate(req.now).year
        let existing = try await HolidayService.days(year: year, on: req.db)
        let days = existing.map { HolidayService.Year.Day(date: $0.day, kind: $0.kind.rawValue, name: $0.name) }
            + [.init(date: form.date ?? "", kind: form.kind ?? "", name: form.name ?? "")]
        let values = ["date": form.date ?? "", "kind": form.kind ?? "", "name": form.name ?? ""]
        return try await FormAction.run(req, flash: "holidays.saved", redirect: "/admin/holidays?year=\(year)", render: { errors, status in
            // The new day's fields are `days[n].…`; the page names them plainly.
            let named = errors.renamed { $0.replacingOccurrences(of: "days[\(existing.count)].", with: "") }
            return try await renderHolidays(req, year: year, form: FormState(req, named, values: values), status: status)
        }) {
            _ = try await HolidayService.replace(req.context, .init(year: year, days: days))
        }
    }

    @Sendable static func removeHoliday(req: Request) async throws -> Response {
        let form = try req.content.decode(HolidayForm.self)
        guard let date = form.date.flatMap(CivilDate.init(iso:)) else { throw AppError.notFound }
        let existing = try await HolidayService.days(year: date.year, on: req.db)
        guard existing.contains(where: { $0.day == date.iso }) else { throw AppError.notFound }
        let days = existing.filter { $0.day != date.iso }.map { HolidayService.Year.Day(date: $0.day, kind: $0.kind.rawValue, name: $0.name) }
        return try await FormAction.run(req, flash: "holidays.removed", redirect: "/admin/holidays?year=\(date.year)", render: { errors, status in
            try await renderHolidays(req, year: date.year, form: FormState(req, errors), status: status)
        }) {
            _ = try await HolidayService.replace(req.context, .init(year: date.year, days: days))
        }
    }

    private static func renderHolidays(_ req: Request, year: Int, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let thisYear = CivilDate(req.now).year
        let days = try await HolidayService.days(year: year, on: req.db).map { day in
            HolidaysPage.Day(date: day.day, weekday: CivilDate(iso: day.day).map { req.t("weekday.\($0.weekday)") } ?? "",
                             kind: day.kind.rawValue, kindLabel: req.t("holidays.kind.\(day.kind.rawValue)"), name: day.name)
        }
        let chosenKind = form.values["kind"] ?? ""
        let context = HolidaysPage(
            page: try await Pages.context(req, titleKey: "holidays.title"), year: year,
            years: Array(Set([2020, thisYear - 1, thisYear, thisYear + 1, year])).sorted(), days: days,
            kinds: WorkingCalendar.Exception.allCases.map {
                SelectOption(value: $0.rawValue, label: req.t("holidays.kind.\($0.rawValue)"), selected: $0.rawValue == chosenKind)
            },
            form: form
        )
        return try await Pages.render(req, "settings/holidays", context, status: status)
    }

    // MARK: The zones' modes page

    struct ModesPage: Encodable {
        struct Zone: Encodable {
            let name: String
            let mode: String
            let source: String
            let history: [String]
        }

        let page: PageContext
        let districtMode: String
        let zones: [Zone]
        let zoneOptions: [SelectOption]
        let modeOptions: [SelectOption]
        let form: FormState
    }

    struct ModeForm: Content {
        var zone: String?
        var mode: String?
        var effectiveFrom: String?
    }

    @Sendable static func modesPage(req: Request) async throws -> Response {
        try await renderModes(req, form: FormState(), values: ModeForm(effectiveFrom: CivilDate(req.now).iso))
    }

    @Sendable static func recordMode(req: Request) async throws -> Response {
        let form = try req.content.decode(ModeForm.self)
        return try await FormAction.run(req, flash: "zoneModes.saved", redirect: "/admin/resumption-modes", render: { errors, status in
            let named = errors.renamed { $0.replacingOccurrences(of: "[0].", with: "") }
            return try await renderModes(req, form: FormState(req, named), values: form, status: status)
        }) {
            try await ZoneModesService.record(req.context, [.init(zone: form.zone, mode: form.mode, effectiveFrom: form.effectiveFrom)])
        }
    }

    private static func renderModes(_ req: Request, form: FormState, values: ModeForm, status: HTTPResponseStatus = .ok) async throws -> Response {
        var form = form
        form.values = ["effectiveFrom": values.effectiveFrom ?? ""]
        let settings = try await req.districtSettings()
        let zones = try await ZoneModesService.overview(req.context, language: req.language)
        let context = ModesPage(
            page: try await Pages.context(req, titleKey: "zoneModes.title"),
            districtMode: req.t(settings.mode(on: CivilDate(req.now)).nameKey),
            zones: zones.map { zone in
                ModesPage.Zone(name: zone.zoneName, mode: req.t(zone.mode.nameKey),
                               source: zone.followsDistrict ? req.t("zoneModes.followsDistrict") : req.t("zoneModes.since", zone.effectiveFrom ?? ""),
                               history: zone.history.reversed().map {
                                   req.t("zoneModes.historyLine", req.t($0.mode.nameKey), $0.effectiveFrom, $0.recordedBy,
                                         DisplayFormat.dateTime($0.recordedAt))
                                       + ($0.effectiveFrom > CivilDate(req.now).iso ? " " + req.t("zoneModes.notYet") : "")
                               })
            },
            zoneOptions: zones.map { SelectOption(value: $0.zone, label: $0.zoneName, selected: $0.zone == values.zone) },
            modeOptions: ResumptionMode.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == values.mode) },
            form: form
        )
        return try await Pages.render(req, "settings/resumption-modes", context, status: status)
    }
}
