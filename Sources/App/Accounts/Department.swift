import Fluent
import Vapor

/// A government department (工信局, 人社局…). Agents belong to one.
final class Department: Model, @unchecked Sendable {
    static let schema = "departments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    /// The head receives escalations (催办) and reopened tickets.
    @OptionalField(key: "head_id") var headID: UUID?
    /// A group robot (WeCom / DingTalk) that hears of new tickets, escalations and low ratings.
    @OptionalField(key: "webhook_url") var webhookURL: String?
    /// The duty desk takes whatever no routing rule matches.
    @Field(key: "is_duty_desk") var isDutyDesk: Bool

    init() {}

    init(name: String, nameEn: String) {
        self.name = name
        self.nameEn = nameEn
        self.isDutyDesk = false
    }

    func displayName(_ language: Language) -> String {
        language == .en ? nameEn : name
    }
}
