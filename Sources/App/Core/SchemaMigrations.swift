import Fluent
import Foundation
import SQLKit
import Vapor

/// Migrations that cannot half-apply, run by one process at a time.
///
/// Fluent's own migrator runs a migration and then writes its log row, outside any
/// transaction: a process killed between the two, or in the middle of a migration's several
/// statements, left a database that no later start could migrate ("table already exists").
/// Here each migration and its log row commit together (both SQLite and PostgreSQL have
/// transactional DDL), and the whole setup (database settings, migrations, the demo district,
/// the first admin) runs under a lock that only one process holds: a file lock beside the
/// SQLite file, or a PostgreSQL advisory lock. Instances started together wait their turn,
/// and find the work done.
///
/// The log is Fluent's own table (`_fluent_migrations`), so databases migrated before keep
/// their history.
enum SchemaMigrations {
    /// Runs `work` holding the setup lock, with the database it is to use: on PostgreSQL the
    /// connection that holds the lock (a pool of one connection per event loop could otherwise
    /// make `work` wait for the very connection the lock holds).
    static func exclusively(_ app: Application, _ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        if app.settings.databaseURL != nil {
            // An advisory lock belongs to a connection: hold one for the whole setup.
            let scope = "fugong.setup." + (app.settings.databaseSchema ?? "public")
            try await app.db.withConnection { connection in
                let sql = connection as! any SQLDatabase
                try await sql.raw("SELECT pg_advisory_lock(hashtext(\(bind: scope)))").run()
                do {
                    try await work(connection)
                } catch {
                    try? await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: scope)))").run()
                    throw error
                }
                try await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: scope)))").run()
            }
        } else {
            guard let path = app.sqlitePath else { throw Abort(.internalServerError, reason: "no SQLite file configured") }
            let lock = try await FileLock.acquire(path: path + "-setup.lock", on: app.threadPool)
            defer { lock.release() }
            try await work(app.db)
        }
    }

    /// Applies each migration not yet in the log, in order, each in a transaction with its log
    /// row. Call it holding the setup lock.
    static func run(_ migrations: [any Migration], on db: any Database, logger: Logger) async throws {
        try await MigrationLog.migration.prepare(on: db).get()
        let logged = try await MigrationLog.query(on: db).all()
        let done = Set(logged.map(\.name))
        let batch = (logged.map(\.batch).max() ?? 0) + 1
        for migration in migrations where !done.contains(migration.name) {
            logger.info("migrating: \(migration.name)")
            try await db.transaction { db in
                try await migration.prepare(on: db).get()
                try await MigrationLog(name: migration.name, batch: batch).create(on: db)
            }
        }
    }
}

/// An exclusive lock on a file, between processes (`flock`). Waiting for it happens on the
/// thread pool, not on an event loop.
final class FileLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    static func acquire(path: String, on pool: NIOThreadPool) async throws -> FileLock {
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LockError(path: path, errno: errno) }
        let status = try await pool.runIfActive { flock(descriptor, LOCK_EX) }
        guard status == 0 else {
            close(descriptor)
            throw LockError(path: path, errno: errno)
        }
        return FileLock(descriptor: descriptor)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    struct LockError: Error, CustomStringConvertible {
        let path: String
        let errno: Int32
        var description: String { "cannot lock \(path): \(String(cString: strerror(errno)))" }
    }
}
