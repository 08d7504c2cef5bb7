import Foundation
import SQLiteNIO
import Vapor

/// What an operator runs: the commands besides `serve`, where the binary finds its files, and
/// the backup and restore of a SQLite database. `fugong --help` lists them; no command's
/// `--help` opens a database (`Entrypoint`).
enum Operations {
    /// The commands that need the platform configured and its database open (and migrated).
    /// The others (`backup` and `restore` work on the file themselves, help, a mistyped
    /// command) open nothing.
    /// The platform's own, and every module's (`Module.commands`: they all work on the database).
    static var databaseCommands: Set<String> {
        Set(["serve", "demo", "migrate", "create-admin", "routes"] + Modules.all.flatMap { $0.commands.map(\.name) })
    }
}

/// Where `Resources/` and `Public/` are: `FUGONG_RESOURCES_DIR` (the folder that holds both),
/// else the current folder, else the binary's folder or one of its parents (a build folder
/// sits inside the project). Without them the platform cannot say a word, so the start stops
/// with one line saying what is missing.
enum ResourceLocation {
    static let marker = "Resources/Strings/zh-Hans.json"

    struct Missing: Error, CustomStringConvertible {
        let looked: [String]
        var description: String {
            "fugong: cannot find \(marker) in \(looked.joined(separator: ", ")); set FUGONG_RESOURCES_DIR to the folder that holds Resources/ and Public/"
        }
    }

    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DirectoryConfiguration {
        var candidates: [String] = []
        if let configured = environment["FUGONG_RESOURCES_DIR"], !configured.isEmpty {
            candidates = [configured]
        } else {
            candidates.append(FileManager.default.currentDirectoryPath)
            var folder = URL(fileURLWithPath: executablePath()).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                candidates.append(folder.path)
                folder = folder.deletingLastPathComponent()
            }
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/" + marker) {
            return DirectoryConfiguration(workingDirectory: candidate)
        }
        throw Missing(looked: candidates)
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `fugong demo`: listed for `--help`; `Entrypoint` turns it into `serve` over a database that
/// also holds the demo district.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Migrates, loads the DEMO district (refused over real accounts) and serves, as `serve` does (same options)." }
    func run(using context: CommandContext, signature: Signature) async throws {}
}

/// `fugong migrate`: the start has already migrated, under the setup lock, each migration
/// whole or not at all (`SchemaMigrations`).
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies the database migrations (every start does too) and exits." }
    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.success("The database is migrated.")
    }
}

/// A consistent copy of a live SQLite database, and its restore.
enum SQLiteBackup {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Outcome {
        var keyCopied: Bool
        var warning: String?
    }

    static func databasePath(_ settings: Settings) -> String {
        URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("fugong.sqlite").path
    }

    static func keyPath(_ settings: Settings) -> String {
        URL(fileURLWithPath: settings.dataDirectory).appendingPathComponent("personal-data.key").path
    }

    /// `VACUUM INTO` reads one snapshot of the database while writers go on, and writes a
    /// compact copy; the copy is checked before it is reported. The personal-data key goes
    /// beside it as `FILE.key`: without it the sealed ID numbers cannot be read.
    static func backup(database: String, keyFile: String, keyFromEnvironment: Bool, to target: String) throws -> Outcome {
        guard FileManager.default.fileExists(atPath: database) else { throw Failure(description: "no database at \(database)") }
        guard !FileManager.default.fileExists(atPath: target) else { throw Failure(description: "\(target) exists; choose a new file") }
        let source = try DirectSQLite(path: database, pragmas: [])
        try source.execute("VACUUM INTO ?", [.text(target)])
        // The copy holds what the database holds: the owner's only, as the key is.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        try check(target)
        if keyFromEnvironment {
            return Outcome(keyCopied: false, warning: "The personal-data key comes from FUGONG_DATA_KEY: keep that value with this backup, or its sealed ID numbers cannot be read.")
        }
        guard let key = FileManager.default.contents(atPath: keyFile) else {
            return Outcome(keyCopied: false, warning: "No personal-data key file was found beside the database; without it the sealed ID numbers in this backup cannot be read.")
        }
        guard FileManager.default.createFile(atPath: target + ".key", contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw Failure(description: "cannot write \(target).key")
        }
        return Outcome(keyCopied: true, warning: nil)
    }

    /// Integrity first, and that it is a Fugong database; then the current file (and key) are
    /// moved aside, not deleted, and the backup takes their place.
    static func restore(from backup: String, database: String, keyFile: String, now: Date) throws -> String {
        try check(backup)
        let lock = database + "-running.lock"
        let descriptor = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(lock)") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw Failure(description: "a Fugong process is using \(database); stop it first, nothing was changed")
        }
        defer { flock(descriptor, LOCK_UN) }
        let stamp = Int(now.timeIntervalSince1970)
        let aside = database + ".before-restore-\(stamp)"
        let manager = FileManager.default
        if manager.fileExists(atPath: database) {
            // A checkpoint folds the write-ahead log into the file that is set aside.
            if let current = try? DirectSQLite(path: database, pragmas: []) {
                try? current.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            }
            try manager.moveItem(atPath: database, toPath: aside)
        }
        for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: database + suffix) {
            try manager.removeItem(atPath: database + suffix)
        }
        try manager.copyItem(atPath: backup, toPath: database)
        if let key = manager.contents(atPath: backup + ".key") {
            if manager.fileExists(atPath: keyFile) { try manager.moveItem(atPath: keyFile, toPath: keyFile + ".before-restore-\(stamp)") }
            guard manager.createFile(atPath: keyFile, contents: key, attributes: [.posixPermissions: 0o600]) else {
                throw Failure(description: "cannot write \(keyFile)")
            }
        }
        return aside
    }

    /// `PRAGMA integrity_check` says ok, and the migrations' log is there.
    static func check(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "no file at \(path)") }
        let connection = try DirectSQLite(path: "file:\(path)?mode=ro", pragmas: [])
        let verdict = try connection.rows("PRAGMA integrity_check").first.map { try $0.decode(column: "integrity_check", as: String.self) }
        guard verdict == "ok" else { throw Failure(description: "\(path) fails the integrity check: \(verdict ?? "no answer")") }
        let tables = try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_fluent_migrations', 'users')")
        guard tables.count == 2 else { throw Failure(description: "\(path) is not a Fugong database") }
    }
}

/// A command on the SQLite file: it refuses when `DATABASE_URL` names PostgreSQL, and on
/// failure says in one line what failed and exits with status 1 (it opened no database).
private func onSQLiteFile(_ context: CommandContext, postgres: String, failure: String,
                          _ work: (Settings) throws -> Void) {
    let settings = Settings.fromEnvironment()
    guard settings.databaseURL == nil else {
        context.console.error("DATABASE_URL is set: \(postgres) (see the README's Operating section).")
        exit(1)
    }
    do {
        try work(settings)
    } catch {
        context.console.error("\(failure): \(error)")
        exit(1)
    }
}

struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The new file to write (it must not exist).")
        var file: String
    }

    var help: String { "Writes a consistent copy of the live SQLite database to FILE, and the personal-data key to FILE.key. (PostgreSQL: use pg_dump.)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        onSQLiteFile(context, postgres: "back up PostgreSQL with pg_dump", failure: "Backup failed") { settings in
            let outcome = try SQLiteBackup.backup(
                database: SQLiteBackup.databasePath(settings), keyFile: SQLiteBackup.keyPath(settings),
                keyFromEnvironment: !(Environment.get("FUGONG_DATA_KEY") ?? "").isEmpty, to: signature.file)
            context.console.success("Backed up to \(signature.file) (integrity ok)\(outcome.keyCopied ? ", key in \(signature.file).key" : "").")
            if let warning = outcome.warning { context.console.warning(warning) }
        }
    }
}

struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by `fugong backup`.")
        var file: String
    }

    var help: String { "Checks FILE's integrity, then puts it (and FILE.key) in place of the database; the old files are kept aside. Stop the server first." }

    func run(using context: CommandContext, signature: Signature) async throws {
        onSQLiteFile(context, postgres: "restore PostgreSQL with pg_restore or psql", failure: "Restore failed") { settings in
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
            let aside = try SQLiteBackup.restore(
                from: signature.file, database: SQLiteBackup.databasePath(settings),
                keyFile: SQLiteBackup.keyPath(settings), now: Date())
            context.console.success("Restored from \(signature.file); the previous database, if any, is at \(aside).")
        }
    }
}
