/// An enterprise registers itself and waits for a reviewer to verify it or refuse it.
public enum EnterpriseStatus: String, CaseIterable, Codable, Sendable {
    case pending, verified, refused

    public enum ReviewDecision: String, Codable, Sendable {
        case approve, refuse
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
