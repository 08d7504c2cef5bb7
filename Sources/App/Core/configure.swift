import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import Vapor

/// Wires the whole platform. Tests call it with `Settings.testing()`.
public func configure(_ app: Application, settings: Settings = .fromEnvironment()) async throws {
    app.settings = settings
    app.strings = try StringTables.load(from: app.directory.resourcesDirectory + "Strings")

    // One middleware runs every step of a request, in the order it documents.
    app.middleware = Middlewares()
    let running = RunningRequests()
    app.middleware.use(RequestPipeline(files: FileMiddleware(publicDirectory: app.directory.publicDirectory), running: running))
    // No metrics backend is configured: Vapor would still build each request's labels.
    app.http.server.configuration.reportMetrics = false
    app.routes.defaultMaxBodySize = "1mb"

    try DataStore.configureDatabase(app, settings: settings)
    app.settingsCache = .init()
    app.routingCache = .init()
    app.bearerCache = .init()
    app.jobTermCounts = .init()
    app.importProgress = .init()
    app.personalData = try PersonalData.load(settings, testing: app.environment == .testing, logger: app.logger)
    app.passwords.use(.bcrypt(cost: settings.bcryptCost))

    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.migrations.addFugong()
    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(JobsBenchmarkCommand(), as: "bench-jobs")
    app.asyncCommands.use(PurgeCommand(), as: "purge")
    app.asyncCommands.use(WorkforceBenchmarkCommand(), as: "bench-workforce")

    try routes(app)

    // Migrations run at every start, as the `migrate` command would; both are idempotent.
    try await DataStore.prepare(app)
    try await app.autoMigrate()
    if settings.loadDemo { try await DemoDistrict.load(app) }
    try await InitialAdmin.createIfNeeded(app)
    app.holdsDemoData = try await PlatformFlag.query(on: app.db).filter(\.$key == PlatformFlag.demoKey).count() > 0
    app.lifecycle.use(Sweeper())
    // Last in, so first at shutdown: running requests finish before the databases close.
    app.lifecycle.use(RunningRequests.Drain(running: running))
}
