import Fluent
import SQLKit
import Vapor

/// The help desk's statements that Fluent cannot say: the ticket counter, and raising an
/// escalation only if no one else has. Everything else the help desk reads and writes through
/// its models.
enum HelpdeskStore {
    /// The day's next ticket number: one upsert that SQLite and PostgreSQL both run atomically,
    /// so concurrent tickets never take the same number.
    static func nextSequence(day: String, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("ticket numbers need SQL") }
        struct Row: Decodable { let last: Int }
        let row = try await sql.raw("""
            INSERT INTO ticket_counters (id, day, last) VALUES (\(bind: UUID()), \(bind: day), 1)
            ON CONFLICT (day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last
            """).first(decoding: Row.self)
        guard let row else { throw AppError.internalError("no ticket number") }
        return row.last
    }

    /// Raises the ticket's escalation level to `level` unless it is there already: true if this
    /// call raised it. Two instances sweeping the same minute cannot both raise (and announce) it.
    static func raiseEscalation(_ ticketID: UUID, to level: Int, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { throw AppError.internalError("escalations need SQL") }
        return try await sql.update(Ticket.schema)
            .set("escalation_level", to: level)
            .where("id", .equal, ticketID)
            .where("escalation_level", .lessThan, level)
            .returning("id")
            .all().isEmpty == false
    }
}
