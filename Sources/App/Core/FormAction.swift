import Domain
import Vapor

/// What a page shows again after a form with mistakes: the messages, each field's message by
/// name, and what was typed, so nothing is lost.
struct FormState: Encodable {
    var errors: [String] = []
    var fields: [String: String] = [:]
    var values: [String: String] = [:]

    init() {}

    init(_ req: Request, _ errors: FieldErrors, values: [String: String] = [:]) {
        self.errors = req.errorList(errors)
        fields = req.translated(errors)
        self.values = values
    }
}

/// "Post a form, then redirect, or show it again with its errors": the one way every page
/// handles a form. On success the flash message is set and the browser goes to `redirect`; a
/// field error (422) or a conflict or a step the record's state does not allow (409) renders
/// the page again through `render`, with the errors, and what was typed where the page keeps it.
enum FormAction {
    static func run(_ req: Request, flash: String, redirect: String,
                    render: (FieldErrors, HTTPResponseStatus) async throws -> Response,
                    _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
            try await Pages.flash(req, flash)
            return req.redirect(to: redirect)
        } catch let errors as FieldErrors {
            return try await render(errors, .unprocessableEntity)
        } catch AppError.invalid(let errors) {
            return try await render(errors, .unprocessableEntity)
        } catch AppError.conflict(let field, let key) {
            return try await render(FieldErrors(field ?? "form", key), .conflict)
        } catch AppError.illegalTransition(let key) {
            return try await render(FieldErrors("form", key), .conflict)
        }
    }
}
