import Domain
import Vapor

extension Module {
    /// Policies and notices, with their files.
    static let policies = Module(
        name: "policies",
        routes: { r in
            r.api.get("policies", use: PoliciesController.apiList).access(.signedIn)
            r.api.post("policies", use: PoliciesController.apiCreate).access(.roles(.districtAdmin))
            r.root.get("policies", use: PoliciesController.listPage).access(.signedIn)
            r.root.post("policies", use: PoliciesController.create).access(.roles(.districtAdmin))
            r.root.get("policies", ":policyID", use: PoliciesController.detailPage).access(.signedIn)
            r.api.on(.POST, "policies", ":policyID", "attachments", body: r.upload, use: PoliciesController.apiAttach)
                .access(.roles(.districtAdmin))
            r.api.get("policies", ":policyID", "attachments", ":attachmentID", use: PoliciesController.download).access(.signedIn)
            r.root.on(.POST, "policies", ":policyID", "attachments", body: r.upload, use: PoliciesController.attachFromPage)
                .access(.roles(.districtAdmin))
            r.root.get("policies", ":policyID", "attachments", ":attachmentID", use: PoliciesController.download).access(.signedIn)
        },
        migrations: [CreatePolicies(), CreatePolicyAttachments()],
        navigation: [NavigationEntry("nav.policies", "/policies", Set(Role.allCases).subtracting([.reviewer]))]
    )
}
