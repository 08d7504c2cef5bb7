import Foundation

/// The one parser for dates and times typed or sent to the platform, strict everywhere: a
/// day is `yyyy-MM-dd` exactly (no sign, no single digits, no 30 February), a moment is
/// RFC 3339 (`2020-02-10T09:30:00Z`, `…+08:00`, optional fractions of a second), and years run
/// from 1900 to 2100. Foundation's ISO 8601 parsing rolled 30 February over to 1 March.
public enum DateText {
    public static let years = 1900...2100

    /// `2020-02-10`
    public static func day(_ text: some StringProtocol) -> CivilDate? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
              years.contains(year)
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// `2020-02-10T09:30:00Z`, `2020-02-10T09:30:00.250+08:00`; seconds may be left out.
    public static func moment(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 17, let date = day(String(decoding: bytes[0..<10], as: UTF8.self)),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let hour = number(bytes[11..<13]), bytes[13] == UInt8(ascii: ":"), let minute = number(bytes[14..<16]),
              hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second = 0
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            guard index + 3 <= bytes.count, let value = number(bytes[(index + 1)..<(index + 3)]), value < 60 else { return nil }
            second = value
            index += 3
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                var end = index + 1
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
                guard end > index + 1, end - index <= 10, let value = Double("0" + String(decoding: bytes[index..<end], as: UTF8.self)) else { return nil }
                fraction = value
                index = end
            }
        }
        guard index < bytes.count else { return nil }
        let offset: Int
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(bytes[(index + 1)..<(index + 3)]), let minutes = number(bytes[(index + 4)..<(index + 6)]),
                  hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let midnight = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return nil }
        return midnight.addingTimeInterval(Double(hour * 3600 + minute * 60 + second - offset) + fraction)
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return digits.isEmpty ? nil : value
    }
}
