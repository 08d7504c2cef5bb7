import Domain
import Foundation
import Testing

@Suite("Workforce: health code, quarantine, gate, clusters, supplies, roster CSV")
struct WorkforceRulesTests {
    static let today = CivilDate(iso: "2020-02-18")!
    static let policy = HealthPolicy()

    func code(_ facts: HealthFacts, on day: CivilDate = today) -> HealthCode {
        HealthCode(facts, today: day, policy: Self.policy)
    }

    static let reported = HealthFacts(lastTemperature: 36.5, symptomsToday: [])

    @Test("Green with a normal report today; 37.2 °C stays green, 37.3 °C is a fever (yellow) until a normal reading")
    func feverEdge() {
        #expect(code(Self.reported) == HealthCode(Self.reported, today: Self.today, policy: Self.policy))
        #expect(code(Self.reported).color == .green && code(Self.reported).reasons.isEmpty)
        var facts = Self.reported
        facts.lastTemperature = 37.2
        #expect(code(facts).color == .green)
        facts.lastTemperature = 37.3
        #expect(code(facts).color == .yellow && code(facts).reasons == [.feverLastReading])
        facts.lastTemperature = 36.8
        #expect(code(facts).color == .green)
        #expect(Self.policy.isFever(37.3) && !Self.policy.isFever(37.2) && Self.policy.isFever(39))
    }

    @Test("No report today is yellow; symptoms today are yellow; every reason is listed")
    func yellow() {
        #expect(code(HealthFacts(lastTemperature: 36.5)).reasons == [.noReportToday])
        let facts = HealthFacts(lastTemperature: 37.8, symptomsToday: [.cough])
        #expect(code(facts).color == .yellow && code(facts).reasons == [.feverLastReading, .symptomsToday])
    }

    @Test("Quarantine: day 13 after arrival is red, day 14 (the planned end) is released; no early release; extension needs a later date and a reason")
    func quarantineEdge() throws {
        let arrival = CivilDate(iso: "2020-02-01")!
        let period = QuarantinePeriod(start: arrival, policy: Self.policy)
        #expect(period.plannedEnd == CivilDate(iso: "2020-02-15"))
        var facts = Self.reported
        facts.quarantines = [period]
        let day13 = arrival.adding(days: 13), day14 = arrival.adding(days: 14)
        #expect(code(facts, on: day13).color == .red && code(facts, on: day13).reasons == [.inQuarantine])
        #expect(period.daysRemaining(on: day13) == 1)
        #expect(code(facts, on: day14).color == .green && period.daysRemaining(on: day14) == 0)
        #expect(code(facts, on: arrival.adding(days: -1)).color == .green) // not yet arrived
        #expect(throws: QuarantinePeriod.Problem.early) { try period.checkRelease(on: day13) }
        try period.checkRelease(on: day14)
        #expect(throws: QuarantinePeriod.Problem.notLater) { try period.checkExtension(to: day13, reason: "复查") }
        #expect(throws: QuarantinePeriod.Problem.reason) { try period.checkExtension(to: day14.adding(days: 3), reason: "  ") }
        try period.checkExtension(to: day14.adding(days: 3), reason: "同住人确诊")
        var released = period
        released.released = true
        #expect(!released.isActive(on: day13))
    }

    @Test("Red: a confirmed or suspected case; a close contact within 14 days, not on day 14")
    func red() {
        var facts = Self.reported
        facts.caseStatus = .suspected
        #expect(code(facts).reasons == [.suspectedCase])
        facts.caseStatus = .confirmed
        #expect(code(facts).color == .red)
        facts = Self.reported
        facts.lastCaseContact = Self.today.adding(days: -13)
        #expect(code(facts).reasons == [.closeContact])
        facts.lastCaseContact = Self.today.adding(days: -14)
        #expect(code(facts).color == .green)
    }

    @Test("The gate: allow a green, masked, normal person; deny each reason; leaving is always allowed")
    func gate() {
        let green = code(Self.reported)
        func decide(onRoster: Bool = true, employed: Bool = true, code: HealthCode? = nil, quarantine: Bool = false,
                    temperature: Double? = 36.5, mask: Bool = true, direction: GateDirection = .in,
                    wearing extra: Set<ProtectiveItem> = [], policy: HealthPolicy = Self.policy) -> GateDecision {
            GateDecision.staff(onRoster: onRoster, employed: employed, code: code ?? green, inQuarantine: quarantine,
                               temperature: temperature, wearing: extra.union(mask ? [.mask] : []), direction: direction, policy: policy)
        }
        // Where the district asks for gloves and suits, each missing item is a reason of its own.
        var suited = Self.policy
        suited.protectiveEquipment = [.suit, .gloves]
        #expect(decide(policy: suited).reasons == [.noGloves, .noSuit])
        #expect(decide(mask: false, wearing: [.gloves], policy: suited).reasons == [.noMask, .noSuit])
        #expect(decide(wearing: [.gloves, .suit], policy: suited).allowed)
        #expect(decide(wearing: [.suit]).allowed) // not asked for, not checked
        #expect(decide().allowed)
        #expect(decide(onRoster: false).reasons == [.notOnRoster])
        #expect(decide(employed: false).reasons == [.leftEnterprise])
        #expect(decide(temperature: 37.3).reasons == [.feverNow])
        #expect(decide(temperature: 37.2).allowed)
        #expect(decide(mask: false).reasons == [.noMask])
        #expect(decide(code: code(HealthFacts())).reasons == [.yellowCode])
        var quarantined = Self.reported
        quarantined.quarantines = [QuarantinePeriod(start: Self.today.adding(days: -3), policy: Self.policy)]
        #expect(decide(code: code(quarantined), quarantine: true).reasons == [.inQuarantine, .redCode])
        #expect(decide(temperature: 38.5, mask: false, direction: .out).allowed)
    }

    @Test("Visitors: key areas by province or city, contact, fever, mask, ID when the district asks for it")
    func visitors() {
        func decide(temperature: Double = 36.6, mask: Bool = true, places: [(province: String, city: String)] = [],
                    contact: Bool = false, id: Bool = false, policy: HealthPolicy = Self.policy) -> GateDecision {
            GateDecision.visitor(temperature: temperature, mask: mask, places: places, keyAreaContact: contact, idGiven: id, policy: policy)
        }
        #expect(decide(places: [("吉林省", "长春市"), ("辽宁", "沈阳")]).allowed)
        #expect(decide(places: [("湖北", "武汉市")]).reasons == [.keyAreaTravel])
        #expect(decide(contact: true).reasons == [.keyAreaContact])
        #expect(decide(temperature: 37.5, mask: false).reasons == [.feverNow, .noMask])
        var strict = Self.policy
        strict.visitorIDRequired = true
        #expect(decide(policy: strict).reasons == [.idRequired])
        #expect(decide(id: true, policy: strict).allowed)
        #expect(Self.policy.isOutsideProvince("辽宁省") && !Self.policy.isOutsideProvince("吉林") && !Self.policy.isOutsideProvince(""))
    }

    @Test("Temperatures outside 34.0–43.0 °C are typing errors")
    func temperatures() {
        #expect(Temperature.problem(34.0) == nil && Temperature.problem(43.0) == nil)
        #expect(Temperature.problem(33.9) == "error.temperature" && Temperature.problem(365) == "error.temperature")
        #expect(Temperature.problem(.nan) == "error.temperature")
    }

    @Test("Three fevers in a department within three days is a cluster; spread over four days it is not")
    func cluster() {
        let day = Self.today
        #expect(FeverCluster.isCluster(feverDays: [day, day.adding(days: -1), day.adding(days: -2)], today: day, policy: Self.policy))
        #expect(!FeverCluster.isCluster(feverDays: [day, day.adding(days: -1), day.adding(days: -3)], today: day, policy: Self.policy))
        #expect(!FeverCluster.isCluster(feverDays: [day, day], today: day, policy: Self.policy))
    }

    @Test("Supplies: days remaining and the warning under three days")
    func supplies() {
        #expect(SupplyRules.daysRemaining(stock: 1000, dailyUse: 400) == 2.5)
        #expect(SupplyRules.isLow(stock: 1000, dailyUse: 400, policy: Self.policy))
        #expect(!SupplyRules.isLow(stock: 1200, dailyUse: 400, policy: Self.policy))
        #expect(SupplyRules.daysRemaining(stock: 10, dailyUse: 0) == nil)
    }

    // MARK: Roster CSV

    static let now = Date(timeIntervalSince1970: 1_582_000_000)
    static let header = "姓名,身份证号码,手机号码,工号,部门,班次,户籍省份,户籍城市\r\n"

    @Test("UTF-8 with and without a BOM, and GBK as Excel saves it, read the same rows")
    func encodings() throws {
        let body = Self.header + "张三,11010519491231002X,138 0013 8000,A0001,总装车间,白班,吉林省,长春市\r\n"
            + "\"李,四\",440524188001010014,+86 139-0013-9000,A0002,\"质检\"\"一\"\"组\",夜班,湖北省,武汉市\r\n"
        let gbk = try #require(body.data(using: String.Encoding(rawValue: 0x8000_0632)))
        #expect(String(validating: gbk, as: UTF8.self) == nil) // really not UTF-8
        for data in [Data(body.utf8), Data([0xEF, 0xBB, 0xBF]) + Data(body.utf8), gbk] {
            let parsed = RosterCSV.parse(data, today: Self.now)
            #expect(parsed.errors.isEmpty)
            #expect(parsed.rows.map(\.employee.name) == ["张三", "李,四"])
            #expect(parsed.rows[1].employee.department == "质检\"一\"组" && parsed.rows[1].employee.mobile.value == "13900139000")
            #expect(parsed.rows.map(\.line) == [2, 3])
        }
    }

    @Test("Every bad row is reported with its line and field; duplicates name the first line; English headers work")
    func badRows() {
        let body = "name,idNumber,mobile,employeeNumber\n"
            + "王五,110105194912310021,13800138000,B1\n" // bad check character
            + "\n"
            + ",11010519491231002X,12345,B2\n" // no name, bad mobile
            + "赵六,11010519491231002X,13800138001,B1\n" // employee number of line 2? line 2 failed, so B1 is free
            + "钱七,440524188001010014,13800138002,B1\n" // duplicate of line 5
        let parsed = RosterCSV.parse(Data(body.utf8), today: Self.now)
        #expect(parsed.rows.map(\.line) == [5])
        typealias E = RosterCSV.RowError
        #expect(parsed.errors == [
            E(line: 2, field: "idNumber", messageKey: "error.residentID.check"),
            E(line: 4, field: "mobile", messageKey: "error.mobile.invalid"),
            E(line: 4, field: "name", messageKey: "error.required"),
            E(line: 6, field: "employeeNumber", messageKey: "error.csv.duplicate", arguments: ["5"]),
        ])
    }

    @Test("A file without the required columns, or not text, is refused as a whole")
    func badFiles() {
        #expect(RosterCSV.parse(Data("姓名,工号\n张三,1\n".utf8), today: Self.now).errors.first?.messageKey == "error.csv.header")
        #expect(RosterCSV.parse(Data([0xFF, 0xFE, 0x00, 0x81]), today: Self.now).errors.first?.messageKey == "error.csv.encoding")
        #expect(RosterCSV.template.hasPrefix("\u{FEFF}姓名,身份证号码,手机号码,工号,部门,班次,户籍省份,户籍城市\r\n"))
        #expect(RosterCSV.parse(Data(RosterCSV.template.utf8), today: Self.now).rows.count == 1)
    }
}

@Suite("The district's workforce totals")
struct WorkforceFiguresTests {
    @Test("The total's share is reported over employed across the district, never above 100 %")
    func totals() {
        let big = WorkforceFigures(employees: 900, onSite: 500, reported: 900, fevers: 1, inQuarantine: 3, lowSupplies: false)
        let small = WorkforceFigures(employees: 100, onSite: 40, reported: 0, fevers: 2, inQuarantine: 0, lowSupplies: true)
        let total = WorkforceFigures.total([big, small])
        #expect(total == WorkforceFigures(employees: 1000, onSite: 540, reported: 900, fevers: 3, inQuarantine: 3, lowSupplies: true))
        #expect(total.reportedPercent == 90, "not the mean of 100 % and 0 %")
        #expect(WorkforceFigures(employees: 2, onSite: 0, reported: 3, fevers: 0, inQuarantine: 0, lowSupplies: false).reportedShare == 1)
        #expect(WorkforceFigures.total([]).reportedShare == 0)
    }
}
