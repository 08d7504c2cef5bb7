import Foundation

/// A value each instance keeps for a few seconds: a change clears it on every instance at once
/// (`ClusterEvents`); `lifetime` is the safety net when the instances lost touch. District
/// settings, the working calendar and the help desk's routing table are read on nearly every
/// write and change a few times a year.
final class InstanceCache<Value: Sendable>: @unchecked Sendable {
    static var lifetime: TimeInterval { 5 }
    private let lock = NSLock()
    private var value: (Value, Date)?

    func fresh() -> Value? {
        lock.withLock { value.flatMap { Date().timeIntervalSince($0.1) < Self.lifetime ? $0.0 : nil } }
    }

    func store(_ value: Value) { lock.withLock { self.value = (value, Date()) } }
    func clear() { lock.withLock { value = nil } }

    /// The kept value, or a fresh one read by `load`.
    func value(_ load: () async throws -> Value) async throws -> Value {
        if let fresh = fresh() { return fresh }
        let loaded = try await load()
        store(loaded)
        return loaded
    }
}
