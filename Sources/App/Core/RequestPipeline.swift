import Vapor

/// Every request passes here once, through these steps in order:
/// 1. a request no route matches may be a static file (`Public/`);
/// 2. who is calling (`Authentication`);
/// 3. may they call this route (`AccessGuard`);
/// 4. a multipart body has a shape its parser can take (`BodyGuard`);
/// 5. a page's form carries the session's token (`CSRFGuard`);
/// 6. the route itself;
/// 7. an error becomes its page or its JSON (`ErrorResponder`);
/// 8. the language's cookie and header (`LanguageChoice`), and the security headers
///    (`ResponseHeaders`), on every response, errors included.
///
/// Why one middleware: Vapor runs each async middleware in a task of its own and passes the
/// response between them as a future, a hop between threads each way. With seven steps, the
/// scheduler cost more than a health report's own work (`perf` showed it as the largest cost).
/// Here one task, started on the connection's event loop, runs the steps as plain calls, and
/// the database's futures, completed on that same loop, resume it without a hop. Work too heavy
/// for a loop that serves other connections moves off it where it happens (`offEventLoop`).
struct RequestPipeline: Middleware {
    let files: FileMiddleware
    /// Counted so that shutdown can wait for them.
    let running: RunningRequests

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let promise = req.eventLoop.makePromise(of: Response.self)
        let answer = Answer(promise)
        running.begin()
        let timer = Self.isBoundedRead(req) ? req.eventLoop.scheduleTask(in: .milliseconds(Int64(req.application.settings.readTimeLimit * 1000))) {
            // The read goes on to its end, unread; the caller hears now that it took too long.
            Task(executorPreference: EventLoopExecutor(req.eventLoop)) {
                let response = await ErrorResponder.response(for: AppError.timedOut, req)
                answer.give(finish(req, response))
            }
        } : nil
        let started = ContinuousClock.now
        Task(executorPreference: EventLoopExecutor(req.eventLoop)) {
            let response = await run(req, next)
            timer?.cancel()
            answer.give(response)
            running.end()
            req.application.metrics.request(method: req.method, route: req.routePattern, status: response.status.code,
                                            duration: ContinuousClock.now - started)
        }
        return promise.futureResult
    }

    /// Reads have a time limit (`Settings.readTimeLimit`); a write always runs to its answer,
    /// so that a caller never hears "failed" of a write that then commits.
    private static func isBoundedRead(_ req: Request) -> Bool {
        (req.method == .GET || req.method == .HEAD) && req.route != nil
    }

    /// The first of the route's answer and the time limit's; both come on the request's loop.
    private final class Answer: @unchecked Sendable {
        private let promise: EventLoopPromise<Response>
        private var given = false
        init(_ promise: EventLoopPromise<Response>) { self.promise = promise }

        func give(_ response: Response) {
            promise.futureResult.eventLoop.preconditionInEventLoop()
            guard !given else { return }
            given = true
            promise.succeed(response)
        }
    }

    private func run(_ req: Request, _ next: any Responder) async -> Response {
        let response: Response
        do {
            response = try await handle(req, next)
        } catch {
            response = await ErrorResponder.response(for: error, req)
        }
        return finish(req, response)
    }

    private func finish(_ req: Request, _ response: Response) -> Response {
        LanguageChoice.apply(req, response)
        ResponseHeaders.apply(req, response)
        return response
    }

    private func handle(_ req: Request, _ next: any Responder) async throws -> Response {
        guard req.route != nil else {
            return try await files.respond(to: req, chainingTo: AsyncBasicResponder { try await next.respond(to: $0).get() })
        }
        try await Authentication.authenticate(req)
        try AccessGuard.check(req)
        try await BodyGuard.check(req)
        try await CSRFGuard.check(req)
        let response: Response
        if let route = next as? any AsyncResponder {
            response = try await route.respond(to: req)
        } else {
            response = try await next.respond(to: req).get()
        }
        Authentication.setSessionCookie(req, response)
        return response
    }
}

/// Requests still being worked on. A client that hangs up leaves its request running; at
/// shutdown the server waits for them (up to 10 s) before the databases close under them.
final class RunningRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func begin() { lock.withLock { count += 1 } }
    func end() { lock.withLock { count -= 1 } }

    struct Drain: LifecycleHandler {
        let running: RunningRequests
        func shutdownAsync(_ app: Application) async {
            for _ in 0..<1_000 where running.lock.withLock({ running.count }) > 0 {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}

/// Work too heavy for an event loop (a whole file parsed, sealed and hashed row by row) runs on
/// the shared pool, so the connections of the loop the request came in on are not held up.
func offEventLoop<T: Sendable>(_ work: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: work)
}

/// Runs a task's jobs on one event loop, the request's own: a future completed on that loop
/// then resumes the task where it already is.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop
    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
