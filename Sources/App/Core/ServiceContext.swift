import Domain
import Fluent
import SQLKit
import Vapor

/// Who acts, when, and with what: everything a module's service needs. A route makes it from
/// its request (`req.context`); the platform's own work (the clock's jobs, the demo, tests of a
/// service) makes one with `app.context(as:now:)`. So services take typed commands and a
/// context, never the HTTP request, and the same service serves the pages, the API and the
/// background.
struct ServiceContext: Sendable {
    let app: Application
    /// Who acts; nil when the platform itself does (audited as `system`).
    let user: User?
    let now: Date
    /// Where the change came from, for the audit log.
    let address: String
    let requestID: String?
    let language: Language
    let logger: Logger
    /// The request's event loop, whose own SQLite connection serves the hot reads.
    var eventLoop: (any EventLoop)?

    /// For reads; changes go through `transaction` or `write`.
    var db: any Database { app.db }

    func requireUser() throws -> User {
        guard let user else { throw AppError.unauthorized }
        return user
    }

    /// A change committed whole or not at all (on SQLite through the writer, with group commit).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await app.transaction(body)
    }

    /// Hot statements committed together (`HotStatement`).
    func write(_ statements: [HotStatement]) async throws {
        try await app.write(statements)
    }

    /// A read the gate and the health reports make on every call: on SQLite, straight through
    /// the event loop's own connection (`DirectSQLite`); otherwise through SQLKit.
    func hotRows(_ statement: HotStatement) async throws -> [any SQLRow] {
        try await app.hotRows(statement, on: eventLoop)
    }

    /// An enterprise's people reach only their own enterprise's records (404 otherwise).
    func checkEnterprise(_ id: UUID, for user: User) throws {
        if user.role.belongsToEnterprise, user.$enterprise.id != id { throw AppError.notFound }
    }

    /// The district's settings (kept a few seconds per instance).
    func settings() async throws -> DistrictSettings {
        try await app.settingsCache.value { try await DistrictSettings.load(app.db) }
    }

    /// A text in the actor's language.
    func t(_ key: String, _ arguments: String...) -> String {
        app.strings.text(key, language, arguments)
    }
}

extension Request {
    /// The context of this request's caller.
    var context: ServiceContext {
        ServiceContext(app: application, user: auth.get(User.self), now: now, address: clientAddress, requestID: id,
                       language: language, logger: logger, eventLoop: eventLoop)
    }
}

extension Application {
    /// A context for the platform's own work (`user` nil) or for acting as `user` without a
    /// request (the demo, tests of a service).
    func context(as user: User? = nil, now: Date? = nil) -> ServiceContext {
        ServiceContext(app: self, user: user, now: now ?? clock.now, address: user == nil ? "system" : "console", requestID: nil,
                       language: .zhHans, logger: logger)
    }
}
