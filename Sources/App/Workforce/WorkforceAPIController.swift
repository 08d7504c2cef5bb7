import Domain
import Fluent
import Vapor

/// `/api/v1/enterprises/{id}/employees…`, `/api/v1/employees/{id}…`, `/api/v1/health-reports`,
/// `/api/v1/gate/…`, `/api/v1/enterprises/{id}/daily-summary`, quarantines, supplies, alerts.
enum WorkforceAPIController {
    /// The employee the route names, if the caller may see them (`Roster.find`).
    static func employee(_ req: Request, today: Bool = false) async throws -> Employee {
        try await Roster.find(req.context, req.parameters.get("employeeID", as: UUID.self), today: today)
    }

    static func enterpriseID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("enterpriseID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    static func day(_ req: Request) throws -> CivilDate {
        guard let raw = req.query[String.self, at: "date"], !raw.isEmpty else { return CivilDate(req.now) }
        guard let day = CivilDate(iso: raw) else { throw FieldErrors("date", "error.date") }
        return day
    }

    // MARK: Roster

    @Sendable static func addEmployee(req: Request) async throws -> Response {
        let employee = try await Roster.add(req.context, enterpriseID: try enterpriseID(req), try req.content.decode(EmployeeDraft.self))
        return try Response.created(Roster.EmployeeDTO(employee))
    }

    /// `text/csv` body (UTF-8 or GBK). 200 with the count, or 422 with every row's errors.
    @Sendable static func importEmployees(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "progress"].map { String($0.prefix(64)) }
        let progress = try token.map { req.application.startImport(token: $0, owner: try req.requireUser().requireID()) }
        let result: Roster.ImportResult
        if let body = req.body.data, body.readableBytes > 0 {
            result = try await Roster.importCSV(req.context, enterpriseID: try enterpriseID(req), data: Data(buffer: body), progress: progress)
        } else {
            result = .empty(req.context)
        }
        let response = Response(status: result.errors.isEmpty ? .ok : .unprocessableEntity)
        try response.content.encode(result)
        return response
    }

    @Sendable static func listEmployees(req: Request) async throws -> ListDTO<Roster.EmployeeDTO> {
        let status = try req.query[String.self, at: "status"].map {
            guard let status = EmploymentStatus(rawValue: $0) else { throw FieldErrors("status", "error.choice") }
            return status
        }
        let page = try await Roster.list(req.context, enterpriseID: try enterpriseID(req), text: req.query[String.self, at: "q"] ?? "", status: status, page: req.query[Int.self, at: "page"] ?? 1)
        return ListDTO(page.items.map(Roster.EmployeeDTO.init), page.metadata)
    }

    @Sendable static func exportEmployees(req: Request) async throws -> Response {
        let csv = try await Roster.exportCSV(req.context, enterpriseID: try enterpriseID(req))
        return csvResponse(csv, name: "roster.csv")
    }

    static func csvResponse(_ text: String, name: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return response
    }

    @Sendable static func template(req: Request) async throws -> Response {
        csvResponse(RosterCSV.template, name: "roster-template.csv")
    }

    @Sendable static func showEmployee(req: Request) async throws -> Roster.EmployeeDTO {
        Roster.EmployeeDTO(try await WorkforceAPIController.employee(req))
    }

    @Sendable static func changeEmployee(req: Request) async throws -> Roster.EmployeeDTO {
        let employee = try await WorkforceAPIController.employee(req)
        try await Roster.change(req.context, employee, try req.content.decode(Roster.Change.self))
        return Roster.EmployeeDTO(employee)
    }

    struct IDNumberDTO: Content { let idNumber: String }

    @Sendable static func revealID(req: Request) async throws -> IDNumberDTO {
        IDNumberDTO(idNumber: try await Roster.revealID(req.context, try await WorkforceAPIController.employee(req)))
    }

    // MARK: Travel, reports, code

    @Sendable static func travel(req: Request) async throws -> Response {
        let record = try await Screening.record(req.context, try await WorkforceAPIController.employee(req), try req.content.decode(Screening.TravelInput.self))
        return try Response.created(record)
    }

    @Sendable static func travelRecords(req: Request) async throws -> [Screening.TravelDTO] {
        let employee = try await WorkforceAPIController.employee(req)
        return try await TravelRecord.query(on: req.db).filter(\.$employee.$id == employee.id!).sort(\.$createdAt, .descending)
            .limit(50).all().map { Screening.dto($0) }
    }

    @Sendable static func screening(req: Request) async throws -> Screening.Overview {
        try await Screening.overview(req.context, enterpriseID: try enterpriseID(req), filter: req.query[String.self, at: "filter"])
    }

    @Sendable static func report(req: Request) async throws -> Response {
        try Response.created(try await Health.report(req.context, try req.decodeJSON(Health.ReportInput.self)))
    }

    @Sendable static func reports(req: Request) async throws -> [Health.ReportDTO] {
        try await Health.history(req.context, try await WorkforceAPIController.employee(req))
    }

    @Sendable static func healthCode(req: Request) async throws -> Health.CodeDTO {
        try await Health.code(req.context, try await WorkforceAPIController.employee(req, today: true))
    }

    /// The day's pass as an SVG QR code (the employee only).
    @Sendable static func passImage(req: Request) async throws -> Response {
        let employee = try await Roster.own(req.context)
        let code = try await Health.todaysPass(req.context, employee)
        let response = Response(status: .ok, body: .init(string: try Health.passSVG(code, label: req.t("health.passLabel", code))))
        response.headers.replaceOrAdd(name: .contentType, value: "image/svg+xml")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    @Sendable static func notReported(req: Request) async throws -> [Roster.EmployeeDTO] {
        try await DailySummary.notReported(req.context, enterpriseID: try enterpriseID(req), day: try day(req))
    }

    // MARK: Gate

    @Sendable static func checkIn(req: Request) async throws -> Gate.DecisionDTO {
        try await Gate.checkIn(req.context, try req.decodeJSON(Gate.CheckInInput.self))
    }

    @Sendable static func registerVisitor(req: Request) async throws -> Response {
        try Response.created(try await Gate.registerVisitor(req.context, try req.content.decode(Gate.VisitorInput.self)))
    }

    @Sendable static func visitors(req: Request) async throws -> [Gate.VisitorDTO] {
        try await Gate.visitors(req.context, day: try day(req))
    }

    @Sendable static func checkOutVisitor(req: Request) async throws -> Gate.VisitorDTO {
        guard let id = req.parameters.get("visitorID", as: UUID.self) else { throw AppError.notFound }
        return try await Gate.checkOutVisitor(req.context, visitorID: id)
    }

    @Sendable static func gateLog(req: Request) async throws -> [Gate.LogEntry] {
        try await Gate.log(req.context, day: try day(req))
    }

    // MARK: Quarantine, alerts, supplies, summary

    @Sendable static func quarantines(req: Request) async throws -> [Screening.QuarantineDTO] {
        try await Screening.quarantines(req.context, enterpriseID: try enterpriseID(req))
    }

    @Sendable static func startQuarantine(req: Request) async throws -> Response {
        let enterpriseID = try enterpriseID(req)
        let quarantine = try await Screening.startQuarantine(req.context, enterpriseID: enterpriseID, try req.content.decode(Screening.QuarantineInput.self))
        guard let made = try await Screening.quarantines(req.context, enterpriseID: enterpriseID).first(where: { $0.id == quarantine.id }) else {
            throw AppError.notFound
        }
        return try Response.created(made)
    }

    @Sendable static func releaseQuarantine(req: Request) async throws -> HTTPStatus {
        try await Screening.release(req.context, try await Screening.findQuarantine(req.context, id: req.parameters.get("quarantineID", as: UUID.self), enterpriseID: try enterpriseID(req)))
        return .noContent
    }

    @Sendable static func extendQuarantine(req: Request) async throws -> HTTPStatus {
        let quarantine = try await Screening.findQuarantine(req.context, id: req.parameters.get("quarantineID", as: UUID.self), enterpriseID: try enterpriseID(req))
        try await Screening.extend(req.context, quarantine, try req.content.decode(Screening.ExtensionInput.self))
        return .noContent
    }

    @Sendable static func quarantineReading(req: Request) async throws -> HTTPStatus {
        let quarantine = try await Screening.findQuarantine(req.context, id: req.parameters.get("quarantineID", as: UUID.self), enterpriseID: try enterpriseID(req))
        try await Screening.reading(req.context, quarantine, try req.content.decode(Screening.ReadingInput.self))
        return .created
    }

    @Sendable static func alerts(req: Request) async throws -> [FeverAlerts.AlertDTO] {
        try await FeverAlerts.list(req.context, enterpriseID: try enterpriseID(req))
    }

    @Sendable static func handleAlert(req: Request) async throws -> HTTPStatus {
        guard let id = req.parameters.get("alertID", as: UUID.self) else { throw AppError.notFound }
        try await FeverAlerts.handle(req.context, alertID: id, enterpriseID: try enterpriseID(req))
        return .noContent
    }

    @Sendable static func supplies(req: Request) async throws -> [Supplies.ItemDTO] {
        try await Supplies.items(req.context, enterpriseID: try enterpriseID(req))
    }

    @Sendable static func recordSupply(req: Request) async throws -> [Supplies.ItemDTO] {
        try await Supplies.record(req.context, enterpriseID: try enterpriseID(req), try req.content.decode(Supplies.Input.self).command())
        return try await supplies(req: req)
    }

    @Sendable static func requestSupplies(req: Request) async throws -> Response {
        let ticket = try await Supplies.request(req.context, enterpriseID: try enterpriseID(req))
        return try Response.created(try await HelpdeskService.dto(req.context, ticket, withMessages: false))
    }

    @Sendable static func checkpoints(req: Request) async throws -> [Gate.CheckpointDTO] {
        try await Gate.checkpoints(req.context, enterpriseID: try enterpriseID(req))
    }

    @Sendable static func addCheckpoint(req: Request) async throws -> Response {
        try await Gate.addCheckpoint(req.context, enterpriseID: try enterpriseID(req), try req.content.decode(Gate.CheckpointInput.self))
            .encodeResponse(status: .created, for: req)
    }

    @Sendable static func dailySummary(req: Request) async throws -> DailySummary.DTO {
        let enterpriseID = try enterpriseID(req)
        try await DailySummary.check(req.context, enterpriseID: enterpriseID)
        return try await DailySummary.compute(req.context, enterpriseID: enterpriseID, day: try day(req))
    }
}
