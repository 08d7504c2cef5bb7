import Domain
import Fluent
import Vapor

/// A real deployment never starts with a known password: the first district admin comes from
/// `FUGONG_ADMIN_PASSWORD` on first start, or from `fugong create-admin`.
enum InitialAdmin {
    static let username = "admin"

    static func createIfNeeded(_ app: Application, on db: (any Database)? = nil) async throws {
        let db = db ?? app.db
        guard let password = app.settings.initialAdminPassword,
              try await User.query(on: db).count() == 0
        else { return }
        try await create(app, password: password, on: db)
        app.logger.notice("Created the district admin account '\(username)' from FUGONG_ADMIN_PASSWORD.")
    }

    static func create(_ app: Application, password: String, on db: (any Database)? = nil) async throws {
        let db = db ?? app.db
        var errors = FieldErrors()
        AccountRules.password(password, username: username, into: &errors)
        if let key = errors.messages["password"] {
            throw AppError.badRequest(messageKey: key)
        }
        if try await User.query(on: db).filter(\.$username == username).count() > 0 {
            throw AppError.conflict(field: "username", messageKey: "error.username.taken")
        }
        let hash = try await app.password.async.hash(password)
        try await db.transaction { db in
            let user = User(username: username, passwordHash: hash, role: .districtAdmin, displayName: "区管理员")
            try await user.create(on: db)
            let event = AuditEvent()
            event.at = app.clock.now
            event.action = "user.create"
            event.entity = "user"
            event.entityID = user.id?.uuidString
            event.detail = "role=districtAdmin,initial"
            event.address = "console"
            try await event.create(on: db)
        }
    }
}

struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Creates the district admin account 'admin', asking for its password." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let password = context.console.ask("Password for 'admin' (8–128 characters):", isSecure: true)
        let again = context.console.ask("The same password again:", isSecure: true)
        guard password == again else {
            context.console.error("The two passwords differ; nothing was created.")
            return
        }
        do {
            try await InitialAdmin.create(app, password: password)
            context.console.success("Created the district admin account 'admin'.")
        } catch let error as AppError {
            context.console.error(app.strings.text(error.messageKey, .en) + " Nothing was created.")
        }
    }
}
