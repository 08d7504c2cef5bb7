import Fluent
import SQLKit
import Vapor

extension Request {
    private struct WebSessionKey: StorageKey { typealias Value = WebSession }
    private struct NewCookieKey: StorageKey { typealias Value = String }
    private struct ApiTokenKey: StorageKey { typealias Value = BearerToken }
    private struct IsAPIKey: StorageKey { typealias Value = Bool }

    /// The browser's session row, if it has one.
    var webSession: WebSession? {
        get { storage[WebSessionKey.self] }
        set { storage[WebSessionKey.self] = newValue }
    }

    var apiToken: BearerToken? {
        get { storage[ApiTokenKey.self] }
        set { storage[ApiTokenKey.self] = newValue }
    }

    /// Asked by several steps of every request; Vapor's `url.path` rebuilds the path each time.
    var isAPI: Bool {
        if let known = storage[IsAPIKey.self] { return known }
        let known = url.path.hasPrefix("/api/")
        storage[IsAPIKey.self] = known
        return known
    }

    /// The signed-in user or 401.
    func requireUser() throws -> User {
        guard let user = auth.get(User.self) else { throw AppError.unauthorized }
        return user
    }

    /// The client's address; behind a trusted load balancer, the first `X-Forwarded-For` hop.
    var clientAddress: String {
        if application.settings.trustProxy,
           let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Gives this browser a session (signed in or not), for the CSRF token of a form.
    func ensureWebSession() async throws -> WebSession {
        if let session = webSession { return session }
        return try await startWebSession(for: nil)
    }

    /// Starts a new session with a new secret; the old one, if any, ends. Used at sign-in so
    /// the session id always changes then.
    @discardableResult
    func startWebSession(for user: User?) async throws -> WebSession {
        if let old = webSession { try await old.delete(on: db) }
        let secret = Secret.random()
        let session = WebSession(secretHash: Secret.hash(secret), userID: user?.id, now: now)
        try await session.create(on: db)
        webSession = session
        storage[NewCookieKey.self] = secret
        return session
    }

    func endWebSession() async throws {
        if let session = webSession { try await session.delete(on: db) }
        webSession = nil
        storage[NewCookieKey.self] = ""
        auth.logout(User.self)
    }

    /// The cookie to send with the response: a new secret, an empty one to clear, or none.
    var pendingSessionCookie: String? { storage[NewCookieKey.self] }
}

/// The bearer token a request came with: enough to revoke it.
struct BearerToken: Sendable {
    let id: UUID
    let userID: UUID
}

/// Who is calling: `/api/…` authenticates with bearer tokens only, pages with the session
/// cookie only, so a browser's cookie never authorises an API call (and the API needs no CSRF).
/// A step of `RequestPipeline`.
enum Authentication {
    static let cookieName = "fugong_session"

    static func authenticate(_ req: Request) async throws {
        if req.isAPI { try await authenticateBearer(req) } else { try await authenticateSession(req) }
    }

    /// A page's response carries the session's new secret, or clears it.
    static func setSessionCookie(_ req: Request, _ response: Response) {
        guard !req.isAPI, let secret = req.pendingSessionCookie else { return }
        let settings = req.application.settings
        response.cookies[cookieName] = secret.isEmpty
            ? HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                                isSecure: settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
            : HTTPCookies.Value(string: secret, maxAge: Int(settings.sessionLifetime), path: "/",
                                isSecure: settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    private static func authenticateBearer(_ req: Request) async throws {
        guard let bearer = req.headers.bearerAuthorization else { return }
        // One fixed statement for the token and its user, read column by column: this runs on
        // every API call, and Fluent's query building and reflection cost more than the query.
        let tokenHash = Secret.hash(bearer.token)
        let cache = req.application.bearerCache
        let row: any SQLRow
        if let kept = cache.row(for: tokenHash) {
            row = kept
        } else {
            guard let read = try await req.hotRows(HotStatement("""
                SELECT t.id AS token_id, t.expires_at, \(User.columns) \
                FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?
                """, [tokenHash])).first
            else { return }
            cache.store(read, for: tokenHash)
            row = read
        }
        guard try row.decode(column: "expires_at", as: Date.self) > req.now else { return }
        let user = try User(row: row)
        guard !user.isDisabled else { return }
        req.apiToken = BearerToken(id: try row.decode(column: "token_id", as: UUID.self), userID: try user.requireID())
        req.auth.login(user)
    }

    private static func authenticateSession(_ req: Request) async throws {
        guard let secret = req.cookies[cookieName]?.string, !secret.isEmpty else { return }
        guard let session = try await WebSession.query(on: req.db)
            .filter(\.$secretHash == Secret.hash(secret))
            .with(\.$user)
            .first()
        else { return }
        let settings = req.application.settings
        let now = req.now
        let expired = now.timeIntervalSince(session.lastSeenAt) > settings.sessionIdleTimeout
            || now.timeIntervalSince(session.createdAt) > settings.sessionLifetime
        if expired || session.user?.isDisabled == true {
            try await session.delete(on: req.db)
            return
        }
        req.webSession = session
        if let user = session.user { req.auth.login(user) }
        // Touch at most once a minute: the idle clock needs no finer grain.
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.save(on: req.db)
        }
    }
}
