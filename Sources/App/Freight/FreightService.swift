import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// 中欧班列 (长满欧): the port's departures, the enterprises' bookings, customs' steps. Pages and
/// API call these same functions. Every change of a departure's room runs under the departure's
/// lock (`lockDeparture`), so capacity is never oversold and the waitlist keeps its order, on
/// SQLite (one writer) and on PostgreSQL with several instances (a row lock).
enum FreightService {
    static let maxCapacityFeu = 100

    struct NewDeparture: Sendable {
        let trainNumber: String
        let direction: TrainDirection
        let origin, destination: String
        let departsAt, bookingCutoffAt, gateInCutoffAt, customsCutoffAt: Date
        let capacityHalves: Int
        let autoConfirm: Bool
    }

    struct Milestone: Sendable {
        let kind: DepartureEventKind
        let place: String
        let at: Date
        let eta: Date?
    }

    struct NewBooking: Sendable {
        let departureID: UUID
        let containers: [ContainerRequest]
        let commodities: [Commodity]
        let consigneeName, consigneeCountry, consigneeAddress: String
        let destination: String?
        let customsBrokerage: Bool
    }

    struct CustomsStep: Sendable {
        let status: CustomsStatus
        let declarationNumber: String?
        let reason: String?
    }

    // MARK: Stations

    static func stations(_ db: any Database) async throws -> [FreightStation] {
        try await FreightStation.query(on: db).sort(\.$country).sort(\.$code).all()
    }

    static func addStation(_ ctx: ServiceContext, _ input: FreightInput.Station) async throws -> FreightStation {
        var errors = FieldErrors()
        let code = FormText.required(input.code, field: "code", maxLength: 10, into: &errors).uppercased()
        if !code.isEmpty, !(code.count >= 3 && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            errors.add("code", "error.freight.stationCode")
        }
        let name = FormText.required(input.name, field: "name", maxLength: 100, into: &errors)
        let nameEn = FormText.required(input.nameEn, field: "nameEn", maxLength: 100, into: &errors)
        let country = FormText.required(input.country, field: "country", maxLength: 2, into: &errors).uppercased()
        if !country.isEmpty, !(country.count == 2 && country.allSatisfy { $0.isASCII && $0.isLetter }) {
            errors.add("country", "error.freight.country")
        }
        try errors.throwIfAny()
        let station = FreightStation(code: code, name: name, nameEn: nameEn, country: country)
        try await ctx.transaction { db in
            if try await FreightStation.query(on: db).filter(\.$code == code).first() != nil {
                throw FieldErrors("code", "error.freight.stationTaken")
            }
            try await station.create(on: db)
            try await Audit.record(ctx, on: db, action: "freight.station.add", entity: "freightStation", entityID: station.id, subject: code)
        }
        return station
    }

    private static func requireStations(_ codes: [(field: String, code: String)], on db: any Database) async throws {
        let known = Set(try await FreightStation.query(on: db).all().map(\.code))
        var errors = FieldErrors()
        for (field, code) in codes where !known.contains(code) { errors.add(field, "error.freight.station") }
        try errors.throwIfAny()
    }

    // MARK: Departures

    static func createDeparture(_ ctx: ServiceContext, _ new: NewDeparture) async throws -> TrainDeparture {
        try await requireStations([("origin", new.origin), ("destination", new.destination)], on: ctx.db)
        if new.departsAt <= ctx.now { throw FieldErrors("departsAt", "error.freight.past") }
        let departure = TrainDeparture()
        departure.trainNumber = new.trainNumber
        departure.direction = new.direction
        departure.origin = new.origin
        departure.destination = new.destination
        departure.departsAt = new.departsAt
        departure.bookingCutoffAt = new.bookingCutoffAt
        departure.gateInCutoffAt = new.gateInCutoffAt
        departure.customsCutoffAt = new.customsCutoffAt
        departure.capacityHalves = new.capacityHalves
        departure.bookedHalves = 0
        departure.waitlistHalves = 0
        departure.autoConfirm = new.autoConfirm
        departure.storedState = .open
        departure.bookingSequence = 0
        departure.createdAt = ctx.now
        let day = CivilDate(new.departsAt)
        try await ctx.transaction { db in
            // One train number a day.
            let sameNumber = try await TrainDeparture.query(on: db).filter(\.$trainNumber == new.trainNumber)
                .filter(\.$departsAt >= new.departsAt.addingTimeInterval(-86_400))
                .filter(\.$departsAt <= new.departsAt.addingTimeInterval(86_400)).all()
            if sameNumber.contains(where: { CivilDate($0.departsAt) == day }) {
                throw FieldErrors("trainNumber", "error.freight.trainTaken")
            }
            try await departure.create(on: db)
            try await Audit.record(ctx, on: db, action: "freight.departure.create", entity: "freightDeparture", entityID: departure.id,
                                   subject: departure.trainNumber, detail: "capacityFeu=\(FEU.text(halves: departure.capacityHalves))")
        }
        return departure
    }

    static func findDeparture(_ ctx: ServiceContext, id: UUID?) async throws -> TrainDeparture {
        guard let id, let departure = try await TrainDeparture.find(id, on: ctx.db) else { throw AppError.notFound }
        return departure
    }

    /// The departure, read under a lock that every change of its room takes: on PostgreSQL a
    /// row lock held to the end of the transaction; on SQLite the one writer already runs
    /// transactions one at a time.
    static func lockDeparture(_ id: UUID, on db: any Database) async throws -> TrainDeparture {
        try await db.lockRow(TrainDeparture.schema, id: id)
        guard let departure = try await TrainDeparture.find(id, on: db) else { throw AppError.notFound }
        return departure
    }

    /// The operator changes the room, the cut-offs, self-confirmation or the ETA. The room never
    /// goes below what is confirmed; more room confirms the waitlist, in order.
    static func updateDeparture(_ ctx: ServiceContext, id: UUID, _ input: FreightInput.Departure) async throws -> TrainDeparture {
        try await ctx.transaction { db in
            let departure = try await lockDeparture(id, on: db)
            let state = departure.state(at: ctx.now)
            var errors = FieldErrors()
            // What a train is (its number, direction, stations) is fixed once published.
            for (field, value) in [("trainNumber", input.trainNumber), ("direction", input.direction), ("origin", input.origin),
                                   ("destination", input.destination)] where value != nil {
                errors.add(field, "error.freight.fixed")
            }
            try errors.throwIfAny()
            let onlyETA = [input.capacityFeu == nil, input.departsAt == nil, input.bookingCutoffAt == nil, input.gateInCutoffAt == nil,
                           input.customsCutoffAt == nil, input.autoConfirm == nil].allSatisfy { $0 }
            // Once the train has left, only its ETA changes.
            guard state.isBeforeDeparture || (onlyETA && state != .cancelled) else {
                throw AppError.illegalTransition(messageKey: "error.freight.departureGone")
            }
            if let departsAt = input.departsAt, departsAt <= ctx.now { errors.add("departsAt", "error.freight.past") }
            var changes: [String] = []
            if let feu = input.capacityFeu {
                if !(1...maxCapacityFeu).contains(feu) {
                    errors.add("capacityFeu", "error.freight.capacity", arguments: [String(maxCapacityFeu)])
                } else if feu * 2 < departure.bookedHalves {
                    errors.add("capacityFeu", "error.freight.belowBooked", arguments: [FEU.text(halves: departure.bookedHalves)])
                } else if feu * 2 != departure.capacityHalves {
                    departure.capacityHalves = feu * 2
                    changes.append("capacityFeu=\(feu)")
                }
            }
            if let value = input.departsAt {
                let day = CivilDate(value)
                let sameNumber = try await TrainDeparture.query(on: db).filter(\.$trainNumber == departure.trainNumber)
                    .filter(\.$id != id).filter(\.$departsAt >= value.addingTimeInterval(-86_400)).filter(\.$departsAt <= value.addingTimeInterval(86_400)).all()
                if sameNumber.contains(where: { CivilDate($0.departsAt) == day }) { errors.add("departsAt", "error.freight.trainTaken") }
                departure.departsAt = value
                changes.append("departsAt")
            }
            if let value = input.bookingCutoffAt { departure.bookingCutoffAt = value; changes.append("bookingCutoffAt") }
            if let value = input.gateInCutoffAt { departure.gateInCutoffAt = value; changes.append("gateInCutoffAt") }
            if let value = input.customsCutoffAt { departure.customsCutoffAt = value; changes.append("customsCutoffAt") }
            if let value = input.autoConfirm { departure.autoConfirm = value; changes.append("autoConfirm=\(value)") }
            if let value = input.eta { departure.eta = value; changes.append("eta") }
            Cutoffs.check(departsAt: departure.departsAt, booking: departure.bookingCutoffAt, gateIn: departure.gateInCutoffAt,
                          customs: departure.customsCutoffAt, into: &errors)
            try errors.throwIfAny()
            try await departure.save(on: db)
            try await promoteWaitlist(ctx, departure, on: db)
            try await Audit.record(ctx, on: db, action: "freight.departure.update", entity: "freightDeparture", entityID: departure.id,
                                   subject: departure.trainNumber, detail: changes.joined(separator: ","))
            return departure
        }
    }

    /// Cancels a departure that has not left. Confirmed bookings (and loaded ones, which are
    /// confirmed again on the other train, their containers and declaration kept) move to
    /// `moveTo` when it has room for all of them; every other live booking is cancelled. Each
    /// shipper is told.
    static func cancelDeparture(_ ctx: ServiceContext, id: UUID, reason: String, moveTo: UUID?) async throws {
        try await ctx.transaction { db in
            let departure = try await lockDeparture(id, on: db)
            guard departure.state(at: ctx.now).isBeforeDeparture else {
                throw AppError.illegalTransition(messageKey: "error.freight.departureGone")
            }
            let bookings = try await ContainerBooking.query(on: db).filter(\.$departure.$id == id).sort(\.$sequence).all()
            let holding = bookings.filter { $0.state == .confirmed || $0.state == .loaded }
            var target: TrainDeparture?
            if let moveTo {
                guard moveTo != id, let other = try await TrainDeparture.find(moveTo, on: db) else {
                    throw FieldErrors("moveTo", "error.freight.moveTarget")
                }
                let locked = try await lockDeparture(try other.requireID(), on: db)
                let moving = holding.reduce(0) { $0 + $1.halves }
                guard locked.state(at: ctx.now) == .open, locked.direction == departure.direction else {
                    throw FieldErrors("moveTo", "error.freight.moveTarget")
                }
                guard locked.bookedHalves + moving <= locked.capacityHalves else {
                    throw FieldErrors("moveTo", "error.freight.noRoomToMove", arguments: [FEU.text(halves: moving)])
                }
                let movingNumbers = try await FreightContainer.query(on: db).filter(\.$bookingID ~~ holding.compactMap(\.id)).all().map(\.number)
                if !movingNumbers.isEmpty,
                   try await FreightContainer.query(on: db).filter(\.$departureID == locked.requireID()).filter(\.$number ~~ movingNumbers).count() > 0 {
                    throw FieldErrors("moveTo", "error.freight.containersClash")
                }
                target = locked
            }
            departure.storedState = .cancelled
            departure.cancelReason = reason
            for booking in bookings where booking.state.isLive || booking.state == .loaded {
                if let target, booking.state == .confirmed || booking.state == .loaded {
                    target.bookingSequence += 1
                    booking.$departure.id = try target.requireID()
                    booking.sequence = target.bookingSequence
                    booking.state = .confirmed
                    booking.updatedAt = ctx.now
                    target.bookedHalves += booking.halves
                    try await booking.save(on: db)
                    try await FreightContainer.query(on: db).filter(\.$bookingID == booking.requireID())
                        .set(\.$departureID, to: try target.requireID()).update()
                    try await step(ctx, booking, .moved, detail: target.trainNumber, on: db)
                    try await notify(booking, "notify.freight.moved", [booking.number, target.trainNumber, reason], at: ctx.now, on: db)
                } else {
                    booking.state = .cancelled
                    booking.reason = reason
                    booking.updatedAt = ctx.now
                    try await booking.save(on: db)
                    try await step(ctx, booking, .cancelled, detail: reason, on: db)
                    try await notify(booking, "notify.freight.trainCancelled", [booking.number, departure.trainNumber, reason], at: ctx.now, on: db)
                }
            }
            departure.bookedHalves = 0
            departure.waitlistHalves = 0
            try await departure.save(on: db)
            try await target?.save(on: db)
            try await Audit.record(ctx, on: db, action: "freight.departure.cancel", entity: "freightDeparture", entityID: departure.id,
                                   subject: departure.trainNumber, detail: "moveTo=\(target?.trainNumber ?? "-"),moved=\(target == nil ? 0 : holding.count)")
        }
    }

    /// A milestone of the train: loading, departed, border, transit, arrived. Departing takes
    /// the loaded bookings along and drops the confirmed ones not loaded; arriving brings its
    /// bookings in. Every shipper on the train is told.
    static func recordMilestone(_ ctx: ServiceContext, id: UUID, _ milestone: Milestone) async throws -> TrainDeparture {
        try await ctx.transaction { db in
            let departure = try await lockDeparture(id, on: db)
            guard let next = milestone.kind.next(from: departure.state(at: ctx.now)) else {
                throw AppError.illegalTransition(messageKey: "error.freight.milestoneOrder")
            }
            departure.storedState = next
            if let eta = milestone.eta { departure.eta = eta }
            let event = FreightEvent()
            event.departureID = id
            event.kind = milestone.kind.rawValue
            event.place = milestone.place
            event.at = milestone.at
            event.actorName = ctx.user?.displayName
            try await event.create(on: db)
            let bookings = try await ContainerBooking.query(on: db).filter(\.$departure.$id == id).all()
            for booking in bookings {
                switch (milestone.kind, booking.state) {
                case (.departed, .loaded):
                    booking.state = .departed
                case (.departed, .confirmed), (.departed, .requested), (.departed, .waitlisted):
                    if booking.state == .confirmed { departure.bookedHalves -= booking.halves }
                    if booking.state == .waitlisted { departure.waitlistHalves -= booking.halves }
                    booking.state = .cancelled
                    booking.reason = ctx.t("freight.reason.notLoaded")
                    booking.updatedAt = ctx.now
                    try await booking.save(on: db)
                    try await step(ctx, booking, .cancelled, detail: booking.reason, on: db)
                    try await notify(booking, "notify.freight.notLoaded", [booking.number, departure.trainNumber], at: ctx.now, on: db)
                    continue
                case (.arrived, .departed):
                    booking.state = .arrived
                default:
                    break
                }
                guard booking.state.holdsCapacity else { continue }
                booking.updatedAt = ctx.now
                try await booking.save(on: db)
                try await notify(booking, "notify.freight.event.\(milestone.kind.rawValue)",
                                 [departure.trainNumber, milestone.place], at: ctx.now, on: db)
            }
            try await departure.save(on: db)
            try await Audit.record(ctx, on: db, action: "freight.departure.\(milestone.kind.rawValue)", entity: "freightDeparture",
                                   entityID: departure.id, subject: departure.trainNumber, detail: milestone.place)
            return departure
        }
    }

    /// On the clock: departures past their booking cut-off close; whoever still waits there is
    /// told the train is full (rejected), so that they can book the next one.
    static func closeAtCutoff(_ ctx: ServiceContext) async throws {
        let due = try await TrainDeparture.query(on: ctx.db).filter(\.$storedState == .open)
            .filter(\.$bookingCutoffAt <= ctx.now).all()
        for departure in due {
            try await ctx.transaction { db in
                let locked = try await lockDeparture(try departure.requireID(), on: db)
                // Re-read under the lock: the operator may have moved the cut-off meanwhile.
                guard locked.storedState == .open, locked.bookingCutoffAt <= ctx.now else { return }
                locked.storedState = .closed
                let waiting = try await ContainerBooking.query(on: db).filter(\.$departure.$id == locked.requireID())
                    .filter(\.$state == .waitlisted).all()
                for booking in waiting {
                    booking.state = .rejected
                    booking.reason = ctx.t("freight.reason.waitlistClosed")
                    booking.updatedAt = ctx.now
                    try await booking.save(on: db)
                    try await step(ctx, booking, .rejected, detail: booking.reason, on: db)
                    try await notify(booking, "notify.freight.waitlistClosed", [booking.number, locked.trainNumber], at: ctx.now, on: db)
                }
                locked.waitlistHalves = 0
                try await locked.save(on: db)
                try await Audit.record(ctx, on: db, action: "freight.departure.close", entity: "freightDeparture", entityID: locked.id,
                                       subject: locked.trainNumber, detail: "waitlistRejected=\(waiting.count)")
            }
        }
    }

    // MARK: Quotes

    /// The enterprise's facts a policy asks about: its zone, and the categories it resumed in.
    static func eligibility(of enterprise: Enterprise, on db: any Database) async throws -> (zone: String, categories: Set<ResumptionCategory>) {
        let applications = try await ResumptionApplication.query(on: db).filter(\.$enterprise.$id == enterprise.requireID())
            .filter(\.$state ~~ ResumptionState.allowingWork).all()
        return (enterprise.zone, Set(applications.map(\.category)))
    }

    static func quote(_ containers: [ContainerRequest], brokerage: Bool, for enterprise: Enterprise, on day: CivilDate,
                      db: any Database) async throws -> Quote {
        let tariff = try await tariff(db)
        let policies = try await FreightPolicy.query(on: db).filter(\.$active == true).all().compactMap(\.rule)
        let facts = try await eligibility(of: enterprise, on: db)
        return Quote(fees: tariff.fees, containers: containers, brokerage: brokerage, policies: policies, day: day,
                     zone: facts.zone, categories: facts.categories)
    }

    /// `POST /quote`: what containers on a departure would cost the caller's enterprise today
    /// (the port names the enterprise).
    static func quote(_ ctx: ServiceContext, _ input: FreightInput.Quote) async throws -> Quote {
        var errors = FieldErrors()
        if input.departureId == nil { errors.add("departureId", "error.required") }
        let containers = ContainerRequest.check((input.containers ?? []).map { ($0.type, $0.count) }, into: &errors)
        try errors.throwIfAny()
        let user = try ctx.requireUser()
        _ = try await departure(input.departureId, carrying: containers, on: ctx.db)
        if user.role == .enterpriseAdmin, user.$enterprise.id == nil { throw AppError.forbidden }
        let enterpriseID = user.role == .enterpriseAdmin ? user.$enterprise.id : input.enterpriseId
        guard let enterpriseID, let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db) else {
            throw FieldErrors("enterpriseId", "error.required")
        }
        return try await quote(containers, brokerage: input.customsBrokerage ?? false, for: enterprise, on: CivilDate(ctx.now), db: ctx.db)
    }

    /// The departure a quote or a booking names, which must exist and be able to carry the containers at all.
    private static func departure(_ id: UUID?, carrying containers: [ContainerRequest], on db: any Database) async throws -> TrainDeparture {
        guard let departure = try await TrainDeparture.find(id, on: db) else { throw FieldErrors("departureId", "error.freight.noDeparture") }
        if ContainerRequest.halves(containers) > departure.capacityHalves {
            throw FieldErrors("containers", "error.freight.largerThanTrain", arguments: [FEU.text(halves: departure.capacityHalves)])
        }
        return departure
    }

    // MARK: Bookings

    /// A verified enterprise books containers. The reply is at once: confirmed while the train
    /// confirms by itself and has room, waitlisted when it has none (or someone waits before),
    /// requested when the operator confirms.
    static func book(_ ctx: ServiceContext, _ new: NewBooking) async throws -> ContainerBooking {
        let user = try ctx.requireUser()
        guard let enterpriseID = user.$enterprise.id, let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db) else {
            throw AppError.forbidden
        }
        guard enterprise.status == .verified else { throw AppError.forbidden }
        let found = try await departure(new.departureID, carrying: new.containers, on: ctx.db)
        let halves = ContainerRequest.halves(new.containers)
        let destination = new.destination ?? found.destination
        let countries = Dictionary(uniqueKeysWithValues: try await FreightStation.query(on: ctx.db).all().map { ($0.code, $0.country) })
        guard countries[destination] != nil else { throw FieldErrors("destination", "error.freight.station") }
        // Goods leave the origin's country: a station at home (the origin, the border) is no destination.
        if countries[destination] == countries[found.origin] { throw FieldErrors("destination", "error.freight.destinationAtHome") }
        let tariff = try await tariff(ctx.db)
        let heaviest = new.containers.reduce(0) { $0 + $1.count * tariff.maxGross($1.type) }
        if new.commodities.reduce(0, { $0 + $1.grossWeightKg }) > heaviest {
            throw FieldErrors("commodities", "error.freight.cargoTooHeavy", arguments: [String(heaviest)])
        }
        let quote = try await quote(new.containers, brokerage: new.customsBrokerage, for: enterprise, on: CivilDate(ctx.now), db: ctx.db)
        let booking = ContainerBooking()
        booking.$enterprise.id = enterpriseID
        booking.requestedBy = try user.requireID()
        booking.containers = new.containers.map { ContainerLine(type: $0.type, count: $0.count) }
        booking.halves = halves
        booking.commodities = new.commodities
        booking.valueFen = new.commodities.reduce(0) { $0 + $1.valueFen }
        booking.grossWeightKg = new.commodities.reduce(0) { $0 + $1.grossWeightKg }
        booking.consigneeName = new.consigneeName
        booking.consigneeCountry = new.consigneeCountry
        booking.consigneeAddress = new.consigneeAddress
        booking.destination = destination
        booking.customsBrokerage = new.customsBrokerage
        booking.quote = quote
        booking.totalFen = quote.totalFen
        booking.customsStatus = .none
        booking.createdAt = ctx.now
        booking.updatedAt = ctx.now
        // Everything but what the departure's lock decides is read and prepared here, in the
        // request's own task: inside the one writer each booking costs only its statements.
        let bookingID = UUID()
        booking.id = bookingID
        let row = try PreparedInsert(booking)
        func event(_ step: FreightStep, detail: String?, byPlatform: Bool = false) throws -> PreparedInsert {
            let event = FreightEvent()
            event.departureID = new.departureID
            event.bookingID = bookingID
            event.kind = step.rawValue
            event.at = ctx.now
            event.detail = detail
            event.actorName = byPlatform ? nil : user.displayName
            return try PreparedInsert(event)
        }
        let requested = try event(.requested, detail: "\(FEU.text(halves: halves)) FEU")
        // Confirming or waitlisting is the platform's decision, not the shipper's.
        let confirmed = try event(.confirmed, detail: nil, byPlatform: true), waitlisted = try event(.waitlisted, detail: nil, byPlatform: true)
        let notice = Notification()
        notice.enterpriseID = enterpriseID
        notice.link = "/freight/bookings/\(bookingID)"
        notice.createdAt = ctx.now
        notice.messageKey = ""
        notice.arguments = []
        let noticeRow = try PreparedInsert(notice)
        return try await ctx.transaction { db in
            let room = try await lockRoom(new.departureID, on: db)
            switch DepartureState.effective(room.state, bookingCutoff: room.bookingCutoffAt, now: ctx.now) {
            case .open: break
            case .closed: throw AppError.conflict(field: "departureId", messageKey: "error.freight.afterCutoff")
            default: throw AppError.conflict(field: "departureId", messageKey: "error.freight.notOpen")
            }
            let decision = Capacity.decide(halves: halves, booked: room.bookedHalves, capacity: room.capacityHalves,
                                           autoConfirm: room.autoConfirm, othersWaiting: room.waitlistHalves > 0)
            let sequence = room.bookingSequence + 1
            booking.$departure.id = new.departureID
            booking.sequence = sequence
            booking.number = bookingNumber(trainNumber: room.trainNumber, departsAt: room.departsAt, sequence: sequence)
            booking.state = BookingState(rawValue: decision.rawValue)!
            if decision == .confirmed { booking.quoteFrozenAt = ctx.now }
            try await HotStatement(
                "UPDATE freight_departures SET booked_halves = ?, waitlist_halves = ?, booking_sequence = ? WHERE id = ?",
                [room.bookedHalves + (decision == .confirmed ? halves : 0), room.waitlistHalves + (decision == .waitlisted ? halves : 0),
                 sequence, new.departureID]).run(on: db)
            try await row.setting("departure_id", to: new.departureID).setting("sequence", to: sequence)
                .setting("number", to: booking.number).setting("state", to: booking.state.rawValue)
                .setting("quote_frozen_at", to: booking.quoteFrozenAt).run(on: db, for: booking)
            try await requested.run(on: db, for: FreightEvent())
            if decision == .confirmed { try await confirmed.run(on: db, for: FreightEvent()) }
            if decision == .waitlisted { try await waitlisted.run(on: db, for: FreightEvent()) }
            try await noticeRow.setting("message_key", to: "notify.freight.\(decision.rawValue)")
                .setting("arguments", to: [booking.number, room.trainNumber]).run(on: db, for: notice)
            try await Audit.record(ctx, on: db, action: "freight.booking.create", entity: "freightBooking", entityID: bookingID,
                                   subject: booking.number, detail: "state=\(booking.state.rawValue),feu=\(FEU.text(halves: halves))")
            booking.$enterprise.value = enterprise
            booking.$departure.value = found
            return booking
        }
    }

    /// A departure's room as a booking needs it, read with one statement; on PostgreSQL the row
    /// stays locked to the end of the transaction (`lockDeparture` does the same for whole models).
    private struct Room {
        let state: DepartureState
        let bookingCutoffAt, departsAt: Date
        let capacityHalves, bookedHalves, waitlistHalves, bookingSequence: Int
        let autoConfirm: Bool
        let trainNumber: String
    }

    private static func lockRoom(_ id: UUID, on db: any Database) async throws -> Room {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("freight needs SQL") }
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let row = try await sql.raw("""
            SELECT state, booking_cutoff_at, departs_at, capacity_halves, booked_halves, waitlist_halves, booking_sequence, \
            auto_confirm, train_number FROM freight_departures WHERE id = \(bind: id)\(lock)
            """).first()
        else { throw AppError.notFound }
        return Room(state: DepartureState(rawValue: try row.decode(column: "state", as: String.self)) ?? .cancelled,
                    bookingCutoffAt: try row.decode(column: "booking_cutoff_at", as: Date.self),
                    departsAt: try row.decode(column: "departs_at", as: Date.self),
                    capacityHalves: try row.decode(column: "capacity_halves", as: Int.self),
                    bookedHalves: try row.decode(column: "booked_halves", as: Int.self),
                    waitlistHalves: try row.decode(column: "waitlist_halves", as: Int.self),
                    bookingSequence: try row.decode(column: "booking_sequence", as: Int.self),
                    autoConfirm: try row.decode(column: "auto_confirm", as: Bool.self),
                    trainNumber: try row.decode(column: "train_number", as: String.self))
    }

    /// `X8001-200208-007`: train, departure day, place in the request order.
    static func bookingNumber(_ departure: TrainDeparture, sequence: Int) -> String {
        bookingNumber(trainNumber: departure.trainNumber, departsAt: departure.departsAt, sequence: sequence)
    }

    static func bookingNumber(trainNumber: String, departsAt: Date, sequence: Int) -> String {
        BookingNumber.make(trainNumber: trainNumber, day: CivilDate(departsAt), sequence: sequence)
    }

    /// Who may read bookings: the port, customs and the district's leadership all of them; an
    /// enterprise admin its own (404 for another's).
    static let bookingReaders: Set<Role> = [.portOperator, .customsOfficer, .districtAdmin, .leader]

    static func findBooking(_ ctx: ServiceContext, id: UUID?) async throws -> ContainerBooking {
        let user = try ctx.requireUser()
        guard let id,
              let booking = try await ContainerBooking.query(on: ctx.db).filter(\.$id == id).with(\.$departure).with(\.$enterprise).first()
        else { throw AppError.notFound }
        if user.role == .enterpriseAdmin {
            guard user.$enterprise.id == booking.$enterprise.id else { throw AppError.notFound }
        } else if !bookingReaders.contains(user.role) {
            throw AppError.notFound
        }
        return booking
    }

    /// A booking re-read inside a change's transaction, after its departure's lock.
    private static func locked(_ booking: ContainerBooking, on db: any Database) async throws -> (ContainerBooking, TrainDeparture) {
        let departure = try await lockDeparture(booking.$departure.id, on: db)
        guard let fresh = try await ContainerBooking.query(on: db).filter(\.$id == booking.requireID()).with(\.$enterprise).first(),
              fresh.$departure.id == departure.id
        else { throw AppError.illegalTransition(messageKey: "error.freight.changedMeanwhile") }
        fresh.$departure.value = departure
        return (fresh, departure)
    }

    /// The operator confirms a requested or waitlisted booking that fits.
    static func confirm(_ ctx: ServiceContext, _ booking: ContainerBooking) async throws -> ContainerBooking {
        try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .requested || booking.state == .waitlisted else {
                throw AppError.illegalTransition(messageKey: "error.freight.notPending")
            }
            guard departure.state(at: ctx.now).isBeforeDeparture, departure.storedState != .loading else {
                throw AppError.illegalTransition(messageKey: "error.freight.departureGone")
            }
            guard departure.bookedHalves + booking.halves <= departure.capacityHalves else {
                throw AppError.conflict(field: nil, messageKey: "error.freight.noRoom")
            }
            try await confirmHolding(ctx, booking, departure, on: db)
            try await departure.save(on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.confirm", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number)
            return booking
        }
    }

    /// Confirms a booking known to fit: room taken, quote priced again and frozen, shipper told.
    private static func confirmHolding(_ ctx: ServiceContext, _ booking: ContainerBooking, _ departure: TrainDeparture,
                                       byPlatform: Bool = false, on db: any Database) async throws {
        if booking.state == .waitlisted { departure.waitlistHalves -= booking.halves }
        departure.bookedHalves += booking.halves
        booking.state = .confirmed
        booking.quote = try await quote(booking.requests, brokerage: booking.customsBrokerage, for: booking.enterprise,
                                        on: CivilDate(ctx.now), db: db)
        booking.totalFen = booking.quote.totalFen
        booking.quoteFrozenAt = ctx.now
        booking.updatedAt = ctx.now
        try await booking.save(on: db)
        try await step(ctx, booking, .confirmed, byPlatform: byPlatform, on: db)
        try await notify(booking, "notify.freight.confirmed", [booking.number, departure.trainNumber], at: ctx.now, on: db)
    }

    /// Room freed before the booking cut-off goes to the waitlist, in request order.
    private static func promoteWaitlist(_ ctx: ServiceContext, _ departure: TrainDeparture, on db: any Database) async throws {
        guard departure.state(at: ctx.now) == .open, departure.waitlistHalves > 0 else { return }
        let waiting = try await ContainerBooking.query(on: db).filter(\.$departure.$id == departure.requireID())
            .filter(\.$state == .waitlisted).sort(\.$sequence).with(\.$enterprise).all()
        let promoted = Set(Capacity.promote(waiting: waiting.map { (id: $0.id!, halves: $0.halves) },
                                            free: departure.capacityHalves - departure.bookedHalves))
        for booking in waiting where promoted.contains(booking.id!) {
            // On a train the operator confirms, those who fit now wait for the operator instead.
            guard departure.autoConfirm else {
                departure.waitlistHalves -= booking.halves
                booking.state = .requested
                booking.updatedAt = ctx.now
                try await booking.save(on: db)
                try await notify(booking, "notify.freight.requested", [booking.number, departure.trainNumber], at: ctx.now, on: db)
                continue
            }
            try await confirmHolding(ctx, booking, departure, byPlatform: true, on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.promote", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number)
        }
        try await departure.save(on: db)
    }

    static func reject(_ ctx: ServiceContext, _ booking: ContainerBooking, reason: String) async throws -> ContainerBooking {
        try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .requested || booking.state == .waitlisted else {
                throw AppError.illegalTransition(messageKey: "error.freight.notPending")
            }
            if booking.state == .waitlisted { departure.waitlistHalves -= booking.halves }
            booking.state = .rejected
            booking.reason = reason
            booking.updatedAt = ctx.now
            try await booking.save(on: db)
            try await departure.save(on: db)
            try await step(ctx, booking, .rejected, detail: reason, on: db)
            try await notify(booking, "notify.freight.rejected", [booking.number, reason], at: ctx.now, on: db)
            try await promoteWaitlist(ctx, departure, on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.reject", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number, detail: reason)
            return booking
        }
    }

    /// The shipper cancels before the booking cut-off; the port, until the booking is loaded.
    /// Freed room goes to the waitlist.
    static func cancel(_ ctx: ServiceContext, _ booking: ContainerBooking, reason: String) async throws -> ContainerBooking {
        let user = try ctx.requireUser()
        return try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state.isLive else {
                throw AppError.illegalTransition(messageKey: [.loaded, .departed, .arrived].contains(booking.state)
                    ? "error.freight.alreadyLoaded" : "error.freight.notLive")
            }
            if user.role == .enterpriseAdmin, ctx.now >= departure.bookingCutoffAt {
                throw AppError.illegalTransition(messageKey: "error.freight.cancelAfterCutoff")
            }
            if booking.state == .confirmed { departure.bookedHalves -= booking.halves }
            if booking.state == .waitlisted { departure.waitlistHalves -= booking.halves }
            booking.state = .cancelled
            booking.reason = reason
            booking.updatedAt = ctx.now
            try await booking.save(on: db)
            try await FreightContainer.query(on: db).filter(\.$bookingID == booking.requireID()).delete()
            try await departure.save(on: db)
            try await step(ctx, booking, .cancelled, detail: reason, on: db)
            try await notify(booking, "notify.freight.cancelled", [booking.number, reason], at: ctx.now, on: db)
            try await promoteWaitlist(ctx, departure, on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.cancel", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number, detail: reason)
            return booking
        }
    }

    /// The containers of a confirmed booking, by number: exactly the types and counts booked,
    /// each number valid and not on the train twice, each within the type's weight. The
    /// shipper until the gate-in cut-off; the port until loading.
    static func setContainers(_ ctx: ServiceContext, _ booking: ContainerBooking, _ entries: [FreightInput.ContainerEntry]) async throws {
        let user = try ctx.requireUser()
        let tariff = try await tariff(ctx.db)
        var errors = FieldErrors()
        var checked: [(number: String, type: ContainerType, seal: String, weight: Int)] = []
        var seen: Set<String> = []
        if entries.isEmpty { errors.add("containers", "error.required") }
        for (index, entry) in entries.enumerated() {
            let field = "containers[\(index)]"
            let number = ContainerNumber.normalized(FormText.trimmed(entry.number))
            if number.isEmpty {
                errors.add("\(field).number", "error.required")
            } else if let problem = ContainerNumber.problem(number) {
                errors.add("\(field).number", problem.messageKey)
            } else if !seen.insert(number).inserted {
                errors.add("\(field).number", "error.container.twice")
            }
            let typeText = FormText.trimmed(entry.type).uppercased()
            let type = ContainerType(rawValue: typeText)
            if type == nil { errors.add("\(field).type", FormText.choiceError(typeText)) }
            let seal = FormText.required(entry.sealNumber, field: "\(field).sealNumber", maxLength: 20, into: &errors).uppercased()
            if !seal.isEmpty, !seal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                errors.add("\(field).sealNumber", "error.freight.seal")
            }
            if let weight = entry.grossWeightKg, let type {
                if weight < 1 || weight > tariff.maxGross(type) {
                    errors.add("\(field).grossWeightKg", "error.freight.weight", arguments: [String(tariff.maxGross(type))])
                }
            } else if entry.grossWeightKg == nil {
                errors.add("\(field).grossWeightKg", "error.required")
            }
            if let type { checked.append((number, type, seal, entry.grossWeightKg ?? 0)) }
        }
        if errors.isEmpty {
            var counts: [ContainerType: Int] = [:]
            for entry in checked { counts[entry.type, default: 0] += 1 }
            let booked = Dictionary(uniqueKeysWithValues: booking.containers.map { ($0.type, $0.count) })
            if counts != booked { errors.add("containers", "error.freight.containersMismatch", arguments: [containerSummary(booking.requests)]) }
        }
        try errors.throwIfAny()
        let entries = checked
        try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .confirmed else { throw AppError.illegalTransition(messageKey: "error.freight.notConfirmed") }
            if user.role == .enterpriseAdmin, ctx.now >= departure.gateInCutoffAt {
                throw AppError.illegalTransition(messageKey: "error.freight.afterGateInCutoff")
            }
            let bookingID = try booking.requireID()
            let existing = try await FreightContainer.query(on: db).filter(\.$bookingID == bookingID).all()
            // What passed the gate, or what customs was told of, stays as it was.
            if existing.contains(where: { $0.gatedInAt != nil }) || ![.none, .held].contains(booking.customsStatus) {
                throw AppError.illegalTransition(messageKey: "error.freight.containersLocked")
            }
            let taken = try await FreightContainer.query(on: db).filter(\.$departureID == departure.requireID())
                .filter(\.$bookingID != bookingID).filter(\.$number ~~ entries.map(\.number)).all()
            if !taken.isEmpty {
                var errors = FieldErrors()
                for (index, entry) in entries.enumerated() where taken.contains(where: { $0.number == entry.number }) {
                    errors.add("containers[\(index)].number", "error.container.taken")
                }
                throw errors
            }
            try await FreightContainer.query(on: db).filter(\.$bookingID == bookingID).delete()
            for entry in entries {
                let container = FreightContainer()
                container.bookingID = bookingID
                container.departureID = try departure.requireID()
                container.number = entry.number
                container.type = entry.type
                container.sealNumber = entry.seal
                container.grossWeightKg = entry.weight
                try await container.create(on: db)
            }
            booking.updatedAt = ctx.now
            try await booking.save(on: db)
            try await step(ctx, booking, .containers, detail: entries.map { "\($0.number) \($0.weight) kg" }.joined(separator: ", "), on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.containers", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number, detail: "count=\(entries.count)")
        }
    }

    static func containerSummary(_ requests: [ContainerRequest]) -> String {
        requests.map { "\($0.count)×\($0.type.rawValue)" }.joined(separator: " + ")
    }

    /// The port lets containers in at the gate (all of the booking's when `numbers` is empty).
    static func gateIn(_ ctx: ServiceContext, _ booking: ContainerBooking, numbers: [String]) async throws {
        try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .confirmed else { throw AppError.illegalTransition(messageKey: "error.freight.notConfirmed") }
            guard departure.state(at: ctx.now).isBeforeDeparture else { throw AppError.illegalTransition(messageKey: "error.freight.departureGone") }
            let containers = try await FreightContainer.query(on: db).filter(\.$bookingID == booking.requireID()).all()
            guard !containers.isEmpty else { throw AppError.conflict(field: "numbers", messageKey: "error.freight.noContainers") }
            let wanted = Set(numbers.map { ContainerNumber.normalized($0) })
            let unknown = wanted.subtracting(containers.map(\.number))
            if !unknown.isEmpty { throw FieldErrors("numbers", "error.freight.unknownContainer") }
            var admitted: [String] = []
            for container in containers where container.gatedInAt == nil && (wanted.isEmpty || wanted.contains(container.number)) {
                container.gatedInAt = ctx.now
                try await container.save(on: db)
                admitted.append(container.number)
            }
            guard !admitted.isEmpty else { return }
            try await step(ctx, booking, .gateIn, detail: admitted.joined(separator: " "), on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.gateIn", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number, detail: admitted.joined(separator: " "))
        }
    }

    /// Loaded: only when every container has passed the gate and customs has released the goods.
    static func load(_ ctx: ServiceContext, _ booking: ContainerBooking) async throws -> ContainerBooking {
        try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .confirmed else { throw AppError.illegalTransition(messageKey: "error.freight.notConfirmed") }
            guard departure.state(at: ctx.now).isBeforeDeparture else { throw AppError.illegalTransition(messageKey: "error.freight.departureGone") }
            let containers = try await FreightContainer.query(on: db).filter(\.$bookingID == booking.requireID()).all()
            guard containers.count == ContainerRequest.containers(booking.requests), containers.allSatisfy({ $0.gatedInAt != nil }) else {
                throw AppError.illegalTransition(messageKey: "error.freight.notGatedIn")
            }
            guard booking.customsStatus == .released else { throw AppError.illegalTransition(messageKey: "error.freight.notReleased") }
            booking.state = .loaded
            booking.updatedAt = ctx.now
            try await booking.save(on: db)
            try await step(ctx, booking, .loaded, on: db)
            try await notify(booking, "notify.freight.loaded", [booking.number, departure.trainNumber], at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "freight.booking.load", entity: "freightBooking", entityID: booking.id,
                                   subject: booking.number)
            return booking
        }
    }

    /// 报关 · 查验 · 放行. The shipper declares (or the port, when it is the broker), before
    /// the customs cut-off; customs alone inspects, releases or holds.
    static func customs(_ ctx: ServiceContext, _ booking: ContainerBooking, _ change: CustomsStep) async throws -> ContainerBooking {
        let user = try ctx.requireUser()
        if change.status.isCustomsStep {
            guard user.role == .customsOfficer else { throw AppError.forbidden }
        } else {
            guard user.role == .enterpriseAdmin || (user.role == .portOperator && booking.customsBrokerage) else { throw AppError.forbidden }
        }
        return try await ctx.transaction { db in
            let (booking, departure) = try await locked(booking, on: db)
            guard booking.state == .confirmed || booking.state == .loaded else {
                throw AppError.illegalTransition(messageKey: "error.freight.notConfirmed")
            }
            guard change.status.canFollow(booking.customsStatus) else {
                throw AppError.illegalTransition(messageKey: "error.freight.customsOrder")
            }
            if change.status == .declared, ctx.now >= departure.customsCutoffAt {
                throw AppError.illegalTransition(messageKey: "error.freight.afterCustomsCutoff")
            }
            if change.status == .declared, let number = change.declarationNumber,
               try await ContainerBooking.query(on: db).filter(\.$declarationNumber == number).filter(\.$id != booking.requireID()).count() > 0 {
                throw FieldErrors("declarationNumber", "error.freight.declarationTaken")
            }
            booking.customsStatus = change.status
            if let number = change.declarationNumber, change.status == .declared { booking.declarationNumber = number }
            booking.customsReason = change.status == .held ? change.reason : nil
            booking.updatedAt = ctx.now
            try await booking.save(on: db)
            let detail = change.status == .declared ? booking.declarationNumber : change.reason
            try await step(ctx, booking, FreightStep(rawValue: change.status.rawValue)!, detail: detail, on: db)
            try await notify(booking, "notify.freight.customs.\(change.status.rawValue)", [booking.number, change.reason ?? ""],
                             at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "freight.customs.\(change.status.rawValue)", entity: "freightBooking",
                                   entityID: booking.id, subject: booking.number, detail: detail)
            return booking
        }
    }

    // MARK: Timeline and notices

    /// A step of the booking's timeline, by the context's user (or, `byPlatform`, by nobody:
    /// the platform decided, as when the waitlist moves up).
    static func step(_ ctx: ServiceContext, _ booking: ContainerBooking, _ step: FreightStep, detail: String? = nil, byPlatform: Bool = false,
                     on db: any Database) async throws {
        let event = FreightEvent()
        event.departureID = booking.$departure.id
        event.bookingID = try booking.requireID()
        event.kind = step.rawValue
        event.at = ctx.now
        event.detail = detail
        event.actorName = byPlatform ? nil : ctx.user?.displayName
        try await event.create(on: db)
    }

    static func notify(_ booking: ContainerBooking, _ key: String, _ arguments: [String], at: Date, on db: any Database) async throws {
        try await Notification.toEnterprise(booking.$enterprise.id, key, arguments, link: "/freight/bookings/\(try booking.requireID())",
                                            at: at, on: db)
    }

    /// A booking's timeline: its own steps and its train's milestones, oldest first.
    static func timeline(_ booking: ContainerBooking, on db: any Database) async throws -> [FreightEvent] {
        let bookingID = try booking.requireID()
        // Its own steps wherever it was (a moved booking keeps its history), and its train's milestones.
        return try await FreightEvent.query(on: db)
            .group(.or) { either in
                either.filter(\.$bookingID == bookingID)
                either.group(.and) { $0.filter(\.$bookingID == nil).filter(\.$departureID == booking.$departure.id) }
            }
            .sort(\.$at).all()
    }

    // MARK: Fees and policies

    static func tariff(_ db: any Database) async throws -> FreightTariff {
        try await FreightTariff.query(on: db).first() ?? FreightTariff.standard(now: Date(timeIntervalSince1970: 0))
    }

    static func setFees(_ ctx: ServiceContext, _ input: FreightInput.Fees) async throws -> FreightTariff {
        let current = try await tariff(ctx.db)
        var fees = current.fees
        fees.freightPerFeuFen = input.freightPerFeuFen ?? fees.freightPerFeuFen
        fees.freightPerTwentyFen = input.freightPerTwentyFen ?? fees.freightPerTwentyFen
        fees.brokeragePerDeclarationFen = input.brokeragePerDeclarationFen ?? fees.brokeragePerDeclarationFen
        fees.liftingPerContainerFen = input.liftingPerContainerFen ?? fees.liftingPerContainerFen
        fees.movingPerContainerFen = input.movingPerContainerFen ?? fees.movingPerContainerFen
        var errors = fees.check()
        var limits = current.maxGrossKg
        for (key, value) in input.maxGrossKg ?? [:] {
            guard let type = ContainerType(rawValue: key) else { errors.add("maxGrossKg.\(key)", "error.choice"); continue }
            if value < 1000 || value > type.standardMaxGrossKg {
                errors.add("maxGrossKg.\(key)", "error.freight.maxGross", arguments: [String(type.standardMaxGrossKg)])
            }
            limits[key] = value
        }
        try errors.throwIfAny()
        let (newFees, newLimits) = (fees, limits)
        return try await ctx.transaction { db in
            let tariff = try await FreightTariff.query(on: db).first() ?? FreightTariff.standard(now: ctx.now)
            tariff.fees = newFees
            tariff.maxGrossKg = newLimits
            tariff.updatedAt = ctx.now
            try await tariff.save(on: db)
            try await Audit.record(ctx, on: db, action: "freight.fees.update", entity: "freightTariff", entityID: tariff.id,
                                   detail: "feu=\(newFees.freightPerFeuFen),twenty=\(newFees.freightPerTwentyFen),brokerage=\(newFees.brokeragePerDeclarationFen)")
            return tariff
        }
    }

    /// A policy as typed: each field checked; on PATCH, `existing` fills what is not given.
    static func checkPolicy(_ input: FreightInput.Policy, existing: FreightPolicy?, zones: Set<String>) throws -> FreightPolicy {
        var errors = FieldErrors()
        let policy = existing ?? FreightPolicy()
        if existing == nil || input.name != nil {
            policy.name = FormText.required(input.name, field: "name", maxLength: 100, into: &errors)
        }
        if existing == nil || input.item != nil {
            if let item = FeeItem(rawValue: FormText.trimmed(input.item)) { policy.item = item } else {
                errors.add("item", FormText.choiceError(input.item))
            }
        }
        if existing == nil || input.discountKind != nil {
            let kind = FormText.trimmed(input.discountKind)
            if ["percent", "fixed"].contains(kind) { policy.discountKind = kind } else {
                errors.add("discountKind", FormText.choiceError(kind))
            }
        }
        if existing == nil || input.amount != nil {
            if let amount = input.amount { policy.amount = amount } else { errors.add("amount", "error.required") }
        }
        if errors.messages["amount"] == nil, errors.messages["discountKind"] == nil {
            if policy.discountKind == "percent", !(1...100).contains(policy.amount) { errors.add("amount", "error.freight.percent") }
            if policy.discountKind == "fixed", !(1...FeeSchedule.maxFen).contains(policy.amount) { errors.add("amount", "error.freight.money") }
        }
        for (field, text) in [("validFrom", input.validFrom), ("validTo", input.validTo)] where existing == nil || text != nil {
            let value = FormText.trimmed(text)
            if value.isEmpty { errors.add(field, "error.required") } else if DateText.day(value) == nil { errors.add(field, "error.date") } else {
                if field == "validFrom" { policy.validFrom = value } else { policy.validTo = value }
            }
        }
        if errors.messages["validFrom"] == nil, errors.messages["validTo"] == nil,
           let from = CivilDate(iso: policy.validFrom), let to = CivilDate(iso: policy.validTo), to < from {
            errors.add("validTo", "error.freight.validTo")
        }
        if existing == nil || input.scope != nil || input.scopeValue != nil {
            let kind = FormText.trimmed(input.scope ?? existing?.scopeKind ?? "all")
            let value = FormText.trimmed(input.scopeValue)
            switch PolicyScope(kind: kind, value: value) {
            case .zone(let zone)? where !zones.contains(zone): errors.add("scopeValue", "error.choice")
            case let scope?: policy.scopeKind = scope.kind; policy.scopeValue = scope.value
            case nil: errors.add(["all", "zone", "category"].contains(kind) ? "scopeValue" : "scope", value.isEmpty && kind != "" ? "error.required" : "error.choice")
            }
        }
        if let active = input.active { policy.active = active } else if existing == nil { policy.active = true }
        try errors.throwIfAny()
        return policy
    }

    static func addPolicy(_ ctx: ServiceContext, _ input: FreightInput.Policy) async throws -> FreightPolicy {
        let policy = try checkPolicy(input, existing: nil, zones: try await EnterpriseRegistry.zoneCodes(ctx.db))
        policy.createdAt = ctx.now
        try await ctx.transaction { db in
            try await policy.create(on: db)
            try await Audit.record(ctx, on: db, action: "freight.policy.add", entity: "freightPolicy", entityID: policy.id, subject: policy.name)
        }
        return policy
    }

    static func updatePolicy(_ ctx: ServiceContext, id: UUID?, _ input: FreightInput.Policy) async throws -> FreightPolicy {
        guard let id, let existing = try await FreightPolicy.find(id, on: ctx.db) else { throw AppError.notFound }
        let policy = try checkPolicy(input, existing: existing, zones: try await EnterpriseRegistry.zoneCodes(ctx.db))
        try await ctx.transaction { db in
            try await policy.save(on: db)
            try await Audit.record(ctx, on: db, action: "freight.policy.update", entity: "freightPolicy", entityID: policy.id,
                                   subject: policy.name, detail: "active=\(policy.active)")
        }
        return policy
    }
}
