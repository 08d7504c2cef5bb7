import Domain
import Vapor

extension Module {
    /// The site (现场): each area's disinfection with an alert when one is overdue (消毒), who
    /// works on site or from home each day against the approved headcount (居家办公), and the
    /// daily output of key supplies (每天生产消毒液5000多瓶).
    static let site = Module(
        name: "site",
        routes: { r in
            typealias A = SiteAPIController
            let own = Access.roles(.enterpriseAdmin, enterprise: "enterpriseID")
            let ownOrGovernment = Access.roles(.enterpriseAdmin, .officer, .reviewer, .districtAdmin, .leader, enterprise: "enterpriseID")
            let enterprise = r.api.grouped("enterprises", ":enterpriseID")
            enterprise.get("disinfection-areas", use: A.areas).access(ownOrGovernment)
            enterprise.post("disinfection-areas", use: A.addArea).access(own)
            enterprise.get("disinfections", use: A.disinfections).access(ownOrGovernment)
            enterprise.post("disinfections", use: A.record).access(own)
            enterprise.get("work-arrangements", use: A.arrangements).access(ownOrGovernment)
            enterprise.put("work-arrangements", use: A.arrange).access(own)
            enterprise.get("output", use: A.output).access(ownOrGovernment)
            enterprise.post("output", use: A.reportOutput).access(own)
            r.api.get("key-products", use: A.products).access(.signedIn)
            let government = Access.roles(.officer, .reviewer, .districtAdmin, .leader)
            r.api.get("output-totals", use: A.totals).access(government)

            typealias P = SitePagesController
            let office = Access.roles(.enterpriseAdmin)
            r.root.get("site", use: P.overview).access(office)
            r.root.post("site", "areas", use: P.addArea).access(office)
            r.root.post("site", "disinfections", use: P.record).access(office)
            r.root.post("site", "output", use: P.reportOutput).access(office)
            r.root.get("site", "arrangements", use: P.arrangements).access(office)
            r.root.post("site", "arrangements", use: P.arrange).access(office)
            r.root.get("site", "district", use: P.district).access(government)
        },
        migrations: [CreateSite()],
        navigation: [
            NavigationEntry("nav.site", "/site", [.enterpriseAdmin]),
            NavigationEntry("nav.site", "/site/district", [.officer, .leader]),
        ],
        jobs: [
            BackgroundJob(name: "disinfection alerts", initialDelay: .seconds(30), every: .minutes(10)) { app, now in
                try await SiteService.alertOverdue(app.context(now: now))
            },
        ],
        demo: { try await DemoSite(context: $0).load() }
    )
}
