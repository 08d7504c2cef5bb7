import Foundation

/// Working days are Monday to Friday. Public holidays are not known to the platform yet; a
/// district that needs them would add a table of exceptions here.
public enum WorkingCalendar {
    public static func isWorkingDay(_ date: CivilDate) -> Bool {
        let weekday = date.weekday
        return weekday != 1 && weekday != 7
    }

    /// The date `workingDays` working days after `date` (the same date for 0).
    public static func adding(workingDays: Int, to date: CivilDate) -> CivilDate {
        var current = date
        var remaining = workingDays
        while remaining > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }

    /// Whole working days elapsed from `start` to `end` (0 when the same day or earlier).
    public static func workingDays(from start: CivilDate, to end: CivilDate) -> Int {
        var count = 0
        var current = start
        while current < end {
            current = current.adding(days: 1)
            if isWorkingDay(current) { count += 1 }
        }
        return count
    }
}

extension CivilDate {
    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }

    /// Midnight at the start of this day, China Standard Time.
    public var start: Date {
        Self.calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// 1 = Sunday … 7 = Saturday.
    public var weekday: Int { Self.calendar.component(.weekday, from: start) }

    public func adding(days: Int) -> CivilDate {
        CivilDate(Self.calendar.date(byAdding: .day, value: days, to: start)!.addingTimeInterval(3600))
    }

    /// `2020-02-10`
    public var iso: String {
        // Read on every gate check-in and health report; `String(format:)` cost a few percent of each.
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// Parses `yyyy-MM-dd`, strictly (`DateText.day`).
    public init?(iso text: String) {
        guard let date = DateText.day(text) else { return nil }
        self = date
    }
}
