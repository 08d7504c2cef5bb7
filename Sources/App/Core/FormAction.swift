import Domain
import Leaf
import Vapor

/// What a page shows again after a form with mistakes: each field's message by name (for
/// `#errorSummary(form.fields)` and the field itself), and what was typed, so nothing is lost.
struct FormState: Encodable {
    var fields: [String: String] = [:]
    var values: [String: String] = [:]

    init() {}

    init(_ req: Request, _ errors: FieldErrors, values: [String: String] = [:]) {
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

extension Dictionary where Key == String {
    /// Messages by field, with a field renamed where the page's input has another id (a unit's
    /// `hook-ID`, a standard's `records-passed`), so the summary's entry leads to it. The first
    /// message wins where two names meet.
    func renamingFields(_ rename: (String) -> String) -> [String: Value] {
        Dictionary(map { (rename($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// `#errorSummary(fields)`: the box at the top of a form answered with mistakes (GOV.UK's
/// pattern), the one way every page shows them. `fields` maps a field's name to its message,
/// already in the reader's language; each entry links to the field (`#name`), a message for the
/// whole form (`form`) stands without a link. `forms.js` moves focus to the box, orders the
/// entries as the fields stand on the page and puts each field's label before its message.
/// Nothing is shown when there is no mistake.
struct ErrorSummaryTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let fields = ctx.parameters.first?.dictionary, !fields.isEmpty else { return .string("") }
        let heading = ctx.request.map { $0.application.strings.text("error.summary", $0.language, []) } ?? "error.summary"
        let items = fields.sorted { $0.key < $1.key }.map { name, message -> String in
            let text = HTML.escape(message.string ?? "")
            guard name != "form" else { return "<li>\(text)</li>" }
            return "<li><a href=\"#\(HTML.escape(name))\" data-field=\"\(HTML.escape(name))\">\(text)</a></li>"
        }
        return .string("""
            <div class="error-summary" role="alert" tabindex="-1" data-error-summary>\
            <h2>\(HTML.escape(heading))</h2><ul>\(items.joined())</ul></div>
            """)
    }
}
