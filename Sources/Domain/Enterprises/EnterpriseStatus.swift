/// An enterprise registers itself and waits for a reviewer to verify it or refuse it.
public enum EnterpriseStatus: String, CaseIterable, Codable, Sendable {
    case pending, verified, refused

    public enum ReviewDecision: String, Codable, Sendable {
        case approve, refuse
    }

    /// A reviewer's verdict as submitted (enterprise registrations and employers alike):
    /// approve, or refuse with a reason; a reason is at most 500 characters.
    public struct Review: Equatable, Sendable {
        public let decision: ReviewDecision
        public let reason: String

        public static func check(decision rawDecision: String?, reason rawReason: String?) throws(FieldErrors) -> Review {
            var errors = FieldErrors()
            let decision = rawDecision.flatMap(ReviewDecision.init(rawValue:))
            if decision == nil { errors.add("decision", FormText.trimmed(rawDecision).isEmpty ? "error.required" : "error.decision.unknown") }
            let reason = FormText.trimmed(rawReason)
            if decision == .refuse, reason.isEmpty { errors.add("reason", "error.reason.required") }
            if reason.count > 500 { errors.add("reason", "error.tooLong") }
            guard errors.isEmpty, let decision else { throw errors }
            return Review(decision: decision, reason: reason)
        }
    }

    public struct IllegalTransition: Error, Equatable, Sendable {
        public let from: EnterpriseStatus
        public let messageKey = "error.enterprise.alreadyReviewed"
    }

    /// Only a pending registration is reviewed; a refused one must register again after fixing.
    public func reviewed(_ decision: ReviewDecision) throws(IllegalTransition) -> EnterpriseStatus {
        guard self == .pending else { throw IllegalTransition(from: self) }
        return decision == .approve ? .verified : .refused
    }

    public var nameKey: String { "enterprise.status.\(rawValue)" }
}
