@testable import App
import Domain
import Fluent
import Testing
import Vapor
import VaporTesting

/// Walks every registered route. Later modules' routes are covered as soon as they are added.
@Suite("Authorization in one place")
struct AuthorizationTests {
    /// A value for each path parameter: enterprise B's id for enterprise parameters, a random id otherwise.
    func path(_ route: Route, enterpriseID: UUID) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case .constant(let value): value
            case .parameter(let name): name.lowercased().contains("enterprise") ? enterpriseID.uuidString : UUID().uuidString
            case .anything, .catchall: "x"
            }
        }.joined(separator: "/")
    }

    @Test("Every route declares who may call it")
    func everyRouteDeclaresAccess() async throws {
        try await withApp { app in
            for route in app.routes.all {
                #expect(route.declaredAccess != nil, "\(route.method) \(route.path.string) declares no access")
            }
        }
    }

    @Test("Without sign-in: the API answers 401, pages redirect to the login page")
    func anonymous() async throws {
        try await withApp { app in
            let other = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            for route in app.routes.all {
                guard let access = route.declaredAccess, !access.isPublic else { continue }
                let path = path(route, enterpriseID: other.id!)
                let isAPI = path.hasPrefix("/api/")
                let anonymousSession = try await Fixtures.anonymousSession(app)
                let response = try await app.testing().sendRequest(
                    route.method, path,
                    headers: isAPI ? .json : anonymousSession.headers.adding(.form),
                    body: isAPI ? try .json([:]) : .form(["_csrf": anonymousSession.csrf])
                )
                if isAPI {
                    #expect(response.status == .unauthorized, "\(route.method) \(path)")
                    #expect(response.apiError?.code == "unauthorized", "\(route.method) \(path)")
                } else {
                    #expect(response.status == .seeOther, "\(route.method) \(path)")
                    #expect(response.headers.first(name: .location)?.hasPrefix("/login") == true, "\(route.method) \(path)")
                }
            }
        }
    }

    @Test("A role that may not call a route gets 403")
    func forbiddenRoles() async throws {
        try await withApp { app in
            let own = try await Fixtures.enterprise(app, name: "甲企业", code: 1)
            var callers: [Role: Caller] = [:]
            for role in Role.allCases {
                callers[role] = try await Fixtures.caller(app, "user-\(role.rawValue.lowercased())", role: role, enterprise: own)
            }
            var checked = 0
            for route in app.routes.all {
                guard let access = route.declaredAccess, !access.isPublic else { continue }
                let path = path(route, enterpriseID: own.id!)
                let isAPI = path.hasPrefix("/api/")
                for role in Role.allCases where !access.permits(role) {
                    let caller = callers[role]!
                    let response = try await app.testing().sendRequest(
                        route.method, path,
                        headers: isAPI ? caller.apiHeaders.adding(.json) : caller.pageHeaders.adding(.form),
                        body: isAPI ? try .json([:]) : .form(["_csrf": caller.csrf])
                    )
                    #expect(response.status == .forbidden, "\(role) \(route.method) \(path)")
                    if isAPI { #expect(response.apiError?.code == "forbidden") }
                    checked += 1
                }
            }
            #expect(checked > 50)
        }
    }

    @Test("Enterprise A's people asking for enterprise B's data get 404")
    func enterpriseIsolation() async throws {
        try await withApp { app in
            let a = try await Fixtures.enterprise(app, name: "甲企业", code: 1)
            let b = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            var checked = 0
            for role in Role.enterpriseSide {
                let caller = try await Fixtures.caller(app, "a-\(role.rawValue.lowercased())", role: role, enterprise: a)
                for route in app.routes.all {
                    guard let access = route.declaredAccess, access.enterpriseParameter != nil, access.permits(role) else { continue }
                    let isAPI = route.path.first == .constant("api")
                    let headers = isAPI ? caller.apiHeaders.adding(.json) : caller.pageHeaders.adding(.form)
                    let body: ByteBuffer = isAPI ? try .json([:]) : .form(["_csrf": caller.csrf])
                    let foreign = try await app.testing().sendRequest(route.method, path(route, enterpriseID: b.id!), headers: headers, body: body)
                    #expect(foreign.status == .notFound, "\(role) \(route.method) \(route.path.string)")
                    #expect(!foreign.text.contains("乙企业"))
                    if route.method == .GET {
                        let own = try await app.testing().sendRequest(route.method, path(route, enterpriseID: a.id!), headers: headers)
                        #expect(own.status == .ok, "\(role) own \(route.path.string)")
                    }
                    checked += 1
                }
            }
            #expect(checked >= 6)
        }
    }

    @Test("Enterprise lists are for government roles only")
    func enterpriseListRoles() async throws {
        try await withApp { app in
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin)
            try await app.testing().test(.GET, "/api/v1/enterprises", headers: company.apiHeaders) { res in
                #expect(res.status == .forbidden)
            }
            let officer = try await Fixtures.caller(app, "officer", role: .officer)
            try await app.testing().test(.GET, "/api/v1/enterprises", headers: officer.apiHeaders) { res in
                #expect(res.status == .ok)
            }
        }
    }

    @Test("No route edits or deletes the audit log")
    func auditIsAppendOnly() async throws {
        try await withApp { app in
            let writers = app.routes.all.filter { route in
                route.path.contains(.constant("audit")) && route.method != .GET
            }
            #expect(writers.isEmpty)
        }
    }
}

extension Access {
    var isPublic: Bool {
        if case .anyone = who { return true }
        return false
    }
}

struct AnonymousSession {
    let cookie: String
    let csrf: String
    var headers: HTTPHeaders { ["Cookie": "fugong_session=\(cookie)"] }
}

extension Fixtures {
    /// A browser that has a session (and so a CSRF token) but has not signed in.
    static func anonymousSession(_ app: Application) async throws -> AnonymousSession {
        let cookie = Secret.random()
        let session = WebSession(secretHash: Secret.hash(cookie), userID: nil, now: app.clock.now)
        try await session.create(on: app.db)
        return AnonymousSession(cookie: cookie, csrf: session.csrfToken)
    }
}
