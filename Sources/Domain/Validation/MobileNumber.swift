/// A mainland mobile number: `+86`, spaces and hyphens are stripped, then `^1[3-9]\d{9}$`.
public struct MobileNumber: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public struct Invalid: Error, Equatable, Sendable {
        public let messageKey = "error.mobile.invalid"
    }

    public init(_ raw: String) throws(Invalid) {
        var text = raw.filter { $0 != " " && $0 != "-" }
        if text.hasPrefix("+86") { text.removeFirst(3) }
        let digits = Array(text)
        guard digits.count == 11, digits[0] == "1",
              let second = digits[1].wholeNumberValue, (3...9).contains(second),
              digits.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw Invalid() }
        value = text
    }

    /// `138****5678`
    public var masked: String {
        String(value.prefix(3)) + "****" + String(value.suffix(4))
    }
}
