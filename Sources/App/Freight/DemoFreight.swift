import Domain
import Fluent
import Foundation

/// The demo district's train: 长满欧 from 长春兴隆铁路口岸, departed four days ago with 42 FEU
/// of electronic products, auto parts and moulds worth 82 million yuan for 26 local exporters
/// (fictional, like the rest of the demo), customs released, crossed at 满洲里; three
/// departures open for booking, the first nearly full with a waitlist, the last waiting for the
/// operator to confirm; the line's fees and the three preferential policies the seed names.
struct DemoFreight {
    let context: DemoDistrict.Context
    var db: any Database { context.db }
    var now: Date { context.now }

    /// Fictional exporters of the line's goods: name, zone, industry, what they ship (HS code).
    static let exporters: [(String, String, String, String, String)] = [
        ("长春恒信汽车部件有限公司", "jingkai", "汽车零部件", "汽车车身零件", "8708299000"),
        ("吉林省瑞通电子有限公司", "jingkai", "电子产品", "车载电子控制单元", "8537109090"),
        ("长春精工模具有限公司", "jingkai", "模具", "汽车冲压模具", "8480410000"),
        ("长春华晟汽车玻璃有限公司", "jingkai", "汽车零部件", "汽车安全玻璃", "7007111000"),
        ("长春北方座椅系统有限公司", "jingkai", "汽车零部件", "汽车座椅骨架", "9401209000"),
        ("长春远航电子科技有限公司", "xinglong", "电子产品", "液晶显示模组", "8524110000"),
        ("长春鼎丰模具制造有限公司", "jingkai", "模具", "注塑模具", "8480719090"),
        ("长春宏达汽车线束有限公司", "jingkai", "汽车零部件", "汽车线束", "8544302000"),
        ("吉林省博远木业有限公司", "xinqu", "木制品", "实木复合地板", "4418750000"),
        ("长春光华电子有限公司", "xinglong", "电子产品", "电源适配器", "8504401400"),
        ("长春一新汽车底盘有限公司", "jingkai", "汽车零部件", "悬架减震器", "8708801000"),
        ("长春金诺机械有限公司", "jingkai", "机械设备", "液压阀门", "8481201000"),
        ("长春润达轴承有限公司", "jingkai", "机械设备", "滚动轴承", "8482102000"),
        ("长春新星电子元件有限公司", "xinglong", "电子产品", "印刷电路板", "8534009000"),
        ("长春佳航汽车内饰有限公司", "jingkai", "汽车零部件", "汽车仪表板总成", "8708299000"),
        ("长春盛达模具技术有限公司", "jingkai", "模具", "压铸模具", "8480490000"),
        ("长春捷安制动系统有限公司", "jingkai", "汽车零部件", "制动盘", "8708309990"),
        ("长春天宇光电有限公司", "xinglong", "电子产品", "LED 照明组件", "9405420000"),
        ("长春卓越服装有限公司", "xinqu", "服装", "防寒服", "6201300000"),
        ("长春中泰汽车空调有限公司", "jingkai", "汽车零部件", "汽车空调压缩机", "8414301900"),
        ("长春银河电机有限公司", "jingkai", "机械设备", "微型电机", "8501109990"),
        ("长春聚力汽车电子有限公司", "jingkai", "电子产品", "车载摄像模组", "8525891900"),
        ("长春东升铸造有限公司", "jingkai", "机械设备", "球墨铸铁件", "7325991000"),
        ("长春锦程塑料制品有限公司", "xinqu", "塑料制品", "汽车塑料件", "8708299000"),
        ("长春凯瑞精密模具有限公司", "jingkai", "模具", "精密冲压模具", "8480410000"),
        ("长春德信汽车照明有限公司", "jingkai", "汽车零部件", "汽车前照灯", "8512201000"),
    ]

    static let consignees = [("Rheinland Autoteile GmbH", "DE", "Industriestraße 12, 47119 Duisburg"),
                             ("Hanse Logistik GmbH", "DE", "Am Sandtorkai 40, 20457 Hamburg"),
                             ("Frankenwerk Elektronik GmbH", "DE", "Südwestpark 80, 90449 Nürnberg"),
                             ("Polmet Sp. z o.o.", "PL", "ul. Przemysłowa 7, 21-540 Małaszewicze")]

    func load() async throws {
        try await FreightTariff.standard(now: now).create(on: db)
        let today = CivilDate(now)
        for (name, item, kind, amount) in [("中欧班列运价优惠", FeeItem.freight, "percent", 10),
                                           ("报关代理费优惠", .brokerage, "percent", 50),
                                           ("吊装费与搬移费优惠", .lifting, "fixed", 20_000),
                                           ("吊装费与搬移费优惠", .moving, "fixed", 20_000)] {
            let policy = FreightPolicy()
            policy.name = name; policy.item = item; policy.discountKind = kind; policy.amount = amount
            policy.validFrom = today.adding(days: -30).iso; policy.validTo = today.adding(days: 90).iso
            policy.scopeKind = "all"; policy.active = true; policy.createdAt = now
            try await policy.create(on: db)
        }
        let exporters = try await makeExporters()
        try await departedTrain(exporters)
        try await nearlyFull(exporters)
        try await openTrain(exporters, number: "X9007", in: 10, capacityFeu: 50, autoConfirm: true, bookings: 6)
        try await openTrain(exporters, number: "X9009", in: 17, capacityFeu: 45, autoConfirm: false, bookings: 2)
    }

    private func makeExporters() async throws -> [Enterprise] {
        var made: [Enterprise] = []
        for (index, exporter) in Self.exporters.enumerated() {
            let enterprise = Enterprise()
            enterprise.name = exporter.0
            enterprise.creditCode = Self.creditCode(index)
            enterprise.legalRepresentative = "法人\(index + 1)"
            enterprise.contactName = "联系人\(index + 1)"
            enterprise.contactPhone = "1390431\(String(format: "%04d", 2000 + index))"
            enterprise.address = "长春\(exporter.1 == "xinglong" ? "兴隆综保区" : exporter.1 == "xinqu" ? "新区" : "经开区")出口加工路 \(100 + index) 号"
            enterprise.zone = exporter.1
            enterprise.industry = exporter.2
            enterprise.aboveDesignatedSize = index % 3 != 2
            enterprise.staffCount = 80 + index * 37 % 600
            enterprise.status = .verified
            enterprise.reviewedAt = now.addingTimeInterval(-30 * 86_400)
            try await enterprise.create(on: db)
            made.append(enterprise)
        }
        return made
    }

    /// A valid 统一社会信用代码 for the index-th exporter: its check character found by trying each.
    static func creditCode(_ index: Int) -> String {
        let body = "912201" + String(format: "%02d", 1 + index % 7) + "MA1" + String(format: "%06d", 7300 + index * 13)
        for character in CreditCode.alphabet {
            if let code = try? CreditCode(body + String(character)) { return code.value }
        }
        return body + "0"
    }

    /// A valid ISO 6346 number: an owner's prefix, a serial, its check digit.
    static func containerNumber(_ serial: Int) -> String {
        let owners = ["TGHU", "CSQU", "TCNU", "MSKU", "CAIU"]
        let first = owners[serial % owners.count] + String(format: "%06d", (serial * 7919) % 1_000_000)
        return first + String(ContainerNumber.checkDigit(first)!)
    }

    private func departure(_ number: String, departs: Date, capacityFeu: Int, autoConfirm: Bool, destination: String = "DEDUI") -> TrainDeparture {
        let departure = TrainDeparture()
        departure.trainNumber = number
        departure.direction = .outbound
        departure.origin = "CNCCX"
        departure.destination = destination
        departure.departsAt = departs
        departure.bookingCutoffAt = departs.addingTimeInterval(-2 * 86_400)
        departure.customsCutoffAt = departs.addingTimeInterval(-30 * 3600)
        departure.gateInCutoffAt = departs.addingTimeInterval(-24 * 3600)
        departure.capacityHalves = capacityFeu * 2
        departure.bookedHalves = 0
        departure.waitlistHalves = 0
        departure.autoConfirm = autoConfirm
        departure.storedState = .open
        departure.bookingSequence = 0
        departure.createdAt = departs.addingTimeInterval(-20 * 86_400)
        return departure
    }

    /// Ten in the morning, China Standard Time, `days` from today.
    private func morning(_ days: Int) -> Date {
        CivilDate(now).adding(days: days).start.addingTimeInterval(10 * 3600)
    }

    @discardableResult
    private func book(_ departure: TrainDeparture, _ enterprise: Enterprise, feu: Int, valueFen: Int, state: BookingState,
                      at: Date, serial: inout Int) async throws -> ContainerBooking {
        let exporter = Self.exporters.first { $0.0 == enterprise.name } ?? ("", "", "", "消毒液", "3808940090")
        let consignee = Self.consignees[serial % Self.consignees.count]
        departure.bookingSequence += 1
        let booking = ContainerBooking()
        booking.number = FreightService.bookingNumber(departure, sequence: departure.bookingSequence)
        booking.$departure.id = try departure.requireID()
        booking.$enterprise.id = try enterprise.requireID()
        booking.requestedBy = try enterprise.requireID()
        booking.sequence = departure.bookingSequence
        booking.state = state
        booking.containers = [ContainerLine(type: feu % 2 == 0 ? .hc40 : .gp40, count: feu)]
        booking.halves = feu * 2
        let weight = feu * 18_000
        booking.commodities = [Commodity(description: exporter.3, hsCode: exporter.4, packages: feu * 40, grossWeightKg: weight, valueFen: valueFen)]
        booking.valueFen = valueFen
        booking.grossWeightKg = weight
        booking.consigneeName = consignee.0; booking.consigneeCountry = consignee.1; booking.consigneeAddress = consignee.2
        booking.destination = departure.destination
        booking.customsBrokerage = serial % 3 == 0
        booking.quote = try await FreightService.quote(booking.requests, brokerage: booking.customsBrokerage, for: enterprise,
                                                       on: CivilDate(at), db: db)
        booking.totalFen = booking.quote.totalFen
        booking.quoteFrozenAt = state.holdsCapacity ? at : nil
        booking.customsStatus = .none
        booking.createdAt = at
        booking.updatedAt = at
        if state.holdsCapacity { departure.bookedHalves += booking.halves }
        if state == .waitlisted { departure.waitlistHalves += booking.halves }
        try await booking.create(on: db)
        try await event(booking, .requested, at: at, detail: "\(feu) FEU")
        if state == .waitlisted { try await event(booking, .waitlisted, at: at) }
        if state.holdsCapacity { try await event(booking, .confirmed, at: at) }
        serial += 1
        return booking
    }

    private func event(_ booking: ContainerBooking, _ step: FreightStep, at: Date, detail: String? = nil) async throws {
        let event = FreightEvent()
        event.departureID = booking.$departure.id
        event.bookingID = booking.id
        event.kind = step.rawValue
        event.at = at
        event.detail = detail
        event.actorName = [.released, .inspection].contains(step) ? "兴隆海关 关员 郑毅" : nil
        try await event.create(on: db)
    }

    private func milestone(_ departure: TrainDeparture, _ kind: DepartureEventKind, _ place: String, at: Date) async throws {
        let event = FreightEvent()
        event.departureID = try departure.requireID()
        event.kind = kind.rawValue
        event.place = place
        event.at = at
        event.actorName = "陆港运营 吴昊"
        try await event.create(on: db)
    }

    /// The seed's train: 42 FEU, 82 million yuan, 26 shippers; released, loaded, departed, crossed.
    private func departedTrain(_ exporters: [Enterprise]) async throws {
        // Four days ago; or, when that was last month, early this month, so that the month's
        // figures (the dashboard's) carry the seed's train.
        let monthStart = CivilDate(year: CivilDate(now).year, month: CivilDate(now).month, day: 1)!.start
        var departs = morning(-4)
        if departs < monthStart, now.timeIntervalSince(monthStart) > 6 * 3600 { departs = monthStart.addingTimeInterval(3 * 3600) }
        let train = departure("X9001", departs: departs, capacityFeu: 45, autoConfirm: true)
        try await train.create(on: db)
        // 16 shippers with 2 FEU and 10 with 1: 42 FEU; values in proportion, adding up to 82,000,000.00 yuan.
        let feus = exporters.indices.map { $0 < 16 ? 2 : 1 }
        let total = 8_200_000_000
        let weights = exporters.indices.map { feus[$0] * (90 + ($0 * 37) % 40) }
        let weightSum = weights.reduce(0, +)
        var values = weights.map { total / weightSum * $0 / 100 * 100 }
        values[0] += total - values.reduce(0, +)
        var serial = 0
        for (index, exporter) in exporters.enumerated() {
            let booked = departs.addingTimeInterval(Double(-12 * 86_400 + index * 3600))
            let booking = try await book(train, exporter, feu: feus[index], valueFen: values[index], state: .departed, at: booked, serial: &serial)
            var numbers: [String] = []
            for _ in 0..<feus[index] {
                let container = FreightContainer()
                container.bookingID = try booking.requireID()
                container.departureID = try train.requireID()
                container.number = Self.containerNumber(serial * 10 + numbers.count)
                container.type = booking.containers[0].type
                container.sealNumber = "CN\(String(format: "%07d", 4_200_000 + serial * 10 + numbers.count))"
                container.grossWeightKg = 18_000 + (serial * 131) % 6000
                container.gatedInAt = departs.addingTimeInterval(-40 * 3600)
                try await container.create(on: db)
                numbers.append(container.number)
            }
            booking.customsStatus = .released
            booking.declarationNumber = "1509" + String(format: "%014d", 20_200_000_000 + index)
            try await booking.save(on: db)
            try await event(booking, .containers, at: departs.addingTimeInterval(-3 * 86_400), detail: numbers.joined(separator: " "))
            try await event(booking, .declared, at: departs.addingTimeInterval(-50 * 3600), detail: booking.declarationNumber)
            try await event(booking, .gateIn, at: departs.addingTimeInterval(-40 * 3600), detail: numbers.joined(separator: " "))
            try await event(booking, .released, at: departs.addingTimeInterval(-32 * 3600))
            try await event(booking, .loaded, at: departs.addingTimeInterval(-6 * 3600))
        }
        train.storedState = .departed
        train.eta = departs.addingTimeInterval(14 * 86_400)
        try await train.save(on: db)
        // The milestones that have happened by now.
        let milestones: [(DepartureEventKind, String, TimeInterval)] = [
            (.loading, "长春兴隆铁路口岸", -8 * 3600), (.departed, "长春兴隆铁路口岸", 0),
            (.border, "满洲里（换装）", 2 * 86_400 + 5 * 3600), (.transit, "后贝加尔斯克", 2 * 86_400 + 14 * 3600),
        ]
        for (kind, place, offset) in milestones where departs.addingTimeInterval(offset) < now {
            try await milestone(train, kind, place, at: departs.addingTimeInterval(offset))
        }
    }

    /// Three days out, 44 of 45 FEU confirmed, two shippers waiting; the demo company among the confirmed.
    private func nearlyFull(_ exporters: [Enterprise]) async throws {
        let train = departure("X9005", departs: morning(3), capacityFeu: 45, autoConfirm: true)
        try await train.create(on: db)
        var serial = 100
        let company = try await Enterprise.find(context.enterprises[0], on: db)!
        try await book(train, company, feu: 1, valueFen: 48_000_000, state: .confirmed, at: now.addingTimeInterval(-5 * 86_400), serial: &serial)
        for index in 0..<21 {
            let booked = now.addingTimeInterval(Double(-4 * 86_400 + index * 1800))
            let booking = try await book(train, exporters[index], feu: 2, valueFen: 300_000_000 + index * 7_000_000,
                                         state: .confirmed, at: booked, serial: &serial)
            // The first few have declared: customs' queue; one is under inspection.
            guard index < 6 else { continue }
            booking.customsStatus = index == 5 ? .inspection : .declared
            booking.declarationNumber = "1509" + String(format: "%014d", 20_201_200_000 + index)
            try await booking.save(on: db)
            try await event(booking, .declared, at: booked.addingTimeInterval(86_400), detail: booking.declarationNumber)
            if index == 5 { try await event(booking, .inspection, at: booked.addingTimeInterval(90_000)) }
        }
        try await book(train, exporters[21], feu: 1, valueFen: 150_000_000, state: .confirmed, at: now.addingTimeInterval(-2 * 86_400), serial: &serial)
        try await book(train, exporters[22], feu: 2, valueFen: 260_000_000, state: .waitlisted, at: now.addingTimeInterval(-86_400), serial: &serial)
        try await book(train, exporters[23], feu: 1, valueFen: 120_000_000, state: .waitlisted, at: now.addingTimeInterval(-3600), serial: &serial)
        try await train.save(on: db)
    }

    private func openTrain(_ exporters: [Enterprise], number: String, in days: Int, capacityFeu: Int, autoConfirm: Bool,
                           bookings: Int) async throws {
        let train = departure(number, departs: morning(days), capacityFeu: capacityFeu, autoConfirm: autoConfirm,
                              destination: days > 12 ? "DEHAM" : "DENUE")
        try await train.create(on: db)
        var serial = 200 + days * 10
        for index in 0..<bookings {
            try await book(train, exporters[(index * 5 + days) % exporters.count], feu: 1 + index % 2, valueFen: 180_000_000 + index * 9_000_000,
                           state: autoConfirm ? .confirmed : .requested, at: now.addingTimeInterval(Double(-36 * 3600 + index * 3600)), serial: &serial)
        }
        try await train.save(on: db)
    }
}
