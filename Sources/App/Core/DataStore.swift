import Domain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Where the platform keeps its data: SQLite under the data folder by default, PostgreSQL when
/// `DATABASE_URL` is set.
enum DataStore {
    static func configureDatabase(_ app: Application, settings: Settings) throws {
        if let url = settings.databaseURL {
            var configuration = try SQLPostgresConfiguration(url: url)
            if let schema = settings.databaseSchema { configuration.searchPath = [schema] }
            app.databases.use(.postgres(configuration: configuration), as: .psql)
        } else {
            let configuration: SQLiteConfiguration
            if settings.inMemoryDatabase {
                configuration = .init(storage: .memory)
            } else {
                try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
                configuration = .init(storage: .file(path: URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("fugong.sqlite").path))
            }
            // Reads use a connection per event loop; every write goes through the gate's own.
            app.databases.use(.sqlite(configuration), as: .sqlite)
            app.writeGate = WriteGate(configuration, logger: app.logger)
            app.lifecycle.use(WriteGate.Shutdown())
        }
    }

    /// SQLite: write-ahead log (kept in the file) and full sync on every connection.
    /// The busy handler stays sqlite-nio's, which retries at once: SQLite's own `busy_timeout`
    /// sleeps in whole seconds in this build, which put p50 at 860 ms under 50 writers. PostgreSQL: the test schema, if one is named.
    static func prepare(_ app: Application) async throws {
        if let schema = app.settings.databaseSchema, app.settings.databaseURL != nil {
            try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            return
        }
        guard app.settings.databaseURL == nil else { return }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let sql = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            if !app.settings.inMemoryDatabase {
                try await sql.raw("PRAGMA journal_mode=WAL").run()
                // Reads map the first 64 MB of the file instead of copying pages through read()
                // (each connection maps its own: this counts in the server's memory twice).
                try await sql.raw("PRAGMA mmap_size=67108864").run()
            }
            try await sql.raw("PRAGMA cache_size=-16000").run()
            try await sql.raw("PRAGMA synchronous=FULL").run()
        }
        try await app.writeGate?.prepare()
    }
}

/// Background work on the platform's clock: every minute, help-desk escalations and
/// auto-close; every ten minutes, expired sessions, tokens and throttling records; in the
/// night (the hour from 3:00, China Standard Time), the workforce retention purge. Each
/// instance runs it; the changes are idempotent (an escalation level is only ever raised).
struct Sweeper: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        guard app.environment != .testing else { return }
        let settings = app.settings
        let db = app.db
        let clock = app.clock
        let logger = app.logger
        app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(5), delay: .minutes(10)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do { try await SignIn.sweep(db, settings: settings, now: clock.now) } catch {
                    logger.warning("sweep failed: \(String(reflecting: error))")
                }
            }
        }
        app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(10), delay: .minutes(1)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do { try await HelpdeskService.sweep(app, now: clock.now) } catch {
                    logger.warning("help-desk sweep failed: \(String(reflecting: error))")
                }
            }
        }
        app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .minutes(1), delay: .hours(1)) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                let now = clock.now
                guard CivilDate.calendar.component(.hour, from: now) == 3 else { return }
                do {
                    let outcome = try await Retention.purge(app, now: now)
                    logger.notice("retention purge before \(outcome.before): \(outcome.healthReports) reports, \(outcome.gateCheckIns) gate, \(outcome.visitors) visitors")
                } catch {
                    logger.warning("retention purge failed: \(String(reflecting: error))")
                }
            }
        }
    }
}
