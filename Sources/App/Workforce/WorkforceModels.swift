import Domain
import Fluent
import SQLKit
import Vapor

enum EmploymentStatus: String, Codable, CaseIterable, Sendable { case employed, left }

/// An enterprise's employee. The resident ID number is kept sealed (`PersonalData`), with a
/// keyed hash for look-ups and uniqueness and its masked form for display. The last
/// temperature and the case facts are kept on the row: the health code reads them at the gate.
final class Employee: Model, @unchecked Sendable {
    static let schema = "employees"

    @ID(key: .id) var id: UUID?
    @Parent(key: Column.enterpriseID.key) var enterprise: Enterprise
    @Field(key: Column.name.key) var name: String
    @Field(key: Column.idSealed.key) var idSealed: String
    @Field(key: Column.idHash.key) var idHash: String
    @Field(key: Column.idMasked.key) var idMasked: String
    @Field(key: Column.mobile.key) var mobile: String
    @Field(key: Column.employeeNumber.key) var employeeNumber: String
    @Field(key: Column.department.key) var department: String
    @Field(key: Column.shift.key) var shift: String
    @Field(key: Column.homeProvince.key) var homeProvince: String
    @Field(key: Column.homeCity.key) var homeCity: String
    @Enum(key: Column.status.key) var status: EmploymentStatus
    @Enum(key: Column.caseStatus.key) var caseStatus: CaseStatus
    /// Last day of contact with a confirmed or suspected case (ISO date), from screening or by hand.
    @OptionalField(key: Column.lastCaseContact.key) var lastCaseContact: String?
    @OptionalField(key: Column.lastTemperature.key) var lastTemperature: Double?
    @OptionalField(key: Column.lastTemperatureAt.key) var lastTemperatureAt: Date?
    @Field(key: Column.createdAt.key) var createdAt: Date
    @OptionalField(key: Column.leftAt.key) var leftAt: Date?

    init() {}

    /// The day's facts read with the person (`fetch(_:day:on:)`): today's report's symptoms
    /// (nil: no report yet) and the quarantine in force that day. Not stored.
    struct Today {
        let symptoms: String?
        let quarantine: QuarantinePeriod?
    }

    var today: Today?

    /// The names of these people, for logs and lists that show who.
    static func names(_ ids: some Sequence<UUID>, on db: any Database) async throws -> [UUID: String] {
        let ids = Set(ids)
        guard !ids.isEmpty else { return [:] }
        return try await Employee.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
    }

    /// Their names and roster numbers, for the gate log, where two people may share a name.
    static func namesAndNumbers(_ ids: some Sequence<UUID>, on db: any Database) async throws -> [UUID: (name: String, number: String)] {
        let ids = Set(ids)
        guard !ids.isEmpty else { return [:] }
        return try await Employee.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).field(\.$employeeNumber).all()
            .reduce(into: [UUID: (name: String, number: String)]()) { $0[$1.id!] = ($1.name, $1.employeeNumber) }
    }

    /// Each column's name, once: the fields above, the table's migration and the store's
    /// statements (`WorkforceStore`) all use these.
    enum Column: String, CaseIterable, CustomStringConvertible, Sendable {
        case id
        case enterpriseID = "enterprise_id"
        case name
        case idSealed = "id_sealed"
        case idHash = "id_hash"
        case idMasked = "id_masked"
        case mobile
        case employeeNumber = "employee_number"
        case department
        case shift
        case homeProvince = "home_province"
        case homeCity = "home_city"
        case status
        case caseStatus = "case_status"
        case lastCaseContact = "last_case_contact"
        case lastTemperature = "last_temperature"
        case lastTemperatureAt = "last_temperature_at"
        case createdAt = "created_at"
        case leftAt = "left_at"

        var description: String { rawValue }
        var key: FieldKey { self == .id ? .id : FieldKey(stringLiteral: rawValue) }
        static var all: [Column] { allCases }
    }

    /// A person from a row that has every column (`WorkforceStore.employee`).
    convenience init(row: some SQLRow) throws {
        self.init()
        func value<T: Decodable>(_ column: Column, _ type: T.Type = T.self) throws -> T { try row.decode(column: column.rawValue, as: T.self) }
        id = try value(.id)
        $enterprise.id = try value(.enterpriseID)
        name = try value(.name)
        idSealed = try value(.idSealed)
        idHash = try value(.idHash)
        idMasked = try value(.idMasked)
        mobile = try value(.mobile)
        employeeNumber = try value(.employeeNumber)
        department = try value(.department)
        shift = try value(.shift)
        homeProvince = try value(.homeProvince)
        homeCity = try value(.homeCity)
        status = EmploymentStatus(rawValue: try value(.status, String.self)) ?? .employed
        caseStatus = CaseStatus(rawValue: try value(.caseStatus, String.self)) ?? .none
        lastCaseContact = try value(.lastCaseContact)
        lastTemperature = try value(.lastTemperature)
        lastTemperatureAt = try value(.lastTemperatureAt)
        createdAt = try value(.createdAt)
        leftAt = try value(.leftAt)
        _$idExists = true
    }
}

/// 假期流动信息: one screening of an employee's holiday travel.
final class TravelRecord: Model, @unchecked Sendable {
    static let schema = "travel_records"

    @ID(key: .id) var id: UUID?
    @Parent(key: "employee_id") var employee: Employee
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "left_city") var leftCity: Bool
    /// `[{province, city}]` as JSON.
    @Field(key: "places") var places: String
    @OptionalField(key: "return_date") var returnDate: String?
    @OptionalField(key: "transport") var transport: String?
    @Field(key: "transport_number") var transportNumber: String
    @Field(key: "contact_with_cases") var contactWithCases: Bool
    @OptionalField(key: "contact_date") var contactDate: String?
    @Field(key: "symptoms_last_14_days") var symptomsLast14Days: Bool
    @Field(key: "outside_province") var outsideProvince: Bool
    @Field(key: "key_area") var keyArea: Bool
    @Field(key: "recorded_by") var recordedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class Quarantine: Model, @unchecked Sendable {
    static let schema = "quarantines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "employee_id") var employee: Employee
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Enum(key: "cause") var cause: QuarantineCause
    @Enum(key: "place") var place: QuarantinePlace
    @Field(key: "start_date") var startDate: String
    @Field(key: "planned_end") var plannedEnd: String
    @OptionalField(key: "extension_reason") var extensionReason: String?
    @OptionalField(key: "released_at") var releasedAt: Date?
    @OptionalField(key: "released_by") var releasedBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var period: QuarantinePeriod {
        QuarantinePeriod(start: CivilDate(iso: startDate)!, plannedEnd: CivilDate(iso: plannedEnd)!, released: releasedAt != nil)
    }
}

/// A temperature taken twice a day while in quarantine: slot 1 (morning) and 2 (afternoon).
final class QuarantineReading: Model, @unchecked Sendable {
    static let schema = "quarantine_readings"

    @ID(key: .id) var id: UUID?
    @Parent(key: "quarantine_id") var quarantine: Quarantine
    @Field(key: "day") var day: String
    @Field(key: "slot") var slot: Int
    @Field(key: "temperature") var temperature: Double
    @Field(key: "taken_at") var takenAt: Date

    init() {}
}

/// 每日健康打卡: one per person per day (key: enterprise, day, employee). No model: it is the
/// busiest table, read and written only by `WorkforceStore`'s statements.
enum HealthReportTable {
    static let schema = "health_reports"
}

/// The staff gate log. No model: read and written only by `WorkforceStore`'s statements.
enum GateLogTable {
    static let schema = "gate_check_ins"
}

final class Visitor: Model, @unchecked Sendable {
    static let schema = "visitors"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "name") var name: String
    @Field(key: "mobile") var mobile: String
    @OptionalField(key: "id_sealed") var idSealed: String?
    @OptionalField(key: "id_masked") var idMasked: String?
    @Field(key: "organisation") var organisation: String
    @Field(key: "purpose") var purpose: String
    @OptionalField(key: "host_employee_id") var hostEmployeeID: UUID?
    @Field(key: "places") var places: String
    @Field(key: "key_area_contact") var keyAreaContact: Bool
    @Field(key: "temperature") var temperature: Double
    @Field(key: "mask") var mask: Bool
    @Field(key: "allowed") var allowed: Bool
    @Field(key: "reasons") var reasons: String
    @Field(key: "guard_id") var guardID: UUID
    @Field(key: "checked_in_at") var checkedInAt: Date
    @OptionalField(key: "checked_out_at") var checkedOutAt: Date?

    init() {}
}

enum AlertSource: String, Codable, Sendable { case gate, report, quarantine, checkpoint }

final class FeverAlert: Model, @unchecked Sendable {
    static let schema = "fever_alerts"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "employee_id") var employeeID: UUID
    @Field(key: "department") var department: String
    @Field(key: "temperature") var temperature: Double
    @Enum(key: "source") var source: AlertSource
    @Field(key: "day") var day: String
    /// The alert completed a cluster (`FeverCluster`): the officer and the district were told.
    @Field(key: "cluster") var cluster: Bool
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "handled_at") var handledAt: Date?
    @OptionalField(key: "handled_by") var handledBy: UUID?

    init() {}
}

final class Supply: Model, @unchecked Sendable {
    static let schema = "supplies"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Enum(key: "item") var item: SupplyItem
    @Field(key: "stock") var stock: Double
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A day's use of one supply, as the enterprise records it.
final class SupplyUse: Model, @unchecked Sendable {
    static let schema = "supply_uses"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Enum(key: "item") var item: SupplyItem
    @Field(key: "day") var day: String
    @Field(key: "used") var used: Double

    init() {}
}

/// A gate pass: a short code an employee shows for one day.
final class GatePass: Model, @unchecked Sendable {
    static let schema = "gate_passes"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "employee_id") var employeeID: UUID
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "day") var day: String

    init() {}
}

struct CreateWorkforce: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Employee.schema)
            .id()
            .field(Employee.Column.enterpriseID.key, .uuid, .required, .references(Enterprise.schema, "id"))
            .field(Employee.Column.name.key, .string, .required)
            .field(Employee.Column.idSealed.key, .string, .required)
            .field(Employee.Column.idHash.key, .string, .required)
            .field(Employee.Column.idMasked.key, .string, .required)
            .field(Employee.Column.mobile.key, .string, .required)
            .field(Employee.Column.employeeNumber.key, .string, .required)
            .field(Employee.Column.department.key, .string, .required)
            .field(Employee.Column.shift.key, .string, .required)
            .field(Employee.Column.homeProvince.key, .string, .required)
            .field(Employee.Column.homeCity.key, .string, .required)
            .field(Employee.Column.status.key, .string, .required)
            .field(Employee.Column.caseStatus.key, .string, .required)
            .field(Employee.Column.lastCaseContact.key, .string)
            .field(Employee.Column.lastTemperature.key, .double)
            .field(Employee.Column.lastTemperatureAt.key, .datetime)
            .field(Employee.Column.createdAt.key, .datetime, .required)
            .field(Employee.Column.leftAt.key, .datetime)
            .unique(on: Employee.Column.enterpriseID.key, Employee.Column.employeeNumber.key)
            .unique(on: Employee.Column.enterpriseID.key, Employee.Column.idHash.key)
            .create()
        try await database.schema(TravelRecord.schema)
            .id()
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("enterprise_id", .uuid, .required)
            .field("left_city", .bool, .required)
            .field("places", .string, .required)
            .field("return_date", .string)
            .field("transport", .string)
            .field("transport_number", .string, .required)
            .field("contact_with_cases", .bool, .required)
            .field("contact_date", .string)
            .field("symptoms_last_14_days", .bool, .required)
            .field("outside_province", .bool, .required)
            .field("key_area", .bool, .required)
            .field("recorded_by", .uuid, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Quarantine.schema)
            .id()
            .field("employee_id", .uuid, .required, .references(Employee.schema, "id"))
            .field("enterprise_id", .uuid, .required)
            .field("cause", .string, .required)
            .field("place", .string, .required)
            .field("start_date", .string, .required)
            .field("planned_end", .string, .required)
            .field("extension_reason", .string)
            .field("released_at", .datetime)
            .field("released_by", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(QuarantineReading.schema)
            .id()
            .field("quarantine_id", .uuid, .required, .references(Quarantine.schema, "id"))
            .field("day", .string, .required)
            .field("slot", .int, .required)
            .field("temperature", .double, .required)
            .field("taken_at", .datetime, .required)
            .unique(on: "quarantine_id", "day", "slot")
            .create()
        // Keyed for the enterprise's day (who has reported) and unique per person and day.
        try await database.schema(HealthReportTable.schema)
            .field("enterprise_id", .uuid, .required)
            .field("day", .string, .required)
            .field("employee_id", .uuid, .required)
            .field("temperature", .double, .required)
            .field("symptoms", .string, .required)
            .field("contact_with_cases", .bool, .required)
            .field("city", .string, .required)
            .field("note", .string, .required)
            .field("reported_by", .uuid, .required)
            .field("reported_at", .datetime, .required)
            .compositeIdentifier(over: "enterprise_id", "day", "employee_id")
            .create()
        try await database.schema(GateLogTable.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("employee_id", .uuid)
            .field("typed", .string, .required)
            .field("direction", .string, .required)
            .field("temperature", .double)
            .field("mask", .bool, .required)
            .field("allowed", .bool, .required)
            .field("reasons", .string, .required)
            .field("guard_id", .uuid, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema(Visitor.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("name", .string, .required)
            .field("mobile", .string, .required)
            .field("id_sealed", .string)
            .field("id_masked", .string)
            .field("organisation", .string, .required)
            .field("purpose", .string, .required)
            .field("host_employee_id", .uuid)
            .field("places", .string, .required)
            .field("key_area_contact", .bool, .required)
            .field("temperature", .double, .required)
            .field("mask", .bool, .required)
            .field("allowed", .bool, .required)
            .field("reasons", .string, .required)
            .field("guard_id", .uuid, .required)
            .field("checked_in_at", .datetime, .required)
            .field("checked_out_at", .datetime)
            .create()
        try await database.schema(FeverAlert.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("employee_id", .uuid, .required)
            .field("department", .string, .required)
            .field("temperature", .double, .required)
            .field("source", .string, .required)
            .field("day", .string, .required)
            .field("cluster", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("handled_at", .datetime)
            .field("handled_by", .uuid)
            .create()
        try await database.schema(Supply.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("item", .string, .required)
            .field("stock", .double, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "enterprise_id", "item")
            .create()
        try await database.schema(SupplyUse.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("item", .string, .required)
            .field("day", .string, .required)
            .field("used", .double, .required)
            .unique(on: "enterprise_id", "item", "day")
            .create()
        try await database.schema(GatePass.schema)
            .id()
            .field("code", .string, .required)
            .field("employee_id", .uuid, .required)
            .field("enterprise_id", .uuid, .required)
            .field("day", .string, .required)
            .unique(on: "code")
            .unique(on: "employee_id", "day")
            .create()
        try await database.schema(User.schema).field("employee_id", .uuid).update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "employees_enterprise_name").on(Employee.schema).column("enterprise_id").column("name").run()
            try await sql.create(index: "travel_records_employee").on(TravelRecord.schema).column("employee_id").column("created_at").run()
            try await sql.create(index: "travel_records_enterprise").on(TravelRecord.schema).column("enterprise_id").run()
            try await sql.create(index: "quarantines_employee").on(Quarantine.schema).column("employee_id").run()
            try await sql.create(index: "quarantines_enterprise").on(Quarantine.schema).column("enterprise_id").column("planned_end").run()
            try await sql.create(index: "health_reports_employee").on(HealthReportTable.schema).column("employee_id").column("day").run()
            try await sql.create(index: "gate_check_ins_enterprise").on(GateLogTable.schema).column("enterprise_id").column("at").run()
            try await sql.create(index: "gate_check_ins_at").on(GateLogTable.schema).column("at").run()
            try await sql.create(index: "visitors_enterprise").on(Visitor.schema).column("enterprise_id").column("checked_in_at").run()
            try await sql.create(index: "fever_alerts_enterprise").on(FeverAlert.schema).column("enterprise_id").column("day").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(User.schema).deleteField("employee_id").update()
        for schema in [GatePass.schema, SupplyUse.schema, Supply.schema, FeverAlert.schema, Visitor.schema, GateLogTable.schema,
                       HealthReportTable.schema, QuarantineReading.schema, Quarantine.schema, TravelRecord.schema, Employee.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// The daily summary counts an enterprise's employed people from the index alone.
struct IndexEmployeesByStatus: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "employees_enterprise_status").on(Employee.schema).column("enterprise_id").column("status").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "employees_enterprise_status").run()
    }
}

/// The daily summary counts the day at the gate from the index alone (people on site, refusals):
/// reading each passage's row for its direction took most of the summary on a busy day.
struct IndexGateDay: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "gate_check_ins_day").on(GateLogTable.schema)
            .column("enterprise_id").column("at").column("employee_id").column("direction").column("allowed").run()
        // The new index starts with the same two columns.
        try await sql.drop(index: "gate_check_ins_enterprise").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "gate_check_ins_enterprise").on(GateLogTable.schema).column("enterprise_id").column("at").run()
        try await sql.drop(index: "gate_check_ins_day").run()
    }
}

/// The day's passages of the whole district by time, answered from the index alone: the
/// dashboard counts the workers let in today across every enterprise.
struct IndexGateByMoment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "gate_check_ins_moment").on(GateLogTable.schema)
            .column("at").column("direction").column("allowed").column("enterprise_id").column("employee_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "gate_check_ins_moment").run()
    }
}

/// 车间消毒区再次测温: a place inside the site where guards take the temperature again and
/// check protective equipment (a workshop entrance, a disinfection area). The main gate is the
/// gate itself.
final class Checkpoint: Model, @unchecked Sendable {
    static let schema = "checkpoints"

    @ID(key: .id) var id: UUID?
    @Field(key: "enterprise_id") var enterpriseID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A passage at a checkpoint, allowed or not: like the gate log's, for the place's own record.
/// The gate's log alone says who is on site.
enum CheckpointLogTable {
    static let schema = "checkpoint_passages"
}

struct CreateCheckpoints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Checkpoint.schema)
            .id()
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "enterprise_id", "name")
            .create()
        try await database.schema(CheckpointLogTable.schema)
            .id()
            .field("enterprise_id", .uuid, .required)
            .field("checkpoint_id", .uuid, .required, .references(Checkpoint.schema, "id"))
            .field("employee_id", .uuid)
            .field("typed", .string, .required)
            .field("temperature", .double)
            .field("allowed", .bool, .required)
            .field("reasons", .string, .required)
            .field("guard_id", .uuid, .required)
            .field("at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "checkpoint_passages_moment").on(CheckpointLogTable.schema).column("checkpoint_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CheckpointLogTable.schema).delete()
        try await database.schema(Checkpoint.schema).delete()
    }
}
