import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `fugong bench-dashboard`: a district at the issue's scale for `bench/dashboard.sh` — 20,000
/// enterprises over the three zones and 20 industries, 60,000 resumption applications in every
/// state with their history, 1,000 officers and 1,000,000 dispatch contacts over 60 days,
/// 300,000 employees and today's 600,000 gate passages, 200,000 tickets — then the last 30
/// days counted and kept, as a running district would have them. Writes the tokens the load
/// uses: `bench-employees.txt` (token per line) and `bench-guards.txt` (token and how many
/// employee numbers); the leader signs in with `leaderPassword`. An empty database only, as the demo.
struct DashboardBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "enterprises", help: "How many enterprises (default 20000)")
        var enterprises: Int?
    }

    var help: String { "Fills a district at scale for the dashboard benchmark." }

    static let leaderPassword = "Bench@2020"


    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard try await User.query(on: app.db).count() == 0, let sql = app.db as? any SQLDatabase else {
            context.console.error("This database holds accounts; benchmark data goes into an empty database only.")
            return
        }
        let enterprises = signature.enterprises ?? 20_000
        let scale = Double(enterprises) / 20_000
        let now = app.clock.now, today = CivilDate(now)
        let started = Date()
        func say(_ text: String) { context.console.print(String(format: "[%5.1f s] ", Date().timeIntervalSince(started)) + text) }
        let hash = try await app.password.async.hash(Secret.random())
        let zones = ["jingkai", "xinqu", "xinglong"]
        let industries = ["汽车零部件", "电子产品", "模具", "机械设备", "医疗器械", "消毒用品", "防护用品", "食品加工", "乳制品", "蔬菜种植",
                          "物流运输", "冷链物流", "商业零售", "餐饮", "建筑施工", "软件信息", "纺织服装", "化工", "包装材料", "能源"]
        func insert(_ table: String, _ columns: [String], _ rows: [[any Encodable & Sendable]], batch: Int = 400) async throws {
            for start in stride(from: 0, to: rows.count, by: batch) {
                let slice = rows[start..<min(rows.count, start + batch)].map { $0.map { SQLBind($0) as any SQLExpression } }
                try await sql.insert(into: table).columns(columns).rows(slice).run()
            }
        }

        // The registry.
        var ids: [UUID] = []
        var rows: [[any Encodable & Sendable]] = []
        for index in 0..<enterprises {
            let id = UUID()
            ids.append(id)
            rows.append([id, "基准企业\(index)", String(format: "DASH%014d", index), "张三", "李四", "13800000000", "长春市 \(index) 号",
                         zones[index % 3], industries[index % industries.count], index % 4 == 0, 50 + index % 900,
                         index % 25 == 0 ? EnterpriseStatus.pending.rawValue : EnterpriseStatus.verified.rawValue,
                         now.addingTimeInterval(-90 * 86_400), now, now.addingTimeInterval(-80 * 86_400)])
        }
        try await insert(Enterprise.schema, ["id", "name", "credit_code", "legal_representative", "contact_name", "contact_phone", "address",
                                             "zone", "industry", "above_designated_size", "staff_count", "status", "created_at", "updated_at",
                                             "reviewed_at"], rows)
        say("\(enterprises) enterprises")

        // Accounts: a reviewer, a leader, officers, a department, a guard per enterprise for the load.
        func account(_ username: String, _ role: Role, zone: String? = nil, enterprise: UUID? = nil, employee: UUID? = nil) -> ([any Encodable & Sendable], UUID) {
            let id = UUID()
            return ([id, username, hash, role.rawValue, username, zone, enterprise, employee, now, now], id)
        }
        let accountColumns = ["id", "username", "password_hash", "role", "display_name", "zone", "enterprise_id", "employee_id", "created_at", "updated_at"]
        var accounts: [[any Encodable & Sendable]] = []
        let (reviewerRow, reviewer) = account("reviewer", .reviewer)
        let (leaderAccount, leader) = account("leader", .leader)
        var leaderRow = leaderAccount
        // The leader signs in for the load (`bench/dashboard.sh`): its password is the benchmark's.
        leaderRow[2] = try await app.password.async.hash(Self.leaderPassword)
        accounts += [reviewerRow, leaderRow]
        var officers: [[UUID]] = [[], [], []]
        for index in 0..<Int(1_000 * scale) {
            let (row, id) = account(String(format: "officer%04d", index), .officer, zone: zones[index % 3])
            accounts.append(row)
            officers[index % 3].append(id)
        }
        try await insert(User.schema, accountColumns, accounts)
        let department = Department(name: "工信局", nameEn: "Industry Bureau")
        try await department.create(on: app.db)
        say("\(accounts.count) accounts")

        // Applications in every state, each with the steps that led there.
        let paths: [[(String, ResumptionState)]] = [
            [("create", .draft)],
            [("create", .draft), ("submit", .submitted)],
            [("create", .draft), ("submit", .submitted), ("returnForChanges", .returned)],
            [("create", .draft), ("submit", .submitted), ("pass", .passed)],
            [("create", .draft), ("submit", .submitted), ("pass", .passed), ("approve", .approved)],
            [("create", .draft), ("submit", .submitted), ("refuse", .refused)],
            [("create", .draft), ("submit", .filed)],
            [("create", .draft), ("submit", .submitted), ("pass", .passed), ("approve", .approved), ("confirmResumed", .resumed)],
            [("create", .draft), ("submit", .filed), ("confirmResumed", .resumed)],
            [("create", .draft), ("submit", .filed), ("suspend", .suspended)],
        ]
        var applications: [[any Encodable & Sendable]] = [], events: [[any Encodable & Sendable]] = []
        let categories = ResumptionCategory.allCases
        for index in 0..<Int(60_000 * scale) {
            let id = UUID(), enterprise = ids[(index * 7) % ids.count]
            let path = paths[index % paths.count]
            let start = now.addingTimeInterval(-Double(1 + index % 40) * 86_400 + Double(index % 3600))
            let submitted: Date? = path.count > 1 ? start.addingTimeInterval(3600) : nil
            applications.append([id, enterprise, categories[index % 4].rawValue, today.adding(days: -(index % 30)).iso, "基准产品", 200, 60 + index % 100,
                                 2, 0, 0, ["temperaturePoints", "masksForAll"], 10, 10, 10, path.last!.1.rawValue, "approval",
                                 start.addingTimeInterval(Double(path.count) * 3600), submitted, start, start])
            var from: ResumptionState?
            for (step, (action, state)) in path.enumerated() {
                events.append([UUID(), id, start.addingTimeInterval(Double(step) * 3600), reviewer, "审核员", Role.reviewer.rawValue, action,
                               from?.rawValue, state.rawValue, nil as String?, "[]"])
                from = state
            }
        }
        try await insert(ResumptionApplication.schema, ["id", "enterprise_id", "category", "planned_date", "products", "headcount_total",
                                                        "headcount_on_site", "headcount_out_of_province", "headcount_key_areas", "headcount_isolated",
                                                        "checklist", "mask_days", "disinfectant_days", "thermometer_days", "state", "mode",
                                                        "state_changed_at", "submitted_at", "created_at", "updated_at"], applications, batch: 200)
        try await insert(ResumptionEvent.schema, ["id", "application_id", "at", "actor_id", "actor_name", "actor_role", "action", "from_state",
                                                  "to_state", "comment", "changes"], events)
        say("\(applications.count) applications, \(events.count) steps")

        // A million contacts over sixty days, each by an officer of the enterprise's zone.
        let contacts = Int(1_000_000 * scale)
        for chunk in stride(from: 0, to: contacts, by: 50_000) {
            var batch: [[any Encodable & Sendable]] = []
            for index in chunk..<min(contacts, chunk + 50_000) {
                let enterprise = (index * 13) % ids.count
                let pool = officers[enterprise % 3]
                let at = now.addingTimeInterval(-Double(index % 60) * 86_400 - Double((index * 37) % 36_000) - 60)
                batch.append([UUID(), pool[index % pool.count], ids[enterprise], "phone", at, CivilDate(at).iso, "调度", "intendsToResume", at])
            }
            try await insert(DispatchContact.schema, ["id", "officer_id", "enterprise_id", "channel", "contacted_at", "day", "summary", "outcome",
                                                      "created_at"], batch)
        }
        say("\(contacts) dispatch contacts")

        // 300,000 employees (15 in each enterprise) and today's passages: in and out for each.
        let vault = app.personalData
        let sealed = try vault.seal("11010519491231002X")
        let perEnterprise = max(1, Int(300_000 * scale) / enterprises)
        var guards: [String] = [], employeeTokens: [String] = []
        var tokenRows: [[any Encodable & Sendable]] = [], guardAccounts: [[any Encodable & Sendable]] = []
        for chunk in stride(from: 0, to: enterprises, by: 1_000) {
            var people: [[any Encodable & Sendable]] = [], passages: [[any Encodable & Sendable]] = []
            for index in chunk..<min(enterprises, chunk + 1_000) {
                let (guardRow, guardID) = account("guard\(index)", .gateGuard, enterprise: ids[index])
                for person in 0..<perEnterprise {
                    let id = UUID(), serial = index * perEnterprise + person
                    people.append([id, ids[index], "员工\(serial)", sealed, vault.hash("bench-\(serial)"), "110105********002X",
                                   String(format: "139%08d", serial), String(format: "E%06d", person + 1), "一车间", "白班", "吉林省", "长春市",
                                   EmploymentStatus.employed.rawValue, CaseStatus.none.rawValue, now])
                    // Everyone came in at some moment of today so far.
                    let sinceMidnight = max(60, Int(now.timeIntervalSince(today.start)) - 60)
                    let arrived = today.start.addingTimeInterval(Double((serial * 17) % sinceMidnight))
                    if arrived < now {
                        passages.append([UUID(), ids[index], id, String(format: "E%06d", person + 1), "in", 36.5, true, true, "", guardID, arrived])
                        passages.append([UUID(), ids[index], id, String(format: "E%06d", person + 1), "out", nil as Double?, true, true, "", guardID,
                                         min(now, arrived.addingTimeInterval(4 * 3600))])
                    }
                    if index < 100, person == 0 {
                        let (row, user) = account("employee\(index)", .employee, enterprise: ids[index], employee: id)
                        guardAccounts.append(row)
                        let token = Secret.random()
                        employeeTokens.append(token)
                        tokenRows.append([UUID(), Secret.hash(token), now, now.addingTimeInterval(86_400), user])
                    }
                }
                if index < 100 {
                    guardAccounts.append(guardRow)
                    let token = Secret.random()
                    guards.append("\(token) \(perEnterprise)")
                    tokenRows.append([UUID(), Secret.hash(token), now, now.addingTimeInterval(86_400), guardID])
                }
            }
            try await insert(Employee.schema, ["id", "enterprise_id", "name", "id_sealed", "id_hash", "id_masked", "mobile", "employee_number",
                                               "department", "shift", "home_province", "home_city", "status", "case_status", "created_at"], people, batch: 300)
            try await insert(GateLogTable.schema, ["id", "enterprise_id", "employee_id", "typed", "direction", "temperature", "mask", "allowed",
                                                   "reasons", "guard_id", "at"], passages)
        }
        try await insert(User.schema, accountColumns, guardAccounts)
        try await insert(ApiToken.schema, ["id", "token_hash", "created_at", "expires_at", "user_id"], tokenRows)
        say("\(enterprises * perEnterprise) employees and their passages today")

        // 200,000 tickets, open and closed, answered in time or late, rated.
        var tickets: [[any Encodable & Sendable]] = []
        for index in 0..<Int(200_000 * scale) {
            let created = now.addingTimeInterval(-Double(index % 50) * 86_400 - Double(index % 80_000))
            let closed = index % 3 != 0
            let responded = index % 5 != 0 ? created.addingTimeInterval(Double(index % 4) * 3600) : nil
            tickets.append([UUID(), String(format: "FG-BENCH-%07d", index), ids[(index * 3) % ids.count], leader, "enterprise",
                            TicketCategory.allCases[index % 7].rawValue, "general", "诉求\(index)", "基准诉求", department.id!,
                            closed ? TicketState.closed.rawValue : TicketState.accepted.rawValue, created, created,
                            created.addingTimeInterval(2 * 3600), created.addingTimeInterval(7 * 86_400), responded,
                            closed ? created.addingTimeInterval(3 * 86_400) : nil, closed ? (index % 4 == 0 ? "noFeedback" : "confirmed") : nil,
                            0, 0, closed ? index % 7 != 0 : nil, closed && index % 4 != 0 ? (index % 9 == 0 ? "unsatisfied" : "satisfied") : nil, false])
        }
        try await insert(Ticket.schema, ["id", "number", "enterprise_id", "raised_by", "source", "category", "urgency", "title", "description",
                                         "department_id", "state", "created_at", "acknowledged_at", "first_response_due_at", "resolution_due_at",
                                         "first_response_at", "closed_at", "closure", "transfer_count", "escalation_level", "solved", "satisfaction",
                                         "liked"], tickets, batch: 200)
        say("\(tickets.count) tickets")

        // The last 30 days, counted and kept as the running district's job would have.
        let ctx = app.context(now: now)
        let counted = Date()
        _ = try await DashboardService.days(ctx, from: today.adding(days: -(DashboardService.seriesDays - 1)), to: today)
        say("30 days counted in \(String(format: "%.1f", Date().timeIntervalSince(counted))) s")
        let folder = app.settings.dataDirectory
        try employeeTokens.joined(separator: "\n").write(toFile: folder + "/bench-employees.txt", atomically: true, encoding: .utf8)
        try guards.joined(separator: "\n").write(toFile: folder + "/bench-guards.txt", atomically: true, encoding: .utf8)
        say("done")
    }
}
