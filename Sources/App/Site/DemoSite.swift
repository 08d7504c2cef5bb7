import Domain
import Fluent
import Foundation

/// The demo district's sites: the disinfectant maker's areas with today's disinfections (the
/// dormitory overdue), a checkpoint at its filling workshop, its staff on site, at home and on
/// leave, and two weeks of output of disinfectant (5,000-odd bottles a day, as the seed
/// reports), protective suits and vegetables.
struct DemoSite {
    let context: DemoDistrict.Context

    func load() async throws {
        let db = context.db, now = context.now
        let today = CivilDate(now)
        let maker = context.enterprises[0], suits = context.enterprises[1], vegetables = context.enterprises[3]
        let plan: [(String, AreaKind, Int, [Double])] = [
            // name, kind, times a day, hours ago of today's disinfections
            ("灌装车间", .workshop, 3, [1, 5]),
            ("配液车间", .workshop, 3, [1.5, 5.5]),
            ("职工食堂", .canteen, 2, [3]),
            ("员工宿舍", .dormitory, 1, []),
            ("东门门岗", .gate, 4, [0.5, 3.5]),
            ("厂区车辆", .vehicles, 2, [6]),
        ]
        for (name, kind, times, hours) in plan {
            let area = SiteArea()
            area.$enterprise.id = maker
            area.name = name
            area.kind = kind
            area.timesPerDay = times
            area.createdAt = now.addingTimeInterval(-20 * 86_400)
            try await area.create(on: db)
            // Yesterday evening's round, then today's.
            for hoursAgo in (kind == .dormitory ? [30.0] : [14.0]) + hours where now.addingTimeInterval(-hoursAgo * 3600) > area.createdAt {
                let record = Disinfection()
                record.enterpriseID = maker
                record.$area.id = try area.requireID()
                record.at = now.addingTimeInterval(-hoursAgo * 3600)
                record.agent = kind == .vehicles || kind == .gate ? "75%酒精" : "84消毒液"
                record.concentration = kind == .vehicles || kind == .gate ? 75 : 500
                record.unit = kind == .vehicles || kind == .gate ? .percent : .milligramsPerLitre
                record.recordedBy = "李红"
                try await record.create(on: db)
            }
        }

        // A checkpoint at the filling workshop's entrance, where the guard took temperatures again this morning.
        let checkpoint = Checkpoint()
        checkpoint.enterpriseID = maker
        checkpoint.name = "灌装车间入口"
        checkpoint.createdAt = now.addingTimeInterval(-10 * 86_400)
        try await checkpoint.create(on: db)
        let guardID = try await User.query(on: db).filter(\.$username == "guard").first()?.requireID() ?? UUID()
        let workers = try await Employee.query(on: db).filter(\.$enterprise.$id == maker).filter(\.$department == "灌装车间").limit(5).all()
        for (index, worker) in workers.enumerated() {
            try await HotStatement("""
                INSERT INTO checkpoint_passages (id, enterprise_id, checkpoint_id, employee_id, typed, temperature, allowed, reasons, guard_id, at) \
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [UUID(), maker, try checkpoint.requireID(), try worker.requireID(), worker.employeeNumber, 36.3 + Double(index) / 10, true, "",
                      guardID, now.addingTimeInterval(-Double(3 - index % 3) * 3600)]).run(on: db)
        }

        // Who works where today: most on site, the office at home, two on leave.
        let staff = try await Employee.query(on: db).filter(\.$enterprise.$id == maker).filter(\.$status == .employed).sort(\.$employeeNumber).all()
        for (index, person) in staff.enumerated() {
            let row = WorkDay()
            row.enterpriseID = maker
            row.employeeID = try person.requireID()
            row.day = today.iso
            row.arrangement = person.department == "行政部" ? .remote : index % 17 == 5 ? .leave : .onSite
            try await row.create(on: db)
        }

        // Two weeks of output.
        for offset in 0..<14 {
            let day = today.adding(days: -offset).iso
            for (enterprise, product, base, step, due) in [(maker, "disinfectant", 5_000, 37, 18_000), (suits, "protectiveSuits", 1_000, 11, 6_000),
                                                           (vegetables, "vegetables", 20, 1, 0)] {
                // Today's is not in yet for the vegetables: they report in the evening.
                if offset == 0, product == "vegetables" { continue }
                let report = OutputReport()
                report.enterpriseID = enterprise
                report.day = day
                report.product = product
                report.quantity = base + (offset * step) % (base / 10 + 1)
                report.ordersDue = due == 0 ? nil : max(0, due - offset * 500)
                report.reportedAt = now.addingTimeInterval(-Double(offset) * 86_400)
                report.reportedBy = "李红"
                try await report.create(on: db)
            }
        }
    }
}
