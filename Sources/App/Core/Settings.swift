import Foundation
import NIOCore
import Vapor

/// Every setting the platform reads from its environment, in one typed place.
public struct Settings: Sendable {
    /// Where the SQLite database and anything else kept on disk live.
    public var dataDirectory: String
    /// `postgres://…` selects PostgreSQL; nil means SQLite in `dataDirectory`.
    public var databaseURL: String?
    /// PostgreSQL schema to use (tests give each run its own).
    public var databaseSchema: String?
    /// A SQLite file of its own in the temporary folder, removed at shutdown (tests).
    public var throwawayDatabase = false
    /// Mark session cookies `Secure`; set when served over HTTPS.
    public var secureCookies: Bool
    /// Take the client address from `X-Forwarded-For` (behind a trusted load balancer).
    public var trustProxy: Bool
    public var sessionIdleTimeout: TimeInterval
    public var sessionLifetime: TimeInterval
    public var apiTokenLifetime: TimeInterval
    public var bcryptCost: Int
    /// On first start with no users, creates `admin` with this password.
    public var initialAdminPassword: String?
    /// Load the demo district at start (`fugong demo`).
    public var loadDemo = false
    /// The longest span of days a figures page or report reads at once (`?from=&to=`).
    public var maxRangeDays = 366
    /// A read (GET) still running after this long is answered 503, so that no query holds a
    /// caller for ever.
    public var readTimeLimit: TimeInterval = 30
    /// This process's name in the job log, the logs and cluster messages: `FUGONG_INSTANCE`, or
    /// the host and process id.
    public var instanceName = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    /// Seconds the platform's clock runs ahead of the machine's (`FUGONG_CLOCK_OFFSET_SECONDS`):
    /// for rehearsals and the cluster test, which need tomorrow's deadlines to pass today.
    public var clockOffset: TimeInterval = 0
    /// A scraper that sends `Authorization: Bearer <this>` may read `/metrics` from anywhere;
    /// without it, only loopback callers that did not come through a proxy may.
    public var metricsToken: String?
    /// PostgreSQL connections per event loop (one loop per core): `FUGONG_DB_CONNECTIONS_PER_LOOP`.
    /// Each write waits for its commit's flush; more connections let more of them wait at once.
    public var databaseConnectionsPerLoop = 8
    /// How long a request waits for a free PostgreSQL connection before it fails.
    public var databasePoolTimeout: TimeAmount = .seconds(10)

    public static func fromEnvironment() -> Settings {
        let env = { (key: String) in Environment.get(key).flatMap { $0.isEmpty ? nil : $0 } }
        var settings = Settings(
            dataDirectory: env("FUGONG_DATA_DIR") ?? "./data",
            databaseURL: env("DATABASE_URL"),
            databaseSchema: env("DATABASE_SCHEMA"),
            secureCookies: env("FUGONG_SECURE_COOKIES").map(Self.truthy) ?? false,
            trustProxy: env("FUGONG_TRUST_PROXY").map(Self.truthy) ?? false,
            sessionIdleTimeout: (env("FUGONG_SESSION_IDLE_MINUTES").flatMap(Double.init) ?? 30) * 60,
            sessionLifetime: (env("FUGONG_SESSION_LIFETIME_HOURS").flatMap(Double.init) ?? 12) * 3600,
            apiTokenLifetime: (env("FUGONG_TOKEN_LIFETIME_HOURS").flatMap(Double.init) ?? 24) * 3600,
            bcryptCost: env("FUGONG_BCRYPT_COST").flatMap(Int.init) ?? 12,
            initialAdminPassword: env("FUGONG_ADMIN_PASSWORD")
        )
        if let days = env("FUGONG_MAX_RANGE_DAYS").flatMap(Int.init), days > 0 { settings.maxRangeDays = days }
        if let seconds = env("FUGONG_READ_TIME_LIMIT_SECONDS").flatMap(Double.init), seconds > 0 { settings.readTimeLimit = seconds }
        if let name = env("FUGONG_INSTANCE") { settings.instanceName = String(name.prefix(64)) }
        if let seconds = env("FUGONG_CLOCK_OFFSET_SECONDS").flatMap(Double.init), seconds.isFinite { settings.clockOffset = seconds }
        settings.metricsToken = env("FUGONG_METRICS_TOKEN")
        if let count = env("FUGONG_DB_CONNECTIONS_PER_LOOP").flatMap(Int.init), (1...64).contains(count) { settings.databaseConnectionsPerLoop = count }
        return settings
    }

    static func truthy(_ value: String) -> Bool {
        ["1", "true", "yes", "on"].contains(value.lowercased())
    }

    /// Fast hashing and a throwaway database, for tests.
    public static func testing() -> Settings {
        var settings = fromEnvironment()
        settings.throwawayDatabase = settings.databaseURL == nil
        settings.bcryptCost = 4
        // The suite runs many apps at once against one server: one connection per loop each, and
        // room to wait for it while two cores run the lot (a burst of 40 writes queues on it).
        settings.databaseConnectionsPerLoop = 1
        settings.databasePoolTimeout = .seconds(60)
        // A read's time limit is for serving; here one waits behind every other test's requests.
        settings.readTimeLimit = 120
        settings.trustProxy = true
        settings.initialAdminPassword = nil
        return settings
    }
}

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = Settings }

    public var settings: Settings {
        get { storage[SettingsKey.self] ?? .fromEnvironment() }
        set { storage[SettingsKey.self] = newValue }
    }
}
