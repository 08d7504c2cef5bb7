import Fluent

struct CreateDepartments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Department.schema)
            .id()
            .field("created_at", .datetime)
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Department.schema).delete()
    }
}

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("username", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("display_name", .string, .required)
            .field("disabled_at", .datetime)
            .field("enterprise_id", .uuid, .references(Enterprise.schema, "id"))
            .field("department_id", .uuid, .references(Department.schema, "id"))
            .unique(on: "username")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(User.schema).delete()
    }
}

struct CreateWebSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WebSession.schema)
            .id()
            .field("secret_hash", .string, .required)
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("flash_key", .string)
            .field("user_id", .uuid, .references(User.schema, "id", onDelete: .cascade))
            .unique(on: "secret_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebSession.schema).delete()
    }
}

struct CreateApiTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ApiToken.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApiToken.schema).delete()
    }
}

struct CreateLoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginFailure.schema)
            .id()
            .field("username", .string, .required)
            .field("address", .string, .required)
            .field("at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginFailure.schema).delete()
    }
}
