import Logging
import Vapor

/// `fugong serve`, `fugong demo`, `fugong migrate`, `fugong backup FILE`, … (`fugong --help`).
public enum Entrypoint {
    public static func main() async throws {
        var environment = try Environment.detect()
        try LoggingSystem.bootstrap(from: &environment)
        let directory: DirectoryConfiguration
        do {
            directory = try ResourceLocation.find()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        var settings = Settings.fromEnvironment()
        let arguments = environment.arguments.dropFirst()
        let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "serve"
        // Help, and the commands that work on the database's file themselves, open no database.
        let opensDatabase = !arguments.contains { $0 == "--help" || $0 == "-h" } && Operations.databaseCommands.contains(command)
        // `demo` is `serve` over a database that also holds the demo district.
        if opensDatabase, command == "demo" {
            settings.loadDemo = true
            environment.arguments[1] = "serve"
        }
        let app = try await Application.make(environment)
        app.directory = directory
        do {
            if opensDatabase {
                try await configure(app, settings: settings)
            } else {
                Modules.registerCommands(app)
            }
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
