import Foundation
import Vapor

/// The platform's source of time. Tests set a fixed or advancing clock, so deadlines, expiries
/// and throttling windows are testable without sleeping.
public final class AppClock: @unchecked Sendable {
    private let lock = NSLock()
    private var fixed: Date?
    /// Seconds ahead of the machine's clock (`Settings.clockOffset`).
    private let offset: TimeInterval

    public init(fixed: Date? = nil, offset: TimeInterval = 0) {
        self.fixed = fixed
        self.offset = offset
    }

    public var now: Date {
        lock.withLock { fixed ?? Date().addingTimeInterval(offset) }
    }

    public func set(_ date: Date) { lock.withLock { fixed = date } }

    public func advance(by interval: TimeInterval) {
        lock.withLock { fixed = (fixed ?? Date().addingTimeInterval(offset)).addingTimeInterval(interval) }
    }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }

    public var clock: AppClock {
        get {
            if let clock = storage[ClockKey.self] { return clock }
            let clock = AppClock()
            storage[ClockKey.self] = clock
            return clock
        }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now }
}
