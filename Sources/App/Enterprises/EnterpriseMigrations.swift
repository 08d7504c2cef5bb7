import Fluent

struct CreateZones: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Zone.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("name_en", .string, .required)
            .field("position", .int, .required)
            .unique(on: "code")
            .create()
        // The district this platform was first built for; a district admin adds its own.
        let zones = [
            Zone(code: "jingkai", name: "经开区", nameEn: "Economic Development Zone", position: 1),
            Zone(code: "xinqu", name: "新区", nameEn: "New District", position: 2),
            Zone(code: "xinglong", name: "兴隆综保区", nameEn: "Xinglong Bonded Zone", position: 3),
        ]
        for zone in zones { try await zone.create(on: database) }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Zone.schema).delete()
    }
}

struct CreateEnterprises: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Enterprise.schema)
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("credit_code", .string, .required)
            .field("legal_representative", .string, .required)
            .field("contact_name", .string, .required)
            .field("contact_phone", .string, .required)
            .field("address", .string, .required)
            .field("zone", .string, .required)
            .field("industry", .string, .required)
            .field("above_designated_size", .bool, .required)
            .field("staff_count", .int, .required)
            .field("status", .string, .required)
            .field("review_reason", .string)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .uuid)
            .unique(on: "credit_code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Enterprise.schema).delete()
    }
}
