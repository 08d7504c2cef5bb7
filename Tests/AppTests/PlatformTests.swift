@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Platform: API document, languages, CSRF, errors, headers")
struct PlatformTests {
    /// `METHOD /path/{param}` for each operation in the OpenAPI document (a plain reading of
    /// its `paths:` block, which is kept in this simple shape).
    func documentedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var currentPath: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if let match = line.wholeMatch(of: /\s{2}(\/[^:\s]+):/) {
                currentPath = String(match.output.1)
            } else if let match = line.wholeMatch(of: /\s{4}(get|post|put|patch|delete):/), let path = currentPath {
                operations.insert("\(match.output.1.uppercased()) \(path)")
            } else if line.hasPrefix("components:") {
                currentPath = nil
            }
        }
        return operations
    }

    @Test("The OpenAPI document describes exactly the /api/v1 routes")
    func openAPIMatchesRoutes() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(.GET, "/api/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.headers.contentType?.subType == "yaml")
            #expect(response.text.hasPrefix("openapi: 3.1"))
            let documented = documentedOperations(response.text)
            let registered = Set(app.routes.all.compactMap { route -> String? in
                guard route.path.starts(with: [.constant("api"), .constant("v1")]) else { return nil }
                let path = route.path.map { component -> String in
                    switch component {
                    case .constant(let value): value
                    case .parameter(let name): "{\(name)}"
                    case .anything: "*"
                    case .catchall: "**"
                    }
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            })
            #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented).sorted())")
            #expect(documented.subtracting(registered).isEmpty, "documented but absent: \(documented.subtracting(registered).sorted())")
            #expect(documented.count >= 13)
        }
    }

    @Test("Both string tables have the same keys, and no text is empty")
    func stringTables() async throws {
        try await withApp { app in
            let zh = app.strings.keys(.zhHans)
            let en = app.strings.keys(.en)
            #expect(zh.subtracting(en).isEmpty, "only in Chinese: \(zh.subtracting(en).sorted())")
            #expect(en.subtracting(zh).isEmpty, "only in English: \(en.subtracting(zh).sorted())")
            for key in zh {
                #expect(!app.strings.text(key, .zhHans).isEmpty && !app.strings.text(key, .en).isEmpty, "\(key)")
            }
            // Every role has a name and a home page introduction in both languages.
            for role in Role.allCases {
                #expect(zh.contains(role.nameKey) && zh.contains("home.intro.\(role.rawValue)"))
            }
        }
    }

    @Test("Every #t key used in the templates is in the tables")
    func templateKeys() async throws {
        try await withApp { app in
            let views = URL(fileURLWithPath: app.directory.viewsDirectory)
            let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" } ?? []
            #expect(files.count >= 10)
            let keys = app.strings.keys(.zhHans)
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: /#t\("([^"]+)"/) {
                    #expect(keys.contains(String(match.output.1)), "\(file.lastPathComponent): \(match.output.1)")
                }
            }
        }
    }

    @Test("No header gives Chinese; Accept-Language: en gives English; ?lang= is remembered")
    func languages() async throws {
        try await withApp { app in
            let chinese = try await app.testing().sendRequest(.GET, "/login")
            #expect(chinese.text.contains("<html lang=\"zh-CN\">"))
            #expect(chinese.text.contains("<h1>登录</h1>"))
            let english = try await app.testing().sendRequest(.GET, "/login", headers: ["Accept-Language": "en-GB,en;q=0.8"])
            #expect(english.text.contains("<html lang=\"en\">"))
            #expect(english.text.contains("<h1>Sign in</h1>"))
            let preferChinese = try await app.testing().sendRequest(.GET, "/login", headers: ["Accept-Language": "en;q=0.5, zh-CN"])
            #expect(preferChinese.text.contains("<h1>登录</h1>"))

            let switched = try await app.testing().sendRequest(.GET, "/login?lang=en")
            #expect(switched.text.contains("<h1>Sign in</h1>"))
            let remembered = try #require(switched.cookie("fugong_lang"))
            let next = try await app.testing().sendRequest(.GET, "/register", headers: ["Cookie": "fugong_lang=\(remembered)"])
            #expect(next.text.contains("Register an enterprise"))
            #expect(next.text.contains("href=\"/register?lang=zh-Hans\""))
        }
    }

    @Test("A state-changing form without its CSRF token gets 403 and changes nothing")
    func csrf() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let target = try await Fixtures.user(app, "victim", role: .leader)
            let missing = try await app.testing().sendRequest(.POST, "/admin/users/\(target.id!)/disable", headers: admin.pageHeaders.adding(.form), body: .form([:]))
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("表单已过期"))
            let wrong = try await app.testing().sendRequest(.POST, "/admin/users/\(target.id!)/disable", headers: admin.pageHeaders.adding(.form), body: .form(["_csrf": "forged"]))
            #expect(wrong.status == .forbidden)
            #expect(try await User.find(target.id, on: app.db)?.isDisabled == false)
            // Another session's token does not work either.
            let other = try await Fixtures.caller(app, "admin2", role: .districtAdmin)
            let crossed = try await app.testing().sendRequest(.POST, "/admin/users/\(target.id!)/disable", headers: admin.pageHeaders.adding(.form), body: .form(["_csrf": other.csrf]))
            #expect(crossed.status == .forbidden)
            let header = try await app.testing().sendRequest(.POST, "/admin/users/\(target.id!)/disable", headers: admin.pageHeaders.adding(.form).adding(["X-CSRF-Token": admin.csrf]))
            #expect(header.status == .seeOther)
            #expect(try await User.find(target.id, on: app.db)?.isDisabled == true)
            // The login form is protected too (login CSRF).
            let login = try await app.testing().sendRequest(.POST, "/login", headers: .form, body: .form(["username": "admin", "password": Fixtures.password]))
            #expect(login.status == .forbidden)
        }
    }

    @Test("Nothing changes state on GET: no GET route is a write")
    func getIsSafe() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let before = try await AuditEvent.query(on: app.db).count()
            for route in app.routes.all where route.method == .GET && !route.path.contains(where: { if case .parameter = $0 { true } else { false } }) {
                let path = "/" + route.path.map(\.description).joined(separator: "/")
                if path == "/live" { continue } // an endless event stream; tested on its own
                let response = try await app.testing().sendRequest(.GET, path, headers: path.hasPrefix("/api/") ? admin.apiHeaders : admin.pageHeaders)
                #expect(response.status.code < 500, "\(path)")
            }
            #expect(try await AuditEvent.query(on: app.db).count() == before)
        }
    }

    @Test("API errors are JSON; page errors are pages in the user's language; every response has a request id and security headers")
    func errorsAndHeaders() async throws {
        try await withApp { app in
            let api = try await app.testing().sendRequest(.GET, "/api/v1/nothing-here")
            #expect(api.status == .notFound)
            #expect(api.apiError?.code == "notFound")
            let page = try await app.testing().sendRequest(.GET, "/nothing-here")
            #expect(page.status == .notFound)
            #expect(page.headers.contentType == .html)
            #expect(page.text.contains("找不到页面"))
            let english = try await app.testing().sendRequest(.GET, "/nothing-here", headers: ["Accept-Language": "en"])
            #expect(english.text.contains("Not found"))
            let caller = try await Fixtures.caller(app, "seeker", role: .jobSeeker)
            let forbidden = try await app.testing().sendRequest(.GET, "/admin/audit", headers: caller.pageHeaders)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.text.contains("无权访问"))

            for response in [api, page, forbidden] {
                #expect(response.headers.first(name: "X-Request-Id")?.isEmpty == false)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(csp.contains("script-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
            }
            #expect(forbidden.headers.first(name: .cacheControl) == "no-store")
        }
    }

    @Test("/healthz says whether the database answers")
    func health() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(response.status == .ok)
            #expect(response.text.contains("\"database\":\"ok\""))
        }
    }

    @Test("Text typed by users is escaped in pages")
    func escaping() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "<script>alert(1)</script>", code: 1)
            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let page = try await app.testing().sendRequest(.GET, "/enterprises/\(enterprise.id!)", headers: reviewer.pageHeaders)
            #expect(!page.text.contains("<script>alert(1)</script>"))
            #expect(page.text.contains("&lt;script&gt;"))
        }
    }
}
