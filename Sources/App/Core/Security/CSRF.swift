import Vapor

/// Every state-changing page request must carry the session's CSRF token, in the form field
/// `_csrf` or the `X-CSRF-Token` header. The API authenticates by bearer token only, so it
/// carries no ambient credentials and needs none.
struct CSRFGuard: AsyncMiddleware {
    static let field = "_csrf"
    static let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard !req.isAPI, !Self.safeMethods.contains(req.method) else {
            return try await next.respond(to: req)
        }
        guard let session = req.webSession else { throw AppError.csrf }
        var sent = req.headers.first(name: "X-CSRF-Token")
        if sent == nil {
            if req.body.data == nil {
                let isUpload = req.headers.contentType?.type == "multipart"
                let limit = isUpload ? ByteCount(stringLiteral: Uploads.maxRequestSize) : req.application.routes.defaultMaxBodySize
                _ = try await req.body.collect(max: limit.value).get()
            }
            sent = try? req.content.get(String.self, at: Self.field)
        }
        guard let sent, Secret.constantTimeEqual(sent, session.csrfToken) else { throw AppError.csrf }
        return try await next.respond(to: req)
    }
}
