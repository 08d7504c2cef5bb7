import Fluent
import Vapor

/// A government department (工信局, 人社局…). Agents belong to one.
final class Department: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String

    init() {}

    init(name: String, nameEn: String) {
        self.name = name
        self.nameEn = nameEn
    }
}
