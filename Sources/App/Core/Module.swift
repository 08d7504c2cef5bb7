import Domain
import Fluent
import NIOCore
import Vapor

/// What a module adds to the platform, as one value: its routes (each with its access), its
/// tables, its menu entries, its work on the platform's clock, its commands and its part of the
/// demo district. Core iterates `Modules.all` for each of these, so adding a module touches its
/// own folder, the string tables, `openapi.yaml` and the one line in `Modules.swift`.
///
/// A module's file (`<Folder>/<Name>Module.swift`) is its table of contents: a newcomer reads
/// there which addresses the module answers and who may call each.
struct Module: Sendable {
    let name: String
    var routes: @Sendable (ModuleRoutes) -> Void = { _ in }
    /// In order; the modules' lists run one after the other in `Modules.all` order, so a table
    /// may refer to the tables of the modules listed before its own. Add at the end; never edit
    /// one that has shipped (databases remember them by name).
    var migrations: [any Migration] = []
    var navigation: [NavigationEntry] = []
    var jobs: [BackgroundJob] = []
    var commands: [(name: String, command: any AsyncCommand)] = []
    /// Runs inside the demo district's transaction, after the registry and the accounts.
    var demo: (@Sendable (DemoDistrict.Context) async throws -> Void)?
}

/// The builders a module's routes hang from.
struct ModuleRoutes {
    /// Pages, `/…`.
    let root: any RoutesBuilder
    /// The JSON API, `/api/v1/…`.
    let api: any RoutesBuilder
    /// A body of files (multipart) up to the largest upload the district allows.
    let upload = HTTPBodyStreamStrategy.collect(maxSize: ByteCount(stringLiteral: Uploads.maxRequestSize))
}

/// An entry of a role's menu: the string-table key and the address. Entries of one `group`
/// share one item of the menu that opens into them (administration, figures), so that a menu
/// fits one line at 1280 px.
struct NavigationEntry: Sendable {
    let key: String
    let href: String
    let roles: Set<Role>
    let group: String?

    init(_ key: String, _ href: String, _ roles: Set<Role>, group: String? = nil) {
        self.key = key
        self.href = href
        self.roles = roles
        self.group = group
    }

    static let administration = "nav.group.administration"
    static let figures = "nav.group.figures"
}

extension Modules {
    static var migrations: [any Migration] { all.flatMap(\.migrations) }

    /// A role's menu: home first, then each module's entries for the role, in module order.
    static func navigation(for role: Role) -> [NavigationEntry] {
        [NavigationEntry("nav.home", "/", Set(Role.allCases))] + all.flatMap(\.navigation).filter { $0.roles.contains(role) }
    }

    static func registerRoutes(_ app: Application) {
        let builders = ModuleRoutes(root: app, api: app.grouped("api", "v1"))
        for module in all { module.routes(builders) }
    }

    static func registerCommands(_ app: Application) {
        for module in all {
            for (name, command) in module.commands { app.asyncCommands.use(command, as: name) }
        }
    }
}
