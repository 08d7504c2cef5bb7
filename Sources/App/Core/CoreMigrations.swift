import Fluent

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema)
            .id()
            .field("at", .datetime, .required)
            .field("user_id", .uuid)
            .field("username", .string)
            .field("role", .string)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string)
            .field("subject", .string)
            .field("detail", .string)
            .field("address", .string, .required)
            .field("request_id", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema).delete()
    }
}

struct CreatePlatformFlags: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PlatformFlag.schema)
            .id()
            .field("key", .string, .required)
            .field("value", .string, .required)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PlatformFlag.schema).delete()
    }
}

/// Every migration, in order. Add new ones at the end; never edit one that has shipped.
/// `SchemaMigrations` runs them, each in a transaction with its log row.
enum FugongMigrations {
    static let all: [any Migration] = [
        CreatePlatformFlags(),
        CreateAuditEvents(),
        CreateZones(),
        CreateEnterprises(),
        CreateDepartments(),
        CreateUsers(),
        CreateWebSessions(),
        CreateApiTokens(),
        CreateLoginFailures(),
        CreateDistrictSettings(),
        CreateStoredFiles(),
        CreateNotifications(),
        CreateResumptionApplications(),
        CreateOfficerTables(),
        CreatePolicies(),
        CreateHelpdesk(),
        CreateTicketAttachments(),
        CreatePolicyAttachments(),
        CreateJobs(),
        ReindexJobTerms(),
        CreateWorkforce(),
        IndexEmployeesByStatus(),
        IndexGateDay(),
    ]
}
