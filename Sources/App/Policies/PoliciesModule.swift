import Domain
import Vapor

extension Module {
    /// Policies and notices, with their files; a notice sent to enterprises, with each one's
    /// reading, reminders and calls (传递通知).
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
            // 传递通知: who has read a notice sent to enterprises (an officer: their own enterprises).
            r.api.get("notices", ":policyID", "receipts", use: A.receipts).access(.roles(.districtAdmin, .leader, .officer))
            r.api.post("notices", ":policyID", "receipts", ":enterpriseID", "reminder", use: A.remind).access(.roles(.districtAdmin, .officer))
            r.api.post("notices", ":policyID", "receipts", ":enterpriseID", "call", use: A.call).access(.roles(.officer))
            r.root.post("policies", ":policyID", "receipts", ":enterpriseID", ":action", use: P.receiptAction).access(.roles(.districtAdmin, .officer))
        },
        migrations: [CreatePolicies(), CreatePolicyAttachments(), CreateNoticeReceipts()],
        navigation: [NavigationEntry("nav.policies", "/policies", Set(Role.allCases).subtracting([.reviewer]))]
    )
}
