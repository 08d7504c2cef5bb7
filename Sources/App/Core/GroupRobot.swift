import Foundation
import Vapor

/// The outgoing webhook in the group-robot format that WeCom and DingTalk accept:
/// `{"msgtype": "text", "text": {"content": "…"}}`. Sent in the background and retried with
/// back-off; a failure is logged and never holds up the ticket.
enum GroupRobot {
    struct Message: Content {
        struct Text: Content { let content: String }
        let msgtype: String
        let text: Text
    }

    /// Delays between attempts; tests shorten them.
    nonisolated(unsafe) static var backoff: [Double] = [1, 4, 16]

    static func send(_ app: Application, to urls: [String], _ content: String) {
        let client = app.client
        let logger = app.logger
        let delays = backoff
        for url in Set(urls) where url.hasPrefix("http://") || url.hasPrefix("https://") {
            Task.detached {
                for (attempt, delay) in ([0] + delays).enumerated() {
                    if delay > 0 { try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
                    do {
                        let response = try await client.post(URI(string: url)) { request in
                            try request.content.encode(Message(msgtype: "text", text: .init(content: content)))
                        }
                        if response.status.code < 300 { return }
                        logger.warning("group robot answered \(response.status.code) (attempt \(attempt + 1))")
                    } catch {
                        logger.warning("group robot unreachable (attempt \(attempt + 1)): \(error)")
                    }
                }
                logger.error("group robot message dropped after \(delays.count + 1) attempts")
            }
        }
    }
}
