/// The containers a booking asks for, and how they fill a train.
///
/// Capacity is counted in half FEU, an integer: a 20-foot container is one half, a 40-foot
/// container two. The API shows FEU (`44.5`), never stores a fraction.
public enum ContainerType: String, CaseIterable, Codable, Sendable, Comparable {
    case gp20 = "20GP", gp40 = "40GP", hc40 = "40HC"

    /// How many halves of an FEU one container takes.
    public var halfFeu: Int { self == .gp20 ? 1 : 2 }

    /// The ISO 6346 size-type code.
    public var sizeType: String {
        switch self {
        case .gp20: "22G1"
        case .gp40: "42G1"
        case .hc40: "45G1"
        }
    }

    /// The most a loaded container of the type may weigh unless the line sets less (ISO 668: 30,480 kg).
    public var standardMaxGrossKg: Int { 30_480 }

    public var nameKey: String { "freight.container.\(rawValue)" }

    public static func < (a: ContainerType, b: ContainerType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Half FEU as the pages and the API show them.
public enum FEU {
    /// `44.5` or `45`.
    public static func text(halves: Int) -> String {
        halves % 2 == 0 ? String(halves / 2) : "\(halves / 2).5"
    }

    /// FEU as a JSON number (exact: halves are representable).
    public static func number(halves: Int) -> Double { Double(halves) / 2 }

    /// TEU: twice the FEU.
    public static func teu(halves: Int) -> Int { halves }
}

/// Containers by type and count, as a booking asks for them.
public struct ContainerRequest: Equatable, Sendable {
    public let type: ContainerType
    public let count: Int

    public init(type: ContainerType, count: Int) {
        self.type = type
        self.count = count
    }

    /// The most containers of one type one booking may ask for (lines of one type added up).
    public static let maxCount = 100

    /// The requests as typed (`type`, `count`), each checked; the same type twice is added up.
    /// Fields are named `containers[i].type` / `containers[i].count`.
    public static func check(_ lines: [(type: String?, count: Int?)], field: String = "containers",
                             into errors: inout FieldErrors) -> [ContainerRequest] {
        if lines.isEmpty { errors.add(field, "error.required"); return [] }
        var counts: [ContainerType: Int] = [:]
        for (index, line) in lines.enumerated() {
            let typeText = FormText.trimmed(line.type)
            let type = ContainerType(rawValue: typeText.uppercased())
            if type == nil { errors.add("\(field)[\(index)].type", FormText.choiceError(typeText)) }
            guard let count = line.count else { errors.add("\(field)[\(index)].count", "error.required"); continue }
            if count < 1 || count > maxCount {
                errors.add("\(field)[\(index)].count", "error.freight.count", arguments: [String(maxCount)])
                continue
            }
            if let type { counts[type, default: 0] += count }
        }
        for (type, count) in counts where count > maxCount {
            errors.add(field, "error.freight.count", arguments: [String(maxCount)])
            counts[type] = maxCount
        }
        return counts.keys.sorted().map { ContainerRequest(type: $0, count: counts[$0]!) }
    }

    public static func halves(_ requests: [ContainerRequest]) -> Int {
        requests.reduce(0) { $0 + $1.type.halfFeu * $1.count }
    }

    public static func containers(_ requests: [ContainerRequest]) -> Int {
        requests.reduce(0) { $0 + $1.count }
    }
}

/// ISO 6346 container numbers: owner code (3 letters), category (`U` freight container, `J`
/// detachable equipment, `Z` trailer or chassis), a 6-digit serial and a check digit.
public enum ContainerNumber {
    public enum Problem: String, Sendable {
        /// Not 4 letters, 6 digits and a digit.
        case format
        /// The fourth letter is not U, J or Z.
        case category
        case checkDigit

        public var messageKey: String { "error.container.\(rawValue)" }
    }

    /// Upper case, without spaces, hyphens or slashes (`CSQU 305438-3` → `CSQU3054383`).
    public static func normalized(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.filter { !" -/\t".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// A letter's value: A=10, then on, skipping multiples of 11 (B=12 … K=21, L=23 … Z=38).
    static let letterValues: [Character: Int] = {
        var values: [Character: Int] = [:]
        var value = 10
        for scalar in UnicodeScalar("A").value...UnicodeScalar("Z").value {
            if value % 11 == 0 { value += 1 }
            values[Character(UnicodeScalar(scalar)!)] = value
            value += 1
        }
        return values
    }()

    /// The check digit of the first ten characters: Σ value·2^i mod 11, a remainder of 10 giving 0.
    public static func checkDigit(_ firstTen: String) -> Int? {
        let characters = Array(firstTen)
        guard characters.count == 10 else { return nil }
        var sum = 0
        for (index, character) in characters.enumerated() {
            let value: Int
            if index < 4 {
                guard let letter = letterValues[character] else { return nil }
                value = letter
            } else {
                guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
                value = digit
            }
            sum += value << index
        }
        return sum % 11 % 10
    }

    /// The problem with a number (already normalized), or nil when it is valid.
    public static func problem(_ number: String) -> Problem? {
        let characters = Array(number)
        guard characters.count == 11,
              characters[0..<4].allSatisfy({ $0.isASCII && $0.isUppercase && $0.isLetter }),
              characters[4...].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return .format }
        guard "UJZ".contains(characters[3]) else { return .category }
        guard checkDigit(String(characters[0..<10])) == characters[10].wholeNumberValue else { return .checkDigit }
        return nil
    }
}

/// Harmonized System codes: 6 digits internationally, 10 in China's customs tariff. The first
/// two digits are the chapter (01–97; 77 is reserved).
public enum HSCode {
    public static func normalized(_ text: String) -> String {
        String(text.filter { $0 != "." && $0 != " " })
    }

    public static func isValid(_ code: String) -> Bool {
        guard (6...10).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isNumber }),
              let chapter = Int(code.prefix(2))
        else { return false }
        return (1...97).contains(chapter) && chapter != 77
    }

    public static func chapter(_ code: String) -> String { String(code.prefix(2)) }
}

/// China's customs declaration numbers (报关单号): 18 digits.
public enum DeclarationNumber {
    public static func isValid(_ text: String) -> Bool {
        text.count == 18 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
