import Foundation

/// Login throttling: too many failures for one account or from one address within a window
/// blocks further attempts until the oldest failure in the window ages out.
public struct LoginThrottle: Sendable {
    public var window: TimeInterval = 15 * 60
    public var maxFailuresPerAccount = 5
    public var maxFailuresPerAddress = 20

    public init() {}

    public enum Decision: Equatable, Sendable {
        case allowed
        case blocked(retryAfter: Int)
    }

    /// `accountFailures` and `addressFailures` are the times of failed attempts, any order.
    public func decide(accountFailures: [Date], addressFailures: [Date], now: Date) -> Decision {
        let waits = [
            wait(failures: accountFailures, limit: maxFailuresPerAccount, now: now),
            wait(failures: addressFailures, limit: maxFailuresPerAddress, now: now),
        ].compactMap { $0 }
        guard let longest = waits.max() else { return .allowed }
        return .blocked(retryAfter: longest)
    }

    /// Seconds until fewer than `limit` failures remain in the window, or nil if already so.
    func wait(failures: [Date], limit: Int, now: Date) -> Int? {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted(by: >)
        guard recent.count >= limit else { return nil }
        // Once the limit-th newest failure leaves the window, fewer than `limit` remain.
        let unblocksAt = recent[limit - 1].addingTimeInterval(window)
        return max(1, Int(unblocksAt.timeIntervalSince(now).rounded(.up)))
    }
}
