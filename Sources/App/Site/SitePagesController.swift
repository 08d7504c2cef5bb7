import Domain
import Fluent
import Vapor

/// `/site`: the enterprise admin's disinfection, arrangements and output; `/site/arrangements`:
/// who works where on a day; `/site/district`: the government's view of the same.
enum SitePagesController {
    // MARK: The enterprise's page

    struct AreaRow: Encodable {
        let name: String
        let kind: String
        let timesPerDay: Int
        let done: Int
        let missing: Int
        let last: String
        let overdue: Bool
    }

    struct LogRow: Encodable {
        let time: String
        let area: String
        let agent: String
        let concentration: String
        let by: String
    }

    struct ProductField: Encodable {
        let code: String
        let name: String
        let unit: String
        let quantity: String
        let ordersDue: String
        let quantityError: String?
        let ordersDueError: String?
    }

    struct Overview: Encodable {
        let page: PageContext
        let areas: [AreaRow]
        let overdueCount: Int
        let areaOptions: [SelectOption]
        let kinds: [SelectOption]
        let units: [SelectOption]
        let log: [LogRow]
        let today: SiteService.ArrangementDay
        let reportsOutput: Bool
        let outputDate: String
        let products: [ProductField]
        let charts: [LineChart]
        let areaForm: FormState
        let recordForm: FormState
        let outputForm: FormState
    }

    private static func enterpriseID(_ req: Request) throws -> UUID {
        guard let id = try req.requireUser().$enterprise.id else { throw AppError.forbidden }
        return id
    }

    @Sendable static func overview(req: Request) async throws -> Response {
        try await renderOverview(req)
    }

    private static func renderOverview(_ req: Request, areaForm: FormState = FormState(), recordForm: FormState = FormState(),
                                       outputForm: FormState = FormState(), status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterpriseID = try enterpriseID(req)
        let ctx = req.context
        let today = CivilDate(req.now)
        let statuses = try await SiteService.status(ctx, enterpriseID: enterpriseID)
        let chosenArea = recordForm.values["area"] ?? ""
        let chosenKind = areaForm.values["kind"] ?? ""
        let chosenUnit = recordForm.values["unit"] ?? ConcentrationUnit.milligramsPerLitre.rawValue
        let products = try await SiteService.products(req.db)
        let range = (from: today.adding(days: -13), to: today)
        let reports = try await SiteService.output(ctx, enterpriseID: enterpriseID, from: range.from, to: range.to)
        let days = (0..<14).map { range.from.adding(days: $0).iso }
        let todays = reports.filter { $0.day == (outputForm.values["date"] ?? today.iso) }
        let charts = products.filter { product in reports.contains { $0.product == product.code } }.map { product in
            LineChart(title: req.t("site.productUnit", product.name(req.language), product.unit(req.language)), days: days,
                      series: [(label: product.name(req.language), values: days.map { day in
                          reports.first { $0.day == day && $0.product == product.code }.map { Double($0.quantity) }
                      })]) { String(Int($0)) }
        }
        let context = Overview(
            page: try await Pages.context(req, titleKey: "site.title", forms: true),
            areas: statuses.map {
                AreaRow(name: $0.name, kind: req.t("site.area.\($0.kind.rawValue)"), timesPerDay: $0.timesPerDay, done: $0.doneToday,
                        missing: $0.missingToday, last: $0.last.map(DisplayFormat.dateTime) ?? req.t("site.never"), overdue: $0.overdue)
            },
            overdueCount: statuses.filter(\.overdue).count,
            areaOptions: statuses.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == chosenArea) },
            kinds: AreaKind.allCases.map { SelectOption(value: $0.rawValue, label: req.t("site.area.\($0.rawValue)"), selected: $0.rawValue == chosenKind) },
            units: ConcentrationUnit.allCases.map { SelectOption(value: $0.rawValue, label: req.t("site.unit.\($0.rawValue)"), selected: $0.rawValue == chosenUnit) },
            log: try await SiteService.log(ctx, enterpriseID: enterpriseID, day: today).map {
                LogRow(time: DisplayFormat.time($0.at), area: $0.$area.value?.name ?? "", agent: $0.agent,
                       concentration: "\(number($0.concentration)) \(req.t("site.unit.\($0.unit.rawValue)"))", by: $0.recordedBy)
            },
            today: try await SiteService.day(ctx, enterpriseID: enterpriseID, day: today),
            reportsOutput: try await SiteService.reportsOutput(enterpriseID, on: req.db),
            outputDate: outputForm.values["date"] ?? today.iso,
            products: products.map { product in
                let stored = todays.first { $0.product == product.code }
                return ProductField(code: product.code, name: product.name(req.language), unit: product.unit(req.language),
                                    quantity: outputForm.values["quantity_\(product.code)"] ?? stored.map { String($0.quantity) } ?? "",
                                    ordersDue: outputForm.values["ordersDue_\(product.code)"] ?? stored?.ordersDue.map(String.init) ?? "",
                                    quantityError: outputForm.fields["quantity_\(product.code)"],
                                    ordersDueError: outputForm.fields["ordersDue_\(product.code)"])
            },
            charts: charts,
            areaForm: areaForm, recordForm: recordForm, outputForm: outputForm
        )
        return try await Pages.render(req, "site/overview", context, status: status)
    }

    struct AreaForm: Content {
        var name: String?
        var kind: String?
        var timesPerDay: String?
    }

    @Sendable static func addArea(req: Request) async throws -> Response {
        let form = try req.content.decode(AreaForm.self)
        let values = ["name": form.name ?? "", "kind": form.kind ?? "", "timesPerDay": form.timesPerDay ?? ""]
        var errors = FieldErrors()
        let times = FormText.integer(form.timesPerDay, field: "timesPerDay", into: &errors)
        return try await FormAction.run(req, flash: "site.area.added", redirect: "/site#areas", render: { found, status in
            try await renderOverview(req, areaForm: FormState(req, found, values: values), status: status)
        }) {
            try errors.throwIfAny()
            _ = try await SiteService.addArea(req.context, enterpriseID: try enterpriseID(req), .init(name: form.name, kind: form.kind, timesPerDay: times))
        }
    }

    struct RecordForm: Content {
        var area: String?
        var agent: String?
        var concentration: String?
        var unit: String?
        /// `2020-02-10T08:30`, local time; now when empty.
        var at: String?
    }

    @Sendable static func record(req: Request) async throws -> Response {
        let form = try req.content.decode(RecordForm.self)
        let values = ["area": form.area ?? "", "agent": form.agent ?? "", "concentration": form.concentration ?? "",
                      "unit": form.unit ?? "", "at": form.at ?? ""]
        var errors = FieldErrors()
        let concentration = FormText.decimal(form.concentration, field: "concentration", into: &errors)
        var at: Date?
        if let text = form.at.map(FormText.trimmed), !text.isEmpty {
            at = DisplayFormat.parseLocalDateTime(text)
            if at == nil { errors.add("at", "error.date") }
        }
        return try await FormAction.run(req, flash: "site.disinfection.recorded", redirect: "/site", render: { found, status in
            try await renderOverview(req, recordForm: FormState(req, found, values: values), status: status)
        }) {
            try errors.throwIfAny()
            _ = try await SiteService.record(req.context, enterpriseID: try enterpriseID(req),
                                             .init(area: form.area.flatMap(UUID.init(uuidString:)), agent: form.agent, concentration: concentration,
                                                   unit: form.unit, at: at))
        }
    }

    /// The day's output: `date`, and `quantity_<product>` / `ordersDue_<product>` for each
    /// product the enterprise makes (the empty ones are left out).
    @Sendable static func reportOutput(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let products = try await SiteService.products(req.db)
        var errors = FieldErrors()
        var items: [SiteService.OutputInput.Item] = []
        var fieldOfItem: [String] = []
        for product in products {
            let quantity = FormText.trimmed(form["quantity_\(product.code)"])
            let due = FormText.trimmed(form["ordersDue_\(product.code)"])
            guard !quantity.isEmpty || !due.isEmpty else { continue }
            let parsedQuantity = FormText.decimal(quantity, field: "quantity_\(product.code)", into: &errors)
            let parsedDue = FormText.decimal(due, field: "ordersDue_\(product.code)", into: &errors)
            if quantity.isEmpty { errors.add("quantity_\(product.code)", "error.required") }
            items.append(.init(product: product.code, quantity: parsedQuantity, ordersDue: parsedDue))
            fieldOfItem.append(product.code)
        }
        if items.isEmpty { errors.add("output", "error.output.none") }
        return try await FormAction.run(req, flash: "site.output.saved", redirect: "/site#output", render: { found, status in
            // `items[i].quantity` is the product's field on the page.
            let named = found.renamed { field in
                for (index, code) in fieldOfItem.enumerated() {
                    if field == "items[\(index)].quantity" || field == "items[\(index)].product" { return "quantity_\(code)" }
                    if field == "items[\(index)].ordersDue" { return "ordersDue_\(code)" }
                }
                return field
            }
            return try await renderOverview(req, outputForm: FormState(req, named, values: form.filter { $0.key != "_csrf" }), status: status)
        }) {
            try errors.throwIfAny()
            _ = try await SiteService.reportOutput(req.context, enterpriseID: try enterpriseID(req), .init(date: form["date"], items: items))
        }
    }

    // MARK: Who works where

    struct PersonRow: Encodable {
        let id: UUID
        let name: String
        let number: String
        let department: String
        let options: [SelectOption]
        let error: String?
    }

    struct ArrangementsPage: Encodable {
        let page: PageContext
        let date: String
        let day: SiteService.ArrangementDay
        let people: [PersonRow]
        let pagination: Pagination
        let form: FormState
    }

    @Sendable static func arrangements(req: Request) async throws -> Response {
        try await renderArrangements(req, day: try WorkforceAPIController.day(req), page: max(1, req.query[Int.self, at: "page"] ?? 1))
    }

    private static func renderArrangements(_ req: Request, day: CivilDate, page: Int, form: FormState = FormState(),
                                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterpriseID = try enterpriseID(req)
        let people = try await Employee.query(on: req.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$status == .employed)
            .sort(\.$employeeNumber).paginate(PageRequest(page: page, per: 100))
        let current = try await SiteService.arrangements(req.context, enterpriseID: enterpriseID, day: day)
        let context = ArrangementsPage(
            page: try await Pages.context(req, titleKey: "site.arrangements", forms: true), date: day.iso,
            day: try await SiteService.day(req.context, enterpriseID: enterpriseID, day: day),
            people: try people.items.map { person in
                let id = try person.requireID()
                let chosen = form.values["a_\(id.uuidString)"] ?? current[id]?.rawValue ?? ""
                return PersonRow(id: id, name: person.name, number: person.employeeNumber, department: person.department,
                                 options: WorkArrangement.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == chosen) },
                                 error: form.fields["a_\(id.uuidString)"])
            },
            pagination: Pagination(people.metadata, path: "/site/arrangements", query: ["date": day.iso]),
            form: form
        )
        return try await Pages.render(req, "site/arrangements", context, status: status)
    }

    /// `date`, `page`, and `a_<employee id>` = the arrangement for each row given a choice.
    @Sendable static func arrange(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let day = form["date"].flatMap(CivilDate.init(iso:)) ?? CivilDate(req.now)
        let page = form["page"].flatMap(Int.init) ?? 1
        let chosen = form.filter { $0.key.hasPrefix("a_") && !$0.value.isEmpty }.sorted { $0.key < $1.key }
        let items = chosen.map { SiteService.ArrangementInput.Item(employeeId: UUID(uuidString: String($0.key.dropFirst(2))), arrangement: $0.value) }
        return try await FormAction.run(req, flash: "site.arrangements.saved", redirect: "/site/arrangements?date=\(day.iso)&page=\(page)",
                                        render: { found, status in
            let named = found.renamed { field in
                for (index, entry) in chosen.enumerated() where field.hasPrefix("items[\(index)].") { return entry.key }
                return field == "items" ? "form" : field
            }
            return try await renderArrangements(req, day: day, page: page, form: FormState(req, named, values: form), status: status)
        }) {
            _ = try await SiteService.arrange(req.context, enterpriseID: try enterpriseID(req), .init(date: form["date"], items: items))
        }
    }

    // MARK: The government's view

    /// An officer sees the enterprises they serve; the district's roles all of them (nil).
    static func scope(_ req: Request) async throws -> Set<UUID>? {
        let user = try req.requireUser()
        guard user.role == .officer else { return nil }
        return Set(try await OfficerService.assignedEnterpriseIDs(user, on: req.db))
    }

    struct EnterpriseRow: Encodable {
        let id: UUID
        let name: String
        let onSite: Int
        let remote: Int
        let approved: String
        let above: Bool
        let overdueAreas: Int
    }

    struct TotalRow: Encodable {
        let name: String
        let unit: String
        let today: String
        let fortnight: String
        let enterprises: Int
    }

    struct DistrictPage: Encodable {
        let page: PageContext
        let charts: [LineChart]
        let totals: [TotalRow]
        let enterprises: [EnterpriseRow]
        let onSite: Int
        let remote: Int
    }

    @Sendable static func district(req: Request) async throws -> Response {
        let today = CivilDate(req.now)
        let scope = try await scope(req)
        let totals = try await SiteService.totals(req.context, from: today.adding(days: -13), to: today, enterprises: scope, language: req.language)
        let charts = totals.products.filter { $0.quantities.contains { $0 > 0 } }.map { product in
            // A day nobody reported is a gap, not a zero.
            LineChart(title: req.t("site.productUnit", product.name, product.unit), days: totals.days,
                      series: [(label: req.t("site.output.made"), values: zip(product.quantities, product.reports).map { $1 > 0 ? Double($0) : nil }),
                               (label: req.t("site.output.ordersDue"), values: zip(product.ordersDue, product.reports).map { $1 > 0 ? Double($0) : nil })]) { String(Int($0)) }
        }
        let todayQuery = WorkDay.query(on: req.db).filter(\.$day == today.iso)
        if let scope { todayQuery.filter(\.$enterpriseID ~~ Array(scope)) }
        let arrangements = try await todayQuery.all()
        var rows: [EnterpriseRow] = []
        let overdueAreas = try await SiteService.overdueAreas(req.db, enterprises: scope, now: req.now)
        // Those with people arranged today, those with an overdue area, and an officer's own.
        let ids = Array(Set(arrangements.map(\.enterpriseID)).union(overdueAreas.map(\.$enterprise.id)).union(scope ?? []))
        let enterprises = try await Enterprise.query(on: req.db).filter(\.$id ~~ ids).all()
        let allowed = try await SiteService.approvedOnSite(ids, on: req.db)
        for enterprise in enterprises.sorted(by: { $0.name < $1.name }) {
            let id = try enterprise.requireID()
            let own = arrangements.filter { $0.enterpriseID == id }
            let counts = ArrangementCounts(own.map(\.arrangement), employed: own.count)
            let approved = allowed[id]
            let overdue = overdueAreas.filter { $0.$enterprise.id == id }.count
            rows.append(EnterpriseRow(id: id, name: enterprise.name, onSite: counts.onSite, remote: counts.remote,
                                      approved: approved.map(String.init) ?? "—", above: counts.exceeds(approvedOnSite: approved), overdueAreas: overdue))
        }
        let context = DistrictPage(
            page: try await Pages.context(req, titleKey: "site.district"), charts: charts,
            totals: totals.products.map {
                TotalRow(name: $0.name, unit: $0.unit, today: grouped($0.quantities.last ?? 0), fortnight: grouped($0.quantities.reduce(0, +)),
                         enterprises: $0.enterprises)
            },
            enterprises: rows.sorted { ($0.above ? 0 : 1, $0.overdueAreas > 0 ? 0 : 1, $0.name) < ($1.above ? 0 : 1, $1.overdueAreas > 0 ? 0 : 1, $1.name) },
            onSite: rows.reduce(0) { $0 + $1.onSite }, remote: rows.reduce(0) { $0 + $1.remote }
        )
        return try await Pages.render(req, "site/district", context)
    }

    // MARK: Numbers

    private static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    /// `82,000,000`
    private static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }
}
