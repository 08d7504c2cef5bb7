import Domain
import NIOCore
import Vapor

extension Module {
    /// 中欧班列 (长满欧): departures and their room, bookings with quotes and a waitlist,
    /// containers, customs, preferential fees, manifest and the district's figures.
    static let freight = Module(
        name: "freight",
        routes: { r in
            let port: Set<Role> = [.portOperator]
            let readers: Set<Role> = [.portOperator, .customsOfficer, .enterpriseAdmin, .districtAdmin, .leader]
            let figures: Set<Role> = [.portOperator, .customsOfficer, .districtAdmin, .leader, .reviewer, .officer]
            let api = r.api.grouped("freight")
            typealias A = FreightAPIController
            api.get("stations", use: A.stations).access(.signedIn)
            api.post("stations", use: A.addStation).access(.roles(port))
            api.get("departures", use: A.departures).access(.roles(readers))
            api.post("departures", use: A.createDeparture).access(.roles(port))
            api.get("departures", ":departureID", use: A.departure).access(.roles(readers))
            api.patch("departures", ":departureID", use: A.updateDeparture).access(.roles(port))
            api.post("departures", ":departureID", "cancel", use: A.cancelDeparture).access(.roles(port))
            api.post("departures", ":departureID", "events", use: A.milestone).access(.roles(port))
            api.get("departures", ":departureID", "manifest", use: A.manifest).access(.roles(.portOperator, .customsOfficer, .districtAdmin, .leader))
            api.post("quote", use: A.quote).access(.roles(.enterpriseAdmin, .portOperator))
            api.post("bookings", use: A.book).access(.roles(.enterpriseAdmin))
            api.get("bookings", use: A.bookings).access(.roles(readers))
            api.get("bookings", ":bookingID", use: A.booking).access(.roles(readers))
            api.post("bookings", ":bookingID", "confirm", use: A.confirm).access(.roles(port))
            api.post("bookings", ":bookingID", "reject", use: A.reject).access(.roles(port))
            api.post("bookings", ":bookingID", "cancel", use: A.cancel).access(.roles(.enterpriseAdmin, .portOperator))
            api.put("bookings", ":bookingID", "containers", use: A.containers).access(.roles(.enterpriseAdmin, .portOperator))
            api.post("bookings", ":bookingID", "gate-in", use: A.gateIn).access(.roles(port))
            api.post("bookings", ":bookingID", "load", use: A.load).access(.roles(port))
            // Who may take which customs step is the service's rule (the shipper declares, customs decides).
            api.post("bookings", ":bookingID", "customs", use: A.customs).access(.roles(.enterpriseAdmin, .portOperator, .customsOfficer))
            api.get("fees", use: A.fees).access(.roles(readers))
            api.put("fees", use: A.setFees).access(.roles(port))
            api.get("policies", use: A.policies).access(.roles(readers))
            api.post("policies", use: A.addPolicy).access(.roles(port))
            api.patch("policies", ":policyID", use: A.updatePolicy).access(.roles(port))
            api.get("figures", use: A.figures).access(.roles(figures))

            typealias P = FreightPagesController
            let pages = r.root.grouped("freight")
            pages.get(use: P.home).access(.roles(readers))
            pages.get("departures", "new", use: P.newDeparture).access(.roles(port))
            pages.post("departures", use: P.createDeparture).access(.roles(port))
            pages.get("departures", ":departureID", use: P.departure).access(.roles(readers))
            pages.post("departures", ":departureID", use: P.updateDeparture).access(.roles(port))
            pages.post("departures", ":departureID", "events", use: P.milestone).access(.roles(port))
            pages.post("departures", ":departureID", "cancel", use: P.cancelDeparture).access(.roles(port))
            pages.get("departures", ":departureID", "manifest", use: P.manifest).access(.roles(.portOperator, .customsOfficer, .districtAdmin, .leader))
            pages.get("departures", ":departureID", "book", use: P.bookingForm).access(.roles(.enterpriseAdmin))
            pages.post("departures", ":departureID", "book", use: P.book).access(.roles(.enterpriseAdmin))
            pages.get("bookings", ":bookingID", use: P.booking).access(.roles(readers))
            pages.post("bookings", ":bookingID", ":action", use: P.bookingAction).access(.roles(.enterpriseAdmin, .portOperator, .customsOfficer))
            pages.get("customs", use: P.customsQueue).access(.roles(.customsOfficer))
            pages.get("fees", use: P.fees).access(.roles(readers))
            pages.post("fees", use: P.setFees).access(.roles(port))
            pages.post("policies", use: P.addPolicy).access(.roles(port))
            pages.post("policies", ":policyID", use: P.togglePolicy).access(.roles(port))
            pages.get("figures", use: P.figures).access(.roles(figures))
        },
        migrations: [CreateFreight()],
        navigation: [
            NavigationEntry("nav.freight", "/freight", [.portOperator, .enterpriseAdmin, .districtAdmin, .leader]),
            NavigationEntry("nav.customs", "/freight/customs", [.customsOfficer]),
            NavigationEntry("nav.freightFigures", "/freight/figures", [.districtAdmin, .leader, .reviewer, .officer, .portOperator, .customsOfficer],
                            group: NavigationEntry.figures),
        ],
        jobs: [
            BackgroundJob(name: "freight cut-offs", initialDelay: .seconds(20), every: .minutes(1)) { app, now in
                try await FreightService.closeAtCutoff(app.context(now: now))
            },
        ],
        demo: { try await DemoFreight(context: $0).load() }
    )
}
