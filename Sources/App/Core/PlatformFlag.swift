import Fluent
import Vapor

/// Small facts about this installation, e.g. that it holds demo data.
final class PlatformFlag: Model, @unchecked Sendable {
    static let schema = "platform_flags"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "value") var value: String

    init() {}

    init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    static let demoKey = "demo"
}

extension Application {
    private struct DemoKey: StorageKey { typealias Value = Bool }

    /// Cached at start: whether this database holds the demo district (every page says so).
    var holdsDemoData: Bool {
        get { storage[DemoKey.self] ?? false }
        set { storage[DemoKey.self] = newValue }
    }
}
