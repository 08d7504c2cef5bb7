/// What an enterprise submits to register, and its validation. Used by the page and the API.
public struct EnterpriseRegistration: Sendable {
    public var name: String?
    public var creditCode: String?
    public var legalRepresentative: String?
    public var contactName: String?
    public var contactPhone: String?
    public var address: String?
    public var zone: String?
    public var industry: String?
    public var aboveDesignatedSize: Bool?
    public var staffCount: Int?

    public init(
        name: String?, creditCode: String?, legalRepresentative: String?, contactName: String?,
        contactPhone: String?, address: String?, zone: String?, industry: String?,
        aboveDesignatedSize: Bool?, staffCount: Int?
    ) {
        self.name = name; self.creditCode = creditCode
        self.legalRepresentative = legalRepresentative; self.contactName = contactName
        self.contactPhone = contactPhone; self.address = address; self.zone = zone
        self.industry = industry; self.aboveDesignatedSize = aboveDesignatedSize
        self.staffCount = staffCount
    }

    /// The registration once every field has been checked.
    public struct Valid: Sendable, Equatable {
        public let name: String
        public let creditCode: CreditCode
        public let legalRepresentative: String
        public let contactName: String
        public let contactPhone: MobileNumber
        public let address: String
        public let zone: String
        public let industry: String
        public let aboveDesignatedSize: Bool
        public let staffCount: Int
    }

    public static let maxStaffCount = 1_000_000

    /// `zones` are the district's zone codes; anything else is refused.
    public func validate(zones: Set<String>) throws(FieldErrors) -> Valid {
        var errors = FieldErrors()
        let name = FormText.required(name, field: "name", maxLength: 100, into: &errors)
        var code: CreditCode?
        let rawCode = FormText.trimmed(creditCode)
        if rawCode.isEmpty {
            errors.add("creditCode", "error.required")
        } else {
            do { code = try CreditCode(rawCode) } catch { errors.add("creditCode", error.messageKey) }
        }
        let legal = FormText.required(legalRepresentative, field: "legalRepresentative", maxLength: 50, into: &errors)
        let contact = FormText.required(contactName, field: "contactName", maxLength: 50, into: &errors)
        var phone: MobileNumber?
        let rawPhone = FormText.trimmed(contactPhone)
        if rawPhone.isEmpty {
            errors.add("contactPhone", "error.required")
        } else {
            do { phone = try MobileNumber(rawPhone) } catch { errors.add("contactPhone", error.messageKey) }
        }
        let address = FormText.required(address, field: "address", maxLength: 200, into: &errors)
        let zone = FormText.trimmed(zone)
        if zone.isEmpty {
            errors.add("zone", "error.required")
        } else if !zones.contains(zone) {
            errors.add("zone", "error.zone.unknown")
        }
        let industry = FormText.required(industry, field: "industry", maxLength: 50, into: &errors)
        if let staffCount, !(0...Self.maxStaffCount).contains(staffCount) {
            errors.add("staffCount", "error.staffCount.range")
        } else if staffCount == nil {
            errors.add("staffCount", "error.required")
        }
        guard errors.isEmpty, let code, let phone, let staffCount else { throw errors }
        return Valid(
            name: name, creditCode: code, legalRepresentative: legal, contactName: contact,
            contactPhone: phone, address: address, zone: zone, industry: industry,
            aboveDesignatedSize: aboveDesignatedSize ?? false, staffCount: staffCount
        )
    }
}
