import Foundation
import Prometheus
import Vapor

/// What an operator scrapes: `GET /metrics`, in Prometheus's text format. Each instance counts
/// its own; Prometheus adds the `instance` label when it scrapes each one.
///
/// - `fugong_http_requests_total{method,route,status}` and
///   `fugong_http_request_duration_seconds{method,route}`: by route pattern (`/helpdesk/:id`),
///   never by address, so a scanner cannot grow the series;
/// - `fugong_writer_queue_depth` and `fugong_writer_batch_size` (SQLite's one writer);
/// - no database pool waits: Fluent's pool reports none (see the README's scale-out section);
/// - `fugong_live_subscribers_count` and `fugong_cluster_listening_state`;
/// - `fugong_job_runs_total{job,outcome}` and `fugong_job_duration_seconds{job}`.
final class PlatformMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    private static let jobBuckets: [Duration] = [.milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600)]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64]

    private static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "fugong", metricName: name, unitName: unit, helpText: help)
    }

    func request(method: HTTPMethod, route: String, status: UInt, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("http_requests", "total", "HTTP requests answered, by route pattern and status"),
                             labels: [("method", method.rawValue), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds", "Time to answer, by route pattern"),
                                       labels: [("method", method.rawValue), ("route", route)], buckets: Self.latencyBuckets)
            .record(duration)
    }

    func writerQueue(depth: Int) {
        registry.makeGauge(descriptor: Self.name("writer_queue", "depth", "Writes waiting for SQLite's one writer"), labels: []).set(to: Double(depth))
    }

    func writerBatch(size: Int) {
        registry.makeValueHistogram(descriptor: Self.name("writer_batch", "size", "Writes committed together by SQLite's writer"),
                                    labels: [], buckets: Self.batchBuckets).record(Double(size))
    }

    func jobRun(_ job: String, outcome: String, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("job_runs", "total", "Background job runs on this instance, by outcome (skipped: another instance ran the period)"),
                             labels: [("job", job), ("outcome", outcome)]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("job_duration", "seconds", "Time a background job's run took"),
                                       labels: [("job", job)], buckets: Self.jobBuckets).record(duration)
    }

    /// The text for one scrape, with the gauges read now.
    func scrape(_ app: Application) -> String {
        registry.makeGauge(descriptor: Self.name("live_subscribers", "count", "Open live pages on this instance"), labels: [])
            .set(to: Double(app.liveEvents.count))
        registry.makeGauge(descriptor: Self.name("cluster_listening", "state", "1 while this instance hears the others (PostgreSQL)"), labels: [])
            .set(to: app.cluster.listening ? 1 : 0)
        return registry.emitToString()
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = PlatformMetrics }

    var metrics: PlatformMetrics {
        get { storage[MetricsKey.self]! }
        set { storage[MetricsKey.self] = newValue }
    }
}

extension Request {
    /// The route's pattern, `/helpdesk/:id`; `-` when no route matched (a file, or nothing).
    var routePattern: String {
        guard let route else { return "-" }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }
}

enum MetricsController {
    /// `GET /metrics`: with the metrics token (`FUGONG_METRICS_TOKEN`) from anywhere; without
    /// it, only from this machine and not through a proxy (nginx sets `X-Forwarded-For`, and
    /// `deploy/` denies `/metrics` there too). Anyone else gets 404, as if there were nothing.
    @Sendable static func scrape(req: Request) async throws -> Response {
        guard mayScrape(req) else { throw AppError.notFound }
        let response = Response(status: .ok, body: .init(string: req.application.metrics.scrape(req.application)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func mayScrape(_ req: Request) -> Bool {
        if let token = req.application.settings.metricsToken, let sent = req.headers.bearerAuthorization?.token {
            return Secret.constantTimeEqual(sent, token)
        }
        let proxied = req.headers.contains(name: "X-Forwarded-For") || req.headers.contains(name: "X-Real-IP")
            || req.headers.contains(name: "Forwarded")
        guard !proxied, let address = req.remoteAddress?.ipAddress else { return false }
        return address == "127.0.0.1" || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
