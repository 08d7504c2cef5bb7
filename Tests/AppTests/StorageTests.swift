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
        fileSettings.inMemoryDatabase = false
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
}
