import Foundation

/// Dates as the district reads them: China Standard Time, ISO order.
enum DisplayFormat {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    static func date(_ date: Date?) -> String {
        format(date, "yyyy-MM-dd")
    }

    static func dateTime(_ date: Date?) -> String {
        format(date, "yyyy-MM-dd HH:mm")
    }

    private static func format(_ date: Date?, _ pattern: String) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
