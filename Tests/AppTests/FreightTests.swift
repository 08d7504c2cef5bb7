@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A port, customs, and a few verified exporters, on the test clock (2020-02-08 08:00 CST).
struct FreightWorld {
    let port: Caller
    let customs: Caller
    let shippers: [Caller]

    static func make(_ app: Application, shippers count: Int = 3) async throws -> FreightWorld {
        var shippers: [Caller] = []
        for index in 0..<count {
            let enterprise = try await FreightFixtures.exporter(app, index)
            shippers.append(try await Fixtures.caller(app, "exporter\(index)", role: .enterpriseAdmin, enterprise: enterprise))
        }
        return FreightWorld(port: try await Fixtures.caller(app, "port", role: .portOperator),
                            customs: try await Fixtures.caller(app, "customs", role: .customsOfficer), shippers: shippers)
    }
}

extension FreightWorld {
    /// The same people with fresh tokens, after the test clock moved past their hour.
    func signedInAgain(_ app: Application) async throws -> FreightWorld {
        var again: [Caller] = []
        for shipper in shippers { again.append(try await Fixtures.caller(app, shipper.user)) }
        return FreightWorld(port: try await Fixtures.caller(app, port.user), customs: try await Fixtures.caller(app, customs.user), shippers: again)
    }
}

enum FreightFixtures {
    @discardableResult
    static func exporter(_ app: Application, _ index: Int, status: EnterpriseStatus = .verified, zone: String = "jingkai") async throws -> Enterprise {
        let enterprise = Enterprise()
        enterprise.name = "长春出口企业\(index)"
        enterprise.creditCode = DemoFreight.creditCode(index)
        enterprise.legalRepresentative = "王建国"; enterprise.contactName = "李红"; enterprise.contactPhone = "13804310001"
        enterprise.address = "长春经开区临河街 \(index) 号"; enterprise.zone = zone; enterprise.industry = "汽车零部件"
        enterprise.aboveDesignatedSize = true; enterprise.staffCount = 120; enterprise.status = status
        try await enterprise.create(on: app.db)
        return enterprise
    }

    /// 2020-02-08 08:00 CST plus `hours`, as the API writes it.
    static func at(_ app: Application, hours: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: app.clock.now.addingTimeInterval(hours * 3600))
    }

    static func departure(_ app: Application, _ port: Caller, number: String = "X9011", capacityFeu: Int = 2, autoConfirm: Bool = true,
                          bookingHours: Double = 48) async throws -> DepartureDTO {
        let created = try await send(app, .POST, "/api/v1/freight/departures", port, [
            "trainNumber": number, "direction": "outbound", "origin": "CNCCX", "destination": "DEHAM",
            "departsAt": at(app, hours: 96), "bookingCutoffAt": at(app, hours: bookingHours), "gateInCutoffAt": at(app, hours: 72),
            "customsCutoffAt": at(app, hours: 70), "capacityFeu": capacityFeu, "autoConfirm": autoConfirm,
        ])
        #expect(created.status == .created, "\(created.text)")
        return try #require(created.decoded(DepartureDTO.self))
    }

    static func booking(_ departure: UUID, containers: [[String: Any]] = [["type": "40HC", "count": 1]], hsCode: String = "8708299000",
                        brokerage: Bool = false) -> [String: Any] {
        ["departureId": departure.uuidString, "containers": containers,
         "commodities": [["description": "汽车车身零件", "hsCode": hsCode, "packages": 40, "grossWeightKg": 18000, "valueFen": 150_000_000]],
         "consignee": ["name": "Hanse Logistik GmbH", "country": "DE", "address": "Am Sandtorkai 40, Hamburg"],
         "destination": "DEHAM", "customsBrokerage": brokerage]
    }

    static func book(_ app: Application, _ caller: Caller, _ body: [String: Any]) async throws -> TestingHTTPResponse {
        try await send(app, .POST, "/api/v1/freight/bookings", caller, body)
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ caller: Caller?, _ body: Any? = nil) async throws -> TestingHTTPResponse {
        var headers = caller?.apiHeaders ?? [:]
        if body != nil { headers = headers.adding(.json) }
        return try await app.testing().sendRequest(method, path, headers: headers,
                                                   body: try body.map { ByteBuffer(data: try JSONSerialization.data(withJSONObject: $0)) })
    }

    static func departureNow(_ app: Application, _ id: UUID) async throws -> TrainDeparture {
        try #require(try await TrainDeparture.find(id, on: app.db))
    }
}

@Suite("Freight (中欧班列)")
struct FreightTests {
    typealias F = FreightFixtures

    @Test("Book, waitlist, cancel: the waitlist is confirmed in request order, the quote carries the policy and is frozen")
    func bookingAndWaitlist() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app)
            let policy = try await F.send(app, .POST, "/api/v1/freight/policies", world.port, [
                "name": "中欧班列运价优惠", "item": "freight", "discountKind": "percent", "amount": 10,
                "validFrom": "2020-02-01", "validTo": "2020-02-29", "scope": "all"])
            #expect(policy.status == .created)
            let departure = try await F.departure(app, world.port, capacityFeu: 2)
            let (a, b, c) = (world.shippers[0], world.shippers[1], world.shippers[2])

            let first = try await F.book(app, a, F.booking(departure.id))
            #expect(first.status == .created, "\(first.text)")
            let one = try #require(first.decoded(BookingDTO.self))
            #expect(one.state == .confirmed)
            #expect(one.number == "X9011-200212-001")
            #expect(one.quote.frozenAt != nil)
            let freight = try #require(one.quote.lines.first { $0.item == .freightFeu })
            #expect(freight.grossFen == 4_200_000 && freight.discountFen == 420_000 && freight.policy == "中欧班列运价优惠")
            #expect(one.quote.totalFen == one.quote.grossFen - one.quote.discountFen)

            let second = try #require(try await F.book(app, b, F.booking(departure.id, containers: [["type": "40GP", "count": 2]])).decoded(BookingDTO.self))
            #expect(second.state == .waitlisted)
            #expect(second.quote.frozenAt == nil)
            // Half an FEU is free, but B waits before C: C waits too.
            let third = try #require(try await F.book(app, c, F.booking(departure.id, containers: [["type": "20GP", "count": 1]])).decoded(BookingDTO.self))
            #expect(third.state == .waitlisted)
            var stored = try await F.departureNow(app, departure.id)
            #expect(stored.bookedHalves == 2 && stored.waitlistHalves == 5)

            // A cancels: B (2 FEU) now fits and is confirmed; C still waits behind the full train.
            let cancelled = try await F.send(app, .POST, "/api/v1/freight/bookings/\(one.id)/cancel", a, ["reason": "订单推迟"])
            #expect(cancelled.status == .ok)
            #expect(cancelled.decoded(BookingDTO.self)?.state == .cancelled)
            let promoted = try #require(try await F.send(app, .GET, "/api/v1/freight/bookings/\(second.id)", b).decoded(BookingDTO.self))
            #expect(promoted.state == .confirmed && promoted.quote.frozenAt != nil)
            #expect(promoted.timeline?.map(\.kind) == ["requested", "waitlisted", "confirmed"])
            #expect(try await F.send(app, .GET, "/api/v1/freight/bookings/\(third.id)", c).decoded(BookingDTO.self)?.state == .waitlisted)
            stored = try await F.departureNow(app, departure.id)
            #expect(stored.bookedHalves == 4 && stored.waitlistHalves == 1)
            let shown = try #require(try await F.send(app, .GET, "/api/v1/freight/departures/\(departure.id)", a).decoded(DepartureDTO.self))
            #expect(shown.bookedFeu == 2 && shown.remainingFeu == 0 && shown.waitlistFeu == 0.5)

            // The shipper was told; the promotion was audited as the platform's own change.
            let told = try await Notification.query(on: app.db).filter(\.$enterpriseID == b.user.$enterprise.id).all().map(\.messageKey)
            #expect(told.contains("notify.freight.waitlisted") && told.contains("notify.freight.confirmed"))
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["freight.booking.promote", "freight.booking.cancel"]).count()
            #expect(audits == 2)

            // Another enterprise's booking is not there; a shipper cannot confirm.
            #expect(try await F.send(app, .GET, "/api/v1/freight/bookings/\(second.id)", c).status == .notFound)
            #expect(try await F.send(app, .POST, "/api/v1/freight/bookings/\(third.id)/confirm", c).status == .forbidden)
            let listed = try #require(try await F.send(app, .GET, "/api/v1/freight/bookings", c).decoded([BookingDTO].self))
            #expect(listed.map(\.id) == [third.id])

            // The room never drops below what is confirmed; more room confirms the waitlist.
            let shrink = try await F.send(app, .PATCH, "/api/v1/freight/departures/\(departure.id)", world.port, ["capacityFeu": 1])
            #expect(shrink.status == .unprocessableEntity && shrink.apiError?.fields["capacityFeu"] != nil)
            let grown = try #require(try await F.send(app, .PATCH, "/api/v1/freight/departures/\(departure.id)", world.port, ["capacityFeu": 3])
                .decoded(DepartureDTO.self))
            #expect(grown.bookedFeu == 2.5 && grown.waitlistFeu == 0)
            #expect(try await ContainerBooking.find(third.id, on: app.db)?.state == .confirmed)
        }
    }

    @Test("Containers, customs, gate-in, loading, departure and arrival, each step told and audited")
    func throughCustomsToArrival() async throws {
        try await withApp { app in
            var world = try await FreightWorld.make(app, shippers: 2)
            let departure = try await F.departure(app, world.port, capacityFeu: 5)
            var shipper = world.shippers[0]
            let booking = try #require(try await F.book(app, shipper, F.booking(departure.id, containers: [["type": "40HC", "count": 2]])).decoded(BookingDTO.self))
            let other = try #require(try await F.book(app, world.shippers[1], F.booking(departure.id)).decoded(BookingDTO.self))
            let path = "/api/v1/freight/bookings/\(booking.id)"

            // Container numbers: a wrong check digit, a wrong count, then right.
            var put = try await F.send(app, .PUT, "\(path)/containers", shipper, [
                ["number": "CSQU3054384", "type": "40HC", "sealNumber": "CN001", "grossWeightKg": 18000],
                ["number": "TGHU0791906", "type": "40HC", "sealNumber": "CN002", "grossWeightKg": 40000]])
            #expect(put.status == .unprocessableEntity)
            #expect(put.apiError?.fields["containers[0].number"] != nil)
            #expect(put.apiError?.fields["containers[1].grossWeightKg"] != nil)
            put = try await F.send(app, .PUT, "\(path)/containers", shipper, [
                ["number": "CSQU3054383", "type": "40HC", "sealNumber": "CN001", "grossWeightKg": 18000]])
            #expect(put.status == .unprocessableEntity && put.apiError?.fields["containers"] != nil)
            put = try await F.send(app, .PUT, "\(path)/containers", shipper, [
                ["number": "csqu 305438-3", "type": "40HC", "sealNumber": "CN001", "grossWeightKg": 18000],
                ["number": "TGHU0791906", "type": "40HC", "sealNumber": "CN002", "grossWeightKg": 21000]])
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.decoded(BookingDTO.self)?.containerNumbers?.map(\.number) == ["CSQU3054383", "TGHU0791906"])
            // The same container on another booking of the train.
            let taken = try await F.send(app, .PUT, "/api/v1/freight/bookings/\(other.id)/containers", world.shippers[1], [
                ["number": "CSQU3054383", "type": "40HC", "sealNumber": "CN009", "grossWeightKg": 18000]])
            #expect(taken.status == .unprocessableEntity && taken.apiError?.fields["containers[0].number"] != nil)

            // Customs: only customs releases; a declaration first; 18 digits.
            #expect(try await F.send(app, .POST, "\(path)/customs", world.customs, ["status": "released"]).status == .conflict)
            #expect(try await F.send(app, .POST, "\(path)/customs", world.port, ["status": "declared", "declarationNumber": "150920200000000001"]).status == .forbidden)
            let short = try await F.send(app, .POST, "\(path)/customs", shipper, ["status": "declared", "declarationNumber": "15092020000000001"])
            #expect(short.status == .unprocessableEntity && short.apiError?.fields["declarationNumber"] != nil)
            #expect(try await F.send(app, .POST, "\(path)/customs", shipper, ["status": "declared", "declarationNumber": "150920200000000001"]).status == .ok)
            #expect(try await F.send(app, .POST, "\(path)/customs", shipper, ["status": "released"]).status == .forbidden)
            let noReason = try await F.send(app, .POST, "\(path)/customs", world.customs, ["status": "held"])
            #expect(noReason.status == .unprocessableEntity && noReason.apiError?.fields["reason"] != nil)

            // Customs' queue: the declared booking.
            let queue = try await app.testing().sendRequest(.GET, "/freight/customs", headers: world.customs.pageHeaders)
            #expect(queue.status == .ok && queue.text.contains(booking.number))
            #expect(try await F.send(app, .POST, "\(path)/customs", world.customs, ["status": "inspection"]).status == .ok)

            // Loading needs the gate and the release.
            #expect(try await F.send(app, .POST, "\(path)/load", world.port).status == .conflict)
            // A body that does not say which containers lets none in.
            #expect(try await F.send(app, .POST, "\(path)/gate-in", world.port, ["numbers": "CSQU3054383"]).status.code / 100 == 4)
            #expect(try await FreightContainer.query(on: app.db).filter(\.$gatedInAt != nil).count() == 0)
            #expect(try await F.send(app, .POST, "\(path)/gate-in", world.port, ["numbers": ["CSQU3054383"]]).status == .ok)
            let stillOut = try await F.send(app, .POST, "\(path)/load", world.port)
            #expect(stillOut.status == .conflict && stillOut.apiError?.message.contains("进港") == true)
            #expect(try await F.send(app, .POST, "\(path)/gate-in", world.port).status == .ok)
            // What passed the gate and was declared stays as it was.
            let swapped = try await F.send(app, .PUT, "\(path)/containers", shipper, [
                ["number": "CAIU7654324", "type": "40HC", "sealNumber": "CN001", "grossWeightKg": 18000],
                ["number": "TGHU0791906", "type": "40HC", "sealNumber": "CN002", "grossWeightKg": 21000]])
            #expect(swapped.status == .conflict)
            // One declaration number, one booking.
            let reused = try await F.send(app, .POST, "/api/v1/freight/bookings/\(other.id)/customs", world.shippers[1],
                                          ["status": "declared", "declarationNumber": "150920200000000001"])
            #expect(reused.status == .unprocessableEntity && reused.apiError?.fields["declarationNumber"] != nil)
            let notReleased = try await F.send(app, .POST, "\(path)/load", world.port)
            #expect(notReleased.status == .conflict && notReleased.apiError?.message.contains("放行") == true)
            #expect(try await F.send(app, .POST, "\(path)/customs", world.customs, ["status": "released"]).decoded(BookingDTO.self)?.customsStatus == .released)
            #expect(try await F.send(app, .POST, "\(path)/load", world.port).decoded(BookingDTO.self)?.state == .loaded)
            #expect(try await F.send(app, .POST, "\(path)/cancel", shipper, ["reason": "不发了"]).status == .conflict)

            // Milestones: a train cannot arrive before it leaves; departing takes the loaded booking and drops the other.
            app.clock.advance(by: 90 * 3600)
            // Tokens last an hour: sign in again on the new day.
            world = try await world.signedInAgain(app)
            shipper = world.shippers[0]
            #expect(try await F.send(app, .POST, "/api/v1/freight/departures/\(departure.id)/events", world.port,
                                     ["kind": "arrived", "place": "汉堡"]).status == .conflict)
            let left = try await F.send(app, .POST, "/api/v1/freight/departures/\(departure.id)/events", world.port,
                                        ["kind": "departed", "place": "长春兴隆铁路口岸", "eta": F.at(app, hours: 14 * 24)])
            #expect(left.status == .created)
            #expect(left.decoded(DepartureDTO.self)?.state == .departed && left.decoded(DepartureDTO.self)?.milestones.count == 1)
            #expect(try await F.send(app, .GET, path, shipper).decoded(BookingDTO.self)?.state == .departed)
            let dropped = try #require(try await F.send(app, .GET, "/api/v1/freight/bookings/\(other.id)", world.shippers[1]).decoded(BookingDTO.self))
            #expect(dropped.state == .cancelled && dropped.reason != nil)
            #expect(try await F.send(app, .POST, "/api/v1/freight/departures/\(departure.id)/events", world.port,
                                     ["kind": "border", "place": "满洲里"]).status == .created)
            #expect(try await F.send(app, .POST, "/api/v1/freight/departures/\(departure.id)/events", world.port,
                                     ["kind": "arrived", "place": "汉堡"]).status == .created)
            let arrived = try #require(try await F.send(app, .GET, path, shipper).decoded(BookingDTO.self))
            #expect(arrived.state == .arrived)
            #expect(arrived.timeline?.map(\.kind) == ["requested", "confirmed", "containers", "declared", "inspection", "gateIn", "gateIn",
                                                      "released", "loaded", "departed", "border", "arrived"])
            let told = try await Notification.query(on: app.db).filter(\.$enterpriseID == shipper.user.$enterprise.id).all().map(\.messageKey)
            #expect(Set(told).isSuperset(of: ["notify.freight.confirmed", "notify.freight.customs.released", "notify.freight.loaded",
                                              "notify.freight.event.departed", "notify.freight.event.arrived"]))
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "freight.customs.released").count() == 1)

            // The manifest: the departed booking only, CSV with a BOM for Excel; the month's figures.
            let manifest = try #require(try await F.send(app, .GET, "/api/v1/freight/departures/\(departure.id)/manifest", world.port)
                .decoded(FreightFigures.Manifest.self))
            #expect(manifest.rows.map(\.containerNumber) == ["CSQU3054383", "TGHU0791906"])
            #expect(manifest.totals.feu == 2 && manifest.totals.teu == 4 && manifest.totals.valueFen == 150_000_000
                    && manifest.totals.grossWeightKg == 39000 && manifest.totals.shippers == 1)
            let csv = try await F.send(app, .GET, "/api/v1/freight/departures/\(departure.id)/manifest?format=csv", world.port)
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(Array(csv.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(csv.text.contains("CSQU3054383") && csv.text.contains("1500000.00"))
            let figures = try #require(try await F.send(app, .GET, "/api/v1/freight/figures?from=2020-02-01&to=2020-02-29", world.port)
                .decoded(FreightFigures.Report.self))
            #expect(figures.months.map(\.month) == ["2020-02"])
            #expect(figures.totals.trains == 1 && figures.totals.feu == 2 && figures.totals.valueFen == 150_000_000 && figures.totals.shippers == 1)
            #expect(figures.byChapter.map(\.chapter) == ["87"])
            #expect(try await F.send(app, .GET, "/api/v1/freight/figures", shipper).status == .forbidden)
        }
    }

    @Test("Bad input names its field and stores nothing; cut-offs answer 409; only verified enterprises book")
    func badInput() async throws {
        try await withApp { app in
            var world = try await FreightWorld.make(app, shippers: 1)
            let departure = try await F.departure(app, world.port, capacityFeu: 2)
            var shipper = world.shippers[0]
            var body = F.booking(departure.id, hsCode: "7708")
            var answer = try await F.book(app, shipper, body)
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["commodities[0].hsCode"] != nil)
            answer = try await F.book(app, shipper, F.booking(departure.id, containers: [["type": "40HC", "count": 0]]))
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["containers[0].count"] != nil)
            answer = try await F.book(app, shipper, F.booking(departure.id, containers: [["type": "40HC", "count": 3]]))
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["containers"] != nil)
            body = F.booking(departure.id)
            body["consignee"] = ["name": "", "country": "Germany", "address": "Hamburg"]
            answer = try await F.book(app, shipper, body)
            #expect(answer.status == .unprocessableEntity)
            #expect(answer.apiError?.fields["consignee.name"] != nil && answer.apiError?.fields["consignee.country"] != nil)
            body = F.booking(departure.id)
            body["destination"] = "CNMZL"
            answer = try await F.book(app, shipper, body)
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["destination"] != nil)
            body = F.booking(departure.id)
            body["commodities"] = [["description": "铸件", "hsCode": "7325991000", "packages": 1, "grossWeightKg": 999_999, "valueFen": 100]]
            answer = try await F.book(app, shipper, body)
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["commodities"] != nil)
            answer = try await F.book(app, shipper, F.booking(UUID()))
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["departureId"] != nil)
            answer = try await F.book(app, shipper, F.booking(departure.id, containers: [["type": "20GP", "count": 60], ["type": "20GP", "count": 60]]))
            #expect(answer.status == .unprocessableEntity && answer.apiError?.fields["containers"] != nil)
            #expect(try await ContainerBooking.query(on: app.db).count() == 0)
            // A published train keeps its number and stations; its room never drops below what is booked.
            let renamed = try await F.send(app, .PATCH, "/api/v1/freight/departures/\(departure.id)", world.port, ["trainNumber": "X9999"])
            #expect(renamed.status == .unprocessableEntity && renamed.apiError?.fields["trainNumber"] != nil)

            // Departures: cut-offs in order, a station that exists, a room within bounds.
            let wrong = try await F.send(app, .POST, "/api/v1/freight/departures", world.port, [
                "trainNumber": "X 1", "direction": "sideways", "origin": "CNCCX", "destination": "XXXXX",
                "departsAt": F.at(app, hours: 10), "bookingCutoffAt": F.at(app, hours: 20), "gateInCutoffAt": F.at(app, hours: 5),
                "customsCutoffAt": F.at(app, hours: 5), "capacityFeu": 0])
            #expect(wrong.status == .unprocessableEntity)
            let named = Set(wrong.apiError?.fields.keys.map { $0 } ?? [])
            #expect(named.isSuperset(of: ["trainNumber", "direction", "capacityFeu", "bookingCutoffAt"]))
            #expect(try await TrainDeparture.query(on: app.db).count() == 1)

            // An unverified enterprise may not book; a shipper may not run the train.
            let pending = try await Fixtures.caller(app, "pendingco", role: .enterpriseAdmin, enterprise: try await F.exporter(app, 9, status: .pending))
            #expect(try await F.book(app, pending, F.booking(departure.id)).status == .forbidden)
            #expect(try await F.send(app, .POST, "/api/v1/freight/departures", shipper, [:]).status == .forbidden)
            let employee = try await Fixtures.caller(app, "worker", role: .employee)
            #expect(try await F.send(app, .GET, "/api/v1/freight/bookings", employee).status == .forbidden)

            // After the booking cut-off: no booking, no cancelling by the shipper (the port still can).
            let booked = try #require(try await F.book(app, shipper, F.booking(departure.id)).decoded(BookingDTO.self))
            app.clock.advance(by: 48 * 3600)
            world = try await world.signedInAgain(app)
            shipper = world.shippers[0]
            let late = try await F.book(app, shipper, F.booking(departure.id))
            #expect(late.status == .conflict && late.apiError?.message.contains("截止") == true)
            let lateCancel = try await F.send(app, .POST, "/api/v1/freight/bookings/\(booked.id)/cancel", shipper, ["reason": "改期"])
            #expect(lateCancel.status == .conflict)
            #expect(try await F.send(app, .GET, "/api/v1/freight/departures?state=closed", world.port).decoded([DepartureDTO].self)?.count == 1)
            #expect(try await F.send(app, .POST, "/api/v1/freight/bookings/\(booked.id)/cancel", world.port, ["reason": "客户要求"]).status == .ok)
            #expect(try await F.send(app, .GET, "/api/v1/freight/departures?state=nonsense", world.port).status == .unprocessableEntity)
        }
    }

    @Test("Fifty bookings at once for the last 5 FEU: never oversold, the waitlist in request order")
    func concurrentRush() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app, shippers: 50)
            let departure = try await F.departure(app, world.port, capacityFeu: 5)
            let answers = try await withThrowingTaskGroup(of: (Int, BookingDTO?).self) { group in
                for shipper in world.shippers {
                    group.addTask {
                        let response = try await F.book(app, shipper, F.booking(departure.id))
                        return (Int(response.status.code), response.decoded(BookingDTO.self))
                    }
                }
                var all: [(Int, BookingDTO?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(answers.allSatisfy { $0.0 == 201 })
            let bookings = answers.compactMap(\.1)
            let confirmed = bookings.filter { $0.state == .confirmed }
            let waitlisted = bookings.filter { $0.state == .waitlisted }
            #expect(confirmed.count == 5 && waitlisted.count == 45)
            let stored = try await F.departureNow(app, departure.id)
            #expect(stored.bookedHalves == 10 && stored.waitlistHalves == 90 && stored.bookingSequence == 50)
            let sequences = try await ContainerBooking.query(on: app.db).all()
            let confirmedSequences = sequences.filter { $0.state == .confirmed }.map(\.sequence)
            let waitingSequences = sequences.filter { $0.state == .waitlisted }.map(\.sequence)
            #expect(confirmedSequences.max()! < waitingSequences.min()!)
            #expect(Set(sequences.map(\.number)).count == 50)

            // Two cancel at once: the next two in request order move up, never more.
            let first = try #require(confirmed.first)
            let second = try #require(confirmed.last)
            let owners = Dictionary(uniqueKeysWithValues: world.shippers.map { ($0.user.$enterprise.id!, $0) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                for booking in [first, second] {
                    group.addTask {
                        let response = try await F.send(app, .POST, "/api/v1/freight/bookings/\(booking.id)/cancel", owners[booking.enterpriseId],
                                                        ["reason": "改期"])
                        #expect(response.status == .ok)
                    }
                }
                try await group.waitForAll()
            }
            let after = try await ContainerBooking.query(on: app.db).filter(\.$state == .confirmed).all().map(\.sequence).sorted()
            let expected = Array((confirmedSequences + waitingSequences.sorted().prefix(2)).filter { ![first.number, second.number].contains(String(format: "X9011-200212-%03d", $0)) }).sorted()
            #expect(after == expected)
            #expect(try await F.departureNow(app, departure.id).bookedHalves == 10)
        }
    }

    @Test("Cancelling a train moves its confirmed bookings to one with room, cancels the rest, tells each shipper")
    func cancelAndMove() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app, shippers: 3)
            let first = try await F.departure(app, world.port, number: "X9011", capacityFeu: 2)
            let small = try await F.departure(app, world.port, number: "X9013", capacityFeu: 1)
            let roomy = try await F.departure(app, world.port, number: "X9015", capacityFeu: 10)
            let a = try #require(try await F.book(app, world.shippers[0], F.booking(first.id)).decoded(BookingDTO.self))
            let b = try #require(try await F.book(app, world.shippers[1], F.booking(first.id)).decoded(BookingDTO.self))
            let c = try #require(try await F.book(app, world.shippers[2], F.booking(first.id)).decoded(BookingDTO.self))
            #expect([a.state, b.state, c.state] == [.confirmed, .confirmed, .waitlisted])
            let noRoom = try await F.send(app, .POST, "/api/v1/freight/departures/\(first.id)/cancel", world.port,
                                          ["reason": "俄方线路临时管制", "moveTo": small.id.uuidString])
            #expect(noRoom.status == .unprocessableEntity && noRoom.apiError?.fields["moveTo"] != nil)
            #expect(try await F.departureNow(app, first.id).storedState == .open)
            let noReason = try await F.send(app, .POST, "/api/v1/freight/departures/\(first.id)/cancel", world.port, ["moveTo": roomy.id.uuidString])
            #expect(noReason.status == .unprocessableEntity && noReason.apiError?.fields["reason"] != nil)
            let done = try await F.send(app, .POST, "/api/v1/freight/departures/\(first.id)/cancel", world.port,
                                        ["reason": "俄方线路临时管制", "moveTo": roomy.id.uuidString])
            #expect(done.status == .ok && done.decoded(DepartureDTO.self)?.state == .cancelled)
            let moved = try #require(try await F.send(app, .GET, "/api/v1/freight/bookings/\(a.id)", world.shippers[0]).decoded(BookingDTO.self))
            #expect(moved.departureId == roomy.id && moved.state == .confirmed)
            // It keeps its history from the first train.
            #expect(moved.timeline?.map(\.kind) == ["requested", "confirmed", "moved"])
            #expect(try await F.send(app, .GET, "/api/v1/freight/bookings/\(c.id)", world.shippers[2]).decoded(BookingDTO.self)?.state == .cancelled)
            #expect(try await F.departureNow(app, roomy.id).bookedHalves == 4)
            let told = try await Notification.query(on: app.db).filter(\.$messageKey ~~ ["notify.freight.moved", "notify.freight.trainCancelled"]).count()
            #expect(told == 3)
        }
    }

    @Test("On a train the operator confirms, freed room moves the waitlist up to requested, for the operator to confirm")
    func manualTrainWaitlist() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app, shippers: 2)
            let departure = try await F.departure(app, world.port, capacityFeu: 1, autoConfirm: false)
            let a = try #require(try await F.book(app, world.shippers[0], F.booking(departure.id)).decoded(BookingDTO.self))
            #expect(a.state == .requested)
            #expect(try await F.send(app, .POST, "/api/v1/freight/bookings/\(a.id)/confirm", world.port).decoded(BookingDTO.self)?.state == .confirmed)
            let b = try #require(try await F.book(app, world.shippers[1], F.booking(departure.id)).decoded(BookingDTO.self))
            #expect(b.state == .waitlisted)
            #expect(try await F.send(app, .POST, "/api/v1/freight/bookings/\(a.id)/cancel", world.shippers[0], ["reason": "改期"]).status == .ok)
            #expect(try await ContainerBooking.find(b.id, on: app.db)?.state == .requested)
            let stored = try await F.departureNow(app, departure.id)
            #expect(stored.bookedHalves == 0 && stored.waitlistHalves == 0)
        }
    }

    @Test("At the booking cut-off the clock closes the train and tells those still waiting")
    func cutoffClosesWaitlist() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app, shippers: 2)
            let departure = try await F.departure(app, world.port, capacityFeu: 1)
            _ = try await F.book(app, world.shippers[0], F.booking(departure.id))
            let waiting = try #require(try await F.book(app, world.shippers[1], F.booking(departure.id)).decoded(BookingDTO.self))
            #expect(waiting.state == .waitlisted)
            try await FreightService.closeAtCutoff(app.context())
            #expect(try await ContainerBooking.find(waiting.id, on: app.db)?.state == .waitlisted)
            app.clock.advance(by: 48 * 3600)
            try await FreightService.closeAtCutoff(app.context())
            #expect(try await ContainerBooking.find(waiting.id, on: app.db)?.state == .rejected)
            let stored = try await F.departureNow(app, departure.id)
            #expect(stored.storedState == .closed && stored.waitlistHalves == 0 && stored.bookedHalves == 2)
            #expect(try await Notification.query(on: app.db).filter(\.$messageKey == "notify.freight.waitlistClosed").count() == 1)
        }
    }

    @Test("Fees and policies: money in fen, bad values named, a zone's policy only for that zone's enterprises")
    func feesAndPolicies() async throws {
        try await withApp { app in
            var world = try await FreightWorld.make(app, shippers: 1)
            let xinqu = try await Fixtures.caller(app, "xinqu", role: .enterpriseAdmin, enterprise: try await F.exporter(app, 7, zone: "xinqu"))
            let bad = try await F.send(app, .PUT, "/api/v1/freight/fees", world.port, ["freightPerFeuFen": -1, "maxGrossKg": ["40HC": 50000]])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields["freightPerFeuFen"] != nil && bad.apiError?.fields["maxGrossKg.40HC"] != nil)
            let fees = try await F.send(app, .PUT, "/api/v1/freight/fees", world.port, ["freightPerFeuFen": 3_900_000, "maxGrossKg": ["40HC": 28000]])
            #expect(fees.status == .ok && fees.decoded(FeesDTO.self)?.freightPerFeuFen == 3_900_000)
            #expect(fees.decoded(FeesDTO.self)?.maxGrossKg["40HC"] == 28000)
            for wrong: [String: Any] in [
                ["name": "x", "item": "freight", "discountKind": "percent", "amount": 0, "validFrom": "2020-02-01", "validTo": "2020-02-29"],
                ["name": "x", "item": "freight", "discountKind": "percent", "amount": 10, "validFrom": "2020-02-29", "validTo": "2020-02-01"],
                ["name": "x", "item": "fuel", "discountKind": "percent", "amount": 10, "validFrom": "2020-02-01", "validTo": "2020-02-29"],
                ["name": "x", "item": "freight", "discountKind": "percent", "amount": 10, "validFrom": "2020-02-01", "validTo": "2020-02-29", "scope": "zone", "scopeValue": "mars"],
            ] {
                #expect(try await F.send(app, .POST, "/api/v1/freight/policies", world.port, wrong).status == .unprocessableEntity)
            }
            let added = try await F.send(app, .POST, "/api/v1/freight/policies", world.port, [
                "name": "经开区运价优惠", "item": "freight", "discountKind": "fixed", "amount": 500_000, "validFrom": "2020-02-01",
                "validTo": "2020-02-08", "scope": "zone", "scopeValue": "jingkai"])
            #expect(added.status == .created)
            let departure = try await F.departure(app, world.port, capacityFeu: 10)
            let quoteBody: [String: Any] = ["departureId": departure.id.uuidString, "containers": [["type": "40HC", "count": 2]]]
            let jingkai = try #require(try await F.send(app, .POST, "/api/v1/freight/quote", world.shippers[0], quoteBody).decoded(QuoteDTO.self))
            #expect(jingkai.lines.first?.grossFen == 7_800_000 && jingkai.lines.first?.discountFen == 1_000_000)
            let other = try #require(try await F.send(app, .POST, "/api/v1/freight/quote", xinqu, quoteBody).decoded(QuoteDTO.self))
            #expect(other.discountFen == 0)
            // Past its last valid day the policy no longer applies.
            app.clock.advance(by: 24 * 3600)
            world = try await world.signedInAgain(app)
            #expect(try await F.send(app, .POST, "/api/v1/freight/quote", world.shippers[0], quoteBody).decoded(QuoteDTO.self)?.discountFen == 0)
            let policy = try #require(added.decoded(PolicyDTO.self))
            let off = try await F.send(app, .PATCH, "/api/v1/freight/policies/\(policy.id)", world.port, ["active": false])
            #expect(off.decoded(PolicyDTO.self)?.active == false)
            #expect(try await F.send(app, .POST, "/api/v1/freight/policies", world.shippers[0], [:]).status == .forbidden)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["freight.fees.update", "freight.policy.add", "freight.policy.update"]).count() == 3)
        }
    }

    @Test("Pages: the port publishes a train, an exporter books it from the form, mistakes keep what was typed")
    func pages() async throws {
        try await withApp { app in
            let world = try await FreightWorld.make(app, shippers: 1)
            let port = world.port
            var form: [String: String] = ["_csrf": port.csrf, "trainNumber": "X9021", "direction": "outbound", "origin": "CNCCX",
                                          "destination": "DEHAM", "departsAt": "2020-02-12T10:00", "bookingCutoffAt": "2020-02-13T10:00",
                                          "gateInCutoffAt": "2020-02-11T10:00", "customsCutoffAt": "2020-02-11T04:00", "capacityFeu": "45",
                                          "autoConfirm": "on"]
            var response = try await app.testing().sendRequest(.POST, "/freight/departures", headers: port.pageHeaders.adding(.form), body: .form(form))
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("截止时间不能晚于发车时间"))
            #expect(response.text.contains("value=\"X9021\"") && response.text.contains("value=\"2020-02-13T10:00\""))
            form["bookingCutoffAt"] = "2020-02-10T10:00"
            response = try await app.testing().sendRequest(.POST, "/freight/departures", headers: port.pageHeaders.adding(.form), body: .form(form))
            #expect(response.status == .seeOther)
            let departure = try #require(try await TrainDeparture.query(on: app.db).first())
            #expect(departure.capacityHalves == 90 && departure.autoConfirm)

            let shipper = world.shippers[0]
            let home = try await app.testing().sendRequest(.GET, "/freight", headers: shipper.pageHeaders)
            #expect(home.status == .ok && home.text.contains("/freight/departures/\(departure.id!)/book"))
            var booking: [String: String] = ["_csrf": shipper.csrf, "count_40HC": "2", "c0_description": "汽车座椅骨架", "c0_hsCode": "9401",
                                             "c0_packages": "80", "c0_grossWeightKg": "36000", "c0_value": "1234567.8",
                                             "consignee_name": "Rheinland Autoteile GmbH", "consignee_country": "DE",
                                             "consignee_address": "Industriestraße 12, Duisburg", "destination": "DEDUI"]
            let bookPath = "/freight/departures/\(departure.id!)/book"
            response = try await app.testing().sendRequest(.POST, bookPath, headers: shipper.pageHeaders.adding(.form), body: .form(booking))
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("HS 编码应为 6 至 10 位数字"))
            #expect(response.text.contains("value=\"汽车座椅骨架\"") && response.text.contains("value=\"1234567.8\"")
                    && response.text.contains("value=\"Industriestraße 12, Duisburg\""))
            booking["c0_hsCode"] = "9401209000"
            booking["preview"] = "1"
            response = try await app.testing().sendRequest(.POST, bookPath, headers: shipper.pageHeaders.adding(.form), body: .form(booking))
            #expect(response.status == .ok && response.text.contains("¥84,000.00"))
            #expect(try await ContainerBooking.query(on: app.db).count() == 0)
            booking["preview"] = nil
            response = try await app.testing().sendRequest(.POST, bookPath, headers: shipper.pageHeaders.adding(.form), body: .form(booking))
            #expect(response.status == .seeOther)
            let stored = try #require(try await ContainerBooking.query(on: app.db).first())
            #expect(stored.valueFen == 123_456_780 && stored.state == .confirmed && stored.destination == "DEDUI")
            let location = try #require(response.headers.first(name: .location))
            let page = try await app.testing().sendRequest(.GET, location, headers: shipper.pageHeaders)
            #expect(page.status == .ok && page.text.contains(stored.number) && page.text.contains("已确认"))
            let english = try await app.testing().sendRequest(.GET, location, headers: shipper.pageHeaders.adding(["Accept-Language": "en"]))
            #expect(english.text.contains("Confirmed") && english.text.contains("Timeline"))

            // A container number with a wrong check digit: shown at its field, the other rows kept.
            let containers = ["_csrf": shipper.csrf, "k0_number": "CSQU3054384", "k0_type": "40HC", "k0_sealNumber": "CN1", "k0_grossWeightKg": "18000",
                              "k1_number": "TGHU0791906", "k1_type": "40HC", "k1_sealNumber": "CN2", "k1_grossWeightKg": "18000"]
            response = try await app.testing().sendRequest(.POST, "\(location)/containers", headers: shipper.pageHeaders.adding(.form), body: .form(containers))
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("校验位") && response.text.contains("value=\"TGHU0791906\"") && response.text.contains("value=\"CSQU3054384\""))

            // Who may see what.
            #expect(try await app.testing().sendRequest(.GET, "/freight/customs", headers: shipper.pageHeaders).status == .forbidden)
            let employee = try await Fixtures.caller(app, "worker", role: .employee)
            #expect(try await app.testing().sendRequest(.GET, "/freight", headers: employee.pageHeaders).status == .forbidden)
            let manifest = try await app.testing().sendRequest(.GET, "/freight/departures/\(departure.id!)/manifest", headers: port.pageHeaders)
            #expect(manifest.status == .ok && manifest.text.contains("汽车座椅骨架"))
            let fees = try await app.testing().sendRequest(.GET, "/freight/fees", headers: port.pageHeaders)
            #expect(fees.status == .ok && fees.text.contains("value=\"42000.00\""))
            let portHome = try await app.testing().sendRequest(.GET, "/", headers: port.pageHeaders)
            #expect(portHome.text.contains("可订舱班列") && portHome.text.contains("/freight/departures/new"))
        }
    }
}
