import Foundation
import SQLKit
import Vapor

/// Whom each recent bearer token names, kept by the instance for a few seconds: every API call
/// is authenticated, and the token's row with its user was one more statement on each. What is
/// kept is the row; each request still builds its own `User` from it, and still checks expiry
/// and whether the account is disabled.
///
/// Revocation: signing out, a disabled account, a new role or a reset password clear the cache
/// of every instance at once (`ClusterEvents`, `.changed(.bearerTokens)`); `lifetime` is the
/// safety net when the instances lost touch.
final class BearerCache: @unchecked Sendable {
    static let lifetime: TimeInterval = 5
    /// Past this many tokens the cache starts again empty rather than grow.
    static let capacity = 100_000
    private let lock = NSLock()
    private var rows: [String: (row: any SQLRow, at: Date)] = [:]

    func row(for tokenHash: String, now: Date = Date()) -> (any SQLRow)? {
        lock.withLock {
            guard let entry = rows[tokenHash] else { return nil }
            guard now.timeIntervalSince(entry.at) < Self.lifetime else {
                rows[tokenHash] = nil
                return nil
            }
            return entry.row
        }
    }

    func store(_ row: any SQLRow, for tokenHash: String, now: Date = Date()) {
        lock.withLock {
            if rows.count >= Self.capacity { rows.removeAll(keepingCapacity: true) }
            rows[tokenHash] = (row, now)
        }
    }

    func clear() { lock.withLock { rows.removeAll() } }

    var isEmpty: Bool { lock.withLock { rows.isEmpty } }
}

extension Application {
    private struct BearerCacheKey: StorageKey { typealias Value = BearerCache }

    var bearerCache: BearerCache {
        get { storage[BearerCacheKey.self]! }
        set { storage[BearerCacheKey.self] = newValue }
    }
}
