import Foundation

/// A train's direction on the line: 长春 → Europe, or back.
public enum TrainDirection: String, CaseIterable, Codable, Sendable {
    case outbound, inbound
    public var nameKey: String { "freight.direction.\(rawValue)" }
}

/// 班列: open for bookings → closed at the booking cut-off (by the clock) → loading → departed
/// → arrived; or cancelled, with a reason.
public enum DepartureState: String, CaseIterable, Codable, Sendable {
    case open, closed, loading, departed, arrived, cancelled
    public var nameKey: String { "freight.departure.\(rawValue)" }

    /// The state as of `now`: an open departure past its booking cut-off is closed.
    public static func effective(_ stored: DepartureState, bookingCutoff: Date, now: Date) -> DepartureState {
        stored == .open && now >= bookingCutoff ? .closed : stored
    }

    /// Bookings still ride on it (it has not gone, nor been cancelled).
    public var isBeforeDeparture: Bool { [.open, .closed, .loading].contains(self) }
}

/// What happens to a train after it is scheduled, each with place and time. `loading` starts
/// loading; `departed` 长春, `border` the crossing at 满洲里, `transit` a point on the way,
/// `arrived` at its destination.
public enum DepartureEventKind: String, CaseIterable, Codable, Sendable {
    case loading, departed, border, transit, arrived
    public var nameKey: String { "freight.event.\(rawValue)" }

    /// The departure's state after the event, or nil when the event may not happen in `state`.
    public func next(from state: DepartureState) -> DepartureState? {
        switch (self, state) {
        case (.loading, .open), (.loading, .closed): .loading
        case (.departed, .closed), (.departed, .loading): .departed
        case (.border, .departed), (.transit, .departed): .departed
        case (.arrived, .departed): .arrived
        default: nil
        }
    }
}

/// 订舱 (a DCSA booking's life): requested → confirmed, waitlisted or rejected; waitlisted →
/// confirmed (in request order, as capacity frees) → loaded → departed → arrived; cancelled by
/// the shipper before the booking cut-off, or by the port before loading.
public enum BookingState: String, CaseIterable, Codable, Sendable {
    case requested, waitlisted, confirmed, rejected, cancelled, loaded, departed, arrived
    public var nameKey: String { "freight.booking.\(rawValue)" }

    /// Still wants or holds room on its train.
    public var isLive: Bool { [.requested, .waitlisted, .confirmed].contains(self) }
    /// Holds room on the train.
    public var holdsCapacity: Bool { [.confirmed, .loaded, .departed, .arrived].contains(self) }
}

/// 报关 · 查验 · 放行: none → declared (by the shipper, or the port as its broker) → inspection
/// → released, or held with a reason (then inspected, released, or declared anew).
public enum CustomsStatus: String, CaseIterable, Codable, Sendable {
    case none, declared, inspection, released, held
    public var nameKey: String { "freight.customs.\(rawValue)" }

    /// Who may move a declaration to `self`: customs for its own steps, the shipper's side for
    /// the declaration.
    public var isCustomsStep: Bool { [.inspection, .released, .held].contains(self) }

    /// Whether `self` may follow `current`.
    public func canFollow(_ current: CustomsStatus) -> Bool {
        switch (current, self) {
        case (.none, .declared), (.held, .declared): true
        case (.declared, .inspection), (.declared, .released), (.declared, .held): true
        case (.inspection, .released), (.inspection, .held): true
        case (.held, .inspection), (.held, .released): true
        default: false
        }
    }
}

/// The train's room, in half FEU. Capacity is never oversold; waiting bookings keep their order.
public enum Capacity {
    public enum Decision: String, Sendable {
        case confirmed, waitlisted, requested
    }

    /// A new booking of `halves`: on a train that confirms by itself, confirmed while it fits and
    /// nobody waits before it, else waitlisted; on one the operator confirms, requested while it
    /// fits, else waitlisted.
    public static func decide(halves: Int, booked: Int, capacity: Int, autoConfirm: Bool, othersWaiting: Bool) -> Decision {
        let fits = !othersWaiting && booked + halves <= capacity
        guard fits else { return .waitlisted }
        return autoConfirm ? .confirmed : .requested
    }

    /// The waiting bookings (in request order) confirmed when `free` halves become available:
    /// the first ones, as long as each fits. The first that does not fit stops the promotion, so
    /// that nobody overtakes an earlier request.
    public static func promote<ID>(waiting: [(id: ID, halves: Int)], free: Int) -> [ID] {
        var left = free
        var promoted: [ID] = []
        for booking in waiting {
            guard booking.halves <= left else { break }
            promoted.append(booking.id)
            left -= booking.halves
        }
        return promoted
    }
}

/// The three cut-offs of a departure, in the order they must come.
public enum Cutoffs {
    /// Field errors for a departure's times: every cut-off at or before the departure, and the
    /// customs and gate-in cut-offs at or after the booking cut-off (customs may close before
    /// or after the gate, as the port arranges).
    public static func check(departsAt: Date, booking: Date, gateIn: Date, customs: Date, into errors: inout FieldErrors) {
        if booking > departsAt { errors.add("bookingCutoffAt", "error.freight.cutoffAfterDeparture") }
        if gateIn > departsAt { errors.add("gateInCutoffAt", "error.freight.cutoffAfterDeparture") }
        if customs > departsAt { errors.add("customsCutoffAt", "error.freight.cutoffAfterDeparture") }
        if gateIn < booking { errors.add("gateInCutoffAt", "error.freight.gateInBeforeBooking") }
        if customs < booking { errors.add("customsCutoffAt", "error.freight.customsBeforeBooking") }
    }
}

/// `X8001-200208-007`: the train, its departure day, the booking's place in the request order.
public enum BookingNumber {
    public static func make(trainNumber: String, day: CivilDate, sequence: Int) -> String {
        let date = String(format: "%02d%02d%02d", day.year % 100, day.month, day.day)
        return "\(trainNumber)-\(date)-\(String(format: "%03d", sequence))"
    }
}
