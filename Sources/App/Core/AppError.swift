import Domain
import Vapor

/// Every failure a user can meet, each with a string-table key for its message.
public enum AppError: Error, Sendable {
    case unauthorized
    /// Wrong password and unknown user answer the same.
    case invalidCredentials
    case forbidden
    case notFound
    case csrf
    case invalid(FieldErrors)
    case conflict(field: String?, messageKey: String)
    case illegalTransition(messageKey: String)
    case tooManyRequests(retryAfter: Int)
    case badRequest(messageKey: String)
    /// A read ran past `Settings.readTimeLimit`.
    case timedOut
    case internalError(String)

    var status: HTTPResponseStatus {
        switch self {
        case .unauthorized, .invalidCredentials: .unauthorized
        case .forbidden, .csrf: .forbidden
        case .notFound: .notFound
        case .invalid: .unprocessableEntity
        case .conflict, .illegalTransition: .conflict
        case .tooManyRequests: .tooManyRequests
        case .badRequest: .badRequest
        case .timedOut: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    /// Stable code for API clients.
    var code: String {
        switch self {
        case .unauthorized: "unauthorized"
        case .invalidCredentials: "invalidCredentials"
        case .forbidden: "forbidden"
        case .notFound: "notFound"
        case .csrf: "csrf"
        case .invalid: "invalid"
        case .conflict: "conflict"
        case .illegalTransition: "illegalTransition"
        case .tooManyRequests: "tooManyRequests"
        case .badRequest: "badRequest"
        case .timedOut: "timedOut"
        case .internalError: "internal"
        }
    }

    var messageKey: String {
        switch self {
        case .unauthorized: "error.unauthorized"
        case .invalidCredentials: "error.login.failed"
        case .forbidden: "error.forbidden"
        case .notFound: "error.notFound"
        case .csrf: "error.csrf"
        case .invalid: "error.invalid"
        case .conflict(_, let key), .illegalTransition(let key), .badRequest(let key): key
        case .tooManyRequests: "error.tooManyRequests"
        case .timedOut: "error.timeout"
        case .internalError: "error.internal"
        }
    }

    var fieldErrors: FieldErrors {
        switch self {
        case .invalid(let errors): errors
        case .conflict(let field?, let key): FieldErrors(field, key)
        default: FieldErrors()
        }
    }
}

/// Field errors from `Domain` become a 422 without further wrapping.
extension FieldErrors {
    var asAppError: AppError { .invalid(self) }
}
