import Domain
import Vapor

extension Module {
    /// The talent network (人才就业网): employers, postings, search, résumés, applications.
    static let jobs = Module(
        name: "jobs",
        routes: { r in
            let figures: Set<Role> = [.districtAdmin, .leader, .reviewer, .officer]
            r.api.post("employers", "registrations", use: JobsAPIController.register).access(.anyone)
            r.api.post("employers", use: JobsAPIController.start).access(.roles(.enterpriseAdmin))
            r.api.get("employers", use: JobsAPIController.listEmployers).access(.roles(.reviewer, .districtAdmin))
            r.api.get("employers", ":employerID", use: JobsAPIController.showEmployer).access(.anyone)
            r.api.post("employers", ":employerID", "review", use: JobsAPIController.review).access(.roles(.reviewer))
            r.api.on(.POST, "employers", ":employerID", "licence", body: r.upload, use: JobsAPIController.licence)
                .access(.roles(.enterpriseAdmin))
            r.api.post("jobs", use: JobsAPIController.publish).access(.roles(.enterpriseAdmin))
            r.api.get("jobs", use: JobsAPIController.search).access(.anyone)
            r.api.get("jobs", ":jobID", use: JobsAPIController.show).access(.anyone)
            r.api.patch("jobs", ":jobID", use: JobsAPIController.update).access(.roles(.enterpriseAdmin))
            r.api.post("jobs", ":jobID", "applications", use: JobsAPIController.apply).access(.roles(.jobSeeker))
            r.api.post("job-seekers", use: JobsAPIController.registerSeeker).access(.anyone)
            r.api.get("job-figures", use: JobFigures.api).access(.roles(figures))
            r.api.get("resume", use: JobsAPIController.resume).access(.roles(.jobSeeker))
            r.api.put("resume", use: JobsAPIController.saveResume).access(.roles(.jobSeeker))
            r.api.put("resume", "consent", use: JobsAPIController.consent).access(.roles(.jobSeeker))
            r.api.get("applications", use: JobsAPIController.applications).access(.roles(.jobSeeker, .enterpriseAdmin))
            r.api.get("applications", ":applicationID", use: JobsAPIController.showApplication).access(.roles(.jobSeeker, .enterpriseAdmin))
            r.api.patch("applications", ":applicationID", use: JobsAPIController.move).access(.roles(.enterpriseAdmin))

            typealias J = JobsPagesController
            r.root.get("jobs", use: J.list).access(.anyone)
            r.root.get("jobs", ":jobID", use: J.job).access(.anyone)
            r.root.post("jobs", ":jobID", "apply", use: J.apply).access(.roles(.jobSeeker))
            r.root.get("employers", ":employerID", use: J.employer).access(.anyone)
            r.root.get("jobs", "centre", use: J.centre).access(.roles(.enterpriseAdmin))
            r.root.post("jobs", "centre", "start", use: J.start).access(.roles(.enterpriseAdmin))
            r.root.on(.POST, "jobs", "centre", "licence", body: r.upload, use: J.licence).access(.roles(.enterpriseAdmin))
            r.root.post("jobs", "centre", "postings", use: J.publish).access(.roles(.enterpriseAdmin))
            r.root.post("jobs", "centre", "postings", ":jobID", "filled", use: J.markFilled).access(.roles(.enterpriseAdmin))
            r.root.get("jobs", "centre", "applications", ":applicationID", use: J.applicant).access(.roles(.enterpriseAdmin))
            r.root.post("jobs", "centre", "applications", ":applicationID", use: J.move).access(.roles(.enterpriseAdmin))
            r.root.get("jobs", "review", use: J.reviewQueue).access(.roles(.reviewer))
            r.root.post("jobs", "review", ":employerID", use: J.review).access(.roles(.reviewer))
            r.root.get("jobs", "review", ":employerID", "licence", use: J.licenceFile).access(.roles(.reviewer, .enterpriseAdmin))
            r.root.get("jobs", "figures", use: JobFigures.page).access(.roles(figures))
            r.root.get("seekers", "register", use: J.seekerRegisterPage).access(.anyone)
            r.root.post("seekers", "register", use: J.registerSeeker).access(.anyone)
            r.root.get("resume", use: J.resumePage).access(.roles(.jobSeeker))
            r.root.post("resume", use: J.saveResume).access(.roles(.jobSeeker))
            r.root.post("resume", "consent", use: J.consent).access(.roles(.jobSeeker))
            r.root.get("my-applications", use: J.myApplications).access(.roles(.jobSeeker))
        },
        migrations: [CreateJobs(), ReindexJobTerms()],
        navigation: [
            NavigationEntry("nav.jobs", "/jobs", [.districtAdmin, .jobSeeker]),
            NavigationEntry("nav.jobFigures", "/jobs/figures", [.districtAdmin, .leader], group: NavigationEntry.figures),
            NavigationEntry("nav.employerReview", "/jobs/review", [.reviewer]),
            NavigationEntry("nav.recruitment", "/jobs/centre", [.enterpriseAdmin]),
            NavigationEntry("nav.resume", "/resume", [.jobSeeker]),
            NavigationEntry("nav.myApplications", "/my-applications", [.jobSeeker]),
        ],
        commands: [("bench-jobs", JobsBenchmarkCommand())],
        demo: { try await DemoJobs(db: $0.db, now: $0.now, enterprises: $0.enterprises).load() }
    )
}
