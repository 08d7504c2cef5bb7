@testable import App
import Domain
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import VaporTesting

/// Runs `test` against a freshly configured platform: an in-memory SQLite database, or, when
/// `DATABASE_URL` is set, a PostgreSQL schema of its own that is dropped afterwards. The app
/// shuts down also when the test throws.
func withApp(_ test: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    var settings = Settings.testing()
    if settings.databaseURL != nil {
        settings.databaseSchema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
    app.logger.logLevel = .warning
    app.clock = AppClock(fixed: Date(timeIntervalSince1970: 1_581_120_000)) // 2020-02-08 08:00 CST
    do {
        try await configure(app, settings: settings)
        try await test(app)
    } catch {
        // PostgreSQL errors hide their details unless reflected.
        Issue.record("\(String(reflecting: error))")
        await dropSchema(app, settings)
        try? await app.asyncShutdown()
        throw error
    }
    await dropSchema(app, settings)
    try await app.asyncShutdown()
}

private func dropSchema(_ app: Application, _ settings: Settings) async {
    guard let schema = settings.databaseSchema, let sql = app.db as? any SQLDatabase else { return }
    try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
}

/// A signed-in caller for tests: a session cookie for pages, a bearer token for the API.
struct Caller {
    let user: User
    let cookie: String
    let csrf: String
    let token: String

    var pageHeaders: HTTPHeaders {
        ["Cookie": "fugong_session=\(cookie)"]
    }

    var apiHeaders: HTTPHeaders {
        ["Authorization": "Bearer \(token)"]
    }
}

enum Fixtures {
    static let password = "Str0ng-Passw0rd"

    /// Valid credit codes (checked by the GB 32100 rule in DomainTests).
    static let creditCodes = ["91350100M000100Y43", "91220101MA14ABC12Q", "91220101MA17XY8038",
                              "91220105MA13QK5673", "93220101MA15WG2K81", "91220106MA142RT757"]

    @discardableResult
    static func enterprise(_ app: Application, name: String = "长春测试企业", code: Int = 1,
                           status: EnterpriseStatus = .verified) async throws -> Enterprise {
        let enterprise = Enterprise()
        enterprise.name = name
        enterprise.creditCode = creditCodes[code]
        enterprise.legalRepresentative = "王建国"
        enterprise.contactName = "李红"
        enterprise.contactPhone = "13804310001"
        enterprise.address = "长春经开区临河街 1 号"
        enterprise.zone = "jingkai"
        enterprise.industry = "消毒用品"
        enterprise.aboveDesignatedSize = true
        enterprise.staffCount = 120
        enterprise.status = status
        try await enterprise.create(on: app.db)
        return enterprise
    }

    static func department(_ app: Application) async throws -> Department {
        if let existing = try await Department.query(on: app.db).first() { return existing }
        let department = Department(name: "工信局", nameEn: "Industry Bureau")
        try await department.create(on: app.db)
        return department
    }

    @discardableResult
    static func user(_ app: Application, _ username: String, role: Role, enterprise: Enterprise? = nil,
                     password: String = password) async throws -> User {
        var enterpriseID = enterprise?.id
        if role.belongsToEnterprise, enterpriseID == nil {
            if let existing = try await Enterprise.query(on: app.db).first() {
                enterpriseID = existing.id
            } else {
                enterpriseID = try await self.enterprise(app).id
            }
        }
        var departmentID: UUID?
        if role.belongsToDepartment { departmentID = try await department(app).id }
        let user = User(
            username: username, passwordHash: try await app.password.async.hash(password), role: role,
            displayName: "测试 \(username)", enterpriseID: enterpriseID, departmentID: departmentID
        )
        try await user.create(on: app.db)
        return user
    }

    /// Signs a user in without the login form: a session row and an API token.
    static func caller(_ app: Application, _ user: User) async throws -> Caller {
        let cookie = Secret.random()
        let session = WebSession(secretHash: Secret.hash(cookie), userID: user.id, now: app.clock.now)
        try await session.create(on: app.db)
        let token = Secret.random()
        try await ApiToken(tokenHash: Secret.hash(token), userID: user.id!, createdAt: app.clock.now,
                           expiresAt: app.clock.now.addingTimeInterval(3600)).create(on: app.db)
        return Caller(user: user, cookie: cookie, csrf: session.csrfToken, token: token)
    }

    static func caller(_ app: Application, _ username: String, role: Role, enterprise: Enterprise? = nil) async throws -> Caller {
        try await caller(app, try await user(app, username, role: role, enterprise: enterprise))
    }

    /// The registration body that the API and the issue's examples use.
    static func registration(creditCode: String = "91350100M000100Y43", adminUsername: String = "newco") -> [String: Any] {
        [
            "name": "长春新材料有限公司", "creditCode": creditCode, "legalRepresentative": "张三",
            "contactName": "李四", "contactPhone": "138 0013 8000", "address": "长春新区硅谷大街 1 号",
            "zone": "xinqu", "industry": "新材料", "aboveDesignatedSize": true, "staffCount": 80,
            "adminUsername": adminUsername, "adminPassword": password,
        ]
    }
}

extension ByteBuffer {
    static func json(_ object: Any) throws -> ByteBuffer {
        ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        var components = URLComponents()
        components.queryItems = fields.map { URLQueryItem(name: $0.key, value: $0.value) }
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return ByteBuffer(string: encoded)
    }
}

extension HTTPHeaders {
    static let json: HTTPHeaders = ["Content-Type": "application/json"]
    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    func adding(_ other: HTTPHeaders) -> HTTPHeaders {
        var copy = self
        copy.add(contentsOf: other)
        return copy
    }
}

extension TestingHTTPResponse {
    /// The `{"error": {...}}` body of an API error.
    var apiError: (code: String, message: String, fields: [String: String])? {
        struct Body: Decodable {
            struct Detail: Decodable { let code: String; let message: String; let fields: [String: String] }
            let error: Detail
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(buffer: self.body)) else { return nil }
        return (body.error.code, body.error.message, body.error.fields)
    }

    var text: String { String(buffer: body) }

    /// The value of a `Set-Cookie` for `name`, if any.
    func cookie(_ name: String) -> String? {
        headers[.setCookie].compactMap { line -> String? in
            let first = line.split(separator: ";").first.map(String.init) ?? ""
            guard first.hasPrefix("\(name)=") else { return nil }
            return String(first.dropFirst(name.count + 1))
        }.first
    }
}

/// A second instance of the platform over the first one's database, both listening for the
/// other's events (PostgreSQL; the cluster tests). They share the first one's clock.
func withSecondInstance(of app: Application, _ test: (Application) async throws -> Void) async throws {
    let second = try await Application.make(.testing)
    second.logger.logLevel = .warning
    second.clock = app.clock
    second.personalData = app.personalData
    do {
        try await configure(second, settings: app.settings)
        try await app.asyncBoot()
        try await second.asyncBoot()
        for instance in [app, second] { try await waitUntil(seconds: 5) { instance.cluster.listening } }
        try await test(second)
    } catch {
        try? await second.asyncShutdown()
        throw error
    }
    try await second.asyncShutdown()
}

/// Polls `condition` every 20 ms; throws once `seconds` have passed without it.
func waitUntil(seconds: Double, line: Int = #line, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    struct TimedOut: Error { let line: Int }
    if try await condition() { return }
    throw TimedOut(line: line)
}
