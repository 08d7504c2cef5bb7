import Domain
import Fluent
import Vapor

struct StationDTO: Content {
    let code: String
    let name: String
    let nameEn: String
    let country: String

    init(_ station: FreightStation) {
        code = station.code; name = station.name; nameEn = station.nameEn; country = station.country
    }
}

struct MilestoneDTO: Content {
    let kind: String
    let place: String?
    let at: Date
}

struct DepartureDTO: Content {
    let id: UUID
    let trainNumber: String
    let direction: TrainDirection
    let origin: String
    let destination: String
    let departsAt: Date
    let bookingCutoffAt: Date
    let gateInCutoffAt: Date
    let customsCutoffAt: Date
    let capacityFeu: Double
    let bookedFeu: Double
    let remainingFeu: Double
    let waitlistFeu: Double
    let autoConfirm: Bool
    /// As of now: an open departure past its booking cut-off is `closed`.
    let state: DepartureState
    let cancelReason: String?
    let eta: Date?
    let milestones: [MilestoneDTO]

    init(_ departure: TrainDeparture, now: Date, milestones: [FreightEvent] = []) {
        id = departure.id!; trainNumber = departure.trainNumber; direction = departure.direction
        origin = departure.origin; destination = departure.destination; departsAt = departure.departsAt
        bookingCutoffAt = departure.bookingCutoffAt; gateInCutoffAt = departure.gateInCutoffAt; customsCutoffAt = departure.customsCutoffAt
        capacityFeu = FEU.number(halves: departure.capacityHalves); bookedFeu = FEU.number(halves: departure.bookedHalves)
        remainingFeu = FEU.number(halves: departure.remainingHalves); waitlistFeu = FEU.number(halves: departure.waitlistHalves)
        autoConfirm = departure.autoConfirm; state = departure.state(at: now); cancelReason = departure.cancelReason; eta = departure.eta
        self.milestones = milestones.map { MilestoneDTO(kind: $0.kind, place: $0.place, at: $0.at) }
    }

    /// With its milestones read.
    init(_ departure: TrainDeparture, now: Date, db: any Database) async throws {
        let events = try await FreightEvent.query(on: db).filter(\.$departureID == departure.requireID()).filter(\.$bookingID == nil)
            .sort(\.$at).all()
        self.init(departure, now: now, milestones: events)
    }
}

struct QuoteDTO: Content {
    struct Line: Content {
        let item: QuoteItem
        let quantity: Int
        let unitFen: Int
        let grossFen: Int
        let discountFen: Int
        let policy: String?
    }

    let lines: [Line]
    let grossFen: Int
    let discountFen: Int
    let totalFen: Int
    /// When the quote was frozen (at confirmation); nil while it may still change.
    let frozenAt: Date?

    init(_ quote: Quote, frozenAt: Date? = nil) {
        lines = quote.lines.map { Line(item: $0.item, quantity: $0.quantity, unitFen: $0.unitFen, grossFen: $0.grossFen,
                                       discountFen: $0.discountFen, policy: $0.policy) }
        grossFen = quote.grossFen
        discountFen = quote.discountFen
        totalFen = quote.totalFen
        self.frozenAt = frozenAt
    }
}

struct ContainerDTO: Content {
    let number: String
    let type: ContainerType
    let sealNumber: String
    let grossWeightKg: Int
    let gatedInAt: Date?

    init(_ container: FreightContainer) {
        number = container.number; type = container.type; sealNumber = container.sealNumber
        grossWeightKg = container.grossWeightKg; gatedInAt = container.gatedInAt
    }
}

struct TimelineDTO: Content {
    let kind: String
    let place: String?
    let at: Date
    let detail: String?
    let by: String?
}

struct BookingDTO: Content {
    struct Consignee: Content {
        let name: String
        let country: String
        let address: String
    }

    let id: UUID
    let number: String
    let departureId: UUID
    let trainNumber: String?
    let enterpriseId: UUID
    let enterpriseName: String?
    let state: BookingState
    let containers: [ContainerLine]
    let feu: Double
    let commodities: [Commodity]
    let valueFen: Int
    let grossWeightKg: Int
    let consignee: Consignee
    let destination: String
    let customsBrokerage: Bool
    let quote: QuoteDTO
    let customsStatus: CustomsStatus
    let declarationNumber: String?
    let customsReason: String?
    let reason: String?
    let createdAt: Date
    let containerNumbers: [ContainerDTO]?
    let timeline: [TimelineDTO]?

    init(_ booking: ContainerBooking, containers: [FreightContainer]? = nil, timeline: [FreightEvent]? = nil) {
        id = booking.id!; number = booking.number; departureId = booking.$departure.id
        trainNumber = booking.$departure.value?.trainNumber
        enterpriseId = booking.$enterprise.id; enterpriseName = booking.$enterprise.value?.name
        state = booking.state; self.containers = booking.containers; feu = FEU.number(halves: booking.halves)
        commodities = booking.commodities; valueFen = booking.valueFen; grossWeightKg = booking.grossWeightKg
        consignee = Consignee(name: booking.consigneeName, country: booking.consigneeCountry, address: booking.consigneeAddress)
        destination = booking.destination; customsBrokerage = booking.customsBrokerage
        quote = QuoteDTO(booking.quote, frozenAt: booking.quoteFrozenAt)
        customsStatus = booking.customsStatus; declarationNumber = booking.declarationNumber; customsReason = booking.customsReason
        reason = booking.reason; createdAt = booking.createdAt
        containerNumbers = containers?.sorted { $0.number < $1.number }.map(ContainerDTO.init)
        self.timeline = timeline?.map { TimelineDTO(kind: $0.kind, place: $0.place, at: $0.at, detail: $0.detail, by: $0.actorName) }
    }
}

struct FeesDTO: Content {
    let freightPerFeuFen: Int
    let freightPerTwentyFen: Int
    let brokeragePerDeclarationFen: Int
    let liftingPerContainerFen: Int
    let movingPerContainerFen: Int
    let maxGrossKg: [String: Int]

    init(_ tariff: FreightTariff) {
        freightPerFeuFen = tariff.freightPerFeuFen; freightPerTwentyFen = tariff.freightPerTwentyFen
        brokeragePerDeclarationFen = tariff.brokeragePerDeclarationFen; liftingPerContainerFen = tariff.liftingPerContainerFen
        movingPerContainerFen = tariff.movingPerContainerFen
        maxGrossKg = Dictionary(uniqueKeysWithValues: ContainerType.allCases.map { ($0.rawValue, tariff.maxGross($0)) })
    }
}

struct PolicyDTO: Content {
    let id: UUID
    let name: String
    let item: FeeItem
    let discountKind: String
    let amount: Int
    let validFrom: String
    let validTo: String
    let scope: String
    let scopeValue: String?
    let active: Bool

    init(_ policy: FreightPolicy) {
        id = policy.id!; name = policy.name; item = policy.item; discountKind = policy.discountKind; amount = policy.amount
        validFrom = policy.validFrom; validTo = policy.validTo; scope = policy.scopeKind; scopeValue = policy.scopeValue; active = policy.active
    }
}
