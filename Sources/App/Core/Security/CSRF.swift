import Vapor

/// Every state-changing page request must carry the session's CSRF token, in the form field
/// `_csrf` or the `X-CSRF-Token` header. The API authenticates by bearer token only, so it
/// carries no ambient credentials and needs none. A step of `RequestPipeline`.
enum CSRFGuard {
    static let field = "_csrf"
    static let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]

    static func check(_ req: Request) async throws {
        guard !req.isAPI, !safeMethods.contains(req.method) else { return }
        guard let session = req.webSession else { throw AppError.csrf }
        var sent = req.headers.first(name: "X-CSRF-Token")
        if sent == nil {
            // `BodyGuard`, the step before, has collected form and multipart bodies.
            sent = try? req.content.get(String.self, at: field)
        }
        guard let sent, Secret.constantTimeEqual(sent, session.csrfToken) else { throw AppError.csrf }
    }
}
