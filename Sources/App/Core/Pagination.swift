import Fluent
import FluentSQL
import Foundation
import Vapor

/// Page links for a list, keeping its filters.
struct Pagination: Encodable {
    let page: Int
    let pageCount: Int
    let total: Int
    let previous: String?
    let next: String?

    init(_ metadata: PageMetadata, path: String, query: [String: String]) {
        page = metadata.page
        pageCount = max(1, metadata.pageCount)
        total = metadata.total
        func link(_ page: Int) -> String {
            var components = URLComponents()
            components.path = path
            components.queryItems = query.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { URLQueryItem(name: $0.key, value: $0.value) } + [URLQueryItem(name: "page", value: String(page))]
            return components.string ?? path
        }
        previous = metadata.page > 1 ? link(metadata.page - 1) : nil
        next = metadata.page < metadata.pageCount ? link(metadata.page + 1) : nil
    }
}

/// One page of an API list: `{items, page, per, total}`.
struct ListDTO<Item: Content>: Content {
    let items: [Item]
    let page: Int
    let per: Int
    let total: Int

    init(_ items: [Item], _ metadata: PageMetadata) {
        self.items = items
        page = metadata.page
        per = metadata.per
        total = metadata.total
    }
}

extension Response {
    /// `201 Created` with the new thing as JSON.
    static func created<T: Content>(_ value: T) throws -> Response {
        let response = Response(status: .created)
        try response.content.encode(value)
        return response
    }
}

extension Request {
    /// A JSON body, decoded by the configured JSON decoder without Vapor's content negotiation:
    /// parsing the request's media type cost a few percent of each gate check-in and health
    /// report. Any other body goes the usual way (and gets its usual error).
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard let body = body.data, headers.first(name: .contentType)?.lowercased().hasPrefix("application/json") == true else {
            return try content.decode(T.self)
        }
        return try ContentConfiguration.global.requireDecoder(for: .json).decode(T.self, from: body, headers: headers)
    }
}

/// `LIKE` patterns with the user's `%`, `_` and `\` escaped, so they match literally.
enum LikePattern {
    static func contains(_ text: String) -> String {
        var escaped = ""
        for char in text {
            if char == "%" || char == "_" || char == "\\" { escaped.append("\\") }
            escaped.append(char)
        }
        return "%\(escaped)%"
    }
}

extension QueryBuilder {
    /// Rows where any of `columns` contains `text`, case-insensitively and literally, with the
    /// same results on SQLite and PostgreSQL.
    @discardableResult
    func filter(contains text: String, in columns: [String]) -> Self {
        let pattern = LikePattern.contains(text.lowercased())
        return group(.or) { group in
            for column in columns {
                group.filter(.sql(embed: "LOWER(\(ident: column)) LIKE \(bind: pattern) ESCAPE '\\'"))
            }
        }
    }
}
