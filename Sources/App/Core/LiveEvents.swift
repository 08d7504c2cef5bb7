import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Server-sent events for live pages. Each open page subscribes to channels (a department's
/// queue, an enterprise's tickets, one ticket); a change publishes a short event, and the page
/// fetches its fresh content. A change is published with `Application.publishLive`, which
/// reaches the pages on every instance (`ClusterEvents`); this class delivers to the pages
/// connected here.
final class LiveEvents: Sendable {
    /// An event for every open page: fetch yourself once (events may have been missed).
    static let refresh = "refresh"

    struct Event: Sendable {
        /// `change` (with the changed thing as data) or `refresh`.
        let kind: String
        let data: String
    }

    struct Subscriber: Sendable {
        let channels: Set<String>
        let continuation: AsyncStream<Event>.Continuation
    }

    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])

    func subscribe(_ channels: Set<String>) -> (UUID, AsyncStream<Event>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(50))
        subscribers.withLockedValue { $0[id] = Subscriber(channels: channels, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLockedValue { _ = $0.removeValue(forKey: id) }
        }
        return (id, stream)
    }

    /// Sends `event` to every subscriber here of any of `channels`.
    func deliver(_ event: String, to channels: Set<String>) {
        let targets = subscribers.withLockedValue { $0.values.filter { !$0.channels.isDisjoint(with: channels) } }
        for target in targets { target.continuation.yield(Event(kind: "change", data: event)) }
    }

    /// Tells every page open here to fetch itself once.
    func refreshAll() {
        let targets = subscribers.withLockedValue { Array($0.values) }
        for target in targets { target.continuation.yield(Event(kind: LiveEvents.refresh, data: "")) }
    }

    var count: Int { subscribers.withLockedValue { $0.count } }
}

extension Application {
    private struct LiveEventsKey: StorageKey { typealias Value = LiveEvents }

    var liveEvents: LiveEvents {
        if let events = storage[LiveEventsKey.self] { return events }
        let events = LiveEvents()
        storage[LiveEventsKey.self] = events
        return events
    }
}

enum LiveController {
    /// `GET /live`: the event stream for the signed-in user's channels.
    @Sendable static func stream(req: Request) async throws -> Response {
        let user = try req.requireUser()
        var channels: Set<String> = ["user:\(try user.requireID())"]
        if let department = user.$department.id { channels.insert("department:\(department)") }
        if let enterprise = user.$enterprise.id { channels.insert("enterprise:\(enterprise)") }
        if [.districtAdmin, .leader].contains(user.role) { channels.insert("all") }
        if let ticket = req.query[UUID.self, at: "ticket"] { channels.insert("ticket:\(ticket)") }
        let (_, events) = req.application.liveEvents.subscribe(channels)
        let response = Response(status: .ok)
        response.headers.replaceOrAdd(name: .contentType, value: "text/event-stream; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        response.body = .init(asyncStream: { writer in
            do {
                try await writer.writeBuffer(ByteBuffer(string: "retry: 5000\n: connected\n\n"))
                for await event in events {
                    try await writer.writeBuffer(ByteBuffer(string: "event: \(event.kind)\ndata: \(event.data)\n\n"))
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.end)
            }
        })
        return response
    }
}
