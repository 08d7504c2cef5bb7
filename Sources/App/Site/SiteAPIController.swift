import Domain
import Fluent
import Vapor

/// `/api/v1/enterprises/{id}/disinfection-areas|disinfections|work-arrangements|output`,
/// `/api/v1/key-products`, `/api/v1/output-totals`. Reads are the enterprise's and the
/// government's (an officer's own enterprises only, `DailySummary.check`); writes the
/// enterprise admin's.
enum SiteAPIController {
    static func enterpriseID(_ req: Request) async throws -> UUID {
        let id = try WorkforceAPIController.enterpriseID(req)
        try await DailySummary.check(req.context, enterpriseID: id)
        return id
    }

    struct AreaDTO: Content {
        let id: UUID
        let name: String
        let kind: AreaKind
        let timesPerDay: Int
    }

    struct DisinfectionDTO: Content {
        let id: UUID
        let areaId: UUID
        let areaName: String?
        let at: Date
        let agent: String
        let concentration: Double
        let unit: ConcentrationUnit
        let recordedBy: String

        init(_ record: Disinfection) throws {
            id = try record.requireID()
            areaId = record.$area.id
            areaName = record.$area.value?.name
            at = record.at
            agent = record.agent
            concentration = record.concentration
            unit = record.unit
            recordedBy = record.recordedBy
        }
    }

    @Sendable static func areas(req: Request) async throws -> [SiteService.AreaStatus] {
        try await SiteService.status(req.context, enterpriseID: try await enterpriseID(req))
    }

    @Sendable static func addArea(req: Request) async throws -> Response {
        let area = try await SiteService.addArea(req.context, enterpriseID: try await enterpriseID(req), try req.content.decode(SiteService.AreaInput.self))
        return try await AreaDTO(id: area.requireID(), name: area.name, kind: area.kind, timesPerDay: area.timesPerDay).encodeResponse(status: .created, for: req)
    }

    @Sendable static func disinfections(req: Request) async throws -> [DisinfectionDTO] {
        try await SiteService.log(req.context, enterpriseID: try await enterpriseID(req), day: try WorkforceAPIController.day(req)).map(DisinfectionDTO.init)
    }

    @Sendable static func record(req: Request) async throws -> Response {
        let record = try await SiteService.record(req.context, enterpriseID: try await enterpriseID(req), try req.content.decode(SiteService.DisinfectionInput.self))
        return try await DisinfectionDTO(record).encodeResponse(status: .created, for: req)
    }

    struct ArrangementsDTO: Content {
        struct Item: Content {
            let employeeId: UUID
            let arrangement: WorkArrangement
        }

        let day: SiteService.ArrangementDay
        let items: [Item]
    }

    @Sendable static func arrangements(req: Request) async throws -> ArrangementsDTO {
        let id = try await enterpriseID(req)
        let day = try WorkforceAPIController.day(req)
        let items = try await SiteService.arrangements(req.context, enterpriseID: id, day: day)
        return ArrangementsDTO(day: try await SiteService.day(req.context, enterpriseID: id, day: day),
                               items: items.map { .init(employeeId: $0.key, arrangement: $0.value) }.sorted { $0.employeeId.uuidString < $1.employeeId.uuidString })
    }

    @Sendable static func arrange(req: Request) async throws -> SiteService.ArrangementDay {
        try await SiteService.arrange(req.context, enterpriseID: try await enterpriseID(req), try req.content.decode(SiteService.ArrangementInput.self))
    }

    struct OutputDTO: Content {
        let date: String
        let product: String
        let quantity: Int
        let ordersDue: Int?
        let reportedBy: String

        init(_ report: OutputReport) {
            date = report.day
            product = report.product
            quantity = report.quantity
            ordersDue = report.ordersDue
            reportedBy = report.reportedBy
        }
    }

    @Sendable static func output(req: Request) async throws -> [OutputDTO] {
        let range = try req.dayRange(defaultDays: 14)
        return try await SiteService.output(req.context, enterpriseID: try await enterpriseID(req), from: range.from, to: range.to).map(OutputDTO.init)
    }

    @Sendable static func reportOutput(req: Request) async throws -> Response {
        let reports = try await SiteService.reportOutput(req.context, enterpriseID: try await enterpriseID(req), try req.content.decode(SiteService.OutputInput.self))
        return try await reports.map(OutputDTO.init).encodeResponse(status: .created, for: req)
    }

    struct ProductDTO: Content {
        let code: String
        let name: String
        let unit: String
    }

    @Sendable static func products(req: Request) async throws -> [ProductDTO] {
        try await SiteService.products(req.db).map { ProductDTO(code: $0.code, name: $0.name(req.language), unit: $0.unit(req.language)) }
    }

    @Sendable static func totals(req: Request) async throws -> SiteService.Totals {
        let range = try req.dayRange(defaultDays: 14)
        return try await SiteService.totals(req.context, from: range.from, to: range.to, enterprises: try await SitePagesController.scope(req),
                                            language: req.language)
    }
}
