import Crypto
import Fluent
import Foundation
import Vapor

/// A signed-in browser. The cookie holds a random secret; the table keeps only its hash.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    /// A one-time message for the next page, as a string-table key.
    @OptionalField(key: "flash_key") var flashKey: String?
    @OptionalParent(key: "user_id") var user: User?

    init() {}

    init(secretHash: String, userID: UUID?, now: Date) {
        self.secretHash = secretHash
        self.csrfToken = Secret.random()
        self.createdAt = now
        self.lastSeenAt = now
        self.$user.id = userID
    }
}

/// A bearer token for the API. Only its hash is stored.
final class ApiToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Parent(key: "user_id") var user: User

    init() {}

    init(tokenHash: String, userID: UUID, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.$user.id = userID
    }
}

/// A failed sign-in, kept for throttling. Shared by every app instance through the database.
final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "address") var address: String
    @Field(key: "at") var at: Date

    init() {}

    init(username: String, address: String, at: Date) {
        self.username = username
        self.address = address
        self.at = at
    }
}

enum Secret {
    /// 256 random bits, URL-safe.
    static func random() -> String {
        let bytes = [UInt8].random(count: 32)
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).hex
    }

    /// Compares without leaking where two strings first differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
