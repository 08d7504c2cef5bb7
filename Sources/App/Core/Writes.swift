import Fluent
import SQLKit
import Foundation
import Vapor

/// Writes on SQLite go through one writer per process, with group commit. SQLite allows a
/// single writer, and a durable commit (WAL, synchronous=FULL) costs an fsync; so the writer
/// takes every transaction waiting at that moment and runs them in one database transaction,
/// each inside its own SAVEPOINT: one that fails rolls back alone and gets its own error, the
/// others commit together with a single fsync. Under load this turns 50 fsyncs into one;
/// alone, a write commits at once as before. PostgreSQL is not gated.
actor WriteGate {
    private struct Job {
        let work: @Sendable (any Database) async throws -> Void
        let done: CheckedContinuation<Void, any Error>
    }

    private let database: @Sendable () -> any Database
    private var queue: [Job] = []
    private var draining = false
    /// Most transactions in one commit.
    private let batchLimit = 64

    init(database: @escaping @Sendable () -> any Database) {
        self.database = database
    }

    func run(_ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            queue.append(Job(work: work, done: done))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(batchLimit))
            queue.removeFirst(batch.count)
            let outcomes = OutcomeBox(count: batch.count)
            do {
                try await database().transaction { db in
                    guard let sql = db as? any SQLDatabase else { throw AppError.internalError("group commit needs SQL") }
                    if batch.count == 1 {
                        do { try await batch[0].work(db) } catch { outcomes.fail(0, error); throw error }
                        return
                    }
                    for (index, job) in batch.enumerated() {
                        try await sql.raw("SAVEPOINT w\(unsafeRaw: String(index))").run()
                        do {
                            try await job.work(db)
                            try await sql.raw("RELEASE w\(unsafeRaw: String(index))").run()
                        } catch {
                            try await sql.raw("ROLLBACK TO w\(unsafeRaw: String(index))").run()
                            try await sql.raw("RELEASE w\(unsafeRaw: String(index))").run()
                            outcomes.fail(index, error)
                        }
                    }
                }
                for (index, job) in batch.enumerated() {
                    if let error = outcomes.error(index) { job.done.resume(throwing: error) } else { job.done.resume() }
                }
            } catch {
                for (index, job) in batch.enumerated() { job.done.resume(throwing: outcomes.error(index) ?? error) }
            }
        }
        draining = false
    }
}

final class SettingsCache: @unchecked Sendable {
    static let lifetime: TimeInterval = 5
    private let lock = NSLock()
    private var value: (DistrictSettings, Date)?

    func fresh() -> DistrictSettings? {
        lock.withLock { value.flatMap { Date().timeIntervalSince($0.1) < Self.lifetime ? $0.0 : nil } }
    }

    func store(_ settings: DistrictSettings) { lock.withLock { value = (settings, Date()) } }
    func clear() { lock.withLock { value = nil } }
}

extension Application {
    private struct SettingsCacheKey: StorageKey { typealias Value = SettingsCache }

    var settingsCache: SettingsCache {
        if let cache = storage[SettingsCacheKey.self] { return cache }
        let cache = SettingsCache()
        storage[SettingsCacheKey.self] = cache
        return cache
    }
}

/// Per-job errors of one group commit.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Int: any Error] = [:]
    init(count: Int) {}
    func fail(_ index: Int, _ error: any Error) { lock.withLock { errors[index] = error } }
    func error(_ index: Int) -> (any Error)? { lock.withLock { errors[index] } }
}

/// Carries a job's result out of the writer.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
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
        let box = ResultBox<T>()
        try await gate.run { db in box.value = try await body(db) }
        guard let value = box.value else { throw AppError.internalError("write without result") }
        return value
    }
}

extension Request {
    /// A write transaction: the change and its audit row commit together or not at all.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.transaction(body)
    }

    private struct SettingsKey: StorageKey { typealias Value = DistrictSettings }

    /// The district's settings, read once per request and kept by the instance for a few
    /// seconds: a change made on another instance is seen within `SettingsCache.lifetime`.
    func districtSettings() async throws -> DistrictSettings {
        if let cached = storage[SettingsKey.self] { return cached }
        let settings: DistrictSettings
        if let fresh = application.settingsCache.fresh() {
            settings = fresh
        } else {
            settings = try await DistrictSettings.load(db)
            application.settingsCache.store(settings)
        }
        storage[SettingsKey.self] = settings
        return settings
    }
}
