import Foundation

/// Working days: Monday to Friday, except the public holidays, plus the weekend days the State
/// Council makes working days (调休). Deadlines counted in working days (the notice before a
/// planned resumption, a queue's overdue mark, a revisit) count with the district's calendar.
public struct WorkingCalendar: Sendable, Equatable {
    public enum Exception: String, Codable, Sendable, CaseIterable {
        /// A public holiday (法定节假日), also when it falls on a weekday.
        case holiday
        /// A Saturday or Sunday worked in exchange (调休上班).
        case workday
    }

    public private(set) var exceptions: [CivilDate: Exception]

    public init(_ exceptions: [CivilDate: Exception] = [:]) {
        self.exceptions = exceptions
    }

    public init(entries: [Entry]) {
        self.init(Dictionary(entries.map { ($0.date, $0.kind) }, uniquingKeysWith: { _, last in last }))
    }

    /// Monday to Friday, no holidays: the rule when the district has no calendar.
    public static let weekdays = WorkingCalendar()

    public static func isWeekend(_ date: CivilDate) -> Bool {
        date.weekday == 1 || date.weekday == 7
    }

    public func isWorkingDay(_ date: CivilDate) -> Bool {
        switch exceptions[date] {
        case .holiday: false
        case .workday: true
        case nil: !Self.isWeekend(date)
        }
    }

    /// The date `workingDays` working days after `date` (the same date for 0).
    public func adding(workingDays: Int, to date: CivilDate) -> CivilDate {
        var current = date
        var remaining = workingDays
        while remaining > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }

    /// Whole working days elapsed from `start` to `end` (0 when the same day or earlier).
    public func workingDays(from start: CivilDate, to end: CivilDate) -> Int {
        var count = 0
        var current = start
        while current < end {
            current = current.adding(days: 1)
            if isWorkingDay(current) { count += 1 }
        }
        return count
    }

    /// An entry of the calendar, as the district admin gives it.
    public struct Entry: Sendable, Equatable {
        public let date: CivilDate
        public let kind: Exception
        public let name: String

        public init(date: CivilDate, kind: Exception, name: String) {
            self.date = date
            self.kind = kind
            self.name = name
        }
    }

    /// Checks one year's entries: each date in `year`, once; a make-up working day only on a
    /// Saturday or Sunday (a weekday is one already); a name of at most 20 characters. Fields
    /// are named `days[i].date`, `days[i].kind`, `days[i].name`.
    public static func check(year: Int, _ entries: [(date: String, kind: String, name: String)]) throws(FieldErrors) -> [Entry] {
        var errors = FieldErrors()
        var seen = Set<CivilDate>()
        var checked: [Entry] = []
        if !(2000...2100).contains(year) { errors.add("year", "error.number.range") }
        for (index, raw) in entries.enumerated() {
            let field = "days[\(index)]"
            let kind = Exception(rawValue: raw.kind)
            if kind == nil { errors.add("\(field).kind", FormText.choiceError(raw.kind)) }
            let name = raw.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty { errors.add("\(field).name", "error.required") } else if name.count > 20 { errors.add("\(field).name", "error.tooLong") }
            guard let date = CivilDate(iso: raw.date) else {
                errors.add("\(field).date", raw.date.isEmpty ? "error.required" : "error.date")
                continue
            }
            if date.year != year {
                errors.add("\(field).date", "error.holiday.otherYear", arguments: [String(year)])
            } else if !seen.insert(date).inserted {
                errors.add("\(field).date", "error.holiday.twice")
            } else if kind == .workday, !isWeekend(date) {
                errors.add("\(field).date", "error.holiday.workdayOnWeekday")
            }
            if let kind { checked.append(Entry(date: date, kind: kind, name: name)) }
        }
        if !errors.isEmpty { throw errors }
        return checked.sorted { $0.date < $1.date }
    }

    /// The State Council's calendars the platform ships with: 2020 (with the Spring Festival
    /// holiday extended to 2 February, as the demo's story needs) and 2026, as published by the
    /// General Office of the State Council (国办发明电). Later years the district admin enters
    /// when they are published.
    public static let stateCouncil: [Entry] = {
        func days(_ from: String, _ to: String, _ name: String) -> [Entry] {
            var entries: [Entry] = []
            var day = CivilDate(iso: from)!
            let last = CivilDate(iso: to)!
            while day <= last {
                entries.append(Entry(date: day, kind: .holiday, name: name))
                day = day.adding(days: 1)
            }
            return entries
        }
        func work(_ date: String, _ name: String) -> Entry { Entry(date: CivilDate(iso: date)!, kind: .workday, name: name) }
        return days("2020-01-01", "2020-01-01", "元旦") + [work("2020-01-19", "春节调休上班")]
            + days("2020-01-24", "2020-02-02", "春节（延长）")
            + days("2020-04-04", "2020-04-06", "清明节") + [work("2020-04-26", "劳动节调休上班")]
            + days("2020-05-01", "2020-05-05", "劳动节") + [work("2020-05-09", "劳动节调休上班")]
            + days("2020-06-25", "2020-06-27", "端午节") + [work("2020-06-28", "端午节调休上班"), work("2020-09-27", "国庆节调休上班")]
            + days("2020-10-01", "2020-10-08", "国庆节、中秋节") + [work("2020-10-10", "国庆节调休上班")]
            + days("2026-01-01", "2026-01-03", "元旦") + [work("2026-01-04", "元旦调休上班"), work("2026-02-14", "春节调休上班")]
            + days("2026-02-15", "2026-02-23", "春节") + [work("2026-02-28", "春节调休上班")]
            + days("2026-04-04", "2026-04-06", "清明节")
            + days("2026-05-01", "2026-05-05", "劳动节") + [work("2026-05-09", "劳动节调休上班")]
            + days("2026-06-19", "2026-06-21", "端午节")
            + days("2026-09-25", "2026-09-27", "中秋节") + [work("2026-09-20", "国庆节调休上班")]
            + days("2026-10-01", "2026-10-07", "国庆节") + [work("2026-10-10", "国庆节调休上班")]
    }()
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
