import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// A station of the line (长春兴隆, 满洲里, the European terminals), named by its code.
final class FreightStation: Model, @unchecked Sendable {
    static let schema = "freight_stations"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    /// ISO 3166 alpha-2.
    @Field(key: "country") var country: String

    init() {}

    init(code: String, name: String, nameEn: String, country: String) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.country = country
    }

    func name(in language: Language) -> String { language == .en ? nameEn : name }
}

/// 班列: one train on the line, with its cut-offs and its room. Room is counted in half FEU;
/// `bookedHalves` and `waitlistHalves` are kept with every booking's change, under the
/// departure's lock (`FreightService.lockDeparture`).
final class TrainDeparture: Model, @unchecked Sendable {
    static let schema = "freight_departures"

    @ID(key: .id) var id: UUID?
    @Field(key: "train_number") var trainNumber: String
    @Enum(key: "direction") var direction: TrainDirection
    @Field(key: "origin") var origin: String
    @Field(key: "destination") var destination: String
    @Field(key: "departs_at") var departsAt: Date
    @Field(key: "booking_cutoff_at") var bookingCutoffAt: Date
    @Field(key: "gate_in_cutoff_at") var gateInCutoffAt: Date
    @Field(key: "customs_cutoff_at") var customsCutoffAt: Date
    @Field(key: "capacity_halves") var capacityHalves: Int
    @Field(key: "booked_halves") var bookedHalves: Int
    @Field(key: "waitlist_halves") var waitlistHalves: Int
    @Field(key: "auto_confirm") var autoConfirm: Bool
    /// As stored; `state(at:)` is what everyone sees (closed by the clock at the booking cut-off).
    @Enum(key: "state") var storedState: DepartureState
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @OptionalField(key: "eta") var eta: Date?
    /// The last booking's place in the request order; the next booking takes the one after.
    @Field(key: "booking_sequence") var bookingSequence: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func state(at now: Date) -> DepartureState {
        DepartureState.effective(storedState, bookingCutoff: bookingCutoffAt, now: now)
    }

    var remainingHalves: Int { max(0, capacityHalves - bookedHalves) }
}

/// The containers of one type a booking asks for.
struct ContainerLine: Codable, Equatable, Sendable {
    let type: ContainerType
    let count: Int
}

/// A cargo line of a booking.
struct Commodity: Codable, Equatable, Sendable {
    let description: String
    let hsCode: String
    let packages: Int
    let grossWeightKg: Int
    let valueFen: Int
}

/// 订舱: an enterprise's containers on a departure.
final class ContainerBooking: Model, @unchecked Sendable {
    static let schema = "freight_bookings"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Parent(key: "departure_id") var departure: TrainDeparture
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @Field(key: "requested_by") var requestedBy: UUID
    /// Request order on its departure (the waitlist's order).
    @Field(key: "sequence") var sequence: Int
    @Enum(key: "state") var state: BookingState
    @Field(key: "containers") var containers: [ContainerLine]
    @Field(key: "halves") var halves: Int
    @Field(key: "commodities") var commodities: [Commodity]
    @Field(key: "value_fen") var valueFen: Int
    @Field(key: "gross_weight_kg") var grossWeightKg: Int
    @Field(key: "consignee_name") var consigneeName: String
    @Field(key: "consignee_country") var consigneeCountry: String
    @Field(key: "consignee_address") var consigneeAddress: String
    @Field(key: "destination") var destination: String
    @Field(key: "customs_brokerage") var customsBrokerage: Bool
    @Field(key: "quote") var quote: Quote
    @Field(key: "total_fen") var totalFen: Int
    @OptionalField(key: "quote_frozen_at") var quoteFrozenAt: Date?
    @Enum(key: "customs_status") var customsStatus: CustomsStatus
    @OptionalField(key: "declaration_number") var declarationNumber: String?
    @OptionalField(key: "customs_reason") var customsReason: String?
    /// Why it was rejected or cancelled.
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var requests: [ContainerRequest] { containers.map { ContainerRequest(type: $0.type, count: $0.count) } }
}

/// One container of a booking, by its ISO 6346 number (unique on its departure).
final class FreightContainer: Model, @unchecked Sendable {
    static let schema = "freight_containers"

    @ID(key: .id) var id: UUID?
    @Field(key: "booking_id") var bookingID: UUID
    @Field(key: "departure_id") var departureID: UUID
    @Field(key: "number") var number: String
    @Enum(key: "type") var type: ContainerType
    @Field(key: "seal_number") var sealNumber: String
    @Field(key: "gross_weight_kg") var grossWeightKg: Int
    @OptionalField(key: "gated_in_at") var gatedInAt: Date?

    init() {}
}

/// A line of a departure's or a booking's timeline: a milestone of the train (place, time), or
/// a step of a booking (its state, its containers, its declaration).
final class FreightEvent: Model, @unchecked Sendable {
    static let schema = "freight_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "departure_id") var departureID: UUID
    /// Nil for the train's milestones, which belong to every booking on it.
    @OptionalField(key: "booking_id") var bookingID: UUID?
    /// A `DepartureEventKind`, or a booking step (`FreightStep`).
    @Field(key: "kind") var kind: String
    @OptionalField(key: "place") var place: String?
    @Field(key: "at") var at: Date
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "actor_name") var actorName: String?

    init() {}
}

/// A booking's steps as its timeline names them.
enum FreightStep: String {
    case requested, confirmed, waitlisted, rejected, cancelled, moved, containers, gateIn, loaded, departed, arrived
    case declared, inspection, released, held
}

/// The line's tariff and limits: one row.
final class FreightTariff: Model, @unchecked Sendable {
    static let schema = "freight_tariff"

    @ID(key: .id) var id: UUID?
    @Field(key: "freight_per_feu_fen") var freightPerFeuFen: Int
    @Field(key: "freight_per_twenty_fen") var freightPerTwentyFen: Int
    @Field(key: "brokerage_per_declaration_fen") var brokeragePerDeclarationFen: Int
    @Field(key: "lifting_per_container_fen") var liftingPerContainerFen: Int
    @Field(key: "moving_per_container_fen") var movingPerContainerFen: Int
    /// The heaviest loaded container the line accepts, per type (kg).
    @Field(key: "max_gross_kg") var maxGrossKg: [String: Int]
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var fees: FeeSchedule {
        get {
            FeeSchedule(freightPerFeuFen: freightPerFeuFen, freightPerTwentyFen: freightPerTwentyFen,
                        brokeragePerDeclarationFen: brokeragePerDeclarationFen, liftingPerContainerFen: liftingPerContainerFen,
                        movingPerContainerFen: movingPerContainerFen)
        }
        set {
            freightPerFeuFen = newValue.freightPerFeuFen
            freightPerTwentyFen = newValue.freightPerTwentyFen
            brokeragePerDeclarationFen = newValue.brokeragePerDeclarationFen
            liftingPerContainerFen = newValue.liftingPerContainerFen
            movingPerContainerFen = newValue.movingPerContainerFen
        }
    }

    func maxGross(_ type: ContainerType) -> Int { maxGrossKg[type.rawValue] ?? type.standardMaxGrossKg }

    /// Until the operator sets its own: the line's published 2020 prices (illustrative).
    static func standard(now: Date) -> FreightTariff {
        let tariff = FreightTariff()
        tariff.fees = FeeSchedule(freightPerFeuFen: 4_200_000, freightPerTwentyFen: 2_500_000, brokeragePerDeclarationFen: 50_000,
                                  liftingPerContainerFen: 60_000, movingPerContainerFen: 40_000)
        tariff.maxGrossKg = Dictionary(uniqueKeysWithValues: ContainerType.allCases.map { ($0.rawValue, $0.standardMaxGrossKg) })
        tariff.updatedAt = now
        return tariff
    }
}

/// 优惠政策 on the line's fees (`FeePolicy` holds its rule).
final class FreightPolicy: Model, @unchecked Sendable {
    static let schema = "freight_policies"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Enum(key: "item") var item: FeeItem
    /// `percent` or `fixed`.
    @Field(key: "discount_kind") var discountKind: String
    /// Percent off (1–100), or fen off each unit.
    @Field(key: "amount") var amount: Int
    @Field(key: "valid_from") var validFrom: String
    @Field(key: "valid_to") var validTo: String
    /// `all`, `zone` or `category`, with its value.
    @Field(key: "scope_kind") var scopeKind: String
    @OptionalField(key: "scope_value") var scopeValue: String?
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var rule: FeePolicy? {
        guard let from = CivilDate(iso: validFrom), let to = CivilDate(iso: validTo),
              let scope = PolicyScope(kind: scopeKind, value: scopeValue)
        else { return nil }
        return FeePolicy(name: name, item: item, discount: discountKind == "percent" ? .percent(amount) : .fixedFen(amount),
                         validFrom: from, validTo: to, scope: scope, active: active)
    }
}

struct CreateFreight: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FreightStation.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("country", .string, .required)
            .unique(on: "code")
            .create()
        try await database.schema(TrainDeparture.schema)
            .id()
            .field("train_number", .string, .required)
            .field("direction", .string, .required)
            .field("origin", .string, .required)
            .field("destination", .string, .required)
            .field("departs_at", .datetime, .required)
            .field("booking_cutoff_at", .datetime, .required)
            .field("gate_in_cutoff_at", .datetime, .required)
            .field("customs_cutoff_at", .datetime, .required)
            .field("capacity_halves", .int, .required)
            .field("booked_halves", .int, .required)
            .field("waitlist_halves", .int, .required)
            .field("auto_confirm", .bool, .required)
            .field("state", .string, .required)
            .field("cancel_reason", .string)
            .field("eta", .datetime)
            .field("booking_sequence", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ContainerBooking.schema)
            .id()
            .field("number", .string, .required)
            .field("departure_id", .uuid, .required, .references(TrainDeparture.schema, "id"))
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("requested_by", .uuid, .required)
            .field("sequence", .int, .required)
            .field("state", .string, .required)
            .field("containers", .array(of: .json), .required)
            .field("halves", .int, .required)
            .field("commodities", .array(of: .json), .required)
            .field("value_fen", .int64, .required)
            .field("gross_weight_kg", .int64, .required)
            .field("consignee_name", .string, .required)
            .field("consignee_country", .string, .required)
            .field("consignee_address", .string, .required)
            .field("destination", .string, .required)
            .field("customs_brokerage", .bool, .required)
            .field("quote", .json, .required)
            .field("total_fen", .int64, .required)
            .field("quote_frozen_at", .datetime)
            .field("customs_status", .string, .required)
            .field("declaration_number", .string)
            .field("customs_reason", .string)
            .field("reason", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema(FreightContainer.schema)
            .id()
            .field("booking_id", .uuid, .required, .references(ContainerBooking.schema, "id"))
            .field("departure_id", .uuid, .required, .references(TrainDeparture.schema, "id"))
            .field("number", .string, .required)
            .field("type", .string, .required)
            .field("seal_number", .string, .required)
            .field("gross_weight_kg", .int, .required)
            .field("gated_in_at", .datetime)
            .unique(on: "departure_id", "number")
            .create()
        try await database.schema(FreightEvent.schema)
            .id()
            .field("departure_id", .uuid, .required, .references(TrainDeparture.schema, "id"))
            .field("booking_id", .uuid, .references(ContainerBooking.schema, "id"))
            .field("kind", .string, .required)
            .field("place", .string)
            .field("at", .datetime, .required)
            .field("detail", .string)
            .field("actor_name", .string)
            .create()
        try await database.schema(FreightTariff.schema)
            .id()
            .field("freight_per_feu_fen", .int64, .required)
            .field("freight_per_twenty_fen", .int64, .required)
            .field("brokerage_per_declaration_fen", .int64, .required)
            .field("lifting_per_container_fen", .int64, .required)
            .field("moving_per_container_fen", .int64, .required)
            .field("max_gross_kg", .json, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(FreightPolicy.schema)
            .id()
            .field("name", .string, .required)
            .field("item", .string, .required)
            .field("discount_kind", .string, .required)
            .field("amount", .int64, .required)
            .field("valid_from", .string, .required)
            .field("valid_to", .string, .required)
            .field("scope_kind", .string, .required)
            .field("scope_value", .string)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX freight_bookings_departure ON freight_bookings (departure_id, sequence)").run()
        try await sql.raw("CREATE INDEX freight_bookings_enterprise ON freight_bookings (enterprise_id, created_at)").run()
        try await sql.raw("CREATE INDEX freight_events_departure ON freight_events (departure_id, at)").run()
        try await sql.raw("CREATE INDEX freight_departures_departs ON freight_departures (departs_at)").run()
        for station in FreightStations.line {
            try await station.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [FreightPolicy.schema, FreightTariff.schema, FreightEvent.schema, FreightContainer.schema,
                       ContainerBooking.schema, TrainDeparture.schema, FreightStation.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// The line's main stations, which every database starts with.
enum FreightStations {
    static var line: [FreightStation] {
        [
            FreightStation(code: "CNCCX", name: "长春兴隆铁路口岸", nameEn: "Changchun Xinglong Railway Port", country: "CN"),
            FreightStation(code: "CNMZL", name: "满洲里", nameEn: "Manzhouli", country: "CN"),
            FreightStation(code: "RUZAB", name: "后贝加尔斯克", nameEn: "Zabaikalsk", country: "RU"),
            FreightStation(code: "BYBRS", name: "布列斯特", nameEn: "Brest", country: "BY"),
            FreightStation(code: "PLMAL", name: "马拉舍维奇", nameEn: "Małaszewicze", country: "PL"),
            FreightStation(code: "DEHAM", name: "汉堡", nameEn: "Hamburg", country: "DE"),
            FreightStation(code: "DENUE", name: "纽伦堡", nameEn: "Nuremberg", country: "DE"),
            FreightStation(code: "DEDUI", name: "杜伊斯堡", nameEn: "Duisburg", country: "DE"),
        ]
    }
}
