import Domain
import Fluent
import SQLKit
import Vapor

/// Whom a published notice was sent to (`NoticeTargets`), kept as it was chosen.
final class NoticeDelivery: Model, @unchecked Sendable {
    static let schema = "notice_deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "policy_id") var policyID: UUID
    /// `NoticeTargets` as JSON.
    @Field(key: "targets") var targets: String
    @Field(key: "enterprises") var enterprises: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One enterprise's copy of a notice: read by whom and when, reminded, called.
final class NoticeReceipt: Model, @unchecked Sendable {
    static let schema = "notice_receipts"

    @ID(key: .id) var id: UUID?
    @Field(key: "policy_id") var policyID: UUID
    @Parent(key: "enterprise_id") var enterprise: Enterprise
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalField(key: "read_by") var readBy: String?
    @Field(key: "reminders") var reminders: Int
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    @OptionalField(key: "called_at") var calledAt: Date?
    @OptionalField(key: "called_by") var calledBy: String?

    init() {}
}

struct CreateNoticeReceipts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(NoticeDelivery.schema)
            .id()
            .field("policy_id", .uuid, .required, .references(Policy.schema, "id"))
            .field("targets", .string, .required)
            .field("enterprises", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "policy_id")
            .create()
        try await database.schema(NoticeReceipt.schema)
            .id()
            .field("policy_id", .uuid, .required, .references(Policy.schema, "id"))
            .field("enterprise_id", .uuid, .required, .references(Enterprise.schema, "id"))
            .field("read_at", .datetime)
            .field("read_by", .string)
            .field("reminders", .int, .required)
            .field("reminded_at", .datetime)
            .field("called_at", .datetime)
            .field("called_by", .string)
            .unique(on: "policy_id", "enterprise_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(NoticeReceipt.schema).delete()
        try await database.schema(NoticeDelivery.schema).delete()
    }
}

/// 传递通知: a notice sent to the enterprises it targets, each one's reading recorded; the
/// district and each officer see who has not read it, remind them with one click, or mark that
/// they called them (which goes into the dispatch log).
enum NoticeReceipts {
    /// What the targeting works on: each verified enterprise's zone, latest category, industry.
    static func candidates(_ db: any Database) async throws -> [(id: UUID, facts: NoticeTargets.Facts)] {
        let enterprises = try await Enterprise.query(on: db).filter(\.$status == .verified).all()
        let applications = try await ResumptionApplication.query(on: db).sort(\.$stateChangedAt).all()
        var latest: [UUID: ResumptionCategory] = [:]
        for application in applications { latest[application.$enterprise.id] = application.category }
        return try enterprises.map { enterprise in
            let id = try enterprise.requireID()
            return (id, NoticeTargets.Facts(zone: enterprise.zone, category: latest[id], industry: enterprise.industry))
        }
    }

    struct TargetsInput: Content {
        var all: Bool?
        var zones: [String]?
        var categories: [String]?
        var industries: [String]?
    }

    /// Checked before the notice is stored: a target that reaches nobody is refused with it.
    static func check(_ ctx: ServiceContext, _ input: TargetsInput) async throws -> (NoticeTargets, [UUID]) {
        let candidates = try await candidates(ctx.db)
        let targets = try NoticeTargets.check(all: input.all ?? false, zones: input.zones ?? [], categories: input.categories ?? [],
                                              industries: input.industries ?? [], knownZones: try await EnterpriseRegistry.zoneCodes(ctx.db),
                                              enterprises: candidates.map(\.facts))
        return (targets, candidates.filter { targets.matches($0.facts) }.map(\.id))
    }

    /// Inside the publishing transaction: a receipt and a notice for each enterprise reached.
    static func deliver(_ ctx: ServiceContext, _ policy: Policy, targets: NoticeTargets, to enterprises: [UUID], on db: any Database) async throws {
        let id = try policy.requireID()
        let delivery = NoticeDelivery()
        delivery.policyID = id
        delivery.targets = String(decoding: try JSONEncoder().encode(targets), as: UTF8.self)
        delivery.enterprises = enterprises.count
        delivery.createdAt = ctx.now
        try await delivery.create(on: db)
        for enterprise in enterprises {
            let receipt = NoticeReceipt()
            receipt.policyID = id
            receipt.$enterprise.id = enterprise
            receipt.reminders = 0
            try await receipt.create(on: db)
            try await Notification.toEnterprise(enterprise, "notify.notice.new", [policy.title], link: "/policies/\(id)", at: ctx.now, on: db)
        }
    }

    /// An enterprise's person opened the notice: its receipt is read (the first reader's name).
    static func markRead(_ ctx: ServiceContext, _ policy: Policy) async throws {
        guard let user = ctx.user, user.role.belongsToEnterprise, let enterprise = user.$enterprise.id, let id = policy.id,
              try await NoticeReceipt.query(on: ctx.db).filter(\.$policyID == id).filter(\.$enterprise.$id == enterprise)
                .filter(\.$readAt == nil).first() != nil
        else { return }
        // Only while unread: the first reader stays the reader, whichever instance the second hits.
        try await ctx.transaction { db in
            try await NoticeReceipt.query(on: db).filter(\.$policyID == id).filter(\.$enterprise.$id == enterprise).filter(\.$readAt == nil)
                .set(\.$readAt, to: ctx.now).set(\.$readBy, to: user.displayName).update()
        }
    }

    struct ReceiptDTO: Content {
        let enterpriseId: UUID
        let enterpriseName: String
        let zone: String
        let readAt: Date?
        let readBy: String?
        let reminders: Int
        let remindedAt: Date?
        let calledAt: Date?
        let calledBy: String?
    }

    struct Summary: Content {
        let sent: Int
        let read: Int
        let receipts: [ReceiptDTO]
    }

    /// The receipts the caller may see: the district's roles all, an officer the enterprises
    /// they serve; `read` false for the unread only.
    static func receipts(_ ctx: ServiceContext, policyID: UUID, read: Bool?) async throws -> Summary {
        let user = try ctx.requireUser()
        guard try await NoticeDelivery.query(on: ctx.db).filter(\.$policyID == policyID).first() != nil else { throw AppError.notFound }
        let query = NoticeReceipt.query(on: ctx.db).filter(\.$policyID == policyID).with(\.$enterprise)
        if user.role == .officer { query.filter(\.$enterprise.$id ~~ (try await OfficerService.assignedEnterpriseIDs(user, on: ctx.db))) }
        let all = try await query.all()
        let shown = all.filter { read == nil || ($0.readAt != nil) == read }
            .sorted { ($0.readAt == nil ? 0 : 1, $0.enterprise.name) < ($1.readAt == nil ? 0 : 1, $1.enterprise.name) }
        return Summary(sent: all.count, read: all.filter { $0.readAt != nil }.count, receipts: shown.map {
            ReceiptDTO(enterpriseId: $0.$enterprise.id, enterpriseName: $0.enterprise.name, zone: $0.enterprise.zone, readAt: $0.readAt,
                       readBy: $0.readBy, reminders: $0.reminders, remindedAt: $0.remindedAt, calledAt: $0.calledAt, calledBy: $0.calledBy)
        })
    }

    /// The receipt of an enterprise the caller may act for (404 otherwise).
    private static func receipt(_ ctx: ServiceContext, policyID: UUID, enterpriseID: UUID) async throws -> NoticeReceipt {
        let user = try ctx.requireUser()
        guard let receipt = try await NoticeReceipt.query(on: ctx.db).filter(\.$policyID == policyID)
            .filter(\.$enterprise.$id == enterpriseID).with(\.$enterprise).first()
        else { throw AppError.notFound }
        // An officer acts for the enterprises their receipts list shows: those assigned to them.
        if user.role == .officer, !(try await OfficerService.assignedEnterpriseIDs(user, on: ctx.db)).contains(enterpriseID) {
            throw AppError.notFound
        }
        return receipt
    }

    /// Reminders of one enterprise at most this often.
    static let reminderInterval: TimeInterval = 3600

    /// One click: the enterprise is told again. 409 once it has read the notice, or within an
    /// hour of the last reminder.
    static func remind(_ ctx: ServiceContext, _ policy: Policy, enterpriseID: UUID) async throws {
        let receipt = try await receipt(ctx, policyID: try policy.requireID(), enterpriseID: enterpriseID)
        guard receipt.readAt == nil else { throw AppError.conflict(field: nil, messageKey: "error.notice.alreadyRead") }
        if let last = receipt.remindedAt, ctx.now.timeIntervalSince(last) < reminderInterval {
            throw AppError.conflict(field: nil, messageKey: "error.notice.remindedRecently")
        }
        let receiptID = try receipt.requireID()
        try await ctx.transaction { db in
            // The same rule as one statement: two clicks at once (or on two instances) remind once.
            guard let sql = db as? any SQLDatabase else { throw AppError.internalError("receipts need SQL") }
            let claimed = try await sql.update(NoticeReceipt.schema)
                .set("reminders", to: SQLRaw("reminders + 1")).set("reminded_at", to: SQLBind(ctx.now))
                .where("id", .equal, SQLBind(receiptID)).where("read_at", .is, SQLLiteral.null)
                .where { $0.where("reminded_at", .is, SQLLiteral.null).orWhere("reminded_at", .lessThan, SQLBind(ctx.now.addingTimeInterval(-reminderInterval))) }
                .returning("id").all()
            guard !claimed.isEmpty else { throw AppError.conflict(field: nil, messageKey: "error.notice.remindedRecently") }
            try await Notification.toEnterprise(enterpriseID, "notify.notice.reminder", [policy.title], link: "/policies/\(try policy.requireID())",
                                                at: ctx.now, on: db)
            try await Audit.record(ctx, on: db, action: "notice.remind", entity: "enterprise", entityID: enterpriseID, subject: policy.title)
        }
    }

    /// The officer called the enterprise about the notice: marked on the receipt and logged as
    /// a dispatch contact (by phone, informed).
    static func called(_ ctx: ServiceContext, _ policy: Policy, enterpriseID: UUID) async throws {
        let user = try ctx.requireUser()
        guard user.role == .officer else { throw AppError.forbidden }
        let receipt = try await receipt(ctx, policyID: try policy.requireID(), enterpriseID: enterpriseID)
        // One call logged an hour, so that a double click does not count twice in the dispatch figures.
        if let last = receipt.calledAt, ctx.now.timeIntervalSince(last) < reminderInterval {
            throw AppError.conflict(field: nil, messageKey: "error.notice.calledRecently")
        }
        let contact = DispatchContact()
        contact.$officer.id = try user.requireID()
        contact.$enterprise.id = enterpriseID
        contact.channel = .phone
        contact.contactedAt = ctx.now
        contact.day = CivilDate(ctx.now).iso
        contact.summary = ctx.t("notice.calledSummary", policy.title)
        contact.outcome = .informed
        contact.createdAt = ctx.now
        receipt.calledAt = ctx.now
        receipt.calledBy = user.displayName
        try await ctx.transaction { db in
            try await receipt.save(on: db)
            try await contact.create(on: db)
            try await Audit.record(ctx, on: db, action: "notice.call", entity: "enterprise", entityID: enterpriseID, subject: policy.title)
        }
    }
}
