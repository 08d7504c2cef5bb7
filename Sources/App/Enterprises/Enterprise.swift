import Domain
import Fluent
import Vapor

final class Enterprise: Model, @unchecked Sendable {
    static let schema = "enterprises"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "credit_code") var creditCode: String
    @Field(key: "legal_representative") var legalRepresentative: String
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_phone") var contactPhone: String
    @Field(key: "address") var address: String
    @Field(key: "zone") var zone: String
    @Field(key: "industry") var industry: String
    @Field(key: "above_designated_size") var aboveDesignatedSize: Bool
    @Field(key: "staff_count") var staffCount: Int

    @Enum(key: "status") var status: EnterpriseStatus
    @OptionalField(key: "review_reason") var reviewReason: String?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalParent(key: "reviewed_by") var reviewedBy: User?

    init() {}

    init(_ valid: EnterpriseRegistration.Valid) {
        name = valid.name
        creditCode = valid.creditCode.value
        legalRepresentative = valid.legalRepresentative
        contactName = valid.contactName
        contactPhone = valid.contactPhone.value
        address = valid.address
        zone = valid.zone
        industry = valid.industry
        aboveDesignatedSize = valid.aboveDesignatedSize
        staffCount = valid.staffCount
        status = .pending
    }
}

/// A zone of the district (经开区, 新区, 兴隆综保区 in Changchun's).
final class Zone: Model, @unchecked Sendable {
    static let schema = "zones"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "position") var position: Int

    init() {}

    init(code: String, name: String, nameEn: String, position: Int) {
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.position = position
    }

    func displayName(_ language: Language) -> String {
        language == .en ? nameEn : name
    }
}

struct EnterpriseDTO: Content {
    let id: UUID
    let name: String
    let creditCode: String
    let legalRepresentative: String
    let contactName: String
    /// Masked for every reader but the enterprise itself and district administrators.
    let contactPhone: String
    let address: String
    let zone: String
    let industry: String
    let aboveDesignatedSize: Bool
    let staffCount: Int
    let status: EnterpriseStatus
    let reviewReason: String?
    let reviewedAt: Date?
    let createdAt: Date?
}

extension Enterprise {
    func toDTO(showFullPhone: Bool) throws -> EnterpriseDTO {
        guard let id else { throw AppError.internalError("enterprise without id") }
        let phone = showFullPhone ? contactPhone : ((try? MobileNumber(contactPhone))?.masked ?? contactPhone)
        return EnterpriseDTO(
            id: id, name: name, creditCode: creditCode, legalRepresentative: legalRepresentative,
            contactName: contactName, contactPhone: phone, address: address, zone: zone,
            industry: industry, aboveDesignatedSize: aboveDesignatedSize, staffCount: staffCount,
            status: status, reviewReason: reviewReason, reviewedAt: reviewedAt, createdAt: createdAt
        )
    }
}
