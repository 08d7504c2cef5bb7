import Domain
import Fluent
import Vapor

/// Pages for 调度 (dispatch log and summary), 包保 (assignments) and site visits.
enum OfficerPagesController {
    // MARK: Dispatch

    struct DispatchPage: Encodable {
        struct Row: Encodable { let day: String; let zoneName: String; let contacts: Int; let enterprises: Int }
        struct Enterprise: Encodable { let id: UUID; let name: String; let zoneName: String }
        struct Contact: Encodable {
            let at: String; let enterpriseID: UUID; let enterprise: String; let channel: String; let outcome: String; let summary: String
            let officer: String
        }
        let page: PageContext
        let totals: String
        let chart: BarChart
        let rows: [Row]
        let notContacted: [Enterprise]
        /// The latest contacts in the range: an officer's own, or everybody's for the district.
        let recent: [Contact]
        let recentLimit = DispatchService.recentLimit
        let canRecord: Bool
        let enterprises: [SelectOption]
        let channels: [SelectOption]
        let outcomes: [SelectOption]
        let zones: [SelectOption]
        let from: String
        let to: String
        let fields: [String: String]
        let values: [String: String]
    }

    @Sendable static func dispatch(req: Request) async throws -> Response {
        try await renderDispatch(req, fields: [:], values: [:])
    }

    struct ContactForm: Content {
        var enterpriseId: String?
        var channel: String?
        var contactedAt: String?
        var summary: String?
        var outcome: String?
    }

    @Sendable static func recordContact(req: Request) async throws -> Response {
        let form = try req.content.decode(ContactForm.self)
        let input = DispatchService.NewContact(enterpriseId: form.enterpriseId.flatMap(UUID.init(uuidString:)), channel: form.channel,
                                               contactedAt: form.contactedAt, summary: form.summary, outcome: form.outcome)
        do {
            _ = try await DispatchService.record(req.context, input)
            try await Pages.flash(req, "dispatch.recorded")
            return req.redirect(to: "/dispatch")
        } catch let errors as FieldErrors {
            let values = ["enterpriseId": form.enterpriseId ?? "", "channel": form.channel ?? "", "outcome": form.outcome ?? "",
                          "summary": form.summary ?? "", "contactedAt": form.contactedAt ?? ""]
            return try await renderDispatch(req, fields: errors.messages, values: values, status: .unprocessableEntity)
        }
    }

    private static func renderDispatch(_ req: Request, fields: [String: String], values: [String: String],
                                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let range = try req.dayRange(defaultDays: 14), zone = OfficersAPIController.zone(req)
        let summary = try await DispatchService.summary(req.context, range, zone: zone)
        let recent = try await DispatchService.recent(req.context, range, zone: zone)
        let zones = try await EnterpriseRegistry.zones(req.db)
        let names = EnterpriseRegistry.zoneNames(zones, req.language)
        let byDay = Dictionary(grouping: summary.rows, by: \.day).sorted { $0.key < $1.key }
        var served: [SelectOption] = []
        if user.role == .officer {
            for enterprise in try await Enterprise.query(on: req.db).filter(\.$status == .verified).sort(\.$name).all()
            where try await OfficerService.serves(user, enterprise, on: req.db) {
                served.append(SelectOption(value: enterprise.id!.uuidString, label: enterprise.name, selected: values["enterpriseId"] == enterprise.id!.uuidString))
            }
        }
        let context = DispatchPage(
            page: try await Pages.context(req, titleKey: "dispatch.title"),
            totals: req.t("dispatch.totals", summary.from, summary.to, String(summary.contacts), String(summary.enterprises)),
            chart: BarChart(title: req.t("dispatch.chart"), legend: req.t("dispatch.contacts"), secondLegend: req.t("dispatch.enterprises"),
                            rows: byDay.map { day, rows in
                                (label: String(day.dropFirst(5)), value: rows.reduce(0) { $0 + $1.contacts }, second: rows.reduce(0) { $0 + $1.enterprises })
                            }),
            rows: summary.rows.map { .init(day: $0.day, zoneName: names[$0.zone] ?? $0.zone, contacts: $0.contacts, enterprises: $0.enterprises) },
            notContacted: summary.notContacted.map { .init(id: $0.id, name: $0.name, zoneName: names[$0.zone] ?? $0.zone) },
            recent: recent.map {
                .init(at: DisplayFormat.dateTime($0.contactedAt), enterpriseID: $0.$enterprise.id, enterprise: $0.enterprise.name,
                      channel: req.t($0.channel.nameKey), outcome: req.t($0.outcome.nameKey), summary: $0.summary, officer: $0.officer.displayName)
            },
            canRecord: user.role == .officer,
            enterprises: served,
            channels: DispatchChannel.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["channel"] == $0.rawValue) },
            outcomes: DispatchOutcome.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: values["outcome"] == $0.rawValue) },
            zones: zones.map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: summary.zone == $0.code) },
            from: summary.from, to: summary.to, fields: req.translated(fields), values: values
        )
        return try await Pages.render(req, "officers/dispatch", context, status: status)
    }

    // MARK: Assignments

    struct AssignmentsPage: Encodable {
        struct Row: Encodable { let name: String; let zoneName: String; let officer: String; let method: String }
        struct Load: Encodable { let name: String; let zoneName: String; let load: Int }
        struct History: Encodable { let at: String; let enterprise: String; let officer: String; let method: String; let ended: String }
        let page: PageContext
        let rows: [Row]
        let loads: [Load]
        let history: [History]
        let enterprises: [SelectOption]
        let officers: [SelectOption]
        let fields: [String: String]
    }

    @Sendable static func assignments(req: Request) async throws -> Response {
        try await renderAssignments(req, form: AssignForm(), fields: [:])
    }

    struct AssignForm: Content {
        var enterpriseId: String?
        var officerId: String?
    }

    @Sendable static func assign(req: Request) async throws -> Response {
        let form = try req.content.decode(AssignForm.self)
        do {
            _ = try await OfficerService.assign(req.context, enterpriseID: form.enterpriseId.flatMap(UUID.init(uuidString:)),
                                                officerID: form.officerId.flatMap(UUID.init(uuidString:)))
            try await Pages.flash(req, "officers.assigned")
            return req.redirect(to: "/officers")
        } catch let errors as FieldErrors {
            return try await renderAssignments(req, form: form, fields: errors.messages, status: .unprocessableEntity)
        } catch AppError.conflict(let field?, let key) {
            return try await renderAssignments(req, form: form, fields: [field: key], status: .conflict)
        }
    }

    private static func renderAssignments(_ req: Request, form: AssignForm, fields: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let zones = try await EnterpriseRegistry.zones(req.db)
        let names = EnterpriseRegistry.zoneNames(zones, req.language)
        let enterprises = try await Enterprise.query(on: req.db).filter(\.$status == .verified).sort(\.$name).all()
        let officers = try await User.query(on: req.db).filter(\.$role == .officer).filter(\.$disabledAt == nil).sort(\.$username).all()
        let assignments = try await OfficerAssignment.query(on: req.db).with(\.$officer).with(\.$enterprise)
            .sort(\.$startedAt, .descending).limit(300).all()
        let current = assignments.filter { $0.endedAt == nil }
        let context = AssignmentsPage(
            page: try await Pages.context(req, titleKey: "officers.title"),
            rows: enterprises.map { enterprise in
                let assignment = current.first { $0.$enterprise.id == enterprise.id }
                return .init(name: enterprise.name, zoneName: names[enterprise.zone] ?? enterprise.zone,
                             officer: assignment?.officer.displayName ?? "—",
                             method: assignment.map { req.t("officers.method.\($0.method)") } ?? "")
            },
            loads: officers.map { officer in
                .init(name: officer.displayName, zoneName: officer.zone.flatMap { names[$0] } ?? "—",
                      load: current.filter { $0.$officer.id == officer.id }.count)
            },
            history: assignments.prefix(50).map {
                .init(at: DisplayFormat.dateTime($0.startedAt), enterprise: $0.enterprise.name, officer: $0.officer.displayName,
                      method: req.t("officers.method.\($0.method)"), ended: DisplayFormat.dateTime($0.endedAt))
            },
            enterprises: enterprises.map { SelectOption(value: $0.id!.uuidString, label: $0.name, selected: $0.id?.uuidString == form.enterpriseId) },
            officers: officers.map {
                SelectOption(value: $0.id!.uuidString, label: "\($0.displayName) (\($0.zone.flatMap { names[$0] } ?? "—"))",
                             selected: $0.id?.uuidString == form.officerId)
            },
            fields: req.translated(fields)
        )
        return try await Pages.render(req, "officers/assignments", context, status: status)
    }

    // MARK: Visits

    struct VisitsPage: Encodable {
        struct Row: Encodable { let href: String; let date: String; let enterprise: String; let purposeName: String; let status: String; let statusName: String; let officer: String }
        let page: PageContext
        let rows: [Row]
    }

    @Sendable static func visits(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let query = SiteVisit.query(on: req.db).with(\.$enterprise).with(\.$officer).sort(\.$scheduledFor, .descending)
        if user.role == .officer { query.filter(\.$officer.$id == (try user.requireID())) }
        let context = VisitsPage(
            page: try await Pages.context(req, titleKey: "visits.title"),
            rows: try await query.limit(300).all().map {
                .init(href: "/visits/\($0.id!)", date: $0.scheduledFor, enterprise: $0.enterprise.name,
                      purposeName: req.t("visit.purpose.\($0.purpose)"), status: $0.status.rawValue,
                      statusName: req.t($0.status.nameKey), officer: $0.officer.displayName)
            }
        )
        return try await Pages.render(req, "officers/visits", context)
    }

    struct VisitPage: Encodable {
        struct Standard: Encodable { let key: String; let name: String; let passed: Bool?; let note: String; let error: String? }
        let page: PageContext
        let id: UUID
        let enterprise: String
        let applicationHref: String
        let date: String
        let purposeName: String
        let status: String
        let statusName: String
        let canReport: Bool
        /// The visit is still ahead: its report opens on the day.
        let notYet: Bool
        /// The reader is the visit's officer (who files the report); others read about it.
        let ownVisit: Bool
        /// The report is in: the findings read as text, no longer as a form.
        let reported: Bool
        let standards: [Standard]
        let headcountFound: String
        let problems: String
        let photos: [AttachmentView]
        let fields: [String: String]
    }

    @Sendable static func visit(req: Request) async throws -> Response {
        try await renderVisit(req, try await OfficersAPIController.findVisit(req), fields: [:], form: nil)
    }

    @Sendable static func report(req: Request) async throws -> Response {
        let visit = try await OfficersAPIController.findVisit(req)
        struct ReportForm: Content {
            var results: [String: String]?
            var notes: [String: String]?
            var headcountFound: String?
            var problems: String?
            var photos: [File]?
        }
        let form = try req.content.decode(ReportForm.self)
        var errors = FieldErrors()
        let found = FormText.trimmed(form.headcountFound)
        let headcount = Int(found)
        if !found.isEmpty, headcount == nil { errors.add("headcountFound", "error.number") }
        let report = OfficerService.Report(
            results: form.results?.compactMapValues { $0 == "passed" ? true : $0 == "failed" ? false : nil },
            notes: form.notes, headcountFound: headcount, problems: form.problems)
        do {
            try errors.throwIfAny()
            try await OfficerService.report(req.context, visit, report, photos: form.photos ?? [])
            try await Pages.flash(req, "visits.reported")
            return req.redirect(to: "/visits/\(visit.id!)")
        } catch let errors as FieldErrors {
            // A browser never sends a file back: say so where the photos were chosen.
            var fields = errors.messages
            if fields["photos"] == nil, (form.photos ?? []).contains(where: { $0.data.readableBytes > 0 }) { fields["photos"] = "error.photos.chooseAgain" }
            return try await renderVisit(req, visit, fields: fields, form: (form.results ?? [:], form.notes ?? [:], found, form.problems ?? ""),
                                         status: .unprocessableEntity)
        } catch AppError.illegalTransition(let key) {
            return try await renderVisit(req, visit, fields: ["form": key], form: nil, status: .conflict)
        }
    }

    private static func renderVisit(_ req: Request, _ visit: SiteVisit, fields: [String: String],
                                    form: (results: [String: String], notes: [String: String], headcount: String, problems: String)?,
                                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        try await visit.$enterprise.load(on: req.db)
        let translated = req.translated(fields)
        let photos = try await ResumptionAttachment.query(on: req.db).filter(\.$visitID == visit.id).all()
        let notYet = !SiteVisitSchedule.isDue(scheduledFor: visit.scheduledFor, today: CivilDate(req.now))
        let ownVisit = user.role == .officer && visit.$officer.id == user.id
        let canReport = ownVisit && visit.status == .scheduled && !notYet
        let context = VisitPage(
            page: try await Pages.context(req, titleKey: "visits.report"),
            id: visit.id!, enterprise: visit.enterprise.name, applicationHref: "/resumption/\(visit.$application.id)",
            date: visit.scheduledFor, purposeName: req.t("visit.purpose.\(visit.purpose)"), status: visit.status.rawValue,
            statusName: req.t(visit.status.nameKey), canReport: canReport, notYet: notYet && visit.status == .scheduled, ownVisit: ownVisit, reported: visit.status != .scheduled,
            standards: SiteStandard.allCases.map { standard in
                let chosen = form?.results[standard.rawValue]
                return .init(key: standard.rawValue, name: req.t(standard.nameKey),
                             passed: chosen.map { $0 == "passed" } ?? visit.results?[standard.rawValue],
                             note: form?.notes[standard.rawValue] ?? visit.notes?[standard.rawValue] ?? "",
                             error: translated["results.\(standard.rawValue)"] ?? translated["notes.\(standard.rawValue)"])
            },
            headcountFound: form?.headcount ?? visit.headcountFound.map(String.init) ?? "",
            problems: form?.problems ?? visit.problems ?? "",
            photos: photos.map { .init(href: "/resumption/\(visit.$application.id)/attachments/\($0.id!)", kindName: req.t($0.kind.nameKey),
                                       filename: $0.filename, bytes: $0.size) },
            // A standard's answer and note are named by their inputs' ids, for the summary's links.
            fields: translated.renamingFields { key in
                key.hasPrefix("results.") ? "\(key.dropFirst(8))-passed" : key.hasPrefix("notes.") ? "\(key.dropFirst(6))-note" : key
            }
        )
        return try await Pages.render(req, "officers/visit", context, status: status)
    }
}
