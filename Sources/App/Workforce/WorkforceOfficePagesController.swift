import Domain
import Fluent
import SQLKit
import Vapor

/// The enterprise's prevention office (`/workforce…`) and the district's view
/// (`/workforce/district`).
/// The enterprise's office (`/workforce`: the day, roster and import, a person's page,
/// screening and quarantine, supplies) and the district's view (`/workforce/district`). The
/// phones' pages (the employee's health card, the guard's gate) are `WorkforcePagesController`.
enum WorkforceOfficePagesController {
    typealias FormState = App.FormState
    static func act(_ req: Request, redirect: String, flash: String, values: [String: String] = [:],
                    render: (FormState) async throws -> Response, _ change: () async throws -> Void) async throws -> Response {
        try await WorkforcePagesController.act(req, redirect: redirect, flash: flash, values: values, render: render, change)
    }

    static func ownEnterprise(_ req: Request) throws -> UUID { try WorkforcePagesController.ownEnterprise(req) }

    static func options(_ values: [String], key: (String) -> String, selected: String?) -> [SelectOption] {
        WorkforcePagesController.options(values, key: key, selected: selected)
    }

    // MARK: The day: /workforce

    struct OverviewPage: Encodable {
        let page: PageContext
        let summary: DailySummary.DTO
        let reportedPercent: Int
        let chart: BarChart
        let alerts: [AlertRow]
        let notReported: [Roster.EmployeeDTO]
        let supplies: [SupplyRow]
        let guards: [String]
        let checkpoints: [Gate.CheckpointDTO]
        let form: FormState
        let checkpointForm: FormState
    }

    struct AlertRow: Encodable {
        let id: UUID
        let name: String
        let department: String
        let temperature: String
        let source: String
        let cluster: Bool
        let at: String
        let handled: Bool
    }

    struct SupplyRow: Encodable {
        let item: String
        let name: String
        let stock: String
        let dailyUse: String
        let estimated: Bool
        let days: String
        let low: Bool
    }

    static func supplyRows(_ req: Request, _ items: [Supplies.ItemDTO]) -> [SupplyRow] {
        items.map {
            SupplyRow(item: $0.item.rawValue, name: req.t("supply.item.\($0.item.rawValue)"), stock: String(format: "%g", $0.stock),
                      dailyUse: String(format: "%g", $0.dailyUse), estimated: $0.estimated,
                      days: $0.daysRemaining.map { String(format: "%.1f", $0) } ?? "—", low: $0.low)
        }
    }

    @Sendable static func overview(req: Request) async throws -> Response {
        try await renderOverview(req, form: FormState())
    }

    static func renderOverview(_ req: Request, form: FormState, checkpointForm: FormState = FormState(),
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterpriseID = try ownEnterprise(req)
        let today = CivilDate(req.now)
        let summary = try await DailySummary.compute(req.context, enterpriseID: enterpriseID, day: today)
        // The week: reports and fevers per day, as bars.
        let rows = try await DailySummary.week(req.context, enterpriseID: enterpriseID, last: today)
            .map { (label: String($0.day.iso.suffix(5)), value: $0.reported, second: Optional($0.fevers)) }
        let alerts = try await FeverAlerts.list(req.context, enterpriseID: enterpriseID, days: 3)
        let guards = try await User.query(on: req.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$role == .gateGuard).all()
        return try await Pages.render(req, "workforce/overview", OverviewPage(
            page: try await Pages.context(req, titleKey: "workforce.title"), summary: summary,
            reportedPercent: Int((summary.reportedShare * 100).rounded()),
            chart: BarChart(title: req.t("workforce.weekChart"), legend: req.t("workforce.reported"), secondLegend: req.t("workforce.fevers"), rows: rows),
            alerts: alerts.map {
                AlertRow(id: $0.id, name: $0.name, department: $0.department, temperature: String(format: "%.1f", $0.temperature),
                         source: req.t("alert.source.\($0.source.rawValue)"), cluster: $0.cluster, at: DisplayFormat.dateTime($0.at), handled: $0.handled)
            },
            notReported: Array(try await DailySummary.notReported(req.context, enterpriseID: enterpriseID, day: today).prefix(50)),
            supplies: supplyRows(req, try await Supplies.items(req.context, enterpriseID: enterpriseID, onSite: summary.onSite)),
            guards: guards.map { "\($0.displayName)（\($0.username)）" },
            checkpoints: try await Gate.checkpoints(req.context, enterpriseID: enterpriseID), form: form, checkpointForm: checkpointForm),
            status: status)
    }

    @Sendable static func handleAlert(req: Request) async throws -> Response {
        guard let id = req.parameters.get("alertID", as: UUID.self) else { throw AppError.notFound }
        try await FeverAlerts.handle(req.context, alertID: id, enterpriseID: try ownEnterprise(req))
        try await Pages.flash(req, "workforce.alertHandled")
        return req.redirect(to: "/workforce")
    }

    struct AccountForm: Content {
        var username: String?
        var password: String?
        var displayName: String?
    }

    /// A gate guard's account, made by the enterprise admin.
    @Sendable static func addGuard(req: Request) async throws -> Response {
        let form = try req.content.decode(AccountForm.self)
        return try await act(req, redirect: "/workforce", flash: "workforce.accountMade",
                             values: ["username": form.username ?? "", "displayName": form.displayName ?? ""],
                             render: { try await renderOverview(req, form: $0, status: .unprocessableEntity) }) {
            _ = try await AccountsService.create(req.context, AccountsService.NewUser(username: form.username, password: form.password, role: Role.gateGuard.rawValue,
                                                                          displayName: form.displayName))
        }
    }

    /// A checkpoint inside the site, where guards take the temperature again.
    @Sendable static func addCheckpoint(req: Request) async throws -> Response {
        let form = try req.content.decode(Gate.CheckpointInput.self)
        return try await FormAction.run(req, flash: "gate.checkpointAdded", redirect: "/workforce#checkpoints", render: { errors, status in
            try await renderOverview(req, form: FormState(), checkpointForm: FormState(req, errors, values: ["name": form.name ?? ""]), status: status)
        }) {
            _ = try await Gate.addCheckpoint(req.context, enterpriseID: try ownEnterprise(req), form)
        }
    }

    // MARK: The roster: /workforce/employees

    struct RosterPage: Encodable {
        let page: PageContext
        let enterpriseId: UUID
        let employees: [Roster.EmployeeDTO]
        let pagination: Pagination
        let q: String
        let form: FormState
        let importErrors: [Roster.RowErrorDTO]
        let imported: Int?
    }

    /// A refused file's problems name the column as the page's form labels it, not by its JSON name.
    static let importFieldLabels = [
        "name": "workforce.name", "idNumber": "workforce.idNumber", "mobile": "workforce.mobile", "employeeNumber": "workforce.number",
        "department": "workforce.department", "shift": "workforce.shift", "homeProvince": "workforce.homeProvince",
        "homeCity": "workforce.homeCity", "file": "workforce.csvFile",
    ]

    @Sendable static func roster(req: Request) async throws -> Response {
        try await renderRoster(req, form: FormState())
    }

    static func renderRoster(_ req: Request, form: FormState, importResult: Roster.ImportResult? = nil,
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterpriseID = try ownEnterprise(req)
        let q = req.query[String.self, at: "q"] ?? ""
        let page = try await Roster.list(req.context, enterpriseID: enterpriseID, text: q, status: nil, page: req.query[Int.self, at: "page"] ?? 1)
        return try await Pages.render(req, "workforce/roster", RosterPage(
            page: try await Pages.context(req, titleKey: "workforce.roster"), enterpriseId: enterpriseID,
            employees: page.items.map(Roster.EmployeeDTO.init), pagination: Pagination(page.metadata, path: "/workforce/employees", query: ["q": q]),
            q: q, form: form, importErrors: (importResult?.errors ?? []).map { Roster.RowErrorDTO(line: $0.line, field: req.t(importFieldLabels[$0.field] ?? "workforce.csvFile"), message: $0.message) },
            imported: importResult.flatMap { $0.errors.isEmpty ? $0.imported : nil }),
            status: status)
    }

    @Sendable static func addEmployee(req: Request) async throws -> Response {
        let draft = try req.content.decode(EmployeeDraft.self)
        let values = ["name": draft.name, "idNumber": draft.idNumber, "mobile": draft.mobile, "employeeNumber": draft.employeeNumber,
                      "department": draft.department, "shift": draft.shift, "homeProvince": draft.homeProvince, "homeCity": draft.homeCity]
        return try await act(req, redirect: "/workforce/employees", flash: "workforce.employeeAdded", values: values,
                             render: { try await renderRoster(req, form: $0, status: .unprocessableEntity) }) {
            _ = try await Roster.add(req.context, enterpriseID: try ownEnterprise(req), draft)
        }
    }

    struct ImportForm: Content {
        var file: File?
        var progress: String?
    }

    /// The file from the form (`multipart/form-data`); the page's script sends a progress
    /// token and follows `/workforce/imports/:token` while the server works.
    @Sendable static func importEmployees(req: Request) async throws -> Response {
        let form = try req.content.decode(ImportForm.self)
        guard let file = form.file, file.data.readableBytes > 0 else {
            return try await renderRoster(req, form: FormState(req, FieldErrors("file", "error.csv.empty")), status: .unprocessableEntity)
        }
        let progress = try form.progress.map { req.application.startImport(token: String($0.prefix(64)), owner: try req.requireUser().requireID()) }
        do {
            let result = try await Roster.importCSV(req.context, enterpriseID: try ownEnterprise(req), data: Data(buffer: file.data), progress: progress)
            return try await renderRoster(req, form: FormState(), importResult: result, status: result.errors.isEmpty ? .ok : .unprocessableEntity)
        } catch let errors as FieldErrors {
            progress?.update(.failed, done: 0, total: 0)
            return try await renderRoster(req, form: FormState(req, errors), status: .unprocessableEntity)
        }
    }

    @Sendable static func importProgress(req: Request) async throws -> ImportProgress.Snapshot {
        guard let token = req.parameters.get("token"),
              let snapshot = req.application.importProgress.progress(token: token, owner: try req.requireUser().requireID()) else { throw AppError.notFound }
        return snapshot
    }

    @Sendable static func exportRoster(req: Request) async throws -> Response {
        WorkforceAPIController.csvResponse(try await Roster.exportCSV(req.context, enterpriseID: try ownEnterprise(req)), name: "roster.csv")
    }

    @Sendable static func template(req: Request) async throws -> Response {
        WorkforceAPIController.csvResponse(RosterCSV.template, name: "roster-template.csv")
    }

    // MARK: One person: /workforce/employees/:id

    struct EmployeePage: Encodable {
        let page: PageContext
        let employee: Roster.EmployeeDTO
        let statusName: String
        let fullID: String?
        let code: Health.CodeDTO
        let colorName: String
        let reports: [WorkforcePagesController.ReportRow]
        let travel: [TravelRow]
        let transports: [SelectOption]
        let caseStatuses: [SelectOption]
        let symptoms: [SelectOption]
        let hasAccount: Bool
        let form: FormState
        /// The travel form's own state: its fields share names with the report's.
        let travelForm: FormState
        let travelAction: String
    }

    struct TravelRow: Encodable {
        let recorded: String
        let places: String
        let returnDate: String
        let transport: String
        let outside: Bool
        let keyArea: Bool
        let contact: Bool
        let symptoms: Bool
    }

    @Sendable static func employee(req: Request) async throws -> Response {
        try await renderEmployee(req, form: FormState())
    }

    static func renderEmployee(_ req: Request, form: FormState, travelForm: FormState = FormState(), fullID: String? = nil,
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let employee = try await WorkforceAPIController.employee(req, today: true)
        let code = try await Health.code(req.context, employee)
        let history = try await Health.history(req.context, employee, days: 14)
        let travel = try await TravelRecord.query(on: req.db).filter(\.$employee.$id == employee.id!).sort(\.$createdAt, .descending).limit(10).all()
        return try await Pages.render(req, "workforce/employee", EmployeePage(
            page: try await Pages.context(req, titleKey: "workforce.employee"), employee: Roster.EmployeeDTO(employee),
            statusName: req.t("workforce.status.\(employee.status.rawValue)"), fullID: fullID, code: code,
            colorName: req.t("health.color.\(code.color.rawValue)"),
            reports: history.map { WorkforcePagesController.ReportRow($0, req) },
            travel: travel.map { Screening.dto($0) }.map { record in
                TravelRow(recorded: DisplayFormat.date(record.createdAt),
                          places: record.leftCity ? record.places.map { "\($0.province)\($0.city)" }.joined(separator: "、") : req.t("travel.stayed"),
                          returnDate: record.returnDate ?? "", transport: record.transport.map { req.t("transport.\($0.rawValue)") + " " + record.transportNumber } ?? "",
                          outside: record.outsideProvince, keyArea: record.keyArea, contact: record.contactWithCases, symptoms: record.symptomsLast14Days)
            },
            transports: options(Transport.allCases.map(\.rawValue), key: { req.t("transport.\($0)") }, selected: travelForm.values["transport"]),
            caseStatuses: options(CaseStatus.allCases.map(\.rawValue), key: { req.t("case.\($0)") }, selected: employee.caseStatus.rawValue),
            symptoms: Symptom.allCases.map {
                SelectOption(value: $0.rawValue, label: req.t("symptom.\($0.rawValue)"),
                             selected: (form.values["symptoms"] ?? "").split(separator: ",").contains(Substring($0.rawValue)))
            },
            hasAccount: try await User.query(on: req.db).filter(\.$employeeID == employee.id).count() > 0, form: form, travelForm: travelForm,
            travelAction: "/workforce/employees/\(employee.id!)/travel"), status: status)
    }

    static func employeePath(_ req: Request) throws -> String {
        guard let id = req.parameters.get("employeeID", as: UUID.self) else { throw AppError.notFound }
        return "/workforce/employees/\(id)"
    }

    /// The full ID number, shown once on this page; the reading is audited.
    @Sendable static func revealID(req: Request) async throws -> Response {
        let number = try await Roster.revealID(req.context, try await WorkforceAPIController.employee(req))
        return try await renderEmployee(req, form: FormState(), fullID: number)
    }

    @Sendable static func changeEmployee(req: Request) async throws -> Response {
        let change = try req.content.decode(Roster.Change.self)
        return try await act(req, redirect: try employeePath(req), flash: "workforce.saved",
                             render: { try await renderEmployee(req, form: $0, status: .unprocessableEntity) }) {
            try await Roster.change(req.context, try await WorkforceAPIController.employee(req), change)
        }
    }

    struct TravelForm: Content {
        var leftCity: String?
        var places: String?
        var returnDate: String?
        var transport: String?
        var transportNumber: String?
        var contactWithCases: String?
        var contactDate: String?
        var symptomsLast14Days: String?
    }

    @Sendable static func recordTravel(req: Request) async throws -> Response {
        try await travel(req, person: { try await WorkforceAPIController.employee(req) }, redirect: try employeePath(req)) {
            try await renderEmployee(req, form: FormState(), travelForm: $0, status: .unprocessableEntity)
        }
    }

    static func travel(_ req: Request, person: () async throws -> Employee, redirect: String,
                       render: (FormState) async throws -> Response) async throws -> Response {
        let form = try req.content.decode(TravelForm.self)
        let values = ["places": form.places ?? "", "returnDate": form.returnDate ?? "", "transport": form.transport ?? "",
                      "transportNumber": form.transportNumber ?? "", "contactDate": form.contactDate ?? "",
                      "leftCity": form.leftCity ?? "", "contactWithCases": form.contactWithCases ?? "",
                      "symptomsLast14Days": form.symptomsLast14Days ?? ""]
        return try await act(req, redirect: redirect, flash: "workforce.travelRecorded", values: values, render: render) {
            _ = try await Screening.record(req.context, try await person(), Screening.TravelInput(
                leftCity: FormText.yesNo(form.leftCity), places: Gate.PlaceDTO.lines(form.places), returnDate: form.returnDate,
                transport: (form.transport ?? "").isEmpty ? nil : form.transport, transportNumber: form.transportNumber,
                contactWithCases: FormText.yesNo(form.contactWithCases), contactDate: form.contactDate,
                symptomsLast14Days: FormText.yesNo(form.symptomsLast14Days)))
        }
    }

    /// The enterprise admin reports for someone (no phone, or away).
    @Sendable static func reportFor(req: Request) async throws -> Response {
        var form = try req.content.decode(WorkforcePagesController.ReportForm.self)
        form.employeeId = req.parameters.get("employeeID", as: UUID.self)
        return try await act(req, redirect: try employeePath(req), flash: "health.reported", values: form.values,
                             render: { try await renderEmployee(req, form: $0, status: .unprocessableEntity) }) {
            var errors = FieldErrors()
            let input = WorkforcePagesController.reportInput(form, into: &errors)
            try errors.throwIfAny()
            _ = try await Health.report(req.context, input)
        }
    }

    /// The employee's own account, for the phone pages.
    @Sendable static func makeAccount(req: Request) async throws -> Response {
        let form = try req.content.decode(AccountForm.self)
        return try await act(req, redirect: try employeePath(req), flash: "workforce.accountMade", values: ["username": form.username ?? ""],
                             render: { try await renderEmployee(req, form: $0, status: .unprocessableEntity) }) {
            let employee = try await WorkforceAPIController.employee(req)
            _ = try await AccountsService.create(req.context, AccountsService.NewUser(username: form.username, password: form.password, role: Role.employee.rawValue,
                                                                          displayName: employee.name, employeeId: employee.id))
        }
    }

    // MARK: Screening and quarantine: /workforce/screening

    struct ScreeningPage: Encodable {
        let page: PageContext
        let overview: Screening.Overview
        let filter: String
        let quarantines: [Screening.QuarantineDTO]
        let causeNames: [String: String]
        let form: FormState
        let places: [SelectOption]
    }

    @Sendable static func screening(req: Request) async throws -> Response {
        try await renderScreening(req, form: FormState())
    }

    static func renderScreening(_ req: Request, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let enterpriseID = try ownEnterprise(req)
        let filter = req.query[String.self, at: "filter"] ?? ""
        return try await Pages.render(req, "workforce/screening", ScreeningPage(
            page: try await Pages.context(req, titleKey: "workforce.screening"),
            overview: try await Screening.overview(req.context, enterpriseID: enterpriseID, filter: filter.isEmpty ? nil : filter), filter: filter,
            quarantines: try await Screening.quarantines(req.context, enterpriseID: enterpriseID),
            causeNames: Dictionary(uniqueKeysWithValues: QuarantineCause.allCases.map { ($0.rawValue, req.t("quarantine.cause.\($0.rawValue)")) }),
            form: form, places: options(QuarantinePlace.allCases.map(\.rawValue), key: { req.t("quarantine.place.\($0)") }, selected: form.values["place"])),
            status: status)
    }

    struct QuarantineForm: Content {
        var employeeNumber: String?
        var startDate: String?
        var place: String?
        var plannedEnd: String?
        var reason: String?
        var slot: Int?
        var temperature: String?
    }

    @Sendable static func startQuarantine(req: Request) async throws -> Response {
        let form = try req.content.decode(QuarantineForm.self)
        return try await act(req, redirect: "/workforce/screening", flash: "workforce.quarantineStarted",
                             values: ["employeeNumber": form.employeeNumber ?? "", "startDate": form.startDate ?? "", "place": form.place ?? ""],
                             render: { try await renderScreening(req, form: $0, status: .unprocessableEntity) }) {
            let enterpriseID = try ownEnterprise(req)
            let employee = try await Employee.query(on: req.db).filter(\.$enterprise.$id == enterpriseID)
                .filter(\.$employeeNumber == FormText.trimmed(form.employeeNumber)).first()
            guard let employee else { throw FieldErrors("employeeNumber", "error.employee.unknown") }
            _ = try await Screening.startQuarantine(req.context, enterpriseID: enterpriseID,
                                                    Screening.QuarantineInput(employeeId: employee.id, startDate: form.startDate, place: form.place))
        }
    }

    @Sendable static func quarantineAction(req: Request) async throws -> Response {
        let form = try req.content.decode(QuarantineForm.self)
        let action = req.parameters.get("action") ?? ""
        return try await act(req, redirect: "/workforce/screening", flash: "workforce.saved",
                             render: { try await renderScreening(req, form: $0, status: .unprocessableEntity) }) {
            let quarantine = try await Screening.findQuarantine(req.context, id: req.parameters.get("quarantineID", as: UUID.self), enterpriseID: try ownEnterprise(req))
            switch action {
            case "release": try await Screening.release(req.context, quarantine)
            case "extension": try await Screening.extend(req.context, quarantine, Screening.ExtensionInput(plannedEnd: form.plannedEnd, reason: form.reason))
            case "readings":
                var errors = FieldErrors()
                let temperature = FormText.decimal(form.temperature, field: "temperature", required: true, into: &errors)
                try errors.throwIfAny()
                try await Screening.reading(req.context, quarantine, Screening.ReadingInput(slot: form.slot, temperature: temperature))
            default: throw AppError.notFound
            }
        }
    }

    // MARK: Supplies: /workforce/supplies

    struct SuppliesPage: Encodable {
        let page: PageContext
        let supplies: [SupplyRow]
        let items: [SelectOption]
        let anyLow: Bool
        let warningDays: Int
        let chart: BarChart
        let form: FormState
    }

    @Sendable static func supplies(req: Request) async throws -> Response {
        try await renderSupplies(req, form: FormState())
    }

    static func renderSupplies(_ req: Request, form: FormState, status: HTTPResponseStatus = .ok) async throws -> Response {
        let items = try await Supplies.items(req.context, enterpriseID: try ownEnterprise(req))
        return try await Pages.render(req, "workforce/supplies", SuppliesPage(
            page: try await Pages.context(req, titleKey: "workforce.supplies"), supplies: supplyRows(req, items),
            items: options(SupplyItem.allCases.map(\.rawValue), key: { req.t("supply.item.\($0)") }, selected: form.values["item"]),
            anyLow: items.contains(where: \.low), warningDays: try await req.districtSettings().health.supplyWarningDays,
            chart: BarChart(title: req.t("workforce.suppliesChart"), legend: req.t("workforce.daysRemaining"), tenths: true,
                            values: items.compactMap { item in
                                item.daysRemaining.map { (req.t("supply.item.\(item.item.rawValue)"), Int(($0 * 10).rounded()), nil) }
                            }),
            form: form), status: status)
    }

    struct SupplyForm: Content {
        var item: String?
        var received: String?
        var used: String?
        var stock: String?
    }

    @Sendable static func recordSupply(req: Request) async throws -> Response {
        let form = try req.content.decode(SupplyForm.self)
        return try await act(req, redirect: "/workforce/supplies", flash: "workforce.saved",
                             values: ["item": form.item ?? "", "received": form.received ?? "", "used": form.used ?? "", "stock": form.stock ?? ""],
                             render: { try await renderSupplies(req, form: $0, status: .unprocessableEntity) }) {
            var errors = FieldErrors()
            let input = Supplies.Input(item: form.item, received: FormText.decimal(form.received, field: "received", into: &errors),
                                       used: FormText.decimal(form.used, field: "used", into: &errors),
                                       stock: FormText.decimal(form.stock, field: "stock", into: &errors))
            try errors.throwIfAny()
            try await Supplies.record(req.context, enterpriseID: try ownEnterprise(req), try input.command())
        }
    }

    @Sendable static func requestSupplies(req: Request) async throws -> Response {
        if let open = try await Supplies.openRequest(req.context, enterpriseID: try ownEnterprise(req)) {
            try await Pages.flash(req, "workforce.suppliesAlreadyRequested")
            return req.redirect(to: "/helpdesk/\(open.id!)")
        }
        return try await act(req, redirect: "/helpdesk", flash: "workforce.suppliesRequested",
                      render: { try await renderSupplies(req, form: $0, status: .unprocessableEntity) }) {
            _ = try await Supplies.request(req.context, enterpriseID: try ownEnterprise(req))
        }
    }

    // MARK: The district: /workforce/district

    struct DistrictPage: Encodable {
        let page: PageContext
        let date: String
        let rows: [DistrictRow]
        let charts: [BarChart]
        let totals: DistrictRow?
    }

    struct DistrictRow: Encodable {
        let enterpriseId: UUID?
        let name: String
        let employees: Int
        let onSite: Int
        let reportedPercent: Int
        let fevers: Int
        let inQuarantine: Int
        let suppliesDays: String
        let low: Bool
    }

    /// Enterprises with a roster: the district's roles see all, an officer those they serve.
    @Sendable static func district(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let day = (try? WorkforceAPIController.day(req)) ?? CivilDate(req.now)
        let withRoster = try await WorkforceStore.enterprisesWithRoster(req.db)
        var enterprises = try await Enterprise.query(on: req.db).filter(\.$id ~~ withRoster).sort(\.$name).all()
        if user.role == .officer {
            let served = try await OfficerService.assignedEnterpriseIDs(user, on: req.db)
            enterprises = enterprises.filter { served.contains($0.id!) }
        }
        var rows: [DistrictRow] = []
        var figures: [WorkforceFigures] = []
        for enterprise in enterprises.prefix(200) {
            let summary = try await DailySummary.compute(req.context, enterpriseID: enterprise.id!, day: day, site: false)
            let day = WorkforceFigures(employees: summary.employees, onSite: summary.onSite, reported: summary.reported, fevers: summary.fevers,
                                       inQuarantine: summary.inQuarantine, lowSupplies: !summary.lowSupplies.isEmpty)
            figures.append(day)
            rows.append(DistrictRow(enterpriseId: enterprise.id, name: enterprise.name, employees: day.employees, onSite: day.onSite,
                                    reportedPercent: day.reportedPercent, fevers: day.fevers, inQuarantine: day.inQuarantine,
                                    suppliesDays: summary.suppliesDays.map { String(format: "%.1f", $0) } ?? "—", low: day.lowSupplies))
        }
        let total = WorkforceFigures.total(figures)
        let totals = rows.isEmpty ? nil : DistrictRow(enterpriseId: nil, name: req.t("workforce.total"), employees: total.employees, onSite: total.onSite,
                                                      reportedPercent: total.reportedPercent, fevers: total.fevers,
                                                      inQuarantine: total.inQuarantine, suppliesDays: "", low: total.lowSupplies)
        return try await Pages.render(req, "workforce/district", DistrictPage(
            page: try await Pages.context(req, titleKey: "workforce.district"), date: day.iso, rows: rows,
            // The share that reported and the fevers are two measures: two charts, each on its own scale.
            charts: [
                BarChart(title: req.t("workforce.districtChart"), legend: req.t("workforce.reportedPercent"), unit: "%", maximum: 100, suffix: "%",
                         values: rows.map { ($0.name, $0.reportedPercent, nil) }),
                BarChart(title: req.t("workforce.districtFeverChart"), legend: req.t("workforce.fevers"), unit: req.t("unit.people"),
                         rows: rows.map { ($0.name, $0.fevers, nil) }),
            ],
            totals: totals))
    }
}
