import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `fugong bench-workforce --enterprises 100 --employees 200000 --days 30`: fills the platform
/// with synthetic enterprises, rosters (IDs sealed as for real people) and 30 days of health
/// reports for the workforce benchmark (`bench/workforce.sh`), and writes the API tokens the
/// load uses: `bench-employees.txt` (token, enterprise, employee number per line) and
/// `bench-guards.txt` and `bench-admins.txt` (token, enterprise). It refuses a database that
/// holds real accounts, as the demo does.
struct WorkforceBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "enterprises", help: "How many enterprises (default 100)")
        var enterprises: Int?
        @Option(name: "employees", help: "How many employees in all (default 200000)")
        var employees: Int?
        @Option(name: "days", help: "Days of health reports before today (default 30)")
        var days: Int?
        @Option(name: "accounts", help: "Employee accounts with tokens, per enterprise (default 100)")
        var accounts: Int?
    }

    var help: String { "Fills rosters and a month of health reports for the workforce benchmark." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard try await User.query(on: app.db).count() == 0 else {
            context.console.error("This database holds accounts; benchmark data goes into an empty database only.")
            return
        }
        let enterpriseCount = signature.enterprises ?? 100, total = signature.employees ?? 200_000
        let days = signature.days ?? 30, accounts = signature.accounts ?? 100
        let perEnterprise = total / enterpriseCount
        let now = app.clock.now, today = CivilDate(now)
        let vault = app.personalData
        let folder = app.settings.dataDirectory
        // One password hash for every synthetic account (they sign in with tokens).
        let passwordHash = try await app.password.async.hash(Secret.random())
        var employeeTokens: [String] = [], guardTokens: [String] = [], adminTokens: [String] = []
        let started = Date()
        let departments = ["一车间", "二车间", "三车间", "质检部", "仓储部", "行政部", "研发部", "后勤部"]

        for index in 0..<enterpriseCount {
            let enterpriseID = UUID()
            let ids = (0..<perEnterprise).map { (id: UUID(), number: String(format: "E%06d", $0 + 1)) }
            var rows: [[any SQLExpression]] = []
            for (n, person) in ids.enumerated() {
                let serial = index * perEnterprise + n
                let id = DemoWorkforce.residentID(serial: serial, year: 1965 + serial % 35, month: 1 + serial % 12, day: 1 + serial % 28)
                let values: [any Encodable & Sendable] = [
                    person.id, enterpriseID, "员工\(serial)", try vault.seal(id), vault.hash(id), ResidentID.masked(id),
                    String(format: "139%08d", serial), person.number, departments[n % departments.count], n % 3 == 0 ? "夜班" : "白班", "吉林省", "长春市",
                    EmploymentStatus.employed.rawValue, CaseStatus.none.rawValue, 36.5, today.start.addingTimeInterval(-86_400), now,
                ]
                rows.append(values.map { SQLBind($0) })
            }
            let employeeRows = rows
            let tokens = try await app.db.transaction { db -> (admin: String, guard: String, employees: [String]) in
                guard let sql = db as? any SQLDatabase else { throw AppError.internalError("the benchmark needs SQL") }
                try await sql.insert(into: Enterprise.schema)
                    .columns("id", "name", "credit_code", "legal_representative", "contact_name", "contact_phone", "address", "zone", "industry",
                             "above_designated_size", "staff_count", "status", "created_at", "updated_at")
                    .values(SQLBind(enterpriseID), SQLBind("基准企业\(index)"), SQLBind(String(format: "WORK%014d", index)), SQLBind("张三"),
                            SQLBind("李四"), SQLBind("13800000000"), SQLBind("长春市 \(index) 号"), SQLBind(["jingkai", "xinqu", "xinglong"][index % 3]),
                            SQLBind("制造业"), SQLBind(true), SQLBind(perEnterprise), SQLBind(EnterpriseStatus.verified.rawValue), SQLBind(now), SQLBind(now))
                    .run()
                for start in stride(from: 0, to: employeeRows.count, by: 50) {
                    try await sql.insert(into: Employee.schema)
                        .columns("id", "enterprise_id", "name", "id_sealed", "id_hash", "id_masked", "mobile", "employee_number", "department", "shift",
                                 "home_province", "home_city", "status", "case_status", "last_temperature", "last_temperature_at", "created_at")
                        .rows(Array(employeeRows[start..<min(start + 50, employeeRows.count)])).run()
                }
                // Accounts: the admin, a guard, and the first employees, each with a day's token.
                func account(_ username: String, _ role: Role, employee: UUID?) async throws -> String {
                    let userID = UUID(), token = Secret.random()
                    try await sql.insert(into: User.schema)
                        .columns("id", "username", "password_hash", "role", "display_name", "enterprise_id", "employee_id", "created_at", "updated_at")
                        .values(SQLBind(userID), SQLBind(username), SQLBind(passwordHash), SQLBind(role.rawValue), SQLBind(username),
                                SQLBind(enterpriseID), SQLBind(employee), SQLBind(now), SQLBind(now))
                        .run()
                    try await sql.insert(into: ApiToken.schema).columns("id", "token_hash", "created_at", "expires_at", "user_id")
                        .values(SQLBind(UUID()), SQLBind(Secret.hash(token)), SQLBind(now), SQLBind(now.addingTimeInterval(86_400)), SQLBind(userID))
                        .run()
                    return token
                }
                var employees: [String] = []
                for (employeeID, number) in ids.prefix(accounts) {
                    employees.append("\(try await account("e\(index)-\(number)", .employee, employee: employeeID)) \(enterpriseID) \(number)")
                }
                return ("\(try await account("admin\(index)", .enterpriseAdmin, employee: nil)) \(enterpriseID)",
                        "\(try await account("guard\(index)", .gateGuard, employee: nil)) \(enterpriseID)", employees)
            }
            adminTokens.append(tokens.admin)
            guardTokens.append(tokens.guard)
            employeeTokens += tokens.employees
            // The month before today: one report per person per day.
            for offset in 1...max(1, days) where days > 0 {
                let day = today.adding(days: -offset)
                try await app.db.transaction { db in
                    guard let sql = db as? any SQLDatabase else { return }
                    var rows: [[any SQLExpression]] = []
                    rows.reserveCapacity(ids.count)
                    for (n, person) in ids.enumerated() {
                        let values: [any Encodable & Sendable] = [enterpriseID, day.iso, person.id, 36.0 + Double((n + offset) % 10) / 10, "", false,
                                                                  "长春市", "", person.id, day.start.addingTimeInterval(7 * 3600 + Double(n))]
                        rows.append(values.map { SQLBind($0) })
                    }
                    for start in stride(from: 0, to: rows.count, by: 90) {
                        try await sql.insert(into: HealthReportTable.schema)
                            .columns("enterprise_id", "day", "employee_id", "temperature", "symptoms", "contact_with_cases", "city", "note",
                                     "reported_by", "reported_at")
                            .rows(Array(rows[start..<min(start + 90, rows.count)])).run()
                    }
                }
            }
            if index % 10 == 9 {
                context.console.print("\(index + 1) / \(enterpriseCount) enterprises (\(Int(Date().timeIntervalSince(started))) s)")
            }
        }
        for (name, lines) in [("bench-employees.txt", employeeTokens), ("bench-guards.txt", guardTokens), ("bench-admins.txt", adminTokens)] {
            try (lines.joined(separator: "\n") + "\n").write(toFile: URL(fileURLWithPath: folder).appendingPathComponent(name).path,
                                                             atomically: true, encoding: .utf8)
        }
        context.console.print("Done: \(enterpriseCount) enterprises, \(perEnterprise * enterpriseCount) employees, "
                              + "\(perEnterprise * enterpriseCount * days) health reports in \(Int(Date().timeIntervalSince(started))) s")
    }
}
