import Domain
import Foundation
import Vapor

/// Dates as the district reads them: China Standard Time, ISO order.
enum DisplayFormat {
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    static func date(_ date: Date?) -> String {
        format(date, "yyyy-MM-dd")
    }

    static func dateTime(_ date: Date?) -> String {
        format(date, "yyyy-MM-dd HH:mm")
    }

    /// `08:05`, for logs of one day.
    static func time(_ date: Date?) -> String {
        format(date, "HH:mm")
    }

    /// A `datetime-local` form value (`2020-02-10T09:00`), read in China Standard Time.
    static func parseLocalDateTime(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return date }
        }
        return nil
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

extension Request {
    /// `?from=&to=` as days in China Standard Time, both inclusive; by default the last
    /// `defaultDays` days up to today. A bad date, a reversed range or one longer than the
    /// setting `maxRangeDays` is a field error: a range of eight thousand years once held the
    /// server for two minutes.
    func dayRange(defaultDays: Int) throws -> (from: CivilDate, to: CivilDate) {
        let today = CivilDate(now)
        var errors = FieldErrors()
        func day(_ name: String, _ fallback: CivilDate) -> CivilDate {
            guard let raw = query[String.self, at: name], !raw.isEmpty else { return fallback }
            guard let date = CivilDate(iso: raw) else { errors.add(name, "error.date"); return fallback }
            return date
        }
        let to = day("to", today)
        let from = day("from", today.adding(days: 1 - defaultDays))
        if from > to { errors.add("from", "error.date.order") }
        let limit = application.settings.maxRangeDays
        if errors.isEmpty, to.daysSince(from) >= limit { errors.add("from", "error.date.span", arguments: [String(limit)]) }
        try errors.throwIfAny()
        return (from, to)
    }
}
