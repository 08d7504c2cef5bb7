import Fluent
import Foundation
import Vapor

/// One writer at a time per process on SQLite. SQLite allows a single writer; two pooled
/// connections writing at once make one of them spin in sqlite-nio's busy handler, which
/// burns a core and doubled latency under load. Queuing writers here costs nothing that the
/// file lock would not cost anyway. PostgreSQL takes its own row locks, so it is not gated.
actor WriteGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension Application {
    private struct WriteGateKey: StorageKey { typealias Value = WriteGate }

    var writeGate: WriteGate? {
        get { storage[WriteGateKey.self] }
        set { storage[WriteGateKey.self] = newValue }
    }
}

extension Application {
    /// A write transaction outside a request (the clock's background work).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = writeGate else { return try await db.transaction(body) }
        await gate.acquire()
        do {
            let result = try await db.transaction(body)
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }
}

extension Request {
    /// A write transaction: the change and its audit row commit together or not at all.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = application.writeGate else { return try await db.transaction(body) }
        await gate.acquire()
        do {
            // On this request's own connection, so reads inside see the request's view.
            let result = try await db.transaction(body)
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }

    private struct SettingsKey: StorageKey { typealias Value = DistrictSettings }

    /// The district's settings, read once per request.
    func districtSettings() async throws -> DistrictSettings {
        if let cached = storage[SettingsKey.self] { return cached }
        let settings = try await DistrictSettings.load(db)
        storage[SettingsKey.self] = settings
        return settings
    }
}
