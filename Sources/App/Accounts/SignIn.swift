import Domain
import Fluent
import Vapor

/// Signing in, shared by the login page and `POST /api/v1/auth/login`.
enum SignIn {
    static let throttle = LoginThrottle()

    /// Checks the throttle, then the password. Unknown user, wrong password and disabled
    /// account all answer `invalidCredentials`, after the same bcrypt work.
    static func verify(_ req: Request, username rawUsername: String?, password: String?) async throws -> User {
        let username = FormText.trimmed(rawUsername).lowercased()
        let password = password ?? ""
        var errors = FieldErrors()
        if username.isEmpty { errors.add("username", "error.required") }
        if password.isEmpty { errors.add("password", "error.required") }
        try errors.throwIfAny()
        guard username.count <= 64, password.count <= AccountRules.passwordLength.upperBound else {
            throw AppError.invalidCredentials
        }

        let now = req.now
        let address = req.clientAddress
        let since = now.addingTimeInterval(-throttle.window)
        let failures = try await LoginFailure.query(on: req.db)
            .filter(\.$at > since)
            .group(.or) { $0.filter(\.$username == username).filter(\.$address == address) }
            .all()
        let decision = throttle.decide(
            accountFailures: failures.filter { $0.username == username }.map(\.at),
            addressFailures: failures.filter { $0.address == address }.map(\.at),
            now: now
        )
        if case .blocked(let retryAfter) = decision { throw AppError.tooManyRequests(retryAfter: retryAfter) }

        let user = try await User.query(on: req.db).filter(\.$username == username).first()
        let matches: Bool
        if let user {
            matches = try await req.password.async.verify(password, created: user.passwordHash)
        } else {
            _ = try await req.password.async.hash(password)
            matches = false
        }
        guard let user, matches, !user.isDisabled else {
            try await req.transaction { db in
                try await LoginFailure(username: username, address: address, at: now).create(on: db)
                try await Audit.record(req, on: db, action: "session.loginFailed", entity: "user",
                                       entityID: user?.id, detail: username)
            }
            throw AppError.invalidCredentials
        }
        try await LoginFailure.query(on: req.db).filter(\.$username == username).delete()
        return user
    }

    /// Issues an API token: 256 random bits, stored only as its SHA-256 hash.
    static func issueToken(_ req: Request, for user: User) async throws -> (token: String, expiresAt: Date) {
        let secret = Secret.random()
        let expiresAt = req.now.addingTimeInterval(req.application.settings.apiTokenLifetime)
        try await req.transaction { db in
            try await ApiToken(tokenHash: Secret.hash(secret), userID: try user.requireID(),
                               createdAt: req.now, expiresAt: expiresAt).create(on: db)
            try await Audit.record(req, on: db, action: "token.issue", entity: "user", entityID: user.id, actor: user)
        }
        return (secret, expiresAt)
    }

    /// Ends every session and token of a user at once (disabled, password reset).
    static func endEverywhere(_ userID: UUID, on db: any Database) async throws {
        try await WebSession.query(on: db).filter(\.$user.$id == userID).delete()
        try await ApiToken.query(on: db).filter(\.$user.$id == userID).delete()
    }

    /// Removes expired sessions, tokens and throttling records; run periodically.
    static func sweep(_ db: any Database, settings: Settings, now: Date) async throws {
        try await WebSession.query(on: db)
            .group(.or) {
                $0.filter(\.$lastSeenAt < now.addingTimeInterval(-settings.sessionIdleTimeout))
                    .filter(\.$createdAt < now.addingTimeInterval(-settings.sessionLifetime))
            }
            .delete()
        try await ApiToken.query(on: db).filter(\.$expiresAt < now).delete()
        try await LoginFailure.query(on: db).filter(\.$at < now.addingTimeInterval(-throttle.window)).delete()
    }
}
