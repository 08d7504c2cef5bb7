import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// Work on the platform's clock, declared by a module (`Module.jobs`). Every instance ticks,
/// but each period's run is claimed in the database first (`BackgroundJobs.run`), so across a
/// cluster a job runs once per period; when the instance that ran it dies, the next period is
/// claimed by another.
struct BackgroundJob: Sendable {
    let name: String
    let initialDelay: TimeAmount
    let every: TimeAmount
    let run: @Sendable (Application, Date) async throws -> Void

    var seconds: TimeInterval { TimeInterval(every.nanoseconds) / 1_000_000_000 }

    /// The start of the period `moment` falls in: periods are counted from 1970, so every
    /// instance cuts time the same way whenever it started.
    func period(at moment: Date) -> Date {
        Date(timeIntervalSince1970: (moment.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
    }
}

/// One claimed period of a job: who ran it, how long it took, how it ended. The unique
/// (job, period) pair is the claim.
final class JobRun: Model, @unchecked Sendable {
    static let schema = "job_runs"

    @ID(key: .id) var id: UUID?
    @Field(key: "job") var job: String
    @Field(key: "period_start") var periodStart: Date
    @Field(key: "instance") var instance: String
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "duration_ms") var durationMilliseconds: Int?
    /// `ok`, or `failed: …`; nil while it runs (or if its instance died running it).
    @OptionalField(key: "outcome") var outcome: String?

    init() {}
}

struct CreateJobRuns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobRun.schema)
            .id()
            .field("job", .string, .required)
            .field("period_start", .datetime, .required)
            .field("instance", .string, .required)
            .field("started_at", .datetime, .required)
            .field("duration_ms", .int)
            .field("outcome", .string)
            .unique(on: "job", "period_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobRun.schema).delete()
    }
}

enum BackgroundJobs {
    enum Outcome: Hashable {
        case ran
        /// Another instance (or an earlier tick here) claimed this period.
        case skipped
        case failed(String)
    }

    /// Runs `job` for the period `now` falls in, unless that period is claimed already.
    @discardableResult
    static func run(_ job: BackgroundJob, _ app: Application, now: Date) async -> Outcome {
        let instance = app.settings.instanceName
        let period = job.period(at: now)
        let runID = UUID()
        let claimed: Bool
        do {
            claimed = try await app.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.internalError("job claims need SQL") }
                return try await sql.insert(into: JobRun.schema)
                    .columns("id", "job", "period_start", "instance", "started_at")
                    .values(SQLBind(runID), SQLBind(job.name), SQLBind(period), SQLBind(instance), SQLBind(now))
                    .ignoringConflicts(with: ["job", "period_start"])
                    .returning("id")
                    .all().isEmpty == false
            }
        } catch {
            app.logger.warning("job \(job.name): could not claim the period from \(period): \(String(reflecting: error))")
            return .failed("claim")
        }
        guard claimed else {
            app.logger.debug("job \(job.name): the period from \(period) was run by another instance")
            app.metrics.jobRun(job.name, outcome: "skipped", duration: .zero)
            return .skipped
        }
        let started = ContinuousClock.now
        var outcome = Outcome.ran
        do {
            try await job.run(app, now)
        } catch {
            outcome = .failed(String(String(reflecting: error).prefix(500)))
        }
        let took = ContinuousClock.now - started
        let milliseconds = Int(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000)
        let text: String
        switch outcome {
        case .failed(let reason):
            text = "failed: \(reason)"
            app.logger.warning("job \(job.name) on \(instance) failed after \(milliseconds) ms: \(reason)")
        default:
            text = "ok"
            app.logger.info("job \(job.name) on \(instance) ran in \(milliseconds) ms")
        }
        app.metrics.jobRun(job.name, outcome: text == "ok" ? "ok" : "failed", duration: took)
        do {
            try await app.transaction { db in
                try await JobRun.query(on: db).filter(\.$id == runID)
                    .set(\.$durationMilliseconds, to: milliseconds).set(\.$outcome, to: text).update()
            }
        } catch {
            app.logger.warning("job \(job.name): could not log its run: \(String(reflecting: error))")
        }
        return outcome
    }

    /// The job log keeps two weeks.
    static func purgeLog(_ app: Application, before moment: Date) async throws {
        try await app.transaction { db in
            try await JobRun.query(on: db).filter(\.$startedAt < moment).delete()
        }
    }
}

/// Ticks every module's background jobs on the platform's clock while serving (not in tests,
/// which call the jobs' services or `BackgroundJobs.run` themselves).
struct Sweeper: LifecycleHandler {
    func didBootAsync(_ app: Application) async throws {
        // A command (`migrate`, `bench-…`) has its own work.
        guard app.environment != .testing, app.environment.arguments.dropFirst().first.map({ $0 == "serve" || $0.hasPrefix("-") }) ?? true
        else { return }
        for job in Modules.all.flatMap(\.jobs) {
            app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: job.initialDelay, delay: job.every) { _ in
                app.eventLoopGroup.next().makeFutureWithTask {
                    await BackgroundJobs.run(job, app, now: app.clock.now)
                }.map { _ in }
            }
        }
    }
}
