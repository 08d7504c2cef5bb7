import Fluent
import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Vapor
import VaporCSQLite

/// SQLite through its C interface, on the calling thread, each statement prepared once and
/// kept. SQLiteNIO parses every statement anew and runs it on a thread pool, a hop there and
/// back; for the statements the gate and the health reports run thousands of times a second,
/// the parsing and the hops cost more than the statements (`perf`). A connection belongs to one
/// thread: the writer's (`WriteGate`), or one event loop's for reads (`Request.hotRows`).
/// PostgreSQL deployments never use it.
final class DirectSQLite {
    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite \(code): \(message)" }
    }

    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private var columns: [String: DirectRow.Columns] = [:]

    init(path: String, pragmas: [String]) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw Failure(code: opened, message: "cannot open \(path)")
        }
        self.handle = handle
        // Another connection writing (a migration, `fugong purge`): wait a millisecond at a time, up to ten seconds.
        sqlite_nio_sqlite3_busy_handler(handle, { _, attempts in
            usleep(1_000)
            return attempts < 10_000 ? 1 : 0
        }, nil)
        for pragma in pragmas { try execute(pragma) }
    }

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// Runs a statement to its end.
    func execute(_ sql: String, _ binds: [SQLiteData] = []) throws {
        try withStatement(sql, binds) { statement in
            while try step(statement) {}
        }
    }

    /// Every row of a query.
    func rows(_ sql: String, _ binds: [SQLiteData] = []) throws -> [DirectRow] {
        try withStatement(sql, binds) { statement in
            let count = sqlite_nio_sqlite3_column_count(statement)
            let columns = self.columns[sql] ?? {
                let names = DirectRow.Columns((0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) })
                self.columns[sql] = names
                return names
            }()
            var rows: [DirectRow] = []
            while try step(statement) {
                rows.append(DirectRow(columns: columns, values: try (0..<count).map { try value(statement, $0) }))
            }
            return rows
        }
    }

    private func withStatement<T>(_ sql: String, _ binds: [SQLiteData], _ body: (OpaquePointer) throws -> T) throws -> T {
        let statement = try prepared(sql)
        // Reset at once: a read left open would hold its snapshot and keep the log from checkpointing.
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, bind) in binds.enumerated() { try check(self.bind(bind, at: Int32(index + 1), in: statement)) }
        return try body(statement)
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        try check(sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil))
        guard let statement else { throw Failure(code: SQLITE_MISUSE, message: "empty statement") }
        statements[sql] = statement
        return statement
    }

    private func step(_ statement: OpaquePointer) throws -> Bool {
        switch sqlite_nio_sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw failure(code)
        }
    }

    private func bind(_ value: SQLiteData, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
        case .float(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
        case .text(let value): sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
        case .blob(let value):
            value.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) throws -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT: return .text(String(cString: sqlite_nio_sqlite3_column_text(statement, column)))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) { buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count)) }
            return .blob(buffer)
        default: return .null
        }
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    private func failure(_ code: Int32) -> Failure {
        Failure(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A row read by `DirectSQLite`, decoded as SQLiteKit decodes its own.
struct DirectRow: SQLRow {
    /// A statement's column names and where each is, worked out once per statement.
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]

        init(_ names: [String]) {
            self.names = names
            positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.positions[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.positions[column] else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.positions[column] else { throw AppError.internalError("no column \(column)") }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
}

/// A statement the gate and the health reports run on every call: SQL with `?` for each value,
/// and the values in order. It reaches SQLite without SQLKit's serializer, which had cost a few
/// percent of each request (`direct()`), and any other database as an `SQLQueryString`.
struct HotStatement: Sendable {
    let sql: String
    let values: [any Encodable & Sendable]

    init(_ sql: String, _ values: [any Encodable & Sendable] = []) {
        assert(sql.filter { $0 == "?" }.count == values.count, "one value for each ? in \(sql)")
        self.sql = sql
        self.values = values
    }

    static func + (lhs: HotStatement, rhs: HotStatement) -> HotStatement {
        HotStatement(lhs.sql + rhs.sql, lhs.values + rhs.values)
    }

    /// PostgreSQL: `WITH w0 AS (first), w1 AS (second) last`, one statement that runs them all.
    static func together(_ statements: [HotStatement]) -> HotStatement {
        guard let last = statements.last, statements.count > 1 else { return statements.first ?? HotStatement("SELECT 1") }
        let parts = statements.dropLast().enumerated().map { HotStatement("w\($0.offset) AS (\($0.element.sql))", $0.element.values) }
        let head = parts.dropFirst().reduce(HotStatement("WITH ") + parts[0]) { $0 + HotStatement(", ") + $1 }
        return head + HotStatement(" ") + last
    }

    /// For `DirectSQLite`: the values as SQLite's, encoded as SQLiteKit encodes them.
    func direct() throws -> DirectStatement {
        let encoder = SQLiteDataEncoder()
        return DirectStatement(sql: sql, binds: try values.map { try encoder.encode($0) })
    }

    /// Runs it through SQLKit, inside whatever transaction `db` is.
    func run(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("statements need SQL") }
        try await sql.raw(query).run()
    }

    /// For SQLKit, in any dialect.
    var query: SQLQueryString {
        var query = SQLQueryString("")
        var values = self.values.makeIterator()
        for (index, part) in sql.split(separator: "?", omittingEmptySubsequences: false).enumerated() {
            if index > 0, let value = values.next() { query.appendInterpolation(bind: value) }
            query.appendLiteral(String(part))
        }
        return query
    }
}

/// A statement with its values in SQLite's form, ready for `DirectSQLite`.
struct DirectStatement: Sendable {
    let sql: String
    let binds: [SQLiteData]
}
