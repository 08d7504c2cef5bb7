import Domain
import Foundation
import Testing

@Suite("Dates and times, parsed strictly")
struct DateTextTests {
    @Test("A day is yyyy-MM-dd exactly, a real one, from 1900 to 2100")
    func days() {
        #expect(DateText.day("2020-02-29") == CivilDate(year: 2020, month: 2, day: 29))
        for bad in ["2020-02-30", "2019-02-29", "2020-2-3", "-2020-01-01", "+2020-01-01", "9999-12-31", "1899-12-31",
                    "2020-13-01", "2020-00-10", "2020-01-1 ", "２０２０-01-01", "2020/01/01", ""] {
            #expect(DateText.day(bad) == nil, "\(bad)")
            #expect(CivilDate(iso: bad) == nil, "\(bad)")
        }
    }

    @Test("A moment is RFC 3339: 30 February is refused, not rolled over to 1 March")
    func moments() {
        #expect(DateText.moment("2020-02-10T09:30:00Z") == Date(timeIntervalSince1970: 1_581_327_000))
        #expect(DateText.moment("2020-02-10T17:30:00+08:00") == Date(timeIntervalSince1970: 1_581_327_000))
        #expect(DateText.moment("2020-02-10T09:30:00.5Z") == Date(timeIntervalSince1970: 1_581_327_000.5))
        #expect(DateText.moment("2020-02-10T09:30Z") == Date(timeIntervalSince1970: 1_581_327_000))
        for bad in ["2020-02-30T10:00:00Z", "2020-02-10T24:00:00Z", "2020-02-10T09:60:00Z", "2020-02-10 09:30:00Z",
                    "2020-02-10T09:30:00", "2020-02-10T09:30:00+0800", "-2020-02-10T09:30:00Z", "2020-02-10T09:30:00ZZ"] {
            #expect(DateText.moment(bad) == nil, "\(bad)")
        }
    }
}
