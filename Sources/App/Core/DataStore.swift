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
            app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: settings.databaseConnectionsPerLoop,
                                        connectionPoolTimeout: settings.databasePoolTimeout), as: .psql)
            app.configureCluster(postgres: configuration.coreConfiguration)
        } else {
            let path: String
            if settings.throwawayDatabase {
                path = FileManager.default.temporaryDirectory.appendingPathComponent("fugong-test-\(UUID().uuidString).sqlite").path
                app.lifecycle.use(RemoveFiles(paths: ["", "-wal", "-shm", "-setup.lock"].map { path + $0 }))
            } else {
                try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
                path = URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("fugong.sqlite").path
                try holdRunningLock(path)
            }
            // Reads use a connection per event loop; every write goes through the gate's own. The
            // gate and the health reports read and write straight through SQLite's C interface.
            app.sqlitePath = path
            let configuration = SQLiteConfiguration(storage: .file(path: path))
            app.databases.use(.sqlite(configuration), as: .sqlite)
            app.writeGate = try WriteGate(configuration, path: path, logger: app.logger, metrics: app.metrics)
            app.directReaders = DirectReaders(path: path)
            app.lifecycle.use(WriteGate.Shutdown())
            app.configureCluster(postgres: nil)
        }
    }

    /// Every process that opens the file holds a shared lock beside it until it exits, so that
    /// `fugong restore` can tell that none does.
    private static func holdRunningLock(_ path: String) throws {
        let descriptor = open(path + "-running.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_SH) == 0 else {
            throw SQLiteBackup.Failure(description: "cannot lock \(path)-running.lock")
        }
    }

    /// Read connections map the first 64 MB of the file instead of copying pages through read()
    /// (each connection maps its own: this counts in the server's memory once per connection),
    /// and keep 16 MB of pages.
    static let readPragmas = ["PRAGMA mmap_size=67108864", "PRAGMA cache_size=-16000", "PRAGMA synchronous=FULL"]

    /// SQLite: write-ahead log (kept in the file) and full sync on every connection.
    /// The busy handler stays sqlite-nio's, which retries at once: SQLite's own `busy_timeout`
    /// sleeps in whole seconds in this build, which put p50 at 860 ms under 50 writers. PostgreSQL: the test schema, if one is named.
    static func prepare(_ app: Application, on db: any Database) async throws {
        if let schema = app.settings.databaseSchema, app.settings.databaseURL != nil {
            try await (db as! any SQLDatabase).raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            return
        }
        guard app.settings.databaseURL == nil else { return }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let sql = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            for pragma in readPragmas { try await sql.raw(SQLQueryString(pragma)).run() }
        }
        try await app.writeGate?.prepare()
    }
}

extension Application {
    private struct SQLitePathKey: StorageKey { typealias Value = String }

    /// The SQLite file, when the platform runs on SQLite.
    var sqlitePath: String? {
        get { storage[SQLitePathKey.self] }
        set { storage[SQLitePathKey.self] = newValue }
    }
}

/// Removes a throwaway database's files at shutdown.
private struct RemoveFiles: LifecycleHandler {
    let paths: [String]
    func shutdownAsync(_ app: Application) async {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// Each event loop's own direct connection for the hot reads (`Request.hotRows`), opened on
/// first use and used only on its loop.
final class DirectReaders: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: DirectSQLite] = [:]

    init(path: String) { self.path = path }

    func connection(for loop: any EventLoop) throws -> DirectSQLite {
        try lock.withLock {
            if let connection = connections[ObjectIdentifier(loop)] { return connection }
            // No mapping: under a stream of writes each read finds the file changed, and SQLite
            // then drops its mapping (munmap, with a TLB flush on every core) and its cache; the
            // reads between two commits share the indexes' upper levels.
            let connection = try DirectSQLite(path: path, pragmas: ["PRAGMA cache_size=-16000", "PRAGMA synchronous=FULL"])
            connections[ObjectIdentifier(loop)] = connection
            return connection
        }
    }
}

extension Application {
    private struct DirectReadersKey: StorageKey { typealias Value = DirectReaders }

    /// SQLite only.
    var directReaders: DirectReaders? {
        get { storage[DirectReadersKey.self] }
        set { storage[DirectReadersKey.self] = newValue }
    }
}

extension Request {
    /// A read the gate and the health reports make on every call: on SQLite, straight through
    /// this event loop's own connection (`DirectSQLite`); otherwise through SQLKit.
    func hotRows(_ statement: HotStatement) async throws -> [any SQLRow] {
        try await application.hotRows(statement, on: eventLoop)
    }

    /// Statements committed together or not at all: the form of `transaction` for the writes
    /// the gate and the health reports make on every call.
    func write(_ statements: [HotStatement]) async throws {
        try await application.write(statements)
    }
}

extension Application {
    /// A hot read: on SQLite, straight through the calling event loop's own connection
    /// (`DirectSQLite`); otherwise, or off that loop, through SQLKit.
    func hotRows(_ statement: HotStatement, on eventLoop: (any EventLoop)?) async throws -> [any SQLRow] {
        if let readers = directReaders, let eventLoop, eventLoop.inEventLoop {
            let direct = try statement.direct()
            return try readers.connection(for: eventLoop).rows(direct.sql, direct.binds)
        }
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("hot reads need SQL") }
        return try await sql.raw(statement.query).all()
    }

    /// Statements committed together or not at all. On SQLite the writer runs them straight
    /// through its own connection (`WriteGate`). On PostgreSQL they go as one statement, the
    /// others as data-modifying `WITH` parts of the last (`HotStatement.together`): atomic by
    /// itself, one round trip instead of BEGIN, each statement and COMMIT. The statements must
    /// not read each other's changes (all parts see one snapshot); the hot writes never do.
    func write(_ statements: [HotStatement]) async throws {
        if let gate = writeGate {
            try await gate.run(try statements.map { try $0.direct() })
            return
        }
        guard !statements.isEmpty else { return }
        try await HotStatement.together(statements).run(on: db)
    }
}
