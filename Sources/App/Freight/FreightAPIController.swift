import Domain
import Fluent
import Vapor

/// `/api/v1/freight/…`: stations, departures, quotes, bookings, customs, fees and policies,
/// manifest and figures.
enum FreightAPIController {
    // MARK: Stations

    @Sendable static func stations(req: Request) async throws -> [StationDTO] {
        try await FreightService.stations(req.db).map(StationDTO.init)
    }

    @Sendable static func addStation(req: Request) async throws -> Response {
        let station = try await FreightService.addStation(req.context, try req.content.decode(FreightInput.Station.self))
        return try Response.created(StationDTO(station))
    }

    // MARK: Departures

    @Sendable static func departures(req: Request) async throws -> [DepartureDTO] {
        var errors = FieldErrors()
        let state = req.query[String.self, at: "state"].flatMap { raw -> DepartureState? in
            guard let state = DepartureState(rawValue: raw) else { errors.add("state", "error.choice"); return nil }
            return state
        }
        try errors.throwIfAny()
        let query = TrainDeparture.query(on: req.db).sort(\.$departsAt)
        if let (from, to) = try departureRange(req) {
            query.filter(\.$departsAt >= from.start).filter(\.$departsAt < to.adding(days: 1).start)
        }
        // `closed` is the clock's: stored open, past the booking cut-off.
        switch state {
        case .open?: query.filter(\.$storedState == .open).filter(\.$bookingCutoffAt > req.now)
        case .closed?: query.group(.or) { group in
            group.filter(\.$storedState == .closed)
            group.group(.and) { $0.filter(\.$storedState == .open).filter(\.$bookingCutoffAt <= req.now) }
        }
        case let state?: query.filter(\.$storedState == state)
        case nil: break
        }
        return try await query.limit(500).all().map { DepartureDTO($0, now: req.now) }
    }

    /// `?from=&to=` for departures, which lie ahead as well as behind: either end may be left
    /// out (the other end then spans the longest range allowed).
    static func departureRange(_ req: Request) throws -> (CivilDate, CivilDate)? {
        let fromText = req.query[String.self, at: "from"] ?? "", toText = req.query[String.self, at: "to"] ?? ""
        guard !fromText.isEmpty || !toText.isEmpty else { return nil }
        var errors = FieldErrors()
        let from = fromText.isEmpty ? nil : CivilDate(iso: fromText)
        let to = toText.isEmpty ? nil : CivilDate(iso: toText)
        if !fromText.isEmpty, from == nil { errors.add("from", "error.date") }
        if !toText.isEmpty, to == nil { errors.add("to", "error.date") }
        try errors.throwIfAny()
        let span = req.application.settings.maxRangeDays
        let start = from ?? to!.adding(days: 1 - span), end = to ?? from!.adding(days: span - 1)
        if end < start { throw FieldErrors("from", "error.date.order") }
        if end.daysSince(start) >= span { throw FieldErrors("from", "error.date.span", arguments: [String(span)]) }
        return (start, end)
    }

    @Sendable static func createDeparture(req: Request) async throws -> Response {
        let command = try req.content.decode(FreightInput.Departure.self).command()
        let departure = try await FreightService.createDeparture(req.context, command)
        return try Response.created(DepartureDTO(departure, now: req.now))
    }

    @Sendable static func departure(req: Request) async throws -> DepartureDTO {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        return try await DepartureDTO(departure, now: req.now, db: req.db)
    }

    @Sendable static func updateDeparture(req: Request) async throws -> DepartureDTO {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let updated = try await FreightService.updateDeparture(req.context, id: departure.requireID(),
                                                               try req.content.decode(FreightInput.Departure.self))
        return try await DepartureDTO(updated, now: req.now, db: req.db)
    }

    @Sendable static func cancelDeparture(req: Request) async throws -> DepartureDTO {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let body = try req.content.decode(FreightInput.Cancel.self)
        let reason = try FreightInput.Reason(reason: body.reason).required()
        try await FreightService.cancelDeparture(req.context, id: departure.requireID(), reason: reason, moveTo: body.moveTo)
        return try await DepartureDTO(try await FreightService.findDeparture(req.context, id: departure.id), now: req.now, db: req.db)
    }

    @Sendable static func milestone(req: Request) async throws -> Response {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let command = try req.content.decode(FreightInput.Milestone.self).command(now: req.now)
        let updated = try await FreightService.recordMilestone(req.context, id: departure.requireID(), command)
        return try Response.created(try await DepartureDTO(updated, now: req.now, db: req.db))
    }

    @Sendable static func manifest(req: Request) async throws -> Response {
        let departure = try await FreightService.findDeparture(req.context, id: req.parameters.get("departureID", as: UUID.self))
        let manifest = try await FreightFigures.manifest(req.context, departure)
        switch req.query[String.self, at: "format"] {
        case nil, "json": return try await manifest.encodeResponse(for: req)
        case "csv":
            return FreightFigures.csv(manifest, trainNumber: departure.trainNumber) { req.t($0) }
        default: throw FieldErrors("format", "error.choice")
        }
    }

    // MARK: Quotes and bookings

    @Sendable static func quote(req: Request) async throws -> QuoteDTO {
        QuoteDTO(try await FreightService.quote(req.context, try req.content.decode(FreightInput.Quote.self)))
    }

    @Sendable static func book(req: Request) async throws -> Response {
        let command = try req.content.decode(FreightInput.Booking.self).command()
        let booking = try await FreightService.book(req.context, command)
        return try Response.created(BookingDTO(booking))
    }

    @Sendable static func bookings(req: Request) async throws -> [BookingDTO] {
        let user = try req.context.requireUser()
        let query = ContainerBooking.query(on: req.db).with(\.$departure).with(\.$enterprise).sort(\.$createdAt, .descending)
        if user.role == .enterpriseAdmin {
            guard let id = user.$enterprise.id else { return [] }
            query.filter(\.$enterprise.$id == id)
        }
        var errors = FieldErrors()
        if let raw = req.query[String.self, at: "state"] {
            if let state = BookingState(rawValue: raw) { query.filter(\.$state == state) } else { errors.add("state", "error.choice") }
        }
        if let raw = req.query[String.self, at: "departureId"] {
            if let id = UUID(uuidString: raw) { query.filter(\.$departure.$id == id) } else { errors.add("departureId", "error.choice") }
        }
        if let raw = req.query[String.self, at: "customsStatus"] {
            if let status = CustomsStatus(rawValue: raw) { query.filter(\.$customsStatus == status) } else { errors.add("customsStatus", "error.choice") }
        }
        try errors.throwIfAny()
        return try await query.limit(500).all().map { BookingDTO($0) }
    }

    private static func found(_ req: Request) async throws -> ContainerBooking {
        try await FreightService.findBooking(req.context, id: req.parameters.get("bookingID", as: UUID.self))
    }

    /// The booking with its containers and timeline.
    static func full(_ booking: ContainerBooking, on db: any Database) async throws -> BookingDTO {
        let containers = try await FreightContainer.query(on: db).filter(\.$bookingID == booking.requireID()).all()
        return BookingDTO(booking, containers: containers, timeline: try await FreightService.timeline(booking, on: db))
    }

    @Sendable static func booking(req: Request) async throws -> BookingDTO {
        try await full(try await found(req), on: req.db)
    }

    @Sendable static func confirm(req: Request) async throws -> BookingDTO {
        try await full(try await FreightService.confirm(req.context, try await found(req)), on: req.db)
    }

    @Sendable static func reject(req: Request) async throws -> BookingDTO {
        let booking = try await found(req)
        let reason = try req.content.decode(FreightInput.Reason.self).required()
        return try await full(try await FreightService.reject(req.context, booking, reason: reason), on: req.db)
    }

    @Sendable static func cancel(req: Request) async throws -> BookingDTO {
        let booking = try await found(req)
        let reason = try req.content.decode(FreightInput.Reason.self).required()
        return try await full(try await FreightService.cancel(req.context, booking, reason: reason), on: req.db)
    }

    @Sendable static func containers(req: Request) async throws -> BookingDTO {
        let booking = try await found(req)
        try await FreightService.setContainers(req.context, booking, try req.content.decode([FreightInput.ContainerEntry].self))
        return try await full(try await found(req), on: req.db)
    }

    @Sendable static func gateIn(req: Request) async throws -> BookingDTO {
        let booking = try await found(req)
        // No body lets every container in; a body must say which.
        let numbers = req.body.data?.readableBytes ?? 0 > 0 ? try req.content.decode(FreightInput.GateIn.self).numbers ?? [] : []
        try await FreightService.gateIn(req.context, booking, numbers: numbers)
        return try await full(try await found(req), on: req.db)
    }

    @Sendable static func load(req: Request) async throws -> BookingDTO {
        try await full(try await FreightService.load(req.context, try await found(req)), on: req.db)
    }

    @Sendable static func customs(req: Request) async throws -> BookingDTO {
        let booking = try await found(req)
        let command = try req.content.decode(FreightInput.Customs.self).command()
        return try await full(try await FreightService.customs(req.context, booking, command), on: req.db)
    }

    // MARK: Fees, policies, figures

    @Sendable static func fees(req: Request) async throws -> FeesDTO {
        FeesDTO(try await FreightService.tariff(req.db))
    }

    @Sendable static func setFees(req: Request) async throws -> FeesDTO {
        FeesDTO(try await FreightService.setFees(req.context, try req.content.decode(FreightInput.Fees.self)))
    }

    @Sendable static func policies(req: Request) async throws -> [PolicyDTO] {
        try await FreightPolicy.query(on: req.db).sort(\.$createdAt).all().map(PolicyDTO.init)
    }

    @Sendable static func addPolicy(req: Request) async throws -> Response {
        try Response.created(PolicyDTO(try await FreightService.addPolicy(req.context, try req.content.decode(FreightInput.Policy.self))))
    }

    @Sendable static func updatePolicy(req: Request) async throws -> PolicyDTO {
        PolicyDTO(try await FreightService.updatePolicy(req.context, id: req.parameters.get("policyID", as: UUID.self),
                                                        try req.content.decode(FreightInput.Policy.self)))
    }

    @Sendable static func figures(req: Request) async throws -> FreightFigures.Report {
        let (from, to) = try req.dayRange(defaultDays: 366)
        return try await FreightFigures.report(req.db, from: from, to: to)
    }
}
