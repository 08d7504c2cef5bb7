@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Storage")
struct StorageTests {
    @Test("SQLite lives under FUGONG_DATA_DIR, created if missing, in WAL mode with full sync")
    func sqliteFile() async throws {
        let settings = Settings.testing()
        guard settings.databaseURL == nil else { return } // this check is about SQLite
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fugong-\(UUID().uuidString)/data")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        var fileSettings = settings
        fileSettings.throwawayDatabase = false
        fileSettings.dataDirectory = folder.path
        do {
            try await configure(app, settings: fileSettings)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("fugong.sqlite").path))
            let sql = try #require(app.db as? any SQLDatabase)
            struct Mode: Decodable { let journal_mode: String }
            struct Sync: Decodable { let synchronous: Int }
            #expect(try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)?.journal_mode == "wal")
            #expect(try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)?.synchronous == 2)
            // Migrations are idempotent: the migrate command after a start finds nothing to do.
            try await app.autoMigrate()
            #expect(try await Zone.query(on: app.db).count() == 3)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    struct Refused: Error {}

    @Test("Writes committed together: one that fails (statements or a body) changes nothing and gets its error; the others commit")
    func groupCommitFailsAlone() async throws {
        try await withApp { app in
            try await app.write([HotStatement("CREATE TABLE write_probe (label TEXT PRIMARY KEY)")])
            @Sendable func insert(_ label: String) -> HotStatement { HotStatement("INSERT INTO write_probe (label) VALUES (?)", [label]) }
            // The first write holds the writer a moment, so the other 39 wait and commit as one batch.
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<40 {
                    group.addTask {
                        if n > 0 { try? await Task.sleep(for: .milliseconds(20)) }
                        do {
                            switch n {
                            case 5: // statements, the second fails: the first is undone too
                                try await app.write([insert("dup"), insert("dup")])
                            case 11: // a body that fails after writing
                                try await app.transaction { db in
                                    try await (db as! any SQLDatabase).raw(insert("11").query).run()
                                    throw Refused()
                                }
                            case let n where n % 2 == 0:
                                try await app.write([insert(String(n))])
                            default:
                                try await app.transaction { db in
                                    if n == 1 { try await Task.sleep(for: .milliseconds(300)) }
                                    try await (db as! any SQLDatabase).raw(insert(String(n)).query).run()
                                }
                            }
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for await (n, ok) in group { outcomes[n] = ok }
                return outcomes
            }
            #expect(outcomes.filter { !$0.value }.keys.sorted() == [5, 11])
            struct Row: Decodable { let label: String }
            let labels = try await (app.db as! any SQLDatabase).raw("SELECT label FROM write_probe").all(decoding: Row.self).map(\.label)
            #expect(Set(labels) == Set((0..<40).filter { $0 != 5 && $0 != 11 }.map(String.init)))
        }
    }
}
