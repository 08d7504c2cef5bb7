import Domain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import Vapor

/// Wires the whole platform. Tests call it with `Settings.testing()`.
public func configure(_ app: Application, settings: Settings = .fromEnvironment()) async throws {
    app.settings = settings
    if settings.clockOffset != 0 {
        app.clock = AppClock(offset: settings.clockOffset)
        app.logger.warning("The platform's clock runs \(Int(settings.clockOffset)) s ahead of this machine's (FUGONG_CLOCK_OFFSET_SECONDS)")
    }
    app.strings = try StringTables.load(from: app.directory.resourcesDirectory + "Strings")

    // One middleware runs every step of a request, in the order it documents.
    app.middleware = Middlewares()
    let running = RunningRequests()
    app.middleware.use(RequestPipeline(files: FileMiddleware(publicDirectory: app.directory.publicDirectory), running: running))
    // No metrics backend is configured: Vapor would still build each request's labels.
    app.http.server.configuration.reportMetrics = false
    app.routes.defaultMaxBodySize = "1mb"
    _ = StrictJSON.install

    app.metrics = PlatformMetrics()
    try DataStore.configureDatabase(app, settings: settings)
    app.settingsCache = .init()
    app.dashboardCache = .init()
    app.routingCache = .init()
    app.calendarCache = .init()
    app.bearerCache = .init()
    app.jobTermCounts = .init()
    app.importProgress = .init()
    app.personalData = try app.presetPersonalData ?? PersonalData.load(settings, testing: app.environment == .testing, logger: app.logger)
    app.passwords.use(.bcrypt(cost: settings.bcryptCost))

    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["errorSummary"] = ErrorSummaryTag()
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.migrations.add(Modules.migrations)
    Modules.registerCommands(app)
    // Every module's routes, each with its access (`<Module>Module.swift`).
    Modules.registerRoutes(app)
    app.routeIndex = RouteIndex(app.routes.all)

    // Migrations run at every start, as the `migrate` command would; both are idempotent.
    // One process at a time, each migration whole or not at all (`SchemaMigrations`).
    try await SchemaMigrations.exclusively(app) { db in
        try await DataStore.prepare(app, on: db)
        try await SchemaMigrations.run(Modules.migrations, on: db, logger: app.logger)
        try await PersonalData.checkFingerprint(app.personalData, on: db)
        if settings.loadDemo { try await DemoDistrict.load(app, on: db) }
        try await InitialAdmin.createIfNeeded(app, on: db)
    }
    app.holdsDemoData = try await PlatformFlag.query(on: app.db).filter(\.$key == PlatformFlag.demoKey).count() > 0
    app.lifecycle.use(Sweeper())
    // Last in, so first at shutdown: running requests finish before the databases close.
    app.lifecycle.use(RunningRequests.Drain(running: running))
}

/// JSON bodies decode their moments with the one strict parser (`DateText.moment`): Foundation's
/// ISO 8601 parsing rolled 30 February over to 1 March. Installed once for the process, as
/// Vapor's content configuration is global.
enum StrictJSON {
    static let install: Void = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = DateText.moment(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time: \(text)")
            }
            return date
        }
        ContentConfiguration.global.use(decoder: decoder, for: .json)
    }()
}
