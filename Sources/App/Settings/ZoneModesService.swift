import Domain
import Fluent
import Vapor

/// One recorded change of a zone's resumption mode (`ZoneModes`): the history is every row.
final class ZoneModeRecord: Model, @unchecked Sendable {
    static let schema = "zone_mode_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "zone") var zone: String
    @Enum(key: "mode") var mode: ResumptionMode
    /// `2020-02-10`
    @Field(key: "effective_from") var effectiveFrom: String
    @Field(key: "recorded_at") var recordedAt: Date
    @Field(key: "recorded_by") var recordedBy: String

    init() {}

    var change: ZoneModeChange? {
        CivilDate(iso: effectiveFrom).map { ZoneModeChange(zone: zone, mode: mode, effectiveFrom: $0) }
    }
}

struct CreateZoneModeChanges: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ZoneModeRecord.schema)
            .id()
            .field("zone", .string, .required)
            .field("mode", .string, .required)
            .field("effective_from", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ZoneModeRecord.schema).delete()
    }
}

/// 分区施策: the resumption mode of each zone, with its history; the district's own mode
/// (`DistrictSettings.mode(on:)`) for a zone without a change in effect.
enum ZoneModesService {
    /// A zone as the settings show it: the mode in force today and where it comes from, what
    /// is to come, and every change recorded.
    struct ZoneMode: Content {
        struct Change: Content {
            let mode: ResumptionMode
            let effectiveFrom: String
            let recordedAt: Date
            let recordedBy: String
        }

        let zone: String
        let zoneName: String
        let mode: ResumptionMode
        /// The day the mode in force took effect; nil when the zone follows the district.
        let effectiveFrom: String?
        let followsDistrict: Bool
        let history: [Change]
    }

    static func records(_ db: any Database) async throws -> [ZoneModeRecord] {
        try await ZoneModeRecord.query(on: db).sort(\.$recordedAt).all()
    }

    /// The mode an enterprise of `zone` resumes under when it submits on `day`.
    static func mode(_ ctx: ServiceContext, zone: String, on day: CivilDate) async throws -> ResumptionMode {
        let settings = try await ctx.settings()
        return ZoneModes.mode(zone: zone, on: day, try await records(ctx.db).compactMap(\.change), districtDefault: settings.mode(on: day))
    }

    static func overview(_ ctx: ServiceContext, language: Language) async throws -> [ZoneMode] {
        let today = CivilDate(ctx.now)
        let settings = try await ctx.settings()
        let records = try await records(ctx.db)
        let changes = records.compactMap(\.change)
        return try await EnterpriseRegistry.zones(ctx.db).map { zone in
            let inEffect = ZoneModes.inEffect(zone: zone.code, on: today, changes)
            return ZoneMode(zone: zone.code, zoneName: language == .en ? zone.nameEn : zone.name,
                            mode: inEffect?.mode ?? settings.mode(on: today), effectiveFrom: inEffect?.effectiveFrom.iso,
                            followsDistrict: inEffect == nil,
                            history: records.filter { $0.zone == zone.code }.map {
                                .init(mode: $0.mode, effectiveFrom: $0.effectiveFrom, recordedAt: $0.recordedAt, recordedBy: $0.recordedBy)
                            })
        }
    }

    /// `PUT /api/v1/settings/resumption-modes`: `[{zone, mode, effectiveFrom}]`, each recorded
    /// as a change, all or none.
    struct Change: Content {
        var zone: String?
        var mode: String?
        var effectiveFrom: String?
    }

    static func record(_ ctx: ServiceContext, _ body: [Change]) async throws {
        let user = try ctx.requireUser()
        if body.count > 50 { throw FieldErrors("modes", "error.tooMany") }
        let changes = try ZoneModes.check(body.map { ($0.zone ?? "", $0.mode ?? "", $0.effectiveFrom ?? "") },
                                          zones: try await EnterpriseRegistry.zoneCodes(ctx.db), today: CivilDate(ctx.now))
        // A change to the mode the zone has on that day already is none.
        let settings = try await ctx.settings()
        var known = try await records(ctx.db).compactMap(\.change)
        var errors = FieldErrors()
        var days = Set<String>()
        for (index, change) in changes.enumerated() {
            // One change per zone and day: two would leave the mode of that day to chance.
            guard days.insert("\(change.zone) \(change.effectiveFrom.iso)").inserted else {
                errors.add("[\(index)].effectiveFrom", "error.output.twice")
                continue
            }
            let before = ZoneModes.mode(zone: change.zone, on: change.effectiveFrom, known, districtDefault: settings.mode(on: change.effectiveFrom))
            if before == change.mode { errors.add("[\(index)].mode", "error.mode.same") }
            known.append(change)
        }
        try errors.throwIfAny()
        try await ctx.transaction { db in
            for change in changes {
                let record = ZoneModeRecord()
                record.zone = change.zone
                record.mode = change.mode
                record.effectiveFrom = change.effectiveFrom.iso
                record.recordedAt = ctx.now
                record.recordedBy = user.username
                try await record.create(on: db)
                try await Audit.record(ctx, on: db, action: "settings.zoneMode", entity: "settings", subject: change.zone,
                                       detail: "mode=\(change.mode.rawValue),from=\(change.effectiveFrom.iso)")
            }
        }
    }
}
