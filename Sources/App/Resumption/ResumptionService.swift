import Domain
import Fluent
import Foundation
import Vapor

/// Everything that changes a resumption application. Pages and API call these same functions;
/// each change writes its timeline event, audit row and notification in one transaction.
enum ResumptionService {
    /// The form, as JSON (`PATCH` may leave fields out) and as the page sends it.
    struct Form: Content {
        var category: String?
        var plannedDate: String?
        var products: String?
        var headcountTotal: Int?
        var headcountOnSite: Int?
        var headcountOutOfProvince: Int?
        var headcountKeyAreas: Int?
        var headcountIsolated: Int?
        var checklist: [String]?
        var maskDays: Int?
        var disinfectantDays: Int?
        var thermometerDays: Int?
    }

    static let maxHeadcount = 1_000_000

    /// Checks `form` over `base` (the stored application for a change) and writes it into `target`.
    static func apply(_ form: Form, to target: ResumptionApplication, isNew: Bool) throws {
        var errors = FieldErrors()
        func value<T>(_ new: T?, _ old: T, _ field: String) -> T? {
            if let new { return new }
            if isNew { errors.add(field, "error.required"); return nil }
            return old
        }
        if let raw = value(form.category, isNew ? "" : target.category.rawValue, "category") {
            if let category = ResumptionCategory(rawValue: raw) { target.category = category } else { errors.add("category", FormText.choiceError(raw)) }
        }
        if let raw = value(form.plannedDate, isNew ? "" : target.plannedDate, "plannedDate") {
            if let date = CivilDate(iso: FormText.trimmed(raw)) { target.plannedDate = date.iso } else { errors.add("plannedDate", "error.date") }
        }
        if let raw = value(form.products, isNew ? "" : target.products, "products") {
            let text = FormText.trimmed(raw)
            if text.isEmpty { errors.add("products", "error.required") } else if text.count > 500 { errors.add("products", "error.tooLong") } else { target.products = text }
        }
        // Setters, not key paths: writing a Fluent field through a key path reads it first,
        // which a new model has not got yet.
        let counts: [(String, Int?, Int, (Int) -> Void)] = [
            ("headcountTotal", form.headcountTotal, isNew ? 0 : target.headcountTotal, { target.headcountTotal = $0 }),
            ("headcountOnSite", form.headcountOnSite, isNew ? 0 : target.headcountOnSite, { target.headcountOnSite = $0 }),
            ("headcountOutOfProvince", form.headcountOutOfProvince, isNew ? 0 : target.headcountOutOfProvince, { target.headcountOutOfProvince = $0 }),
            ("headcountKeyAreas", form.headcountKeyAreas, isNew ? 0 : target.headcountKeyAreas, { target.headcountKeyAreas = $0 }),
            ("headcountIsolated", form.headcountIsolated, isNew ? 0 : target.headcountIsolated, { target.headcountIsolated = $0 }),
            ("maskDays", form.maskDays, isNew ? 0 : target.maskDays, { target.maskDays = $0 }),
            ("disinfectantDays", form.disinfectantDays, isNew ? 0 : target.disinfectantDays, { target.disinfectantDays = $0 }),
            ("thermometerDays", form.thermometerDays, isNew ? 0 : target.thermometerDays, { target.thermometerDays = $0 }),
        ]
        for (field, new, old, set) in counts {
            if let number = value(new, old, field) {
                if (0...maxHeadcount).contains(number) { set(number) } else { errors.add(field, "error.number.range") }
            }
        }
        if let checklist = form.checklist {
            let items = checklist.compactMap(PreventionItem.init(rawValue:))
            if items.count != checklist.count { errors.add("checklist", "error.choice") }
            target.checklist = PreventionItem.allCases.filter(items.contains).map(\.rawValue)
        } else if isNew {
            target.checklist = []
        }
        try errors.throwIfAny()
    }

    /// The fields as text, for the diff shown to reviewers of a resubmission.
    static func snapshot(_ application: ResumptionApplication) -> [String: String] {
        [
            "category": application.category.rawValue, "plannedDate": application.plannedDate, "products": application.products,
            "headcountTotal": String(application.headcountTotal), "headcountOnSite": String(application.headcountOnSite),
            "headcountOutOfProvince": String(application.headcountOutOfProvince),
            "headcountKeyAreas": String(application.headcountKeyAreas), "headcountIsolated": String(application.headcountIsolated),
            "checklist": application.checklist.joined(separator: ","), "maskDays": String(application.maskDays),
            "disinfectantDays": String(application.disinfectantDays), "thermometerDays": String(application.thermometerDays),
        ]
    }

    // MARK: Drafts

    /// The enterprise's open application, if any: it has at most one (`ResumptionState.open`).
    static func openApplication(of enterpriseID: UUID, on db: any Database) async throws -> ResumptionApplication? {
        try await ResumptionApplication.query(on: db).filter(\.$enterprise.$id == enterpriseID).filter(\.$state ~~ ResumptionState.open).first()
    }

    static func create(_ ctx: ServiceContext, _ form: Form) async throws -> ResumptionApplication {
        let user = try ctx.requireUser()
        guard let enterpriseID = user.$enterprise.id, let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db) else {
            throw AppError.notFound
        }
        guard enterprise.status == .verified else {
            throw AppError.illegalTransition(messageKey: "error.resumption.enterpriseNotVerified")
        }
        if try await openApplication(of: enterpriseID, on: ctx.db) != nil {
            throw AppError.conflict(field: nil, messageKey: "error.resumption.alreadyOpen")
        }
        let application = ResumptionApplication()
        application.$enterprise.id = enterpriseID
        application.state = .draft
        application.stateChangedAt = ctx.now
        try apply(form, to: application, isNew: true)
        try await ctx.transaction { db in
            try await application.create(on: db)
            try await record(ctx, application, action: "create", from: nil, comment: nil, changes: [], on: db)
        }
        return application
    }

    static func update(_ ctx: ServiceContext, _ application: ResumptionApplication, _ form: Form) async throws {
        guard application.state.isEditable else {
            throw AppError.illegalTransition(messageKey: "error.resumption.notEditable")
        }
        try apply(form, to: application, isNew: false)
        try await ctx.transaction { db in
            try await application.save(on: db)
            try await Audit.record(ctx, on: db, action: "resumption.update", entity: "resumptionApplication", entityID: application.id)
        }
    }

    static func attach(_ ctx: ServiceContext, _ application: ResumptionApplication, kind rawKind: String?, file: File?,
                       visitID: UUID? = nil) async throws -> ResumptionAttachment {
        let settings = try await ctx.settings()
        var errors = FieldErrors()
        let kind = rawKind.flatMap(AttachmentKind.init(rawValue:))
        if kind == nil || (visitID == nil && kind == .visitPhoto) { errors.add("kind", FormText.choiceError(rawKind)) }
        if visitID == nil, !application.state.isEditable {
            throw AppError.illegalTransition(messageKey: "error.resumption.notEditable")
        }
        var checked: (StoredFile, name: String)?
        do { checked = try Uploads.check(file, field: "file", maxBytes: settings.maxUploadBytes) } catch { errors.merge(error) }
        try errors.throwIfAny()
        guard let kind, let (stored, name) = checked else { throw AppError.internalError("validated upload") }
        stored.createdAt = ctx.now
        let attachment = ResumptionAttachment()
        attachment.$application.id = try application.requireID()
        attachment.visitID = visitID
        attachment.kind = kind
        attachment.filename = name
        attachment.contentType = stored.contentType
        attachment.size = stored.size
        attachment.uploadedBy = try ctx.requireUser().requireID()
        attachment.createdAt = ctx.now
        try await ctx.transaction { db in
            try await stored.create(on: db)
            attachment.$file.id = try stored.requireID()
            try await attachment.create(on: db)
            try await Audit.record(ctx, on: db, action: "resumption.attach", entity: "resumptionApplication",
                                   entityID: application.id, detail: "kind=\(kind.rawValue),size=\(stored.size)")
        }
        return attachment
    }

    // MARK: Findings and transitions

    static func findings(_ ctx: ServiceContext, _ application: ResumptionApplication, settings: DistrictSettings) async throws -> [PreCheck.Finding] {
        let kinds = Set(try await ResumptionAttachment.query(on: ctx.db)
            .filter(\.$application.$id == application.requireID()).all().map(\.kind))
        let submission = application.submittedAt.map(CivilDate.init) ?? CivilDate(ctx.now)
        let today = application.state.isEditable ? CivilDate(ctx.now) : submission
        guard let planned = CivilDate(iso: application.plannedDate) else { return [] }
        return PreCheck(minimumNoticeWorkingDays: settings.minimumNoticeWorkingDays, calendar: try await ctx.calendar()).findings(.init(
            category: application.category, plannedDate: planned, submissionDate: today,
            headcountTotal: application.headcountTotal, headcountOnSite: application.headcountOnSite,
            headcountIsolated: application.headcountIsolated, hasCommitment: kinds.contains(.commitment),
            hasEvidence: kinds.contains(.evidence), hasIsolationRoom: application.checklist.contains(PreventionItem.isolationRoom.rawValue),
            maskDays: application.maskDays, disinfectantDays: application.disinfectantDays, thermometerDays: application.thermometerDays
        ))
    }

    static func submit(_ ctx: ServiceContext, _ application: ResumptionApplication) async throws {
        let settings = try await ctx.settings()
        let findings = try await findings(ctx, application, settings: settings)
        if PreCheck.blocks(findings) {
            var errors = FieldErrors()
            for finding in findings where finding.severity == .error {
                errors.add(finding.field ?? "application", finding.messageKey, arguments: finding.arguments)
            }
            throw AppError.invalid(errors)
        }
        // The mode of the enterprise's zone today, kept by the application (分区施策).
        let zone = try await Enterprise.find(application.$enterprise.id, on: ctx.db)?.zone ?? ""
        let mode = try await ZoneModesService.mode(ctx, zone: zone, on: CivilDate(ctx.now))
        let changes = application.returnedSnapshot.map { FieldChange.diff($0, snapshot(application)) } ?? []
        application.mode = mode
        application.submittedAt = ctx.now
        try await transition(ctx, application, .submit, comment: nil, mode: mode, changes: changes)
    }

    /// Takes a reviewer's, leader's or officer's decision. 409 when the state does not allow it.
    static func transition(_ ctx: ServiceContext, _ application: ResumptionApplication, _ action: ResumptionAction,
                           comment rawComment: String?, mode: ResumptionMode? = nil, changes: [FieldChange] = [],
                           afterwards: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        let user = try ctx.requireUser()
        guard action.roles.contains(user.role) else { throw AppError.forbidden }
        let comment = FormText.trimmed(rawComment)
        if action.needsComment, comment.isEmpty { throw FieldErrors("comment", "error.reason.required") }
        if comment.count > 1000 { throw FieldErrors("comment", "error.tooLong") }
        let from = application.state
        let next: ResumptionState
        do {
            next = try from.applying(action, mode: mode ?? application.mode ?? .approval)
        } catch {
            throw AppError.illegalTransition(messageKey: error.messageKey)
        }
        if action == .returnForChanges { application.returnedSnapshot = snapshot(application) }
        if action == .submit { application.returnedSnapshot = nil }
        application.state = next
        application.stateChangedAt = ctx.now
        let link = "/resumption/\(try application.requireID())"
        let enterpriseID = application.$enterprise.id
        let now = ctx.now
        try await ctx.transaction { db in
            try await application.save(on: db)
            try await record(ctx, application, action: action.rawValue, from: from, comment: comment.isEmpty ? nil : comment,
                             changes: changes, on: db)
            if action != .submit || next == .filed {
                try await Notification.toEnterprise(enterpriseID, "notify.resumption.\(next.rawValue)",
                                                    comment.isEmpty ? [] : [comment], link: link, at: now, on: db)
            }
            if next == .approved || next == .filed {
                try await OfficerService.scheduleVisit(ctx, for: application, purpose: "resumption", on: db)
            }
            try await afterwards?(db)
        }
    }

    private static func record(_ ctx: ServiceContext, _ application: ResumptionApplication, action: String, from: ResumptionState?,
                               comment: String?, changes: [FieldChange], on db: any Database) async throws {
        let user = try ctx.requireUser()
        let event = ResumptionEvent()
        event.$application.id = try application.requireID()
        event.at = ctx.now
        event.actorID = try user.requireID()
        event.actorName = user.displayName
        event.actorRole = user.role.rawValue
        event.action = action
        event.fromState = from?.rawValue
        event.toState = application.state.rawValue
        event.comment = comment
        event.changes = changes
        try await event.create(on: db)
        try await Audit.record(ctx, on: db, action: "resumption.\(action)", entity: "resumptionApplication",
                               entityID: application.id, detail: "\(from?.rawValue ?? "-")→\(application.state.rawValue)")
    }

    // MARK: Reading

    /// The application named by the route, if this user may see it; otherwise 404.
    static func find(_ ctx: ServiceContext, id: UUID?) async throws -> ResumptionApplication {
        guard let id,
              let application = try await ResumptionApplication.query(on: ctx.db).filter(\.$id == id).with(\.$enterprise).first()
        else { throw AppError.notFound }
        try await checkVisible(ctx, application.enterprise)
        return application
    }

    /// Enterprise accounts see their own enterprise; an officer sees the enterprises of their
    /// zone and those assigned to them; reviewers, leaders and the district admin see all.
    static func checkVisible(_ ctx: ServiceContext, _ enterprise: Enterprise) async throws {
        let user = try ctx.requireUser()
        try ctx.checkEnterprise(try enterprise.requireID(), for: user)
        if user.role == .officer, !(try await OfficerService.serves(user, enterprise, on: ctx.db)) {
            throw AppError.notFound
        }
    }

    /// Which applications a list shows (`?state=&category=&zone=&size=above`).
    struct Filter: Sendable {
        var state: ResumptionState?
        var category: ResumptionCategory?
        var zone: String?
        var aboveDesignatedSize: Bool?

        init(_ req: Request) {
            state = req.query[String.self, at: "state"].flatMap(ResumptionState.init(rawValue:))
            category = req.query[String.self, at: "category"].flatMap(ResumptionCategory.init(rawValue:))
            zone = req.query[String.self, at: "zone"].map(FormText.trimmed).flatMap { $0.isEmpty ? nil : $0 }
            aboveDesignatedSize = EnterpriseSize.parse(req.query[String.self, at: "size"])
        }
    }

    static func list(_ ctx: ServiceContext, _ filter: Filter) async throws -> [ResumptionApplication] {
        let user = try ctx.requireUser()
        let query = ResumptionApplication.query(on: ctx.db).with(\.$enterprise)
            .join(Enterprise.self, on: \ResumptionApplication.$enterprise.$id == \Enterprise.$id)
            .sort(\.$stateChangedAt, .ascending)
        if user.role.belongsToEnterprise {
            query.filter(\.$enterprise.$id == (user.$enterprise.id ?? UUID()))
        } else if user.role == .officer {
            let assigned = try await OfficerService.assignedEnterpriseIDs(user, on: ctx.db)
            query.group(.or) { group in
                group.filter(Enterprise.self, \.$zone == (user.zone ?? "\u{0}"))
                if !assigned.isEmpty { group.filter(\.$enterprise.$id ~~ assigned) }
            }
        }
        if let state = filter.state {
            query.filter(\.$state == state)
        } else if !user.role.belongsToEnterprise {
            query.filter(\.$state != .draft) // drafts are the enterprise's own business
        }
        if let category = filter.category {
            query.filter(\.$category == category)
        }
        if let zone = filter.zone {
            query.filter(Enterprise.self, \.$zone == zone)
        }
        if let above = filter.aboveDesignatedSize {
            query.filter(Enterprise.self, \.$aboveDesignatedSize == above)
        }
        return try await query.limit(500).all()
    }
}
