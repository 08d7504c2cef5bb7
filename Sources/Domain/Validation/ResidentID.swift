import Foundation

/// 居民身份证号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character,
/// a real birth date not in the future and a known province prefix.
public struct ResidentID: Hashable, Sendable {
    public let value: String

    public enum Problem: Error, Equatable, Sendable {
        case format, province, birthDate, checkCharacter

        public var messageKey: String {
            switch self {
            case .format: "error.residentID.format"
            case .province: "error.residentID.province"
            case .birthDate: "error.residentID.birthDate"
            case .checkCharacter: "error.residentID.check"
            }
        }
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432")
    static let provinces: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ]

    public init(_ raw: String, today: Date) throws(Problem) {
        try self.init(raw, on: CivilDate(today))
    }

    /// The same with the day given, for checking many numbers (a roster import) at once.
    public init(_ raw: String, on today: CivilDate) throws(Problem) {
        let text = raw.trimmingCharacters(in: .whitespaces).uppercased()
        let chars = Array(text)
        guard chars.count == 18,
              chars.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }),
              chars[17].isASCII, chars[17].isNumber || chars[17] == "X"
        else { throw .format }
        let digits = chars.prefix(17).map { $0.wholeNumberValue! }
        guard Self.provinces.contains(digits[0] * 10 + digits[1]) else { throw .province }

        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard let birth = CivilDate(year: year, month: month, day: day),
              year >= 1850, birth <= today
        else { throw .birthDate }

        guard Self.checkCharacter(digits) == chars[17] else { throw .checkCharacter }
        value = text
    }

    /// The check character of the first 17 digits (ISO 7064 MOD 11-2).
    public static func checkCharacter(_ digits: [Int]) -> Character {
        checkCharacters[zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11]
    }

    /// A whole number from its first 17 digits (for demo and test data).
    public static func completing(_ seventeen: String) -> String {
        seventeen + String(checkCharacter(seventeen.compactMap(\.wholeNumberValue)))
    }

    /// `110105********002X`
    public var masked: String { Self.masked(value) }

    /// The masked form of a number already checked.
    public static func masked(_ value: String) -> String {
        String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4))
    }
}

/// A calendar date without a time zone, for birth dates and the like.
public struct CivilDate: Comparable, Hashable, Sendable {
    public let year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// The date in China Standard Time, the district's time zone.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!; month = parts.month!; day = parts.day!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}
