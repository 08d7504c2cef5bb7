@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Signing in: sessions, tokens, throttling")
struct SignInTests {
    /// Fetches the login form and returns the anonymous session cookie and its CSRF token.
    func loginForm(_ app: Application, headers: HTTPHeaders = [:]) async throws -> (cookie: String, csrf: String) {
        let response = try await app.testing().sendRequest(.GET, "/login", headers: headers)
        #expect(response.status == .ok)
        let cookie = try #require(response.cookie("fugong_session"))
        let csrf = try #require(response.text.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1)
        return (cookie, String(csrf))
    }

    func webLogin(_ app: Application, _ username: String, _ password: String,
                  headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        let form = try await loginForm(app, headers: headers)
        return try await app.testing().sendRequest(
            .POST, "/login",
            headers: headers.adding(.form).adding(["Cookie": "fugong_session=\(form.cookie)"]),
            body: .form(["_csrf": form.csrf, "username": username, "password": password, "next": "/enterprises"])
        )
    }

    @Test("Web sign-in gives a new session id, an HttpOnly SameSite=Lax cookie, and is audited")
    func webSignIn() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "reviewer", role: .reviewer)
            let form = try await loginForm(app)
            let response = try await app.testing().sendRequest(
                .POST, "/login", headers: HTTPHeaders.form.adding(["Cookie": "fugong_session=\(form.cookie)"]),
                body: .form(["_csrf": form.csrf, "username": "Reviewer", "password": Fixtures.password, "next": "/enterprises"])
            )
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/enterprises")
            let newCookie = try #require(response.cookie("fugong_session"))
            #expect(newCookie != form.cookie)
            let setCookie = response.headers[.setCookie].joined()
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))
            #expect(!setCookie.contains("Secure"))
            // The pre-login session is gone from the server.
            #expect(try await WebSession.query(on: app.db).filter(\.$secretHash == Secret.hash(form.cookie)).count() == 0)
            let home = try await app.testing().sendRequest(.GET, "/", headers: ["Cookie": "fugong_session=\(newCookie)"])
            #expect(home.text.contains("测试 reviewer"))
            #expect(home.headers.first(name: .cacheControl) == "no-store")
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "session.login").all()
            #expect(audit.map(\.username) == ["reviewer"])
        }
    }

    @Test("Secure cookies when the setting says HTTPS")
    func secureCookies() async throws {
        try await withApp { app in
            app.settings.secureCookies = true
            let response = try await app.testing().sendRequest(.GET, "/login")
            #expect(response.headers[.setCookie].joined().contains("Secure"))
        }
    }

    @Test("An open redirect through `next` is refused")
    func safeNext() {
        #expect(AuthController.safeNext("//evil.example") == "/")
        #expect(AuthController.safeNext("https://evil.example") == "/")
        #expect(AuthController.safeNext("/\\evil") == "/")
        #expect(AuthController.safeNext("/admin/users") == "/admin/users")
    }

    @Test("Logout ends the session on the server: the old cookie no longer works")
    func logout() async throws {
        try await withApp { app in
            let caller = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let out = try await app.testing().sendRequest(.POST, "/logout", headers: caller.pageHeaders.adding(.form), body: .form(["_csrf": caller.csrf]))
            #expect(out.status == .seeOther)
            #expect(try await WebSession.query(on: app.db).filter(\.$user.$id == caller.user.id!).count() == 0)
            let again = try await app.testing().sendRequest(.GET, "/admin/users", headers: caller.pageHeaders)
            #expect(again.status == .seeOther)
            #expect(again.headers.first(name: .location) == "/login?next=/admin/users")
        }
    }

    @Test("Sessions end after 30 idle minutes and after 12 hours in all")
    func sessionExpiry() async throws {
        try await withApp { app in
            let caller = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            app.clock.advance(by: 29 * 60)
            #expect(try await app.testing().sendRequest(.GET, "/admin/users", headers: caller.pageHeaders).status == .ok)
            app.clock.advance(by: 31 * 60)
            #expect(try await app.testing().sendRequest(.GET, "/admin/users", headers: caller.pageHeaders).status == .seeOther)

            let busy = try await Fixtures.caller(app, "busy", role: .districtAdmin)
            for _ in 0..<25 { // active every 29 minutes, for over 12 hours
                app.clock.advance(by: 29 * 60)
                _ = try await app.testing().sendRequest(.GET, "/", headers: busy.pageHeaders)
            }
            let late = try await app.testing().sendRequest(.GET, "/admin/users", headers: busy.pageHeaders)
            #expect(late.status == .seeOther)
        }
    }

    @Test("API: token login, /me, revocation, expiry")
    func apiTokens() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "officer", role: .officer)
            let login = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                            body: .json(["username": "officer", "password": Fixtures.password]))
            #expect(login.status == .created)
            struct Body: Decodable { let token: String; let expiresAt: Date; let user: UserDTO }
            let decoder = JSONDecoder(); decoder.dateDecodingStrategy = .iso8601
            let body = try decoder.decode(Body.self, from: Data(buffer: login.body))
            #expect(body.user.role == .officer)
            #expect(body.token.count >= 43) // 256 bits, base64url
            #expect(body.expiresAt == app.clock.now.addingTimeInterval(24 * 3600))
            // Only a hash is stored.
            let stored = try await ApiToken.query(on: app.db).all()
            #expect(stored.map(\.tokenHash) == [Secret.hash(body.token)])

            let auth: HTTPHeaders = ["Authorization": "Bearer \(body.token)"]
            let me = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: auth)
            #expect(me.status == .ok)
            #expect(me.text.contains("\"username\":\"officer\""))
            #expect(try await app.testing().sendRequest(.DELETE, "/api/v1/auth/token", headers: auth).status == .noContent)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: auth).status == .unauthorized)

            let second = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                             body: .json(["username": "officer", "password": Fixtures.password]))
            let token = try decoder.decode(Body.self, from: Data(buffer: second.body)).token
            app.clock.advance(by: 24 * 3600 + 1)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
        }
    }

    @Test("A browser's session cookie does not authorise API calls")
    func cookieIsNotAPICredential() async throws {
        try await withApp { app in
            let caller = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: caller.pageHeaders).status == .unauthorized)
        }
    }

    @Test("Unknown user and wrong password answer the same")
    func sameAnswer() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "leader", role: .leader)
            let wrong = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                            body: .json(["username": "leader", "password": "Wrong-passw0rd"]))
            let unknown = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                              body: .json(["username": "nobody", "password": "Wrong-passw0rd"]))
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == wrong.status)
            #expect(unknown.apiError?.message == wrong.apiError?.message)
            #expect(wrong.apiError?.message == "用户名或密码不正确。")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "session.loginFailed").count()
            #expect(failures == 2)
        }
    }

    @Test("Five failures for one account: the sixth attempt gets 429 with Retry-After, even with the right password")
    func accountThrottle() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "company", role: .enterpriseAdmin)
            for attempt in 1...5 {
                let response = try await app.testing().sendRequest(
                    .POST, "/api/v1/auth/login", headers: HTTPHeaders.json.adding(["X-Forwarded-For": "10.0.0.\(attempt)"]),
                    body: .json(["username": "company", "password": "Wrong-passw0rd"]))
                #expect(response.status == .unauthorized)
            }
            let blocked = try await app.testing().sendRequest(
                .POST, "/api/v1/auth/login", headers: HTTPHeaders.json.adding(["X-Forwarded-For": "10.0.0.9"]),
                body: .json(["username": "company", "password": Fixtures.password]))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) == "900")
            // The web form is throttled the same way, in the user's language.
            let web = try await webLogin(app, "company", Fixtures.password, headers: ["Accept-Language": "en"])
            #expect(web.status == .tooManyRequests)
            #expect(web.text.contains("Too many failed sign-ins"))
            app.clock.advance(by: 901)
            let later = try await app.testing().sendRequest(
                .POST, "/api/v1/auth/login", headers: .json, body: .json(["username": "company", "password": Fixtures.password]))
            #expect(later.status == .created)
        }
    }

    @Test("Twenty failures from one address block it for every account")
    func addressThrottle() async throws {
        try await withApp { app in
            try await Fixtures.user(app, "guard", role: .gateGuard)
            let from: HTTPHeaders = HTTPHeaders.json.adding(["X-Forwarded-For": "203.0.113.7"])
            for attempt in 1...20 {
                let response = try await app.testing().sendRequest(
                    .POST, "/api/v1/auth/login", headers: from, body: .json(["username": "u\(attempt)", "password": "Wrong-passw0rd"]))
                #expect(response.status == .unauthorized)
            }
            let blocked = try await app.testing().sendRequest(
                .POST, "/api/v1/auth/login", headers: from, body: .json(["username": "guard", "password": Fixtures.password]))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) != nil)
            let elsewhere = try await app.testing().sendRequest(
                .POST, "/api/v1/auth/login", headers: HTTPHeaders.json.adding(["X-Forwarded-For": "198.51.100.1"]),
                body: .json(["username": "guard", "password": Fixtures.password]))
            #expect(elsewhere.status == .created)
        }
    }

    @Test("Disabling a user ends their sessions and tokens at once")
    func disableEndsEverything() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let agent = try await Fixtures.caller(app, "agent", role: .agent)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: agent.apiHeaders).status == .ok)
            let response = try await app.testing().sendRequest(
                .PATCH, "/api/v1/users/\(agent.user.id!)", headers: admin.apiHeaders.adding(.json), body: .json(["disabled": true]))
            #expect(response.status == .ok)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/me", headers: agent.apiHeaders).status == .unauthorized)
            #expect(try await app.testing().sendRequest(.GET, "/", headers: agent.pageHeaders).text.contains("测试 agent") == false)
            #expect(try await WebSession.query(on: app.db).filter(\.$user.$id == agent.user.id!).count() == 0)
            #expect(try await ApiToken.query(on: app.db).filter(\.$user.$id == agent.user.id!).count() == 0)
            let login = try await app.testing().sendRequest(.POST, "/api/v1/auth/login", headers: .json,
                                                            body: .json(["username": "agent", "password": Fixtures.password]))
            #expect(login.status == .unauthorized)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "user.disable").count() == 1)
        }
    }
}
