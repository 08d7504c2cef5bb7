import Domain
import Fluent
import Vapor

/// A day of the district's working calendar that is not what its weekday says: a public
/// holiday, or a weekend day worked in exchange (`WorkingCalendar`).
final class Holiday: Model, @unchecked Sendable {
    static let schema = "holidays"

    @ID(key: .id) var id: UUID?
    /// `2026-02-16`
    @Field(key: "day") var day: String
    @Enum(key: "kind") var kind: WorkingCalendar.Exception
    @Field(key: "name") var name: String

    init() {}

    init(_ entry: WorkingCalendar.Entry) {
        day = entry.date.iso
        kind = entry.kind
        name = entry.name
    }

    struct DTO: Content {
        let date: String
        let kind: WorkingCalendar.Exception
        let name: String
    }

    var dto: DTO { DTO(date: day, kind: kind, name: name) }
}

/// The table, seeded with the State Council's calendars the platform ships with.
struct CreateHolidays: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Holiday.schema)
            .id()
            .field("day", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .unique(on: "day")
            .create()
        for entry in WorkingCalendar.stateCouncil { try await Holiday(entry).create(on: database) }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Holiday.schema).delete()
    }
}

/// The district admin keeps the calendar a year at a time; every deadline counted in working
/// days reads it (`ServiceContext.calendar()`).
enum HolidayService {
    static func load(_ db: any Database) async throws -> WorkingCalendar {
        let rows = try await Holiday.query(on: db).all()
        return WorkingCalendar(Dictionary(rows.compactMap { row in CivilDate(iso: row.day).map { ($0, row.kind) } },
                                          uniquingKeysWith: { first, _ in first }))
    }

    static func days(year: Int, on db: any Database) async throws -> [Holiday] {
        try await Holiday.query(on: db).filter(\.$day >= "\(year)-01-01").filter(\.$day <= "\(year)-12-31").sort(\.$day).all()
    }

    /// `PUT /api/v1/settings/holidays`: one year's days, replacing what the year had.
    struct Year: Content {
        struct Day: Content {
            var date: String?
            var kind: String?
            var name: String?
        }

        var year: Int?
        var days: [Day]?
    }

    /// Replaces the year's days whole, or changes nothing (422 naming `days[i].…`).
    static func replace(_ ctx: ServiceContext, _ body: Year) async throws -> [Holiday] {
        guard let year = body.year else { throw FieldErrors("year", "error.required") }
        guard let days = body.days else { throw FieldErrors("days", "error.required") }
        if days.count > 120 { throw FieldErrors("days", "error.tooMany") }
        let entries = try WorkingCalendar.check(year: year, days.map { ($0.date ?? "", $0.kind ?? "", $0.name ?? "") })
        let before = try await self.days(year: year, on: ctx.db).count
        try await ctx.transaction { db in
            try await Holiday.query(on: db).filter(\.$day >= "\(year)-01-01").filter(\.$day <= "\(year)-12-31").delete()
            for entry in entries { try await Holiday(entry).create(on: db) }
            try await Audit.record(ctx, on: db, action: "holidays.change", entity: "settings",
                                   detail: "year=\(year),days=\(before)→\(entries.count)")
        }
        ctx.app.cluster.changed(.calendar)
        return try await self.days(year: year, on: ctx.db)
    }
}

extension Application {
    private struct CalendarCacheKey: StorageKey { typealias Value = InstanceCache<WorkingCalendar> }

    /// Made in `configure`, before any request.
    var calendarCache: InstanceCache<WorkingCalendar> {
        get { storage[CalendarCacheKey.self]! }
        set { storage[CalendarCacheKey.self] = newValue }
    }
}

extension ServiceContext {
    /// The district's working days (kept a few seconds per instance).
    func calendar() async throws -> WorkingCalendar {
        try await app.calendarCache.value { try await HolidayService.load(app.db) }
    }
}
