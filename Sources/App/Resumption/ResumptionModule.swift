import Domain
import Vapor

extension Module {
    /// Resumption approvals: the application, its pre-check and documents, and the workflow in
    /// both modes (审批 and 报备).
    static let resumption = Module(
        name: "resumption",
        routes: { r in
            let readers: Set<Role> = [.enterpriseAdmin, .reviewer, .leader, .officer, .districtAdmin]
            let applications = r.api.grouped("resumption-applications")
            applications.post(use: ResumptionAPIController.create).access(.roles(.enterpriseAdmin))
            applications.get(use: ResumptionAPIController.list).access(.roles(readers))
            applications.get(":applicationID", use: ResumptionAPIController.show).access(.roles(readers))
            applications.patch(":applicationID", use: ResumptionAPIController.update).access(.roles(.enterpriseAdmin))
            applications.on(.POST, ":applicationID", "attachments", body: r.upload, use: ResumptionAPIController.attach)
                .access(.roles(.enterpriseAdmin))
            applications.get(":applicationID", "attachments", ":attachmentID", use: ResumptionAPIController.download)
                .access(.roles(readers))
            applications.post(":applicationID", "submit", use: ResumptionAPIController.submit).access(.roles(.enterpriseAdmin))
            applications.post(":applicationID", "review", use: ResumptionAPIController.review).access(.roles(.reviewer))
            applications.post(":applicationID", "confirm", use: ResumptionAPIController.confirm).access(.roles(.leader))
            applications.post(":applicationID", "suspend", use: ResumptionAPIController.suspend).access(.roles(.officer, .reviewer))

            let pages = r.root.grouped("resumption")
            pages.get(use: ResumptionPagesController.list).access(.roles(readers))
            pages.get("new", use: ResumptionPagesController.newForm).access(.roles(.enterpriseAdmin))
            pages.post(use: ResumptionPagesController.create).access(.roles(.enterpriseAdmin))
            pages.get(":applicationID", use: ResumptionPagesController.detail).access(.roles(readers))
            pages.get(":applicationID", "edit", use: ResumptionPagesController.editForm).access(.roles(.enterpriseAdmin))
            pages.post(":applicationID", use: ResumptionPagesController.update).access(.roles(.enterpriseAdmin))
            pages.on(.POST, ":applicationID", "attachments", body: r.upload, use: ResumptionPagesController.attach)
                .access(.roles(.enterpriseAdmin))
            pages.get(":applicationID", "attachments", ":attachmentID", use: ResumptionPagesController.download)
                .access(.roles(readers))
            pages.post(":applicationID", "submit", use: ResumptionPagesController.submit).access(.roles(.enterpriseAdmin))
            pages.post(":applicationID", "review", use: ResumptionPagesController.review).access(.roles(.reviewer))
            pages.post(":applicationID", "confirm", use: ResumptionPagesController.confirm).access(.roles(.leader))
            pages.post(":applicationID", "suspend", use: ResumptionPagesController.suspend).access(.roles(.officer, .reviewer))
        },
        migrations: [CreateResumptionApplications(), IndexResumptionEventsByApplication()],
        navigation: [
            NavigationEntry("nav.resumption", "/resumption", [.districtAdmin, .reviewer, .leader, .officer]),
            NavigationEntry("nav.myResumption", "/resumption", [.enterpriseAdmin]),
        ],
        demo: { try await DemoResumption(db: $0.db, now: $0.now, enterprises: $0.enterprises, officers: $0.officers,
                                   enterpriseAdmins: $0.enterpriseAdmins).load() }
    )
}
