import Domain
import Fluent
import Vapor

/// The district admin's routing table (category → department), duty desk, heads and robots.
enum RoutingController {
    struct Page: Encodable {
        struct Rule: Encodable { let category: String; let categoryName: String; let departments: [SelectOption] }
        struct Unit: Encodable {
            let id: UUID; let name: String; let isDutyDesk: Bool; let heads: [SelectOption]; let webhookURL: String
            /// This unit's form was sent with a mistake: the messages by field.
            let errors: [String: String]
        }
        let page: PageContext
        let rules: [Rule]
        let units: [Unit]
        let fields: [String: String]
    }

    @Sendable static func page(req: Request) async throws -> Response {
        try await render(req, fields: [:])
    }

    /// `unit`: the department whose form was sent with a mistake, and what it held.
    static func render(_ req: Request, fields: [String: String], unit: (id: UUID, form: UnitForm)? = nil,
                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let messages = req.translated(fields)
        let departments = try await Department.query(on: req.db).sort(\.$name).all()
        let rules = try await RoutingRule.query(on: req.db).all()
        let agents = try await User.query(on: req.db).filter(\.$role == .agent).sort(\.$displayName).all()
        let context = Page(
            page: try await Pages.context(req, titleKey: "routing.title"),
            rules: TicketCategory.allCases.map { category in
                let current = rules.first { $0.category == category }?.$department.id
                return .init(category: category.rawValue, categoryName: req.t(category.nameKey),
                             departments: departments.map { SelectOption(value: $0.id!.uuidString, label: $0.displayName(req.language), selected: $0.id == current) })
            },
            units: departments.map { department in
                let sent = unit?.id == department.id ? unit?.form : nil
                return .init(id: department.id!, name: department.displayName(req.language), isDutyDesk: department.isDutyDesk,
                             heads: agents.filter { $0.$department.id == department.id }.map { agent in
                                 let chosen: Bool = if let sent { agent.id?.uuidString == sent.headId } else { agent.id == department.headID }
                                 return SelectOption(value: agent.id!.uuidString, label: agent.displayName, selected: chosen)
                             },
                             webhookURL: sent?.webhookURL ?? department.webhookURL ?? "", errors: sent == nil ? [:] : messages)
            },
            // A unit's entries lead to that unit's fields.
            fields: messages.renamingFields { key in
                guard let id = unit?.id.uuidString else { return key }
                return key == "webhookURL" ? "hook-\(id)" : key == "headId" ? "head-\(id)" : key
            }
        )
        return try await Pages.render(req, "helpdesk/routing", context, status: status)
    }

    struct RulesForm: Content {
        var rules: [String: String]?
        var dutyDesk: String?
    }

    @Sendable static func saveRules(req: Request) async throws -> Response {
        let form = try req.content.decode(RulesForm.self)
        var mapping: [TicketCategory: UUID] = [:]
        for (key, value) in form.rules ?? [:] {
            guard let category = TicketCategory(rawValue: key), let id = UUID(uuidString: value) else { continue }
            mapping[category] = id
        }
        try await setRules(req, mapping, dutyDesk: form.dutyDesk.flatMap(UUID.init(uuidString:)))
        try await Pages.flash(req, "routing.saved")
        return req.redirect(to: "/admin/routing")
    }

    static func setRules(_ req: Request, _ mapping: [TicketCategory: UUID], dutyDesk: UUID?) async throws {
        let known = Set(try await Department.query(on: req.db).all().compactMap(\.id))
        guard mapping.values.allSatisfy(known.contains), dutyDesk.map(known.contains) ?? true else {
            throw FieldErrors("departmentId", "error.department.unknown")
        }
        try await req.transaction { db in
            try await RoutingRule.query(on: db).delete()
            for (category, department) in mapping {
                let rule = RoutingRule()
                rule.category = category
                rule.$department.id = department
                try await rule.create(on: db)
            }
            if let dutyDesk {
                for department in try await Department.query(on: db).all() {
                    department.isDutyDesk = department.id == dutyDesk
                    try await department.save(on: db)
                }
            }
            try await Audit.record(req, on: db, action: "routing.change", entity: "routing",
                                   detail: mapping.map { "\($0.key.rawValue)" }.sorted().joined(separator: ","))
        }
        RoutingTable.changed(req.application)
    }

    struct UnitForm: Content {
        var headId: String?
        var webhookURL: String?
    }

    @Sendable static func saveUnit(req: Request) async throws -> Response {
        guard let id = req.parameters.get("departmentID", as: UUID.self), let department = try await Department.find(id, on: req.db) else {
            throw AppError.notFound
        }
        let form = try req.content.decode(UnitForm.self)
        var errors = FieldErrors()
        var head: UUID?
        if let raw = form.headId, !raw.isEmpty {
            if let user = try await User.find(UUID(uuidString: raw), on: req.db), user.role == .agent, user.$department.id == id { head = user.id }
            else { errors.add("headId", "error.choice") }
        }
        let url = FormText.trimmed(form.webhookURL)
        if !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) { errors.add("webhookURL", "error.url") }
        if !errors.isEmpty { return try await render(req, fields: errors.messages, unit: (id, form), status: .unprocessableEntity) }
        department.headID = head
        department.webhookURL = url.isEmpty ? nil : url
        try await req.transaction { db in
            try await department.save(on: db)
            try await Audit.record(req, on: db, action: "department.update", entity: "department", entityID: id)
        }
        RoutingTable.changed(req.application)
        try await Pages.flash(req, "routing.saved")
        return req.redirect(to: "/admin/routing")
    }
}
