import Domain
import Fluent
import SQLKit
import Vapor

/// A place an enterprise disinfects, and how often (`DisinfectionArea`).
final class SiteArea: Model, @unchecked Sendable {
    static let schema = "disinfection_areas"

    @ID(key: .id) var id: UUID?
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: AreaKind
    @Field(key: "times_per_day") var timesPerDay: Int
    @Field(key: "created_at") var createdAt: Date
    /// When its admins were last told it is overdue; cleared by the next disinfection.
    @OptionalField(key: "alerted_at") var alertedAt: Date?

    init() {}

    var rule: DisinfectionArea { DisinfectionArea(name: name, kind: kind, timesPerDay: timesPerDay) }
}

/// One disinfection of an area: when, with what, at what concentration, by whom.
final class Disinfection: Model, @unchecked Sendable {
    static let schema = "disinfections"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Parent(key: "area_id") var area: SiteArea
    @Field(key: "at") var at: Date
    @Field(key: "agent") var agent: String
    @Field(key: "concentration") var concentration: Double
    @Enum(key: "unit") var unit: ConcentrationUnit
    @Field(key: "recorded_by") var recordedBy: String

    init() {}
}

/// Where an employee works on a day (`WorkArrangement`).
final class WorkDay: Model, @unchecked Sendable {
    static let schema = "work_arrangements"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "employee_id") var employeeID: UUID
    /// `2020-02-10`
    @Field(key: "day") var day: String
    @Enum(key: "arrangement") var arrangement: WorkArrangement

    init() {}
}

/// A product the district follows the output of (disinfectant in bottles, suits in pieces…).
final class KeyProduct: Model, @unchecked Sendable {
    static let schema = "key_products"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "unit") var unit: String
    @Field(key: "unit_en") var unitEn: String
    @Field(key: "position") var position: Int

    init() {}

    init(_ code: String, _ name: String, _ nameEn: String, _ unit: String, _ unitEn: String, _ position: Int) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.unit = unit
        self.unitEn = unitEn
        self.position = position
    }

    func name(_ language: Language) -> String { language == .en ? nameEn : name }
    func unit(_ language: Language) -> String { language == .en ? unitEn : unit }
}

/// An enterprise's output of one key product on one day, and its orders still due.
final class OutputReport: Model, @unchecked Sendable {
    static let schema = "output_reports"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "day") var day: String
    @Field(key: "product") var product: String
    @Field(key: "quantity") var quantity: Int
    @OptionalField(key: "orders_due") var ordersDue: Int?
    @Field(key: "reported_at") var reportedAt: Date
    @Field(key: "reported_by") var reportedBy: String

    init() {}
}

struct CreateSite: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SiteArea.schema)
            .id()
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("times_per_day", .int, .required)
            .field("created_at", .datetime, .required)
            .field("alerted_at", .datetime)
            .unique(on: "enterprise_id", "name")
            .create()
        try await database.schema(Disinfection.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("area_id", .uuid, .required, .references(SiteArea.schema, "id"))
            .field("at", .datetime, .required)
            .field("agent", .string, .required)
            .field("concentration", .double, .required)
            .field("unit", .string, .required)
            .field("recorded_by", .string, .required)
            .create()
        try await database.schema(WorkDay.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("employee_id", .uuid, .required)
            .field("day", .string, .required)
            .field("arrangement", .string, .required)
            .unique(on: "employee_id", "day")
            .create()
        try await database.schema(KeyProduct.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("unit", .string, .required)
            .field("unit_en", .string, .required)
            .field("position", .int, .required)
            .unique(on: "code")
            .create()
        try await database.schema(OutputReport.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("day", .string, .required)
            .field("product", .string, .required)
            .field("quantity", .int, .required)
            .field("orders_due", .int)
            .field("reported_at", .datetime, .required)
            .field("reported_by", .string, .required)
            .unique(on: "enterprise_id", "day", "product")
            .create()
        for product in [
            KeyProduct("disinfectant", "消毒液", "Disinfectant", "瓶", "bottles", 1),
            KeyProduct("protectiveSuits", "防护服", "Protective suits", "件", "pieces", 2),
            KeyProduct("masks", "口罩", "Masks", "只", "pieces", 3),
            KeyProduct("vegetables", "蔬菜", "Vegetables", "吨", "tonnes", 4),
            KeyProduct("milk", "乳制品", "Milk and dairy", "吨", "tonnes", 5),
            KeyProduct("grainAndOil", "粮油", "Grain and oil", "吨", "tonnes", 6),
        ] { try await product.create(on: database) }
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "disinfections_area_at").on(Disinfection.schema).column("area_id").column("at").run()
        try await sql.create(index: "work_arrangements_enterprise_day").on(WorkDay.schema).column("enterprise_id").column("day").run()
        try await sql.create(index: "output_reports_day").on(OutputReport.schema).column("day").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [OutputReport.schema, KeyProduct.schema, WorkDay.schema, Disinfection.schema, SiteArea.schema] {
            try await database.schema(schema).delete()
        }
    }
}
