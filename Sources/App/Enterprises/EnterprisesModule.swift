import Domain
import Vapor

extension Module {
    /// The enterprise registry: zones, registration and its review.
    static let enterprises = Module(
        name: "enterprises",
        routes: { r in
            let government = Role.government
            let enterpriseReaders = Role.government.union(Role.enterpriseSide)
            r.root.get("register", use: EnterprisesController.registerPage).access(.anyone)
            r.root.post("register", use: EnterprisesController.register).access(.anyone)
            r.root.get("enterprises", use: EnterprisesController.listPage).access(.roles(government))
            r.root.get("enterprises", ":enterpriseID", use: EnterprisesController.detailPage)
                .access(.roles(enterpriseReaders, enterprise: "enterpriseID"))
            r.root.post("enterprises", ":enterpriseID", "review", use: EnterprisesController.review).access(.roles(.reviewer))
            r.root.get("my", "enterprise", use: EnterprisesController.myEnterprise).access(.roles(Role.enterpriseSide))
            r.api.get("zones", use: EnterprisesController.apiZones).access(.anyone)
            r.api.post("enterprises", use: EnterprisesController.apiRegister).access(.anyone)
            r.api.get("enterprises", use: EnterprisesController.apiList).access(.roles(government))
            r.api.get("enterprises", ":enterpriseID", use: EnterprisesController.apiShow)
                .access(.roles(enterpriseReaders, enterprise: "enterpriseID"))
            r.api.post("enterprises", ":enterpriseID", "review", use: EnterprisesController.apiReview).access(.roles(.reviewer))
        },
        migrations: [CreateZones(), CreateEnterprises()],
        navigation: [
            NavigationEntry("nav.enterprises", "/enterprises", [.districtAdmin, .reviewer, .leader, .officer, .agent, .portOperator]),
            NavigationEntry("nav.myEnterprise", "/my/enterprise", [.enterpriseAdmin, .employee]),
        ]
    )
}
