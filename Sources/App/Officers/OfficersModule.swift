import Domain
import Vapor

extension Module {
    /// Dispatch and support officers: the contact log, assignments (包保), site visits.
    static let officers = Module(
        name: "officers",
        routes: { r in
            let overseers: Set<Role> = [.districtAdmin, .leader, .reviewer, .officer]
            r.api.post("dispatch-contacts", use: OfficersAPIController.recordContact).access(.roles(.officer))
            r.api.get("dispatch-contacts", "summary", use: OfficersAPIController.summary).access(.roles(overseers))
            // An officer their own contacts (`DispatchService.recent`).
            r.api.get("dispatch-contacts", use: OfficersAPIController.contacts).access(.roles(overseers))
            r.api.post("officer-assignments", use: OfficersAPIController.assign).access(.roles(.districtAdmin, .leader))
            r.api.get("officer-assignments", use: OfficersAPIController.assignments).access(.roles(overseers))
            r.api.get("site-visits", use: OfficersAPIController.visits).access(.roles(overseers))
            r.api.post("site-visits", ":visitID", "report", use: OfficersAPIController.report).access(.roles(.officer))
            r.root.get("dispatch", use: OfficerPagesController.dispatch).access(.roles(overseers))
            r.root.post("dispatch", use: OfficerPagesController.recordContact).access(.roles(.officer))
            r.root.get("officers", use: OfficerPagesController.assignments).access(.roles(.districtAdmin, .leader))
            r.root.post("officers", use: OfficerPagesController.assign).access(.roles(.districtAdmin, .leader))
            r.root.get("visits", use: OfficerPagesController.visits).access(.roles(overseers))
            // An enterprise reads the reports about itself (`OfficersAPIController.findVisit`).
            r.root.get("visits", ":visitID", use: OfficerPagesController.visit).access(.roles(overseers.union([.enterpriseAdmin])))
            r.root.on(.POST, "visits", ":visitID", "report", body: r.upload, use: OfficerPagesController.report).access(.roles(.officer))
        },
        migrations: [CreateOfficerTables(), IndexContactsForFigures()],
        navigation: [
            NavigationEntry("nav.dispatch", "/dispatch", [.districtAdmin, .reviewer, .leader, .officer]),
            NavigationEntry("nav.officers", "/officers", [.districtAdmin, .leader], group: NavigationEntry.administration),
            NavigationEntry("nav.visits", "/visits", [.reviewer, .leader, .officer]),
        ]
    )
}
