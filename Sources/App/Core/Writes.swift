import Fluent
import FluentSQLiteDriver
import SQLKit
import Foundation
import Vapor

/// Writes on SQLite go through one writer per process, with group commit. SQLite allows a
/// single writer, and a durable commit (WAL, synchronous=FULL) costs an fsync; so the writer
/// takes every transaction waiting at that moment and runs them in one database transaction:
/// under load, 64 fsyncs become one; alone, a write commits at once as before. PostgreSQL is
/// not gated.
///
/// One job's failure must not undo the others. A job runs in a SAVEPOINT of its own and rolls
/// back alone, unless it is `replayable`: its body only writes values it captured, so it may
/// run twice. Those run bare, two statements fewer each (the gate's and the health reports'
/// writes); when one of them fails, the whole batch rolls back and runs again, each job in a
/// savepoint, so that each gets its own outcome.
///
/// The writer has a connection, an event loop and a thread of its own, and the actor runs on
/// that loop: a batch held on a shared connection would stall every read queued behind it, and
/// each statement's result resumes the writer where it already is.
actor WriteGate {
    private struct Job {
        let replayable: Bool
        let work: @Sendable (any Database) async throws -> Void
        let done: CheckedContinuation<Void, any Error>
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    private let databases: Databases
    private let loop: any EventLoop
    private let loopExecutor: EventLoopExecutor
    private let logger: Logger
    private var queue: [Job] = []
    private var draining = false
    /// Most transactions in one commit.
    private let batchLimit = 64

    nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    init(_ configuration: SQLiteConfiguration, logger: Logger) {
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

    /// Full sync on the writer's connection too: it is the one that commits. It keeps 64 MB of
    /// pages: every write walks the indexes of tables of millions of rows (health reports), and
    /// with SQLite's default 2 MB each of those walks read its pages from the file again.
    func prepare() async throws {
        guard let sql = database() as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA synchronous=FULL").run()
        try await sql.raw("PRAGMA cache_size=-65536").run()
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    struct Shutdown: LifecycleHandler {
        func shutdownAsync(_ app: Application) async { await app.writeGate?.shutdown() }
    }

    func run(replayable: Bool, _ work: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            queue.append(Job(replayable: replayable, work: work, done: done))
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
            if await !commit(batch, savepointEach: false) {
                _ = await commit(batch, savepointEach: true)
            }
        }
        draining = false
    }

    private struct Replay: Error {}

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

    /// Commits the batch and answers each job; or answers false, with nothing changed and
    /// nobody answered, when a job without a savepoint failed.
    private func commit(_ batch: [Job], savepointEach: Bool) async -> Bool {
        let outcomes = OutcomeBox()
        do {
            try await transaction { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.internalError("group commit needs SQL") }
                if batch.count == 1 {
                    do { try await batch[0].work(db) } catch { outcomes.fail(0, error); throw error }
                    return
                }
                for (index, job) in batch.enumerated() {
                    if job.replayable && !savepointEach {
                        do { try await job.work(db) } catch { throw Replay() }
                        continue
                    }
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
        } catch is Replay {
            return false
        } catch {
            for (index, job) in batch.enumerated() { job.done.resume(throwing: outcomes.error(index) ?? error) }
        }
        return true
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
    /// `replayable`: the body only writes values it captured, and may run twice (`WriteGate`).
    func transaction<T: Sendable>(replayable: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = writeGate else { return try await db.transaction(body) }
        let box = ResultBox<T>()
        try await gate.run(replayable: replayable) { db in box.value = try await body(db) }
        guard let value = box.value else { throw AppError.internalError("write without result") }
        return value
    }
}

extension Request {
    /// A write transaction: the change and its audit row commit together or not at all.
    /// `replayable`: the body only writes values it captured, and may run twice (`WriteGate`).
    func transaction<T: Sendable>(replayable: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.transaction(replayable: replayable, body)
    }
}
