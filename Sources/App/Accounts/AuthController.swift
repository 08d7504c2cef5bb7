import Domain
import Fluent
import Vapor

/// Sign-in and sign-out, for browsers and for API clients.
enum AuthController {
    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    struct LoginPage: Encodable {
        let page: PageContext
        let username: String
        let next: String
        let fields: [String: String]
    }

    @Sendable static func loginPage(req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/") }
        let page = try await Pages.context(req, titleKey: "login.title", forms: true)
        let next = safeNext(req.query[String.self, at: "next"])
        return try await Pages.render(req, "accounts/login", LoginPage(page: page, username: "", next: next, fields: [:]))
    }

    @Sendable static func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        do {
            let user = try await SignIn.verify(req, username: form.username, password: form.password)
            // A new session, with a new id, for the signed-in user.
            try await req.startWebSession(for: user)
            req.auth.login(user)
            try await Audit.record(req, on: req.db, action: "session.login", entity: "user", entityID: user.id)
            return req.redirect(to: safeNext(form.next))
        } catch let errors as FieldErrors {
            return try await loginAgain(req, form, status: .unprocessableEntity, fields: req.translated(errors))
        } catch let error as AppError {
            let status: HTTPResponseStatus
            var fields: [String: String] = [:]
            var headers = HTTPHeaders()
            switch error {
            case .invalid(let errors):
                status = .unprocessableEntity
                fields = req.translated(errors.messages)
            case .invalidCredentials:
                status = .unauthorized
                fields["form"] = req.t("error.login.failed")
            case .tooManyRequests(let retryAfter):
                status = .tooManyRequests
                fields["form"] = req.t("error.login.throttled", String((retryAfter + 59) / 60))
                headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
            default:
                throw error
            }
            let response = try await loginAgain(req, form, status: status, fields: fields)
            response.headers.add(contentsOf: headers)
            return response
        }
    }

    /// The sign-in form again, with the username as typed and what went wrong.
    private static func loginAgain(_ req: Request, _ form: LoginForm, status: HTTPResponseStatus,
                                   fields: [String: String]) async throws -> Response {
        let page = try await Pages.context(req, titleKey: "login.title", forms: true)
        return try await Pages.render(req, "accounts/login",
                                      LoginPage(page: page, username: FormText.trimmed(form.username), next: safeNext(form.next), fields: fields),
                                      status: status)
    }

    @Sendable static func logout(req: Request) async throws -> Response {
        if let user = req.auth.get(User.self) {
            try await Audit.record(req, on: req.db, action: "session.logout", entity: "user", entityID: user.id)
        }
        try await req.endWebSession()
        return req.redirect(to: "/login")
    }

    /// Only a path on this site: never another host (`//evil`, `https://…`).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.contains("\r"), !next.contains("\n")
        else { return "/" }
        return next
    }

    // MARK: API

    struct TokenRequest: Content {
        var username: String?
        var password: String?
    }

    struct TokenResponse: Content {
        let token: String
        let expiresAt: Date
        let user: UserDTO
    }

    @Sendable static func apiLogin(req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let user = try await SignIn.verify(req, username: body.username, password: body.password)
        let issued = try await SignIn.issueToken(req, for: user)
        let response = Response(status: .created)
        try response.content.encode(TokenResponse(token: issued.token, expiresAt: issued.expiresAt, user: try user.toDTO()))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable static func apiRevokeToken(req: Request) async throws -> HTTPStatus {
        guard let token = req.apiToken else { throw AppError.unauthorized }
        try await req.transaction { db in
            try await ApiToken.query(on: db).filter(\.$id == token.id).delete()
            try await Audit.record(req, on: db, action: "token.revoke", entity: "user", entityID: token.userID)
        }
        req.application.cluster.changed(.bearerTokens)
        return .noContent
    }

    @Sendable static func apiMe(req: Request) async throws -> UserDTO {
        try req.requireUser().toDTO()
    }
}
