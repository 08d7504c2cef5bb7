import Vapor

/// CSV as Excel reads it: UTF-8 with a byte-order mark, CRLF lines, fields quoted where they
/// must be, and nothing Excel would take for a formula.
enum CSV {
    /// A field: quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-`
    /// or `@` is prefixed with `'`, so that it is never read as a formula.
    static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// The file: a byte-order mark, then the lines.
    static func document(_ lines: [String]) -> String {
        "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The file as a download.
    static func response(_ lines: [String], filename: String) -> Response {
        let response = Response(status: .ok, body: .init(string: document(lines)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }
}
