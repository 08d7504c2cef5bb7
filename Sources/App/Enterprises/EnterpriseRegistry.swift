import Domain
import Fluent
import Vapor

/// Registering, reviewing and finding enterprises. Pages and API call these same functions.
enum EnterpriseRegistry {
    struct Registration {
        var enterprise: EnterpriseRegistration
        var adminUsername: String?
        var adminPassword: String?
        /// Web form only: the password typed twice.
        var adminPasswordConfirmation: String?
    }

    /// Creates the enterprise, pending verification, with its first enterpriseAdmin account, in
    /// one transaction. Every field error is reported at once; nothing is stored on any error.
    /// `alongside` writes in the same transaction (a new employer on the talent network).
    static func register(_ ctx: ServiceContext, _ input: Registration,
                         alongside: (@Sendable (Enterprise, User, any Database) async throws -> Void)? = nil) async throws -> Enterprise {
        var errors = FieldErrors()
        let zones = try await zoneCodes(ctx.db)
        var valid: EnterpriseRegistration.Valid?
        do { valid = try input.enterprise.validate(zones: zones) } catch { errors.merge(error) }
        var accountErrors = FieldErrors()
        let username = AccountRules.username(input.adminUsername, into: &accountErrors)
        AccountRules.password(input.adminPassword, username: username, into: &accountErrors)
        if let confirmation = input.adminPasswordConfirmation, confirmation != input.adminPassword {
            accountErrors.add("password", "error.password.mismatch")
        }
        for (field, key) in accountErrors.messages {
            errors.add(field == "username" ? "adminUsername" : "adminPassword", key)
        }
        try errors.throwIfAny()
        guard let valid, let password = input.adminPassword else { throw AppError.internalError("validated registration") }

        if try await Enterprise.query(on: ctx.db).filter(\.$creditCode == valid.creditCode.value).count() > 0 {
            throw AppError.conflict(field: "creditCode", messageKey: "error.creditCode.taken")
        }
        if try await User.query(on: ctx.db).filter(\.$username == username).count() > 0 {
            throw AppError.conflict(field: "adminUsername", messageKey: "error.username.taken")
        }
        let enterprise = Enterprise(valid)
        let hash = try await ctx.app.password.async.hash(password)
        try await ctx.transaction { db in
            try await enterprise.create(on: db)
            let admin = User(username: username, passwordHash: hash, role: .enterpriseAdmin,
                             displayName: valid.contactName, enterpriseID: enterprise.id)
            try await admin.create(on: db)
            try await Audit.record(ctx, on: db, action: "enterprise.register", entity: "enterprise",
                                   entityID: enterprise.id, actor: admin)
            try await Audit.record(ctx, on: db, action: "user.create", entity: "user", entityID: admin.id,
                                   detail: "role=enterpriseAdmin", actor: admin)
            try await alongside?(enterprise, admin, db)
        }
        return enterprise
    }

    static func review(_ ctx: ServiceContext, _ enterprise: Enterprise, decision rawDecision: String?, reason rawReason: String?) async throws {
        let review = try EnterpriseStatus.Review.check(decision: rawDecision, reason: rawReason)
        let (decision, reason) = (review.decision, review.reason)
        do {
            enterprise.status = try enterprise.status.reviewed(decision)
        } catch {
            throw AppError.illegalTransition(messageKey: error.messageKey)
        }
        enterprise.reviewReason = reason.isEmpty ? nil : reason
        enterprise.reviewedAt = ctx.now
        enterprise.$reviewedBy.id = try ctx.requireUser().id
        try await ctx.transaction { db in
            try await enterprise.save(on: db)
            try await Audit.record(ctx, on: db, action: "enterprise.\(decision.rawValue)", entity: "enterprise",
                                   entityID: enterprise.id)
        }
    }

    /// The enterprise named by the route; AccessGuard has already kept other enterprises' people out.
    static func find(_ ctx: ServiceContext, id: UUID?) async throws -> Enterprise {
        guard let id,
              let enterprise = try await Enterprise.find(id, on: ctx.db)
        else { throw AppError.notFound }
        return enterprise
    }

    /// Which enterprises a list shows (`?zone=&status=&size=above&q=&page=`).
    struct Filter: Sendable {
        var zone: String?
        var status: EnterpriseStatus?
        /// 规上: `size=above` only those above designated size, `size=below` only the others.
        var aboveDesignatedSize: Bool?
        var text: String?
        var page = 1

        init(_ req: Request) {
            zone = req.query[String.self, at: "zone"].map(FormText.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            status = req.query[String.self, at: "status"].flatMap(EnterpriseStatus.init(rawValue:))
            aboveDesignatedSize = EnterpriseSize.parse(req.query[String.self, at: "size"])
            text = req.query[String.self, at: "q"].map(FormText.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            page = max(1, req.query[Int.self, at: "page"] ?? 1)
        }
    }

    static func search(_ ctx: ServiceContext, _ filter: Filter, per: Int = 50) async throws -> Fluent.Page<Enterprise> {
        let query = Enterprise.query(on: ctx.db).sort(\.$createdAt, .descending)
        if let zone = filter.zone { query.filter(\.$zone == zone) }
        if let status = filter.status { query.filter(\.$status == status) }
        if let above = filter.aboveDesignatedSize { query.filter(\.$aboveDesignatedSize == above) }
        if let text = filter.text { query.filter(contains: text, in: ["name", "credit_code"]) }
        return try await query.paginate(PageRequest(page: filter.page, per: per))
    }

    static func zones(_ db: any Database) async throws -> [Zone] {
        try await Zone.query(on: db).sort(\.$position).all()
    }

    /// Zone code → name in the reader's language.
    static func zoneNames(_ zones: [Zone], _ language: Language) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zones.map { ($0.code, $0.displayName(language)) })
    }

    /// The same, read for this request.
    static func zoneNames(_ ctx: ServiceContext) async throws -> [String: String] {
        zoneNames(try await zones(ctx.db), ctx.language)
    }

    static func zoneCodes(_ db: any Database) async throws -> Set<String> {
        Set(try await zones(db).map(\.code))
    }

    /// The contact's mobile in full for the enterprise itself and those who contact it.
    static func showsFullPhone(to user: User?) -> Bool {
        guard let user else { return false }
        return user.role.belongsToEnterprise || [.districtAdmin, .reviewer, .officer].contains(user.role)
    }
}

/// 规上 (above designated size: ¥20 million of yearly revenue for industry) or not, as lists
/// filter by it: `?size=above` or `?size=below`.
enum EnterpriseSize {
    static func parse(_ text: String?) -> Bool? {
        switch text {
        case "above": true
        case "below": false
        default: nil
        }
    }

    /// The list filters' choice.
    static func options(_ req: Request) -> [SelectOption] {
        let chosen = req.query[String.self, at: "size"] ?? ""
        return ["above", "below"].map { SelectOption(value: $0, label: req.t("enterprise.size.\($0)"), selected: $0 == chosen) }
    }
}
