import Domain
import Fluent
import Vapor

/// Turns every error into what the caller can use: JSON `{"error": {code, message, fields}}` for
/// the API, an HTML page in the user's language for browsers, and a sign-in redirect for a page
/// that needs one. Unexpected errors are logged with the request id and answered 500. A step of
/// `RequestPipeline`.
enum ErrorResponder {
    struct Body: Content {
        struct Detail: Content {
            let code: String
            let message: String
            let fields: [String: String]
        }
        let error: Detail
    }

    static func response(for error: any Error, _ req: Request) async -> Response {
        let appError = Self.classify(error)
        if error is CancellationError {
            // The client went away mid-request; nobody will read the answer.
            req.logger.info("request cancelled by the client")
        } else if case .internalError(let reason) = appError {
            req.logger.error("\(reason) — \(String(reflecting: error))")
        }
        if !req.isAPI, case .unauthorized = appError {
            let next = req.url.path == "/" ? "" : "?next=\(req.url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")"
            return req.redirect(to: "/login\(next)", redirectType: .normal)
        }
        let message = req.t(appError.messageKey)
        let fields = req.translated(appError.fieldErrors)
        var headers = HTTPHeaders()
        if case .tooManyRequests(let retryAfter) = appError {
            headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter))
        }
        let response: Response
        if req.isAPI {
            response = Response(status: appError.status, headers: headers)
            try? response.content.encode(Body(error: .init(code: appError.code, message: message, fields: fields)))
        } else {
            response = await Pages.errorPage(req, status: appError.status, message: message, fields: fields)
            response.headers.add(contentsOf: headers)
        }
        return response
    }

    static func classify(_ error: any Error) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let errors as FieldErrors:
            return .invalid(errors)
        case let error as DecodingError:
            return .invalid(FieldErrors(Self.fieldName(of: error), "error.field.type"))
        case let error as any DatabaseError where error.isConstraintFailure:
            // Two submits of one form at once: the second meets the first's row (a unique
            // index). On SQLite the one writer orders them; on PostgreSQL they can race.
            return .conflict(field: nil, messageKey: "error.conflict.duplicate")
        case _ where String(reflecting: type(of: error)).hasPrefix("MultipartKit."):
            // The parser's own syntax error (private to MultipartKit); `BodyGuard` keeps such
            // bodies away, this is the second line.
            return .badRequest(messageKey: "error.multipart")
        case let error as any AbortError:
            switch error.status {
            case .notFound: return .notFound
            case .unauthorized: return .unauthorized
            case .forbidden: return .forbidden
            case .payloadTooLarge: return .badRequest(messageKey: "error.tooLarge")
            case .unsupportedMediaType: return .badRequest(messageKey: "error.mediaType")
            case .methodNotAllowed, .badRequest, .unprocessableEntity: return .badRequest(messageKey: "error.badRequest")
            default:
                return error.status.code < 500
                    ? .badRequest(messageKey: "error.badRequest")
                    : .internalError(error.reason)
            }
        default:
            return .internalError(String(describing: type(of: error)))
        }
    }

    static func fieldName(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
             .keyNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
            if case .keyNotFound(let key, _) = error { return key.stringValue }
        @unknown default:
            path = []
        }
        return path.last?.stringValue ?? "body"
    }
}

/// Request id and security headers on every response. A step of `RequestPipeline`.
enum ResponseHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static func apply(_ req: Request, _ response: Response) {
        response.headers.replaceOrAdd(name: "X-Request-Id", value: req.id)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        // Nothing a signed-in user sees is kept by a browser or proxy, error pages included.
        if req.auth.has(User.self) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
    }
}
