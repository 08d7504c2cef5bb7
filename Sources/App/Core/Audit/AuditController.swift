import Fluent
import Vapor

/// The district admin reads the audit log; nothing edits or deletes it.
enum AuditController {
    static func search(_ req: Request) async throws -> Fluent.Page<AuditEvent> {
        let query = AuditEvent.query(on: req.db).sort(\.$at, .descending)
        if let username = req.query[String.self, at: "username"]?.trimmingCharacters(in: .whitespaces), !username.isEmpty {
            query.filter(\.$username == username.lowercased())
        }
        if let action = req.query[String.self, at: "action"]?.trimmingCharacters(in: .whitespaces), !action.isEmpty {
            query.filter(contains: action, in: ["action"])
        }
        if let entity = req.query[String.self, at: "entityId"]?.trimmingCharacters(in: .whitespaces), !entity.isEmpty {
            query.filter(\.$entityID == entity.uppercased())
        }
        if let from = parseDay(req.query[String.self, at: "from"]) { query.filter(\.$at >= from) }
        if let to = parseDay(req.query[String.self, at: "to"]) { query.filter(\.$at < to.addingTimeInterval(86_400)) }
        return try await query.paginate(PageRequest(page: max(1, req.query[Int.self, at: "page"] ?? 1), per: 100))
    }

    /// `yyyy-MM-dd` as a day in China Standard Time.
    static func parseDay(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = DisplayFormat.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }

    @Sendable static func apiList(req: Request) async throws -> ListDTO<AuditEventDTO> {
        let result = try await search(req)
        return ListDTO(result.items.map { $0.toDTO() }, result.metadata)
    }

    struct Row: Encodable {
        let at: String
        let username: String
        let roleName: String
        let action: String
        let entity: String
        let entityId: String
        let subject: String
        let address: String
        let requestId: String
    }

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let filter: [String: String]
        let pagination: Pagination
    }

    @Sendable static func listPage(req: Request) async throws -> Response {
        let result = try await search(req)
        var filter: [String: String] = [:]
        for key in ["username", "action", "entityId", "from", "to"] {
            filter[key] = req.query[String.self, at: key] ?? ""
        }
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "audit.title"),
            rows: result.items.map {
                Row(at: DisplayFormat.dateTime($0.at), username: $0.username ?? "—",
                    roleName: $0.role.map { req.t("role.\($0)") } ?? "—", action: $0.action, entity: $0.entity,
                    entityId: $0.entityID ?? "", subject: $0.subject ?? "", address: $0.address, requestId: $0.requestID ?? "")
            },
            filter: filter,
            pagination: Pagination(result.metadata, path: "/admin/audit", query: filter)
        )
        return try await Pages.render(req, "core/audit", context)
    }
}
