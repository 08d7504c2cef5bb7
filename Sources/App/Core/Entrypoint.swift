import Logging
import Vapor

/// `fugong serve`, `fugong demo`, `fugong migrate`, `fugong create-admin`.
public enum Entrypoint {
    public static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        var settings = Settings.fromEnvironment()
        // `demo` is `serve` over a database that also holds the demo district.
        if environment.arguments.count > 1, environment.arguments[1] == "demo" {
            settings.loadDemo = true
            environment.arguments[1] = "serve"
        }
        let app = try await Application.make(environment)
        do {
            try await configure(app, settings: settings)
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
