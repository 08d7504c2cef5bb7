/// 统一社会信用代码 (GB 32100-2015): 18 characters; the last is a check character.
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    public static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    public let value: String
    public var description: String { value }

    public enum Problem: Error, Equatable, Sendable {
        case length, character, checkCharacter

        /// String-table key for the field error.
        public var messageKey: String {
            switch self {
            case .length: "error.creditCode.length"
            case .character: "error.creditCode.character"
            case .checkCharacter: "error.creditCode.check"
            }
        }
    }

    /// Accepts lower case and surrounding spaces, as people type them; stores upper case.
    public init(_ raw: String) throws(Problem) {
        let text = raw.trimmingCharacters(in: .whitespaces).uppercased()
        let chars = Array(text)
        guard chars.count == 18 else { throw .length }
        var values: [Int] = []
        for char in chars {
            guard let index = Self.alphabet.firstIndex(of: char) else { throw .character }
            values.append(index)
        }
        guard Self.checkValue(for: values.prefix(17)) == values[17] else { throw .checkCharacter }
        value = text
    }

    /// Weights are 3^(i-1) mod 31; the check value is 31 - (sum mod 31), where 31 becomes 0.
    static func checkValue(for values: ArraySlice<Int>) -> Int {
        var weight = 1
        var sum = 0
        for value in values {
            sum += value * weight
            weight = (weight * 3) % 31
        }
        let check = 31 - sum % 31
        return check == 31 ? 0 : check
    }
}
