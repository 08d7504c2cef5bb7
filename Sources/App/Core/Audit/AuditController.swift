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
        /// In words: "工单：答复" for `ticket.answer`.
        let action: String
        let code: String
        let entity: String
        /// The record's page, when the reader may open it.
        let href: String?
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

    /// `ticket.answer` → "工单：答复": the subject (all but the last part) and the verb (the last),
    /// each from the string table; a code without words shows as itself.
    static func actionText(_ req: Request, _ code: String) -> String {
        let strings = req.application.strings
        if strings.has("audit.action.\(code)") { return req.t("audit.action.\(code)") }
        guard let dot = code.lastIndex(of: ".") else { return code }
        let subject = "audit.subject.\(code[..<dot])", verb = "audit.verb.\(code[code.index(after: dot)...])"
        guard strings.has(subject), strings.has(verb) else { return code }
        return req.t("audit.actionText", req.t(subject), req.t(verb))
    }

    /// Where a record of the audit log can be opened.
    static let recordPages = [
        "enterprise": "/enterprises/", "resumptionApplication": "/resumption/", "ticket": "/helpdesk/", "user": "/admin/users/",
        "siteVisit": "/visits/", "freightBooking": "/freight/bookings/", "freightDeparture": "/freight/departures/",
        "policy": "/policies/", "job": "/jobs/", "employee": "/workforce/employees/",
    ]

    static func link(_ req: Request, _ event: AuditEvent) -> String? {
        guard let id = event.entityID, UUID(uuidString: id) != nil, let prefix = recordPages[event.entity],
              let role = req.auth.get(User.self)?.role else { return nil }
        let href = prefix + id
        return Pages.mayOpen(req.application, href, as: role) ? href : nil
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
                    roleName: $0.role.map { req.t("role.\($0)") } ?? "—", action: actionText(req, $0.action), code: $0.action,
                    entity: req.application.strings.has("audit.entity.\($0.entity)") ? req.t("audit.entity.\($0.entity)") : $0.entity,
                    href: link(req, $0),
                    subject: $0.subject ?? "", address: $0.address, requestId: $0.requestID ?? "")
            },
            filter: filter,
            pagination: Pagination(result.metadata, path: "/admin/audit", query: filter)
        )
        return try await Pages.render(req, "core/audit", context)
    }
}
