import Domain
import Fluent
import Foundation
import Vapor

/// 调度: officers log every contact with an enterprise; the district sees "N contacts with M
/// enterprises" (户次 and 户) by day and zone, and who has not been contacted at all.
enum DispatchService {
    struct NewContact: Content {
        var enterpriseId: UUID?
        var channel: String?
        /// When the contact happened; defaults to now. ISO 8601, or `yyyy-MM-ddTHH:mm` from a page (CST).
        var contactedAt: String?
        var summary: String?
        var outcome: String?
    }

    static func record(_ ctx: ServiceContext, _ input: NewContact) async throws -> DispatchContact {
        let officer = try ctx.requireUser()
        var errors = FieldErrors()
        var enterprise: Enterprise?
        if let id = input.enterpriseId {
            enterprise = try await Enterprise.find(id, on: ctx.db)
            if let found = enterprise, !(try await OfficerService.serves(officer, found, on: ctx.db)) { enterprise = nil }
            if enterprise == nil { errors.add("enterpriseId", "error.enterprise.unknown") }
        } else {
            errors.add("enterpriseId", "error.required")
        }
        let channel = input.channel.flatMap(DispatchChannel.init(rawValue:))
        if channel == nil { errors.add("channel", FormText.choiceError(input.channel)) }
        let outcome = input.outcome.flatMap(DispatchOutcome.init(rawValue:))
        if outcome == nil { errors.add("outcome", FormText.choiceError(input.outcome)) }
        let summary = FormText.required(input.summary, field: "summary", maxLength: 1000, into: &errors)
        var at = ctx.now
        if let raw = input.contactedAt.map(FormText.trimmed), !raw.isEmpty {
            if let parsed = parseTime(raw), parsed <= ctx.now.addingTimeInterval(300) { at = parsed } else { errors.add("contactedAt", "error.date") }
        }
        try errors.throwIfAny()
        guard let enterprise, let channel, let outcome else { throw AppError.internalError("validated contact") }
        let contact = DispatchContact()
        contact.$officer.id = try officer.requireID()
        contact.$enterprise.id = try enterprise.requireID()
        contact.channel = channel
        contact.contactedAt = at
        contact.day = CivilDate(at).iso
        contact.summary = summary
        contact.outcome = outcome
        contact.createdAt = ctx.now
        try await ctx.transaction { db in
            try await contact.create(on: db)
            try await Audit.record(ctx, on: db, action: "dispatch.record", entity: "enterprise", entityID: enterprise.id,
                                   detail: "channel=\(channel.rawValue),outcome=\(outcome.rawValue)")
        }
        return contact
    }

    static func parseTime(_ text: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = DisplayFormat.timeZone
        local.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return local.date(from: text)
    }

    struct Row: Content {
        let day: String
        let zone: String
        /// 户次
        let contacts: Int
        /// 户
        let enterprises: Int
    }

    struct NotContacted: Content {
        let id: UUID
        let name: String
        let zone: String
    }

    struct Summary: Content {
        let from: String
        let to: String
        let zone: String?
        let contacts: Int
        let enterprises: Int
        let rows: [Row]
        let notContacted: [NotContacted]
    }

    static let recentLimit = 30

    /// The latest contacts in the range, newest first, with their enterprise and officer: an
    /// officer sees their own, the district everybody's (so that a contact can be looked up and checked).
    static func recent(_ ctx: ServiceContext, _ range: (from: CivilDate, to: CivilDate), zone: String?,
                       limit: Int = recentLimit) async throws -> [DispatchContact] {
        let user = try ctx.requireUser()
        let query = DispatchContact.query(on: ctx.db).with(\.$enterprise).with(\.$officer)
            .filter(\.$day >= range.from.iso).filter(\.$day <= range.to.iso)
        if user.role == .officer { query.filter(\.$officer.$id == (try user.requireID())) }
        if let zone { query.join(Enterprise.self, on: \DispatchContact.$enterprise.$id == \Enterprise.$id).filter(Enterprise.self, \.$zone == zone) }
        return try await query.sort(\.$contactedAt, .descending).limit(limit).all()
    }

    /// `from`/`to` are days (CST), inclusive; default: the last 14 days.
    static func summary(_ ctx: ServiceContext, _ range: (from: CivilDate, to: CivilDate), zone: String?) async throws -> Summary {
        let (from, to) = range

        let query = DispatchContact.query(on: ctx.db).with(\.$enterprise)
            .filter(\.$day >= from.iso).filter(\.$day <= to.iso)
        let contacts = try await query.all().filter { zone == nil || $0.enterprise.zone == zone }
        let grouped = Dictionary(grouping: contacts) { "\($0.day)|\($0.enterprise.zone)" }
        let rows = grouped.map { key, items in
            let parts = key.split(separator: "|").map(String.init)
            return Row(day: parts[0], zone: parts[1], contacts: items.count, enterprises: Set(items.map(\.$enterprise.id)).count)
        }.sorted { ($0.day, $0.zone) > ($1.day, $1.zone) }

        let everContacted = Set(try await DispatchContact.query(on: ctx.db).unique().all(\.$enterprise.$id))
        let enterprises = Enterprise.query(on: ctx.db).filter(\.$status == .verified).sort(\.$name)
        if let zone { enterprises.filter(\.$zone == zone) }
        let notContacted = try await enterprises.all().filter { !everContacted.contains($0.id!) }
            .map { NotContacted(id: $0.id!, name: $0.name, zone: $0.zone) }
        return Summary(from: from.iso, to: to.iso, zone: zone, contacts: contacts.count,
                       enterprises: Set(contacts.map(\.$enterprise.id)).count, rows: rows, notContacted: notContacted)
    }
}
