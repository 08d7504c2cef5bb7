@testable import App
import Domain
import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// The first live event on `stream` within `seconds`, or nil. Waiting ends the subscription.
private func nextEvent(_ stream: AsyncStream<LiveEvents.Event>, within seconds: Double) async -> LiveEvents.Event? {
    await withTaskGroup(of: LiveEvents.Event?.self) { group in
        group.addTask {
            var events = stream.makeAsyncIterator()
            return await events.next()
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

private let onPostgres = ProcessInfo.processInfo.environment["DATABASE_URL"].map { !$0.isEmpty } ?? false

@Suite("Several instances, jobs once, metrics")
struct ClusterTests {
    @Test("A job runs once per period: a second tick of the same minute is skipped; each run is logged with its duration and outcome")
    func jobOncePerPeriod() async throws {
        try await withApp { app in
            let runs = NIOLockedValueBox(0)
            let job = BackgroundJob(name: "count", initialDelay: .seconds(1), every: .minutes(1)) { _, _ in
                runs.withLockedValue { $0 += 1 }
            }
            let failing = BackgroundJob(name: "broken", initialDelay: .seconds(1), every: .minutes(1)) { _, _ in
                throw AppError.internalError("disk full")
            }
            let now = app.clock.now
            #expect(await BackgroundJobs.run(job, app, now: now) == .ran)
            #expect(await BackgroundJobs.run(job, app, now: now.addingTimeInterval(30)) == .skipped)
            #expect(await BackgroundJobs.run(job, app, now: now.addingTimeInterval(60)) == .ran)
            #expect(runs.withLockedValue { $0 } == 2)
            guard case .failed = await BackgroundJobs.run(failing, app, now: now) else {
                Issue.record("a throwing job is not logged as failed")
                return
            }
            let log = try await JobRun.query(on: app.db).sort(\.$periodStart).all()
            #expect(log.filter { $0.job == "count" }.map(\.outcome) == ["ok", "ok"])
            #expect(log.filter { $0.job == "count" }.allSatisfy { $0.durationMilliseconds != nil && $0.instance == app.settings.instanceName })
            #expect(log.first { $0.job == "broken" }?.outcome?.contains("disk full") == true)
            // Two weeks later the log is purged.
            try await BackgroundJobs.purgeLog(app, before: now.addingTimeInterval(15 * 86_400))
            #expect(try await JobRun.query(on: app.db).count() == 0)
        }
    }

    @Test("An instance with another personal-data key than the database was sealed with refuses to start")
    func personalDataKey() async throws {
        try await withApp { app in
            // The first start recorded the key's fingerprint; the same key passes again.
            try await PersonalData.checkFingerprint(app.personalData, on: app.db)
            let other = PersonalData(key: .init(size: .bits256))
            await #expect(throws: AppError.self) { try await PersonalData.checkFingerprint(other, on: app.db) }
            #expect(try await PlatformFlag.query(on: app.db).filter(\.$key == "personalDataKey").count() == 1)
        }
    }

    @Test("Events missed: every kept value is dropped and every open page is told to refresh once")
    func missedEvents() async throws {
        try await withApp { app in
            _ = try await DistrictSettings.load(app.db)
            app.settingsCache.store(DistrictSettings())
            let (_, stream) = app.liveEvents.subscribe(["user:someone"])
            app.cluster.missed(true)
            #expect(app.settingsCache.fresh() == nil)
            #expect(await nextEvent(stream, within: 1)?.kind == "refresh")
        }
    }

    @Test("/metrics: requests by route pattern and status, in Prometheus's format, only with the token or from loopback without a proxy")
    func metrics() async throws {
        try await withApp { app in
            app.settings.metricsToken = "scrape-secret"
            _ = try await app.testing().sendRequest(.GET, "/healthz")
            _ = try await app.testing().sendRequest(.GET, "/api/v1/tickets/\(UUID())")
            let scraped = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer scrape-secret"])
            #expect(scraped.status == .ok)
            #expect(scraped.headers.contentType?.description.hasPrefix("text/plain") == true)
            #expect(scraped.text.contains(#"fugong_http_requests_total{method="GET",route="/healthz",status="200"} 1"#))
            #expect(scraped.text.contains(#"route="/api/v1/tickets/:ticketID",status="401""#)) // the pattern, not the address
            #expect(scraped.text.contains("fugong_http_request_duration_seconds_bucket"))
            #expect(scraped.text.contains("fugong_live_subscribers_count 0.0"))
            for headers: HTTPHeaders in [[:], ["Authorization": "Bearer wrong"], ["X-Forwarded-For": "203.0.113.9"]] {
                let refused = try await app.testing().sendRequest(.GET, "/metrics", headers: headers)
                #expect(refused.status == .notFound)
                #expect(!refused.text.contains("fugong_http"))
            }
        }
    }

    @Test("/metrics from loopback: a scraper on the machine needs no token; one that came through the proxy does")
    func metricsFromLoopback() async throws {
        try await withApp { app in
            let running = try app.testing(method: .running(hostname: "127.0.0.1", port: 0))
            let direct = try await running.sendRequest(.GET, "/metrics")
            #expect(direct.status == .ok)
            let proxied = try await running.sendRequest(.GET, "/metrics", headers: ["X-Forwarded-For": "198.51.100.7"])
            #expect(proxied.status == .notFound)
        }
    }

    @Test("Two instances: a ticket raised on A reaches B's open pages within a second; a token revoked on A is refused on B; settings and an import's progress follow",
          .enabled(if: onPostgres, "needs PostgreSQL (DATABASE_URL)"))
    func eventsAcrossInstances() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            try await withSecondInstance(of: app) { second in
                // A live event.
                let (_, onB) = second.liveEvents.subscribe(["department:\(world.industry.id!)"])
                let (_, elsewhere) = second.liveEvents.subscribe(["department:\(world.transport.id!)"])
                async let heard = nextEvent(onB, within: 10)
                try await Task.sleep(for: .milliseconds(50))
                let raised = try await HelpdeskFixtures.raise(app, world.company)
                let answered = ContinuousClock.now
                let id = try #require(raised.ticket?.id)
                let event = await heard
                #expect(event?.data == "ticket:\(id)")
                // Within a second on a calm machine (`.ci/cluster.py` holds it to that); here, with
                // the whole suite running at once, within three. Without NOTIFY it never arrives.
                #expect(ContinuousClock.now - answered < .seconds(3))
                #expect(await nextEvent(elsewhere, within: 0.3) == nil)

                // A bearer token: B keeps it for 5 s, but A's revocation clears it at once.
                let agent = world.agent
                #expect(try await second.testing().sendRequest(.GET, "/api/v1/me", headers: agent.apiHeaders).status == .ok)
                let revoked = try await app.testing().sendRequest(.DELETE, "/api/v1/auth/token", headers: agent.apiHeaders)
                #expect(revoked.status == .noContent)
                // B's kept copy is dropped by A's message (without it, it would live 5 s), and B
                // then refuses the token.
                let revokedAt = ContinuousClock.now
                try await waitUntil(seconds: 3) { second.bearerCache.isEmpty }
                #expect(ContinuousClock.now - revokedAt < .seconds(3))
                #expect(try await second.testing().sendRequest(.GET, "/api/v1/me", headers: agent.apiHeaders).status == .unauthorized)

                // District settings.
                let before = try await second.testing().sendRequest(.GET, "/api/v1/settings", headers: world.admin.apiHeaders)
                #expect(before.status == .ok && second.settingsCache.fresh() != nil)
                let changed = try await app.testing().sendRequest(.PUT, "/api/v1/settings", headers: world.admin.apiHeaders.adding(.json),
                                                                  body: .json(["officerCap": 7]))
                #expect(changed.status == .ok)
                try await waitUntil(seconds: 3) { second.settingsCache.fresh() == nil }
                let after = try await second.testing().sendRequest(.GET, "/api/v1/settings", headers: world.admin.apiHeaders)
                #expect(after.text.contains(#""officerCap":7"#))

                // An import's progress, asked of the other instance.
                let owner = try world.company.user.requireID()
                app.startImport(token: "import-1", owner: owner).update(.importing, done: 5_000, total: 20_000)
                try await waitUntil(seconds: 3) { second.importProgress.progress(token: "import-1", owner: owner)?.done == 5_000 }
                #expect(second.importProgress.progress(token: "import-1", owner: UUID()) == nil)
            }
        }
    }

    @Test("Two instances sweeping the same minute: one claims the period; the ticket escalates once, with one notice each",
          .enabled(if: onPostgres, "needs PostgreSQL (DATABASE_URL)"))
    func jobsOnceAcrossInstances() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            _ = try await HelpdeskFixtures.raise(app, world.company)
            app.clock.advance(by: 3 * 3600)
            try await withSecondInstance(of: app) { second in
                let runs = NIOLockedValueBox(0)
                let job = BackgroundJob(name: "help-desk sweep", initialDelay: .seconds(1), every: .minutes(1)) { app, now in
                    runs.withLockedValue { $0 += 1 }
                    try await HelpdeskService.sweep(app.context(now: now))
                }
                let now = app.clock.now
                async let onA = BackgroundJobs.run(job, app, now: now)
                async let onB = BackgroundJobs.run(job, second, now: now)
                #expect(Set([await onA, await onB]) == [.ran, .skipped])
                #expect(runs.withLockedValue { $0 } == 1)

                // Even without the claim, two sweeps at once raise the level once.
                app.clock.advance(by: 24 * 3600)
                async let sweptA = HelpdeskService.sweep(app.context())
                async let sweptB = HelpdeskService.sweep(second.context())
                #expect(try await sweptA + sweptB == 1)
                #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "ticket.escalate").count() == 2)
                let notices = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.ticket.escalated").all()
                #expect(notices.count == 2 * Set(notices.compactMap(\.userID)).count)
            }
        }
    }

    @Test("The events connection, cut by the database, comes back; the open pages refresh once and events flow again",
          .enabled(if: onPostgres, "needs PostgreSQL (DATABASE_URL)"))
    func reconnect() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            try await withSecondInstance(of: app) { second in
                let (_, page) = second.liveEvents.subscribe(["department:\(world.industry.id!)"])
                async let told = nextEvent(page, within: 5)
                guard let sql = app.db as? any SQLDatabase else { return }
                let channel = "fugong_events_\(app.settings.databaseSchema ?? "public")"
                struct Row: Decodable { let cut: Bool }
                let cut = try await sql.raw("""
                    SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity \
                    WHERE query LIKE \(bind: "%" + channel + "%") AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
                    """).all(decoding: Row.self)
                #expect(cut.count == 2) // each instance's listening connection
                #expect(await told?.kind == "refresh")
                try await waitUntil(seconds: 5) { app.cluster.listening && second.cluster.listening }

                let (_, again) = second.liveEvents.subscribe(["department:\(world.industry.id!)"])
                async let heard = nextEvent(again, within: 10)
                try await Task.sleep(for: .milliseconds(50))
                let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
                #expect(await heard?.data == "ticket:\(id)")
            }
        }
    }
}
