import Domain
import Vapor

extension Module {
    /// Policies and notices, with their files.
    static let policies = Module(
        name: "policies",
        routes: { r in
            typealias A = PoliciesAPIController
            typealias P = PoliciesPagesController
            r.api.get("policies", use: A.list).access(.signedIn)
            r.api.post("policies", use: A.create).access(.roles(.districtAdmin))
            r.api.on(.POST, "policies", ":policyID", "attachments", body: r.upload, use: A.attach).access(.roles(.districtAdmin))
            r.api.get("policies", ":policyID", "attachments", ":attachmentID", use: A.download).access(.signedIn)
            r.root.get("policies", use: P.listPage).access(.signedIn)
            r.root.post("policies", use: P.create).access(.roles(.districtAdmin))
            r.root.get("policies", ":policyID", use: P.detailPage).access(.signedIn)
            r.root.on(.POST, "policies", ":policyID", "attachments", body: r.upload, use: P.attach).access(.roles(.districtAdmin))
            r.root.get("policies", ":policyID", "attachments", ":attachmentID", use: A.download).access(.signedIn)
        },
        migrations: [CreatePolicies(), CreatePolicyAttachments()],
        navigation: [NavigationEntry("nav.policies", "/policies", Set(Role.allCases).subtracting([.reviewer]))]
    )
}
