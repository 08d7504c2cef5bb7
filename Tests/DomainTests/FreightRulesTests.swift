import Domain
import Foundation
import Testing

@Suite("Freight rules")
struct FreightRulesTests {
    @Test("ISO 6346: the standard's example, a wrong check digit, a wrong category, a wrong shape")
    func containerNumbers() {
        #expect(ContainerNumber.problem("CSQU3054383") == nil)
        #expect(ContainerNumber.normalized("csqu 305438-3") == "CSQU3054383")
        #expect(ContainerNumber.problem("CSQU3054384") == .checkDigit)
        #expect(ContainerNumber.problem("CSQX3054383") == .category)
        #expect(ContainerNumber.problem("CSQU305438") == .format)
        #expect(ContainerNumber.problem("C5QU3054383") == .format)
        #expect(ContainerNumber.problem("CSQU30543８3") == .format)
    }

    @Test("ISO 6346: a remainder of 10 gives the check digit 0")
    func remainderTen() throws {
        // Find a serial whose sum leaves 10 (mod 11), and check its number ends in 0.
        var found: String?
        for serial in 0..<2000 {
            let first = "TGHU" + String(format: "%06d", serial)
            let letters = [31 /* T */, 17 /* G */, 18 /* H */, 32 /* U */]
            var sum = 0
            for (index, value) in letters.enumerated() { sum += value << index }
            for (index, character) in first.dropFirst(4).enumerated() { sum += character.wholeNumberValue! << (index + 4) }
            if sum % 11 == 10 { found = first; break }
        }
        let first = try #require(found)
        #expect(ContainerNumber.checkDigit(first) == 0)
        #expect(ContainerNumber.problem(first + "0") == nil)
    }

    @Test("HS codes: 6 to 10 digits and a real chapter")
    func hsCodes() {
        #expect(HSCode.isValid("870829"))
        #expect(HSCode.isValid("8708299000"))
        #expect(HSCode.isValid(HSCode.normalized("8708.29.90.00")))
        #expect(!HSCode.isValid("87082"))
        #expect(!HSCode.isValid("87082990001"))
        #expect(!HSCode.isValid("7708299000"))
        #expect(!HSCode.isValid("0008299000"))
        #expect(!HSCode.isValid("98082990"))
        #expect(HSCode.chapter("8708299000") == "87")
        #expect(DeclarationNumber.isValid("150920200000000001"))
        #expect(!DeclarationNumber.isValid("15092020000000001"))
    }

    @Test("Capacity: the last half FEU, nobody overtakes the waitlist, the operator's trains wait")
    func capacity() {
        #expect(Capacity.decide(halves: 1, booked: 89, capacity: 90, autoConfirm: true, othersWaiting: false) == .confirmed)
        #expect(Capacity.decide(halves: 2, booked: 89, capacity: 90, autoConfirm: true, othersWaiting: false) == .waitlisted)
        #expect(Capacity.decide(halves: 1, booked: 80, capacity: 90, autoConfirm: true, othersWaiting: true) == .waitlisted)
        #expect(Capacity.decide(halves: 2, booked: 0, capacity: 90, autoConfirm: false, othersWaiting: false) == .requested)
        #expect(Capacity.decide(halves: 2, booked: 90, capacity: 90, autoConfirm: false, othersWaiting: false) == .waitlisted)
        #expect(Capacity.promote(waiting: [(id: "a", halves: 2), (id: "b", halves: 1)], free: 1) == [])
        #expect(Capacity.promote(waiting: [(id: "a", halves: 2), (id: "b", halves: 1)], free: 3) == ["a", "b"])
        #expect(Capacity.promote(waiting: [(id: "a", halves: 2), (id: "b", halves: 4), (id: "c", halves: 1)], free: 5) == ["a"])
        #expect(ContainerRequest.halves([.init(type: .gp20, count: 3), .init(type: .hc40, count: 2)]) == 7)
        #expect(FEU.text(halves: 89) == "44.5" && FEU.text(halves: 90) == "45")
    }

    @Test("Container requests: types, counts, the same type twice added up")
    func requests() {
        var errors = FieldErrors()
        let checked = ContainerRequest.check([("40hc", 1), ("20GP", 2), ("40HC", 2)], into: &errors)
        #expect(errors.isEmpty)
        #expect(checked == [.init(type: .gp20, count: 2), .init(type: .hc40, count: 3)])
        var bad = FieldErrors()
        _ = ContainerRequest.check([("45G1", 1), ("40GP", 0), (nil, 1), ("20GP", nil)], into: &bad)
        #expect(bad.messages["containers[0].type"] == "error.choice")
        #expect(bad.messages["containers[1].count"] == "error.freight.count")
        #expect(bad.messages["containers[2].type"] == "error.required")
        #expect(bad.messages["containers[3].count"] == "error.required")
        var none = FieldErrors()
        _ = ContainerRequest.check([], into: &none)
        #expect(none.messages["containers"] == "error.required")
    }

    @Test("A departure closes at its booking cut-off, to the second; milestones come in order")
    func departureStates() {
        let cutoff = Date(timeIntervalSince1970: 1_581_300_000)
        #expect(DepartureState.effective(.open, bookingCutoff: cutoff, now: cutoff.addingTimeInterval(-1)) == .open)
        #expect(DepartureState.effective(.open, bookingCutoff: cutoff, now: cutoff) == .closed)
        #expect(DepartureState.effective(.loading, bookingCutoff: cutoff, now: cutoff) == .loading)
        #expect(DepartureEventKind.loading.next(from: .closed) == .loading)
        #expect(DepartureEventKind.departed.next(from: .open) == nil)
        #expect(DepartureEventKind.border.next(from: .departed) == .departed)
        #expect(DepartureEventKind.arrived.next(from: .loading) == nil)
        #expect(DepartureEventKind.arrived.next(from: .departed) == .arrived)
        #expect(DepartureEventKind.loading.next(from: .cancelled) == nil)
    }

    @Test("Customs: declared before inspected, released or held; a hold can be declared again")
    func customs() {
        #expect(CustomsStatus.declared.canFollow(.none))
        #expect(!CustomsStatus.released.canFollow(.none))
        #expect(CustomsStatus.released.canFollow(.inspection))
        #expect(CustomsStatus.held.canFollow(.declared))
        #expect(CustomsStatus.declared.canFollow(.held))
        #expect(!CustomsStatus.declared.canFollow(.released))
        #expect(!CustomsStatus.held.canFollow(.released))
    }

    static let fees = FeeSchedule(freightPerFeuFen: 4_200_000, freightPerTwentyFen: 2_500_000, brokeragePerDeclarationFen: 50_000,
                                  liftingPerContainerFen: 60_000, movingPerContainerFen: 40_000)
    static let day = CivilDate(year: 2020, month: 2, day: 8)!

    @Test("A policy applies up to and including its last valid day, to those it names")
    func policyDays() {
        let policy = FeePolicy(name: "运价优惠", item: .freight, discount: .percent(10), validFrom: Self.day.adding(days: -10),
                               validTo: Self.day, scope: .zone("jingkai"))
        #expect(policy.applies(on: Self.day, zone: "jingkai", categories: []))
        #expect(!policy.applies(on: Self.day.adding(days: 1), zone: "jingkai", categories: []))
        #expect(!policy.applies(on: Self.day.adding(days: -11), zone: "jingkai", categories: []))
        #expect(!policy.applies(on: Self.day, zone: "xinqu", categories: []))
        let category = FeePolicy(name: "防疫", item: .moving, discount: .fixedFen(10_000), validFrom: Self.day, validTo: Self.day,
                                 scope: .category(.epidemicPrevention))
        #expect(category.applies(on: Self.day, zone: "xinqu", categories: [.epidemicPrevention]))
        #expect(!category.applies(on: Self.day, zone: "xinqu", categories: [.dailyNecessities]))
        let off = FeePolicy(name: "停用", item: .freight, discount: .percent(50), validFrom: Self.day, validTo: Self.day, scope: .everyone, active: false)
        #expect(!off.applies(on: Self.day, zone: "jingkai", categories: []))
    }

    @Test("A quote: each fee, the best policy per line (not added up), fixed amounts capped at the price")
    func quote() {
        let policies = [
            FeePolicy(name: "运价优惠", item: .freight, discount: .percent(10), validFrom: Self.day, validTo: Self.day, scope: .everyone),
            FeePolicy(name: "经开区运价", item: .freight, discount: .percent(15), validFrom: Self.day, validTo: Self.day, scope: .zone("jingkai")),
            FeePolicy(name: "报关代理费优惠", item: .brokerage, discount: .percent(33), validFrom: Self.day, validTo: Self.day, scope: .everyone),
            FeePolicy(name: "搬移全免", item: .moving, discount: .fixedFen(99_999_999), validFrom: Self.day, validTo: Self.day, scope: .everyone),
        ]
        let quote = Quote(fees: Self.fees, containers: [.init(type: .gp20, count: 1), .init(type: .hc40, count: 2)], brokerage: true,
                          policies: policies, day: Self.day, zone: "jingkai", categories: [])
        #expect(quote.lines.map(\.item) == [.freightFeu, .freightTwenty, .brokerage, .lifting, .moving])
        let feu = quote.lines[0]
        #expect(feu.quantity == 2 && feu.grossFen == 8_400_000 && feu.discountFen == 1_260_000 && feu.policy == "经开区运价")
        #expect(quote.lines[1].grossFen == 2_500_000 && quote.lines[1].discountFen == 375_000)
        // 33 % of 500 yuan is 165 yuan exactly; of 50,000 fen, 16,500.
        #expect(quote.lines[2].discountFen == 16_500)
        #expect(quote.lines[3].quantity == 3 && quote.lines[3].discountFen == 0 && quote.lines[3].policy == nil)
        #expect(quote.lines[4].discountFen == 120_000 && quote.lines[4].netFen == 0)
        #expect(quote.totalFen == quote.grossFen - quote.discountFen)
        #expect(quote.grossFen == 8_400_000 + 2_500_000 + 50_000 + 180_000 + 120_000)
        let elsewhere = Quote(fees: Self.fees, containers: [.init(type: .hc40, count: 1)], brokerage: false, policies: policies,
                              day: Self.day.adding(days: 1), zone: "xinqu", categories: [])
        #expect(elsewhere.discountFen == 0 && elsewhere.lines.count == 3)
    }

    @Test("Yuan: typed amounts to fen exactly, fen to text and to 万元")
    func money() {
        #expect(Yuan.fen("12345") == 1_234_500)
        #expect(Yuan.fen("12,345.6") == 1_234_560)
        #expect(Yuan.fen("0.05") == 5)
        #expect(Yuan.fen("1.234") == nil)
        #expect(Yuan.fen("-1") == nil)
        #expect(Yuan.fen("1e5") == nil)
        #expect(Yuan.fen("") == nil)
        #expect(Yuan.text(fen: 8_200_000_000) == "82,000,000.00")
        #expect(Yuan.text(fen: 5) == "0.05")
        #expect(Yuan.wan(fen: 8_200_000_000) == "8,200.00")
        #expect(Yuan.wan(fen: 1_234_567) == "1.23")
    }

    @Test("Booking numbers and the briefing's send time")
    func numbersAndTimes() {
        #expect(BookingNumber.make(trainNumber: "X9011", day: CivilDate(year: 2020, month: 2, day: 12)!, sequence: 7) == "X9011-200212-007")
        #expect(BriefingTime("08:30")?.minutes == 510)
        #expect(BriefingTime("8:30") == nil && BriefingTime("24:00") == nil && BriefingTime("8点") == nil)
    }
}
