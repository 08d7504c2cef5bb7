import Domain
import Fluent
import Vapor

enum EnterprisesController {
    // MARK: API

    struct RegistrationBody: Content {
        var name: String?
        var creditCode: String?
        var legalRepresentative: String?
        var contactName: String?
        var contactPhone: String?
        var address: String?
        var zone: String?
        var industry: String?
        var aboveDesignatedSize: Bool?
        var staffCount: Int?
        var adminUsername: String?
        var adminPassword: String?

        var registration: EnterpriseRegistry.Registration {
            .init(
                enterprise: EnterpriseRegistration(
                    name: name, creditCode: creditCode, legalRepresentative: legalRepresentative,
                    contactName: contactName, contactPhone: contactPhone, address: address, zone: zone,
                    industry: industry, aboveDesignatedSize: aboveDesignatedSize, staffCount: staffCount
                ),
                adminUsername: adminUsername, adminPassword: adminPassword
            )
        }
    }

    struct ReviewBody: Content {
        var decision: String?
        var reason: String?
    }

    struct ZoneDTO: Content {
        let code: String
        let name: String
    }

    @Sendable static func apiRegister(req: Request) async throws -> Response {
        let enterprise = try await EnterpriseRegistry.register(req.context, try req.content.decode(RegistrationBody.self).registration)
        let response = Response(status: .created)
        try response.content.encode(try enterprise.toDTO(showFullPhone: true))
        return response
    }

    @Sendable static func apiShow(req: Request) async throws -> EnterpriseDTO {
        let enterprise = try await EnterpriseRegistry.find(req.context, id: req.parameters.get("enterpriseID", as: UUID.self))
        return try enterprise.toDTO(showFullPhone: EnterpriseRegistry.showsFullPhone(to: req.auth.get(User.self)))
    }

    @Sendable static func apiList(req: Request) async throws -> ListDTO<EnterpriseDTO> {
        let result = try await EnterpriseRegistry.search(req.context, .init(req))
        let full = EnterpriseRegistry.showsFullPhone(to: req.auth.get(User.self))
        return ListDTO(try result.items.map { try $0.toDTO(showFullPhone: full) }, result.metadata)
    }

    @Sendable static func apiReview(req: Request) async throws -> EnterpriseDTO {
        let enterprise = try await EnterpriseRegistry.find(req.context, id: req.parameters.get("enterpriseID", as: UUID.self))
        let body = try req.content.decode(ReviewBody.self)
        try await EnterpriseRegistry.review(req.context, enterprise, decision: body.decision, reason: body.reason)
        return try enterprise.toDTO(showFullPhone: true)
    }

    @Sendable static func apiZones(req: Request) async throws -> [ZoneDTO] {
        try await EnterpriseRegistry.zones(req.db).map { ZoneDTO(code: $0.code, name: $0.displayName(req.language)) }
    }

    // MARK: Pages

    struct RegisterPage: Encodable {
        let page: PageContext
        let values: [String: String]
        let aboveDesignatedSize: Bool
        let zones: [SelectOption]
        let fields: [String: String]
    }

    struct RegisterForm: Content {
        var name: String?
        var creditCode: String?
        var legalRepresentative: String?
        var contactName: String?
        var contactPhone: String?
        var address: String?
        var zone: String?
        var industry: String?
        var aboveDesignatedSize: String?
        var staffCount: String?
        var adminUsername: String?
        var adminPassword: String?
        var adminPasswordConfirmation: String?

        var values: [String: String] {
            ["name": name ?? "", "creditCode": creditCode ?? "", "legalRepresentative": legalRepresentative ?? "",
             "contactName": contactName ?? "", "contactPhone": contactPhone ?? "", "address": address ?? "",
             "zone": zone ?? "", "industry": industry ?? "", "staffCount": staffCount ?? "",
             "adminUsername": adminUsername ?? ""]
        }
    }

    @Sendable static func registerPage(req: Request) async throws -> Response {
        try await renderRegister(req, form: RegisterForm(), fields: [:])
    }

    @Sendable static func register(req: Request) async throws -> Response {
        let form = try req.content.decode(RegisterForm.self)
        let staffText = FormText.trimmed(form.staffCount)
        let staffCount = Int(staffText)
        let registration = EnterpriseRegistry.Registration(
            enterprise: EnterpriseRegistration(
                name: form.name, creditCode: form.creditCode, legalRepresentative: form.legalRepresentative,
                contactName: form.contactName, contactPhone: form.contactPhone, address: form.address,
                zone: form.zone, industry: form.industry, aboveDesignatedSize: form.aboveDesignatedSize != nil,
                staffCount: staffCount
            ),
            adminUsername: form.adminUsername, adminPassword: form.adminPassword,
            adminPasswordConfirmation: form.adminPasswordConfirmation ?? ""
        )
        do {
            if !staffText.isEmpty, staffCount == nil { throw FieldErrors("staffCount", "error.number") }
            _ = try await EnterpriseRegistry.register(req.context, registration)
            try await Pages.flash(req, "register.done")
            return req.redirect(to: "/login")
        } catch let errors as FieldErrors {
            return try await renderRegister(req, form: form, fields: errors.messages, status: .unprocessableEntity)
        } catch AppError.conflict(let field?, let key) {
            return try await renderRegister(req, form: form, fields: [field: key], status: .conflict)
        }
    }

    private static func renderRegister(_ req: Request, form: RegisterForm, fields: [String: String],
                                       status: HTTPResponseStatus = .ok) async throws -> Response {
        let zones = try await EnterpriseRegistry.zones(req.db)
        let context = RegisterPage(
            page: try await Pages.context(req, titleKey: "register.title", forms: true),
            values: form.values, aboveDesignatedSize: form.aboveDesignatedSize != nil,
            zones: zones.map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: $0.code == form.zone) },
            fields: req.translated(fields)
        )
        return try await Pages.render(req, "enterprises/register", context, status: status)
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let creditCode: String
        let zoneName: String
        let industry: String
        let aboveDesignatedSize: Bool
        let status: String
        let statusName: String
        let registeredAt: String
    }

    struct ListPage: Encodable {
        let page: PageContext
        let rows: [Row]
        let zones: [SelectOption]
        let statuses: [SelectOption]
        let sizes: [SelectOption]
        let q: String
        let pagination: Pagination
    }

    @Sendable static func listPage(req: Request) async throws -> Response {
        let result = try await EnterpriseRegistry.search(req.context, .init(req))
        let zones = try await EnterpriseRegistry.zones(req.db)
        let names = EnterpriseRegistry.zoneNames(zones, req.language)
        let zone = req.query[String.self, at: "zone"] ?? ""
        let status = req.query[String.self, at: "status"] ?? ""
        let q = req.query[String.self, at: "q"] ?? ""
        let context = ListPage(
            page: try await Pages.context(req, titleKey: "enterprises.title"),
            rows: result.items.map {
                Row(id: $0.id!, name: $0.name, creditCode: $0.creditCode, zoneName: names[$0.zone] ?? $0.zone,
                    industry: $0.industry, aboveDesignatedSize: $0.aboveDesignatedSize, status: $0.status.rawValue, statusName: req.t($0.status.nameKey),
                    registeredAt: DisplayFormat.date($0.createdAt))
            },
            zones: zones.map { SelectOption(value: $0.code, label: $0.displayName(req.language), selected: $0.code == zone) },
            statuses: EnterpriseStatus.allCases.map { SelectOption(value: $0.rawValue, label: req.t($0.nameKey), selected: $0.rawValue == status) },
            sizes: EnterpriseSize.options(req),
            q: q,
            pagination: Pagination(result.metadata, path: "/enterprises",
                                   query: ["zone": zone, "status": status, "size": req.query[String.self, at: "size"] ?? "", "q": q])
        )
        return try await Pages.render(req, "enterprises/list", context)
    }

    struct DetailPage: Encodable {
        let page: PageContext
        let enterprise: EnterpriseDTO
        let zoneName: String
        let statusName: String
        let reviewedAt: String
        let canReview: Bool
        let fields: [String: String]
        let reason: String
    }

    @Sendable static func detailPage(req: Request) async throws -> Response {
        try await renderDetail(req, enterprise: try await EnterpriseRegistry.find(req.context, id: req.parameters.get("enterpriseID", as: UUID.self)), fields: [:], reason: "")
    }

    @Sendable static func review(req: Request) async throws -> Response {
        let enterprise = try await EnterpriseRegistry.find(req.context, id: req.parameters.get("enterpriseID", as: UUID.self))
        let form = try req.content.decode(ReviewBody.self)
        do {
            try await EnterpriseRegistry.review(req.context, enterprise, decision: form.decision, reason: form.reason)
            try await Pages.flash(req, form.decision == "approve" ? "enterprises.verified" : "enterprises.refused")
            return req.redirect(to: "/enterprises/\(enterprise.id!)")
        } catch let errors as FieldErrors {
            return try await renderDetail(req, enterprise: enterprise, fields: errors.messages, reason: form.reason ?? "",
                                          status: .unprocessableEntity)
        }
    }

    @Sendable static func myEnterprise(req: Request) async throws -> Response {
        guard let id = try req.requireUser().$enterprise.id else { throw AppError.notFound }
        return req.redirect(to: "/enterprises/\(id)")
    }

    private static func renderDetail(_ req: Request, enterprise: Enterprise, fields: [String: String], reason: String,
                                     status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let zones = try await EnterpriseRegistry.zones(req.db)
        let context = DetailPage(
            page: try await Pages.context(req, titleKey: "enterprise.title"),
            enterprise: try enterprise.toDTO(showFullPhone: EnterpriseRegistry.showsFullPhone(to: user)),
            zoneName: zones.first { $0.code == enterprise.zone }?.displayName(req.language) ?? enterprise.zone,
            statusName: req.t(enterprise.status.nameKey),
            reviewedAt: DisplayFormat.dateTime(enterprise.reviewedAt),
            canReview: user.role == .reviewer && enterprise.status == .pending,
            fields: req.translated(fields), reason: reason
        )
        return try await Pages.render(req, "enterprises/detail", context, status: status)
    }
}
