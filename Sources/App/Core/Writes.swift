import Fluent
import FluentSQLiteDriver
import SQLKit
import Foundation
import Vapor

/// Writes on SQLite go through one writer per process, with group commit. SQLite allows a
/// single writer, and a durable commit (WAL, synchronous=FULL) costs an fsync; so the writer
/// takes every write waiting at that moment and commits them together: under load, 64 fsyncs
/// become one; alone, a write commits at once as before. PostgreSQL is not gated.
///
/// Each write runs in a SAVEPOINT of its own: one that fails rolls back alone and gets its own
/// error; the others commit.
///
/// A write is either a body working on a Fluent `Database` (most of them), or statements ready
/// to run (`Request.write`: the gate and the health reports, thousands a second). Those run on
/// a second connection driven through SQLite's C interface (`DirectSQLite`), each statement
/// prepared once, on the writer's own thread; the bodies run on the Fluent connection. The two
/// kinds commit one after the other, never at the same time.
///
/// The writer has its connections, an event loop and a thread of its own, and the actor runs on
/// that loop: a batch held on a shared connection would stall every read queued behind it, and
/// each statement's result resumes the writer where it already is.
actor WriteGate {
    private enum Work {
        case body(@Sendable (any Database) async throws -> Void)
        case statements([DirectStatement])
    }

    private struct Job {
        let work: Work
        let done: CheckedContinuation<Void, any Error>
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    private let databases: Databases
    private let loop: any EventLoop
    private let loopExecutor: EventLoopExecutor
    private let direct: DirectSQLite
    private let logger: Logger
    private var queue: [Job] = []
    private var draining = false
    /// Most writes in one commit.
    private let batchLimit = 64

    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// Full sync on the writer's connections: they are the ones that commit. The direct one
    /// keeps 64 MB of pages: every hot write walks the indexes of tables of millions of rows
    /// (health reports), and with SQLite's default 2 MB each of those walks read its pages from
    /// the file again. The Fluent one, for imports and everything else, keeps 32 MB.
    private static let directPragmas = ["PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536"]
    private static let pragmas = ["PRAGMA synchronous=FULL", "PRAGMA cache_size=-32768"]

    private let metrics: PlatformMetrics

    init(_ configuration: SQLiteConfiguration, path: String, logger: Logger, metrics: PlatformMetrics) throws {
        self.metrics = metrics
        direct = try DirectSQLite(path: path, pragmas: Self.directPragmas)
        threadPool.start()
        databases = Databases(threadPool: threadPool, on: group)
        databases.use(.sqlite(configuration), as: .sqlite)
        loop = group.next()
        loopExecutor = EventLoopExecutor(loop)
        self.logger = logger
    }

    private func database() -> any Database {
        databases.database(logger: logger, on: loop)!
    }

    func prepare() async throws {
        guard let sql = database() as? any SQLDatabase else { return }
        for pragma in Self.pragmas { try await sql.raw(SQLQueryString(pragma)).run() }
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    struct Shutdown: LifecycleHandler {
        func shutdownAsync(_ app: Application) async { await app.writeGate?.shutdown() }
    }

    func run(_ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await enqueue(.body(work))
    }

    func run(_ statements: [DirectStatement]) async throws {
        try await enqueue(.statements(statements))
    }

    private func enqueue(_ work: Work) async throws {
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
            metrics.writerBatch(size: batch.count)
            metrics.writerQueue(depth: queue.count)
            var statements: [(Job, [DirectStatement])] = []
            var bodies: [(Job, @Sendable (any Database) async throws -> Void)] = []
            for job in batch {
                switch job.work {
                case .statements(let list): statements.append((job, list))
                case .body(let body): bodies.append((job, body))
                }
            }
            if !statements.isEmpty { commit(statements) }
            if !bodies.isEmpty { await commit(bodies) }
        }
        draining = false
    }

    /// Statements, on the direct connection, here on the writer's thread.
    private func commit(_ jobs: [(Job, [DirectStatement])]) {
        var failures: [Int: any Error] = [:]
        do {
            try direct.execute("BEGIN IMMEDIATE")
            for (index, (_, statements)) in jobs.enumerated() {
                try direct.execute("SAVEPOINT job")
                do {
                    for statement in statements { try direct.execute(statement.sql, statement.binds) }
                    try direct.execute("RELEASE job")
                } catch {
                    try direct.execute("ROLLBACK TO job")
                    try direct.execute("RELEASE job")
                    failures[index] = error
                }
            }
            try direct.execute("COMMIT")
        } catch {
            try? direct.execute("ROLLBACK")
            for (index, (job, _)) in jobs.enumerated() { job.done.resume(throwing: failures[index] ?? error) }
            return
        }
        for (index, (job, _)) in jobs.enumerated() {
            if let failure = failures[index] { job.done.resume(throwing: failure) } else { job.done.resume() }
        }
    }

    /// Bodies, on the Fluent connection.
    private func commit(_ jobs: [(Job, @Sendable (any Database) async throws -> Void)]) async {
        let outcomes = OutcomeBox()
        do {
            try await transaction { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.internalError("group commit needs SQL") }
                if jobs.count == 1 {
                    do { try await jobs[0].1(db) } catch { outcomes.fail(0, error); throw error }
                    return
                }
                for (index, (_, body)) in jobs.enumerated() {
                    try await sql.raw("SAVEPOINT w\(unsafeRaw: String(index))").run()
                    do {
                        try await body(db)
                        try await sql.raw("RELEASE w\(unsafeRaw: String(index))").run()
                    } catch {
                        try await sql.raw("ROLLBACK TO w\(unsafeRaw: String(index))").run()
                        try await sql.raw("RELEASE w\(unsafeRaw: String(index))").run()
                        outcomes.fail(index, error)
                    }
                }
            }
            for (index, (job, _)) in jobs.enumerated() {
                if let error = outcomes.error(index) { job.done.resume(throwing: error) } else { job.done.resume() }
            }
        } catch {
            for (index, (job, _)) in jobs.enumerated() { job.done.resume(throwing: outcomes.error(index) ?? error) }
        }
    }

    /// A transaction whose body runs here, on the writer's loop. Fluent's async `transaction`
    /// runs it in a new task on the shared pool, and each statement then crossed to this loop
    /// and back.
    private func transaction(_ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let executor = loopExecutor
        try await database().transaction { db -> EventLoopFuture<Void> in
            let promise = db.eventLoop.makePromise(of: Void.self)
            Task(executorPreference: executor) {
                do {
                    try await body(db)
                    promise.succeed(())
                } catch {
                    promise.fail(error)
                }
            }
            return promise.futureResult
        }.get()
    }
}

/// A new model's row, read before the writer runs it. Fluent's reflection over a wide model
/// costs about a millisecond; inside the single writer that millisecond is everyone's. Read
/// here, in the request's own task, the writer only binds and runs one INSERT.
struct PreparedInsert: Sendable {
    let table: String
    let columns: [String]
    let values: [any SQLExpression]

    init<M: Model>(_ model: M) throws where M.IDValue == UUID {
        if model.id == nil { model.id = UUID() }
        let input = Collected()
        model.input(to: input)
        var columns: [String] = []
        var values: [any SQLExpression] = []
        for (key, value) in input.values {
            let expression: any SQLExpression
            switch value {
            case .bind(let bound): expression = SQLBind(bound)
            case .enumCase(let name): expression = SQLBind(name)
            case .null: expression = SQLLiteral.null
            case .default: continue
            case .custom(let custom as any SQLExpression): expression = custom
            case .custom, .array, .dictionary: throw AppError.internalError("\(M.schema).\(key.description) cannot be prepared")
            }
            columns.append(key.description)
            values.append(expression)
        }
        self.table = M.schema
        self.columns = columns
        self.values = values
    }

    /// The same row with one column's value decided later, inside the transaction.
    func setting(_ column: String, to value: any Encodable & Sendable) -> PreparedInsert {
        guard let index = columns.firstIndex(of: column) else {
            return PreparedInsert(table: table, columns: columns + [column], values: values + [SQLBind(value)])
        }
        var values = values
        values[index] = SQLBind(value)
        return PreparedInsert(table: table, columns: columns, values: values)
    }

    private init(table: String, columns: [String], values: [any SQLExpression]) {
        self.table = table
        self.columns = columns
        self.values = values
    }

    /// Inserts the row; the model then counts as stored, as after Fluent's `create`.
    func run<M: Model>(on db: any Database, for model: M) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("prepared inserts need SQL") }
        try await sql.insert(into: table).columns(columns).values(values).run()
        model._$idExists = true
    }

    private final class Collected: DatabaseInput {
        var values: [(FieldKey, DatabaseQuery.Value)] = []
        func set(_ value: DatabaseQuery.Value, at key: FieldKey) { values.append((key, value)) }
    }
}

/// Per-job errors of one group commit.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Int: any Error] = [:]
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
}

extension Database {
    /// Holds `table`'s row `id` to the end of the transaction, so that a check and the write it
    /// allows are not interleaved with another's: on PostgreSQL a row lock (`FOR UPDATE`); on
    /// SQLite the one writer already runs transactions one at a time.
    func lockRow(_ table: String, id: UUID) async throws {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }
}
