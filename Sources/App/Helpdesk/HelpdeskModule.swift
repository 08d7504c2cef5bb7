import Domain
import Vapor

extension Module {
    /// The help desk: tickets with their receipt, routing, the clock, scorecards.
    static let helpdesk = Module(
        name: "helpdesk",
        routes: { r in
            let readers: Set<Role> = [.enterpriseAdmin, .officer, .agent, .districtAdmin, .leader]
            let tickets = r.api.grouped("tickets")
            tickets.post(use: HelpdeskAPIController.create).access(.roles(.enterpriseAdmin, .officer))
            tickets.get(use: HelpdeskAPIController.list).access(.roles(readers))
            tickets.get(":ticketID", use: HelpdeskAPIController.show).access(.roles(readers))
            tickets.post(":ticketID", "accept", use: HelpdeskAPIController.accept).access(.roles(.agent))
            tickets.post(":ticketID", "replies", use: HelpdeskAPIController.reply).access(.roles(.agent, .enterpriseAdmin))
            tickets.post(":ticketID", "transfer", use: HelpdeskAPIController.transfer).access(.roles(.agent, .districtAdmin))
            tickets.post(":ticketID", "answer", use: HelpdeskAPIController.answer).access(.roles(.agent))
            tickets.post(":ticketID", "feedback", use: HelpdeskAPIController.feedback).access(.roles(.enterpriseAdmin))
            tickets.on(.POST, ":ticketID", "attachments", body: r.upload, use: HelpdeskAPIController.attach)
                .access(.roles(.enterpriseAdmin, .officer, .agent))
            tickets.get(":ticketID", "attachments", ":attachmentID", use: HelpdeskAPIController.download).access(.roles(readers))
            r.api.get("scorecards", use: HelpdeskAPIController.scorecards).access(.roles(.districtAdmin, .leader, .agent))

            let pages = r.root.grouped("helpdesk")
            pages.get(use: HelpdeskPagesController.list).access(.roles(readers))
            pages.get("new", use: HelpdeskPagesController.newForm).access(.roles(.enterpriseAdmin, .officer))
            pages.post(use: HelpdeskPagesController.create).access(.roles(.enterpriseAdmin, .officer))
            pages.get("scorecards", use: HelpdeskPagesController.scorecards).access(.roles(.districtAdmin, .leader, .agent))
            pages.get(":ticketID", use: HelpdeskPagesController.detail).access(.roles(readers))
            pages.post(":ticketID", "accept", use: HelpdeskPagesController.accept).access(.roles(.agent))
            pages.post(":ticketID", "replies", use: HelpdeskPagesController.reply).access(.roles(.agent, .enterpriseAdmin))
            pages.post(":ticketID", "transfer", use: HelpdeskPagesController.transfer).access(.roles(.agent, .districtAdmin))
            pages.post(":ticketID", "answer", use: HelpdeskPagesController.answer).access(.roles(.agent))
            pages.post(":ticketID", "feedback", use: HelpdeskPagesController.feedback).access(.roles(.enterpriseAdmin))
            pages.on(.POST, ":ticketID", "attachments", body: r.upload, use: HelpdeskPagesController.attach)
                .access(.roles(.enterpriseAdmin, .officer, .agent))
            pages.get(":ticketID", "attachments", ":attachmentID", use: HelpdeskPagesController.download).access(.roles(readers))
            r.root.get("admin", "routing", use: RoutingController.page).access(.roles(.districtAdmin))
            r.root.post("admin", "routing", use: RoutingController.saveRules).access(.roles(.districtAdmin))
            r.root.post("admin", "routing", ":departmentID", use: RoutingController.saveUnit).access(.roles(.districtAdmin))
        },
        migrations: [CreateHelpdesk(), CreateTicketAttachments(), TypedTicketEvents()],
        navigation: [
            NavigationEntry("nav.helpdesk", "/helpdesk", [.districtAdmin, .leader, .officer, .agent]),
            NavigationEntry("nav.myHelpdesk", "/helpdesk", [.enterpriseAdmin]),
            NavigationEntry("nav.scorecards", "/helpdesk/scorecards", [.districtAdmin, .leader, .agent], group: NavigationEntry.figures),
            NavigationEntry("nav.routing", "/admin/routing", [.districtAdmin], group: NavigationEntry.administration),
        ],
        jobs: [
            // Escalations and auto-close, 7×24.
            BackgroundJob(name: "help-desk sweep", initialDelay: .seconds(10), every: .minutes(1)) { app, now in
                try await HelpdeskService.sweep(app.context(now: now))
            },
        ],
        demo: { try await DemoHelpdesk(db: $0.db, now: $0.now, enterprises: $0.enterprises).load() }
    )
}
