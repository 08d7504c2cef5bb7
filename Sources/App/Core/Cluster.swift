import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import SQLKit
import Vapor

/// What one instance tells every instance: a live event for the pages, a value each instance
/// keeps that has changed, or how far an import has got.
enum ClusterMessage: Codable, Sendable {
    /// For the pages subscribed to any of `channels` (`LiveEvents`).
    case live(event: String, channels: [String])
    /// Drop the kept copy: the next read loads it again.
    case changed(SharedValue)
    /// A roster import's progress, for its page, whichever instance it asks.
    case importProgress(token: String, owner: UUID, ImportProgress.Snapshot)
}

/// The values each instance keeps for a few seconds, and that a change on any instance clears
/// on every instance.
enum SharedValue: String, Codable, Sendable, CaseIterable {
    case settings, routing, bearerTokens, calendar
}

/// Fan-out between the instances of one deployment. A message is delivered here at once; on
/// PostgreSQL it also goes out with `NOTIFY`, and every other instance, listening on a
/// connection of its own, delivers it to its pages and caches. One SQLite file has one
/// instance (a lock beside the file sees to it), so there the message stays in-process.
///
/// If the listening connection drops (the database restarted), each instance clears every kept
/// value at once, reconnects with back-off, says in its log that events may have been missed,
/// and tells its open pages to refresh once. The kept values' own lifetime (5 s) stays as the
/// last safety net.
final class ClusterEvents: Sendable {
    /// This instance, in its messages: it skips its own when they come back.
    private let origin = UUID().uuidString
    private let deliver: @Sendable (ClusterMessage) -> Void
    private let relay: PostgresRelay?

    init(relay: PostgresRelay?, deliver: @escaping @Sendable (ClusterMessage) -> Void) {
        self.relay = relay
        self.deliver = deliver
    }

    func publish(_ message: ClusterMessage) {
        deliver(message)
        relay?.send(Envelope(from: origin, message: message))
    }

    /// `value` changed here: every instance drops its copy.
    func changed(_ value: SharedValue) { publish(.changed(value)) }

    struct Envelope: Codable, Sendable {
        let from: String
        let message: ClusterMessage
    }

    /// A message from another instance.
    func received(_ payload: String, logger: Logger) {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(payload.utf8)) else {
            logger.warning("cluster: unreadable message \(payload.prefix(200))")
            return
        }
        guard envelope.from != origin else { return }
        deliver(envelope.message)
    }

    /// Events sent while this instance did not listen are lost: drop every kept value, and have
    /// the open pages fetch themselves once.
    func missed(_ refreshPages: Bool) {
        for value in SharedValue.allCases { deliver(.changed(value)) }
        if refreshPages { deliver(.live(event: LiveEvents.refresh, channels: [])) }
    }

    var listening: Bool { relay?.listening ?? false }

    /// Starts and stops the listening connection with the server.
    /// Both the plain and the async forms: tests boot the plain way, `serve` the async way.
    struct Lifecycle: LifecycleHandler {
        func didBoot(_ app: Application) throws {
            app.cluster.relay?.start(app.cluster)
        }

        func shutdown(_ app: Application) {
            app.cluster.relay?.cancel()
        }

        func shutdownAsync(_ app: Application) async {
            await app.cluster.relay?.stop()
        }
    }
}

/// `NOTIFY` out through the pool, `LISTEN` on a connection of its own. The channel is named
/// after the schema, so the deployments (and tests) that share one database server do not hear
/// each other.
final class PostgresRelay: Sendable {
    let channel: String
    private let configuration: PostgresConnection.Configuration
    private let sql: @Sendable () -> (any SQLDatabase)?
    private let eventLoop: any EventLoop
    private let logger: Logger
    /// The listener and the sender.
    private let task = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let outbox = AsyncStream<String>.makeStream()
    private let state = NIOLockedValueBox(false)

    init(configuration: PostgresConnection.Configuration, schema: String?, eventLoop: any EventLoop, logger: Logger,
         sql: @escaping @Sendable () -> (any SQLDatabase)?) {
        self.configuration = configuration
        self.channel = "fugong_events_" + (schema ?? "public").lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
        self.eventLoop = eventLoop
        self.logger = logger
        self.sql = sql
    }

    var listening: Bool { state.withLockedValue { $0 } }

    /// Queued, and sent one after the other by one task: an import's "75 %" never overtakes
    /// its "50 %".
    func send(_ envelope: ClusterEvents.Envelope) {
        guard let payload = try? String(decoding: JSONEncoder().encode(envelope), as: UTF8.self) else { return }
        outbox.continuation.yield(payload)
    }

    private func sendQueued() async {
        for await payload in outbox.stream {
            guard let sql = sql() else { continue }
            do {
                try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
            } catch {
                logger.warning("cluster: could not tell the other instances (\(String(reflecting: error)))")
            }
        }
    }

    func start(_ events: ClusterEvents) {
        task.withLockedValue { tasks in
            guard tasks.isEmpty else { return }
            tasks = [Task { [self] in await listen(events) }, Task { [self] in await sendQueued() }]
        }
    }

    func cancel() {
        outbox.continuation.finish()
        for task in task.withLockedValue({ $0 }) { task.cancel() }
    }

    func stop() async {
        outbox.continuation.finish()
        let running = task.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private func listen(_ events: ClusterEvents) async {
        var connectedBefore = false
        var delay: Double = 0.25
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 0, logger: logger).get()
                do {
                    try await connection.listen(on: channel) { notifications in
                        state.withLockedValue { $0 = true }
                        if connectedBefore {
                            logger.warning("cluster: listening again on \(channel); events sent meanwhile were missed, so kept values are dropped and open pages refresh once")
                            events.missed(true)
                        }
                        connectedBefore = true
                        delay = 0.25
                        for try await notification in notifications {
                            events.received(notification.payload, logger: logger)
                        }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("cluster: lost the events connection (\(String(reflecting: error)))") }
                }
                state.withLockedValue { $0 = false }
                try? await connection.close()
                if !Task.isCancelled { events.missed(false) }
            } catch {
                if !Task.isCancelled { logger.warning("cluster: cannot listen for events yet (\(String(reflecting: error))); retrying in \(delay) s") }
            }
            if Task.isCancelled { break }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            delay = min(delay * 2, 5)
        }
    }
}

extension Application {
    private struct ClusterKey: StorageKey { typealias Value = ClusterEvents }

    var cluster: ClusterEvents {
        get { storage[ClusterKey.self]! }
        set { storage[ClusterKey.self] = newValue }
    }

    /// Wires the fan-out: on PostgreSQL through `NOTIFY`/`LISTEN`, else in-process. Each
    /// message's local effect is said here, once.
    func configureCluster(postgres: PostgresConnection.Configuration?) {
        let relay = postgres.map { configuration in
            PostgresRelay(configuration: configuration, schema: settings.databaseSchema, eventLoop: eventLoopGroup.next(), logger: logger) { [weak self] in
                self?.db as? any SQLDatabase
            }
        }
        cluster = ClusterEvents(relay: relay) { [weak self] message in
            guard let app = self else { return }
            switch message {
            case .live(let event, let channels):
                if event == LiveEvents.refresh { app.liveEvents.refreshAll() } else { app.liveEvents.deliver(event, to: Set(channels)) }
            case .changed(.settings): app.settingsCache.clear()
            case .changed(.routing): app.routingCache.clear()
            case .changed(.bearerTokens): app.bearerCache.clear()
            case .changed(.calendar): app.calendarCache.clear()
            case .importProgress(let token, let owner, let snapshot): app.importProgress.record(token: token, owner: owner, snapshot)
            }
        }
        lifecycle.use(ClusterEvents.Lifecycle())
    }

    /// A live event for the pages subscribed to any of `channels`, on every instance.
    func publishLive(_ event: String, to channels: Set<String>) {
        cluster.publish(.live(event: event, channels: channels.sorted()))
    }
}
