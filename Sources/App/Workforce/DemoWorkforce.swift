import Domain
import Fluent
import Foundation
import SQLKit

/// The demo district's workforce: rosters for three enterprises (the disinfectant maker's is
/// the demo accounts' own), a week of health reports, today's gate log and visitors, a
/// returnee in quarantine, a worker back from a key area, fevers in one workshop, and masks
/// running low.
struct DemoWorkforce {
    let db: any Database
    let now: Date
    let enterprises: [UUID]
    let vault: PersonalData
    let policy = HealthPolicy()

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    static let givenNames = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "丽"]
    static let departments = ["灌装车间", "配液车间", "包装车间", "质检部", "仓储物流部", "行政部"]

    /// A valid resident ID number for the demo (Changchun prefix, a birth date, a serial).
    static func residentID(serial: Int, year: Int, month: Int, day: Int) -> String {
        ResidentID.completing(String(format: "220102%04d%02d%02d%03d", year, month, day, serial % 1000))
    }

    /// A time of today's working day (7:00 reports, 7:30 the gate, 12:00 lunch…), pressed into
    /// the hours already past when the demo starts early in the morning, so that nothing of today
    /// happens in the future.
    func clock(_ hours: Double) -> Date {
        let start = CivilDate(now).start
        let scale = min(1, max(0, now.timeIntervalSince(start) - 60) / (12.5 * 3600))
        return start.addingTimeInterval(hours * 3600 * scale)
    }

    func load() async throws {
        let today = CivilDate(now)
        let admin = try await User.query(on: db).filter(\.$username == "company").first()
        let guardUser = try await User.query(on: db).filter(\.$username == "guard").first()
        let employeeUser = try await User.query(on: db).filter(\.$username == "employee").first()
        let recorder = admin?.id ?? UUID()
        for (index, enterpriseID) in enterprises.prefix(3).enumerated() {
            let size = [40, 24, 16][index]
            var people: [Employee] = []
            for n in 0..<size {
                let id = DemoWorkforce.residentID(serial: index * 100 + n + 1, year: 1970 + (n * 7) % 32, month: 1 + n % 12, day: 1 + n % 27)
                // Names repeat across the district, never within one enterprise: a gate log must not seem to let a fevered person in.
                let name = index == 0 && n == 0 ? "孙磊" : "\(Self.surnames[(n + index * 3) % Self.surnames.count])\(Self.givenNames[(n * 3 + index + n / 20 * 7) % Self.givenNames.count])"
                let checked = try RosterRules.check(EmployeeDraft(
                    name: name, idNumber: id, mobile: String(format: "139043%05d", index * 1000 + n), employeeNumber: String(format: "%@%03d", ["JA", "FH", "QC"][index], n + 1),
                    department: Self.departments[n % Self.departments.count], shift: n % 3 == 0 ? "夜班" : "白班",
                    homeProvince: n == 7 ? "辽宁省" : (n == 11 ? "湖北省" : "吉林省"), homeCity: n == 7 ? "大连市" : (n == 11 ? "孝感市" : "长春市")), today: now)
                let employee = try Roster.make(checked, enterpriseID: enterpriseID, vault: vault, at: now.addingTimeInterval(-20 * 86_400))
                try await employee.create(on: db)
                people.append(employee)
            }
            if index == 0, let employeeUser {
                employeeUser.employeeID = people[0].id
                try await employeeUser.save(on: db)
            }

            // Travel screening: most stayed; one came back from Dalian five days ago (quarantine);
            // one from Hubei a fortnight ago with its quarantine over; the last few not screened.
            for (n, person) in people.enumerated() where n < size - 3 {
                let record = TravelRecord()
                record.$employee.id = person.id!
                record.enterpriseID = enterpriseID
                record.leftCity = n == 7 || n == 11
                let places = n == 7 ? [Gate.PlaceDTO(province: "辽宁省", city: "大连市")] : n == 11 ? [Gate.PlaceDTO(province: "湖北省", city: "孝感市")] : []
                record.places = String(decoding: try JSONEncoder().encode(places), as: UTF8.self)
                record.returnDate = n == 7 ? today.adding(days: -5).iso : n == 11 ? today.adding(days: -16).iso : nil
                record.transport = n == 7 ? Transport.train.rawValue : n == 11 ? Transport.car.rawValue : nil
                record.transportNumber = n == 7 ? "D28" : ""
                record.contactWithCases = false
                record.symptomsLast14Days = false
                record.outsideProvince = !places.isEmpty
                record.keyArea = n == 11
                record.recordedBy = recorder
                record.createdAt = now.addingTimeInterval(-12 * 86_400)
                try await record.create(on: db)
                if let returned = record.returnDate.flatMap(CivilDate.init(iso:)) {
                    let period = QuarantinePeriod(start: returned, policy: policy)
                    let quarantine = Quarantine()
                    quarantine.$employee.id = person.id!
                    quarantine.enterpriseID = enterpriseID
                    quarantine.cause = .returnee
                    quarantine.place = .home
                    quarantine.startDate = period.start.iso
                    quarantine.plannedEnd = period.plannedEnd.iso
                    quarantine.createdAt = record.createdAt
                    if n == 11 { quarantine.releasedAt = period.plannedEnd.start.addingTimeInterval(9 * 3600); quarantine.releasedBy = recorder }
                    try await quarantine.create(on: db)
                }
            }

            // A week of reports: nearly everyone, every day; today a few have not reported yet.
            var rows: [HotStatement] = []
            for offset in (0..<7).reversed() {
                let day = today.adding(days: -offset)
                for (n, person) in people.enumerated() {
                    if offset == 0 && n % 9 == 4 { continue }
                    if (n + offset) % 13 == 5 { continue }
                    let fever = index == 0 && offset <= 1 && (n == 2 || n == 8 || n == 14)
                    let temperature = fever ? 37.6 + Double(n % 3) * 0.2 : 36.2 + Double((n * 7 + offset) % 8) / 10
                    rows.append(WorkforceStore.reportUpsert(enterpriseID: enterpriseID, day: day.iso, employeeID: person.id!, temperature: temperature,
                                                            symptoms: fever ? "cough,fever" : "", contactWithCases: false, city: "长春市", note: "",
                                                            reportedBy: recorder, at: offset == 0 ? clock(7 + Double(n) / 60) : day.start.addingTimeInterval(7 * 3600 + Double(n * 60))))
                }
            }
            for row in rows { try await row.run(on: db) }
            for person in people {
                person.lastTemperature = 36.5
                person.lastTemperatureAt = clock(7)
                try await person.save(on: db)
            }

            // Three fevers in 包装车间 within two days (people 2, 8 and 14): the last one completed a cluster.
            if index == 0 {
                for (order, n) in [2, 8, 14].enumerated() {
                    let alert = FeverAlert()
                    alert.enterpriseID = enterpriseID
                    alert.employeeID = people[n].id!
                    alert.department = people[n].department
                    alert.temperature = 37.6 + Double(n % 3) * 0.2
                    alert.source = order == 0 ? .gate : .report
                    alert.day = today.adding(days: order == 0 ? -1 : 0).iso
                    alert.cluster = order == 2
                    alert.createdAt = order == 0 ? today.adding(days: -1).start.addingTimeInterval(7.5 * 3600) : clock(7.5 + Double(order) / 6)
                    try await alert.create(on: db)
                    people[n].lastTemperature = alert.temperature
                    people[n].lastTemperatureAt = alert.createdAt
                    try await people[n].save(on: db)
                }
            }

            // Today's gate: the people who reported came in this morning; a few left at noon.
            let guardID = guardUser?.id ?? recorder
            var passages: [HotStatement] = []
            for (n, person) in people.enumerated() where n % 9 != 4 {
                let refused = n == 7 || (index == 0 && [2, 8, 14].contains(n))
                let reasons = n == 7 ? "inQuarantine,redCode" : refused ? "yellowCode,feverNow" : ""
                passages.append(WorkforceStore.gateCheckIn(enterpriseID: enterpriseID, employeeID: person.id!, typed: person.employeeNumber, direction: .in,
                                                           temperature: refused && n != 7 ? 37.8 : 36.5, mask: true, allowed: !refused, reasons: reasons,
                                                           guardID: guardID, at: clock(7.5 + Double(n * 45) / 3600)))
                if n % 10 == 3 && !refused {
                    passages.append(WorkforceStore.gateCheckIn(enterpriseID: enterpriseID, employeeID: person.id!, typed: person.employeeNumber,
                                                               direction: .out, temperature: 36.4, mask: true, allowed: true, reasons: "", guardID: guardID,
                                                               at: clock(12 + Double(n * 30) / 3600)))
                }
            }
            for passage in passages { try await passage.run(on: db) }

            // Supplies: masks for two days at the disinfectant maker (a warning), enough elsewhere.
            for (item, stock) in [(SupplyItem.masks, index == 0 ? 150.0 : 600), (.disinfectant, 40), (.thermometers, 6), (.gloves, 300), (.suits, 20)] {
                let supply = Supply()
                supply.enterpriseID = enterpriseID
                supply.item = item
                supply.stock = stock
                supply.updatedAt = now
                try await supply.create(on: db)
            }
        }

        // Visitors at the disinfectant maker: a supplier let in and out, a driver from Hubei refused.
        guard let first = enterprises.first else { return }
        for (name, organisation, purpose, province, city, allowed, out) in [
            ("周建国", "沈阳某包装材料厂", "送包装瓶", "辽宁省", "沈阳市", true, true),
            ("吴海", "武汉某物流公司", "提货", "湖北省", "武汉市", false, false),
        ] {
            let visitor = Visitor()
            visitor.enterpriseID = first
            visitor.name = name
            visitor.mobile = "13512340001"
            visitor.organisation = organisation
            visitor.purpose = purpose
            visitor.places = String(decoding: try JSONEncoder().encode([Gate.PlaceDTO(province: province, city: city)]), as: UTF8.self)
            visitor.keyAreaContact = false
            visitor.temperature = 36.4
            visitor.mask = true
            visitor.allowed = allowed
            visitor.reasons = allowed ? "" : GateReason.keyAreaTravel.rawValue
            visitor.guardID = guardUser?.id ?? UUID()
            visitor.checkedInAt = clock(9)
            visitor.checkedOutAt = out ? clock(10) : nil
            try await visitor.create(on: db)
        }
    }
}
