@testable import App
import Domain
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("Reliability: nothing a client sends can stop the server")
struct ReliabilityTests {
    static let crashingBody: [UInt8] = Array("--B\r\n".utf8) + [0xC2, 0xA8] + Array(": x\r\n\r\nx\r\n--B--\r\n".utf8)

    @Test("A multipart part-header name with a byte above 0x7F is refused with 400, and the server goes on")
    func multipartHighByteHeaderName() async throws {
        try await withApp { app in
            let response = try await app.testing().sendRequest(
                .POST, "/api/v1/auth/login", headers: ["Content-Type": "multipart/form-data; boundary=B"],
                body: ByteBuffer(bytes: Self.crashingBody))
            #expect(response.status == .badRequest)
            #expect(response.apiError?.code == "badRequest")
            // Still serving.
            let next = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(next.status == .ok)
        }
    }

    @Test("A read that runs past the time limit answers 503 in the caller's words; the server goes on")
    func readTimeLimit() async throws {
        try await withApp { app in
            let leader = try await Fixtures.caller(app, "leader", role: .leader)
            app.settings.readTimeLimit = 0.000_001
            let api = try await app.testing().sendRequest(.GET, "/api/v1/dashboard", headers: leader.apiHeaders)
            #expect(api.status == .serviceUnavailable && api.apiError?.code == "timedOut" && api.apiError?.message.contains("请缩小查询范围") == true)
            let page = try await app.testing().sendRequest(.GET, "/resumption", headers: leader.pageHeaders.adding(["Accept-Language": "en"]))
            #expect(page.status == .serviceUnavailable && page.text.contains("took too long"))
            app.settings.readTimeLimit = Settings.testing().readTimeLimit
            #expect(try await app.testing().sendRequest(.GET, "/resumption", headers: leader.pageHeaders).status == .ok)
        }
    }

    @Test("An empty or missing boundary, and a body with no part, are refused with 400")
    func malformedMultipart() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "root", role: .districtAdmin)
            let policy = try await app.testing().sendRequest(
                .POST, "/api/v1/policies", headers: admin.apiHeaders.adding(.json),
                body: try .json(["title": "十五条", "issuer": "区政府", "body": "内容", "issuedOn": "2020-02-05", "kind": "policy"]))
            let id = try #require(try? JSONSerialization.jsonObject(with: Data(buffer: policy.body)) as? [String: Any])["id"] as? String
            for contentType in ["multipart/form-data; boundary=B", "multipart/form-data; boundary=\"\"", "multipart/form-data"] {
                let response = try await app.testing().sendRequest(
                    .POST, "/api/v1/policies/\(id ?? "x")/attachments", headers: admin.apiHeaders.adding(["Content-Type": contentType]),
                    body: ByteBuffer(string: "--B--\r\n"))
                #expect(response.status == .badRequest, "\(contentType)")
            }
            let attachments = try await PolicyAttachment.query(on: app.db).count()
            #expect(attachments == 0)
        }
    }

    @Test("The multipart shape: what browsers send passes; what MultipartKit cannot take does not")
    func multipartShape() {
        let browser = "------WebKitFormBoundaryx7\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n"
            + "------WebKitFormBoundaryx7\r\nContent-Disposition: form-data; name=\"file\"; filename=\"营业执照.pdf\"\r\n"
            + "Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--\r\n\r\n------WebKitFormBoundaryx7--\r\n"
        #expect(MultipartShape.isWellFormed(Array(browser.utf8), boundary: "----WebKitFormBoundaryx7"))
        #expect(!MultipartShape.isWellFormed(Self.crashingBody, boundary: "B"))
        #expect(!MultipartShape.isWellFormed(Array("--B--\r\n".utf8), boundary: "B"))
        #expect(!MultipartShape.isWellFormed(Array("--B\r\nA: b\r\n\r\nx".utf8), boundary: "B"), "never closed")
        #expect(!MultipartShape.isWellFormed(Array("--B\r\nA b: c\r\n\r\nx\r\n--B--".utf8), boundary: "B"), "space in a name")
        #expect(!MultipartShape.isValidBoundary(""))
        #expect(!MultipartShape.isValidBoundary(String(repeating: "a", count: 71)))
        #expect(!MultipartShape.isValidBoundary("ab "))
        #expect(MultipartShape.isValidBoundary("----vaporBoundary0123456789"))
    }

    /// Thousands of random and mutated bodies, multipart and JSON, to every route that takes a
    /// body, as a district admin and an enterprise admin: no answer is a 5xx, and the process
    /// is still here at the end (a trap would have ended the test run).
    @Test("Fuzz: random and mutated bodies to every route that takes one never get a 5xx")
    func fuzzBodies() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let admin = try await Fixtures.caller(app, "root", role: .districtAdmin)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let callers = [admin, company]
            var random = SplitMix64(seed: 20_200_208)
            let routes = app.routes.all.filter { route in
                [.POST, .PUT, .PATCH].contains(route.method)
                    && !route.path.contains(.constant("logout")) && !route.path.contains(.constant("password"))
            }
            #expect(routes.count > 40)
            var sent = 0
            var failures: [String] = []
            for route in routes {
                for round in 0..<20 {
                    let caller = callers[round % callers.count]
                    let path = "/" + route.path.map { component -> String in
                        switch component {
                        case .constant(let value): value
                        case .parameter(let name): name == "enterpriseID" ? enterprise.id!.uuidString : UUID().uuidString
                        case .anything, .catchall: "x"
                        }
                    }.joined(separator: "/")
                    let isAPI = path.hasPrefix("/api/")
                    var headers: HTTPHeaders = isAPI ? caller.apiHeaders : caller.pageHeaders.adding(["X-CSRF-Token": caller.csrf])
                    let body: [UInt8]
                    if round % 2 == 0 {
                        let boundary = Fuzz.boundary(&random)
                        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                        body = Fuzz.multipart(&random, boundary: boundary)
                    } else {
                        headers.replaceOrAdd(name: .contentType, value: round % 4 == 1 ? "application/json" : "application/x-www-form-urlencoded")
                        body = round % 4 == 1 ? Fuzz.json(&random) : Fuzz.form(&random)
                    }
                    let response = try await app.testing().sendRequest(route.method, path, headers: headers, body: ByteBuffer(bytes: body))
                    sent += 1
                    if response.status.code >= 500 {
                        failures.append("\(route.method) \(path) → \(response.status.code): \(String(decoding: body.prefix(120), as: UTF8.self))")
                    }
                }
            }
            #expect(sent >= 2_000)
            #expect(failures.isEmpty, "\(failures.count) answers of 5xx, first: \(failures.prefix(5))")
            let health = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(health.status == .ok)
        }
    }
}

/// A small, seeded generator: a failing body can be made again from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bodies for the fuzz test: valid shapes with random mutations, and random bytes.
enum Fuzz {
    static func boundary(_ random: inout SplitMix64) -> String {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: ""
        case 1: String(repeating: "b", count: 80)
        case 2: "a b"
        default: "----fuzz\(UInt32.random(in: 0...UInt32.max, using: &random))"
        }
    }

    static let fieldNames = ["_csrf", "file", "title", "body", "category", "username", "password", "name", "item", "used",
                             "plannedDate", "issuedOn", "a[b]", "a[]", "[", "]]", "x[y][z][", "%", ""]

    static func multipart(_ random: inout SplitMix64, boundary: String) -> [UInt8] {
        var text = ""
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let name = fieldNames.randomElement(using: &random)!
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
            if Bool.random(using: &random) { text += "; filename=\"f.pdf\"\r\nContent-Type: application/pdf" }
            text += "\r\n\r\n\(Bool.random(using: &random) ? "%PDF-1.4 x" : "值 \(Int.random(in: -5...99, using: &random))")\r\n"
        }
        text += "--\(boundary)--\r\n"
        var bytes = Array(text.utf8)
        mutate(&bytes, &random)
        return bytes
    }

    static func json(_ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(value(&random, depth: 0).utf8)
        if Int.random(in: 0..<3, using: &random) == 0 { mutate(&bytes, &random) }
        return bytes
    }

    static func form(_ random: inout SplitMix64) -> [UInt8] {
        let pairs = (0..<Int.random(in: 0...5, using: &random)).map { _ in
            let name = fieldNames.randomElement(using: &random)!
            let value = ["", "1e-308", "2020-02-30", "%00", "%C2%A8", "%", "abc", "-1", "9999-12-31", "%FF%FE"].randomElement(using: &random)!
            return "\(name)=\(value)"
        }
        var bytes = Array(pairs.joined(separator: "&").utf8)
        if Bool.random(using: &random) { mutate(&bytes, &random) }
        return bytes
    }

    private static func value(_ random: inout SplitMix64, depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 8), using: &random) {
        case 0: return ["0", "-1", "1e-308", "1e308", "-0", "1.5", "99999999999999999999", "0.0000001"].randomElement(using: &random)!
        case 1: return ["\"\"", "\"2020-02-30\"", "\"-2020-01-01\"", "\"NUL\\u0000x\"", "\"\\uD800\"", "\"9999-12-31T00:00:00Z\"", "\"长春\""].randomElement(using: &random)!
        case 2: return ["true", "false", "null"].randomElement(using: &random)!
        case 3: return "\"\(String(repeating: "字", count: Int.random(in: 0...300, using: &random)))\""
        case 4: return "\"\(UUID().uuidString)\""
        case 5:
            return "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let keys = ["title", "description", "category", "urgency", "name", "used", "item", "quantity", "plannedDate",
                        "issuedOn", "from", "to", "username", "password", "temperature", "date", "status", "reason", "mobile"]
            return "{" + (0..<Int.random(in: 0...6, using: &random)).map { _ in
                "\"\(keys.randomElement(using: &random)!)\":\(value(&random, depth: depth + 1))"
            }.joined(separator: ",") + "}"
        }
    }

    /// Flips, inserts (often a byte above 0x7F) and cuts.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            guard !bytes.isEmpty else { return }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(UInt8.random(in: 0x80...0xFF, using: &random), at: at)
            case 2: bytes.removeSubrange(at...)
            default: bytes.insert(contentsOf: Array("\r\n".utf8), at: at)
            }
        }
    }
}

@Suite("Reliability: exact input, bounded work, the document as the contract")
struct ExactInputTests {
    typealias W = WorkforceFixtures

    @Test("Text with NUL or another control character is refused with 422 on its field, and nothing is stored")
    func controlCharacters() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            _ = try await Fixtures.department(app)
            let ticket = try await W.send(app, .POST, "/api/v1/tickets", company, [
                "category": "supplies", "urgency": "general", "title": "NULTEST\u{0}hidden", "description": "多行\n说明\t可以",
            ])
            #expect(ticket.status == .unprocessableEntity)
            #expect(ticket.apiError?.fields["title"] != nil, "\(ticket.text)")
            #expect(try await Ticket.query(on: app.db).count() == 0)
            for number in ["NUL\u{0}1", "NUL\u{0}2"] {
                let added = try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/employees", company, [
                    "name": "王强", "idNumber": W.people[0].id, "mobile": "13904310011", "employeeNumber": number,
                ])
                #expect(added.status == .unprocessableEntity)
                #expect(added.apiError?.fields["employeeNumber"] != nil)
            }
            #expect(try await Employee.query(on: app.db).count() == 0)
            // Line breaks and tabs are text.
            let fine = try await W.send(app, .POST, "/api/v1/tickets", company, [
                "category": "supplies", "urgency": "general", "title": "口罩", "description": "第一行\n第二行\t完",
            ])
            #expect(fine.status == .created, "\(fine.text)")
        }
    }

    @Test("A supply use that would make the days remaining infinite is refused, and the supplies still answer")
    func infiniteDays() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let path = "/api/v1/enterprises/\(enterprise.id!)/supplies"
            let stocked = try await W.send(app, .POST, path, company, ["item": "masks", "stock": 500])
            #expect(stocked.status.code < 300, "\(stocked.text)")
            let bad = try await W.send(app, .POST, path, company, ["item": "masks", "used": 1e-308])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.apiError?.fields["used"] != nil)
            #expect(try await SupplyUse.query(on: app.db).count() == 0)
            let list = try await W.send(app, .GET, path, company)
            #expect(list.status == .ok)
            // A use stored before the check no longer breaks the page.
            #expect(SupplyRules.daysRemaining(stock: 500, dailyUse: 1e-308) == nil)
        }
    }

    @Test("Impossible dates are refused, not changed: 30 February, a sign, single digits, year 9999")
    func strictDates() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "root", role: .districtAdmin)
            for issuedOn in ["2020-2-3", "9999-12-31", "-2020-01-01", "2020-02-30"] {
                let response = try await W.send(app, .POST, "/api/v1/policies", admin, [
                    "title": "十五条", "issuer": "区政府", "body": "内容", "issuedOn": issuedOn,
                ])
                #expect(response.status == .unprocessableEntity, "\(issuedOn)")
                #expect(response.apiError?.fields["issuedOn"] != nil, "\(issuedOn)")
            }
            #expect(try await Policy.query(on: app.db).count() == 0)
            let list = try await W.send(app, .GET, "/api/v1/policies", admin)
            #expect(list.status == .ok)
        }
    }

    @Test("A range of days longer than the setting is refused at once, as is a year past 2100")
    func boundedRanges() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "root", role: .districtAdmin)
            let far = try await W.send(app, .GET, "/api/v1/scorecards?to=9999-12-31", admin)
            #expect(far.status == .unprocessableEntity)
            #expect(far.apiError?.fields["to"] != nil)
            let long = try await W.send(app, .GET, "/api/v1/job-figures?from=2000-01-01&to=2020-02-08", admin)
            #expect(long.status == .unprocessableEntity)
            #expect(long.apiError?.fields["from"]?.contains("366") == true, "\(long.text)")
            let year = try await W.send(app, .GET, "/api/v1/scorecards?from=2019-02-09&to=2020-02-08", admin)
            #expect(year.status == .ok)
        }
    }

    @Test("The API does what its document says: optional roster fields, a department's English name, an empty import")
    func documentContract() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let admin = try await Fixtures.caller(app, "root", role: .districtAdmin)
            let added = try await W.send(app, .POST, "/api/v1/enterprises/\(enterprise.id!)/employees", company, [
                "name": "王强", "idNumber": W.people[0].id, "mobile": "13904310011", "employeeNumber": "A001",
            ])
            #expect(added.status == .created, "\(added.text)")
            let department = try await W.send(app, .POST, "/api/v1/departments", admin, ["name": "商务局", "nameEn": ""])
            #expect(department.status == .created, "\(department.text)")
            #expect(try await Department.query(on: app.db).filter(\.$name == "商务局").first()?.nameEn == "商务局")
            let empty = try await W.importCSV(app, company, enterprise, Data())
            #expect(empty.status == .unprocessableEntity)
            let result = try JSONDecoder().decode(Roster.ImportResult.self, from: Data(buffer: empty.body))
            #expect(result.imported == 0)
            #expect(result.errors.first?.field == "file")
        }
    }

    @Test("The share of employees who reported counts only those still employed: never above 100 %")
    func reportedShare() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            let imported = try await W.importCSV(app, company, enterprise, Data(W.csv(W.people).utf8))
            #expect(imported.status == .ok)
            for person in W.people.prefix(3) {
                let employee = try await W.employee(app, number: person.number)
                let caller = try await W.account(app, company, employee)
                #expect(try await W.report(app, caller, temperature: 36.5).status.code < 300)
                employee.status = .left
                try await employee.save(on: app.db)
            }
            let summary = try await W.send(app, .GET, "/api/v1/enterprises/\(enterprise.id!)/daily-summary", company)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: summary.body)) as? [String: Any])
            #expect(object["employees"] as? Int == 1)
            #expect(object["reported"] as? Int == 0)
            #expect((object["reportedShare"] as? Double ?? 9) <= 1)
        }
    }
}

@Suite("Reliability: migrations whole or not at all, one process at a time; backup and restore")
struct OperationsTests {
    struct HalfMigration: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("half_done").id().field("x", .string).create()
            throw Abort(.internalServerError, reason: "killed here")
        }
        func revert(on database: any Database) async throws {}
    }

    struct WholeMigration: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("half_done").id().field("x", .string).create()
        }
        func revert(on database: any Database) async throws {}
    }

    @Test("A migration that fails half-way leaves no table and no log row; the next start applies it whole")
    func atomicMigration() async throws {
        try await withApp { app in
            await #expect(throws: (any Error).self) {
                try await SchemaMigrations.run([HalfMigration()], on: app.db, logger: app.logger)
            }
            let sql = app.db as! any SQLDatabase
            let probe = try? await sql.raw("SELECT COUNT(*) AS n FROM half_done").all()
            #expect(probe == nil, "the table of a failed migration must not exist")
            #expect(try await MigrationLog.query(on: app.db).filter(\.$name == HalfMigration().name).count() == 0)
            // Same name, now whole: applied once, and not again.
            struct Renamed: AsyncMigration {
                var name: String { HalfMigration().name }
                func prepare(on database: any Database) async throws { try await WholeMigration().prepare(on: database) }
                func revert(on database: any Database) async throws {}
            }
            try await SchemaMigrations.run([Renamed()], on: app.db, logger: app.logger)
            try await SchemaMigrations.run([Renamed()], on: app.db, logger: app.logger)
            #expect(try await MigrationLog.query(on: app.db).filter(\.$name == HalfMigration().name).count() == 1)
        }
    }

    @Test("Setups started together run one after the other")
    func exclusiveSetup() async throws {
        try await withApp { app in
            let log = Timeline()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<3 {
                    group.addTask {
                        try await SchemaMigrations.exclusively(app) { _ in
                            log.add("start \(index)")
                            try await Task.sleep(for: .milliseconds(100))
                            log.add("end \(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = log.events
            #expect(events.count == 6)
            for pair in stride(from: 0, to: events.count, by: 2) {
                #expect(events[pair].hasPrefix("start") && events[pair + 1] == "end" + events[pair].dropFirst(5), "\(events)")
            }
        }
    }

    @Test("A backup taken while tickets are being raised is whole, and restores into a new folder")
    func backupUnderLoad() async throws {
        guard Settings.testing().databaseURL == nil else { return }
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise)
            _ = try await Fixtures.department(app)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fugong-backup-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let keyFile = folder + "/source.key"
            _ = FileManager.default.createFile(atPath: keyFile, contents: Data(repeating: 7, count: 32))
            let database = try #require(app.sqlitePath)
            let acknowledgedBefore = Timeline()
            let backup = folder + "/backup.sqlite"
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for index in 0..<60 {
                        let response = try await WorkforceFixtures.send(app, .POST, "/api/v1/tickets", company, [
                            "category": "supplies", "urgency": "general", "title": "口罩 \(index)", "description": "说明",
                        ])
                        #expect(response.status == .created)
                        acknowledgedBefore.add("\(index)")
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(150))
                    let count = acknowledgedBefore.events.count
                    let outcome = try SQLiteBackup.backup(database: database, keyFile: keyFile, keyFromEnvironment: false, to: backup)
                    #expect(outcome.keyCopied)
                    let copy = try DirectSQLite(path: backup, pragmas: [])
                    let tickets = try copy.rows("SELECT COUNT(*) AS n FROM \(Ticket.schema)").first?.decode(column: "n", as: Int.self) ?? -1
                    #expect(tickets >= count, "every ticket acknowledged before the backup began is in it")
                }
                try await group.waitForAll()
            }
            #expect(throws: SQLiteBackup.Failure.self) {
                try SQLiteBackup.backup(database: database, keyFile: keyFile, keyFromEnvironment: false, to: backup)
            }
            let target = folder + "/restored/fugong.sqlite"
            try FileManager.default.createDirectory(atPath: folder + "/restored", withIntermediateDirectories: true)
            _ = try SQLiteBackup.restore(from: backup, database: target, keyFile: folder + "/restored/personal-data.key", now: Date())
            try SQLiteBackup.check(target)
            #expect(FileManager.default.contents(atPath: folder + "/restored/personal-data.key") == Data(repeating: 7, count: 32))
            // A damaged file is refused before anything is replaced.
            let damaged = folder + "/damaged.sqlite"
            _ = FileManager.default.createFile(atPath: damaged, contents: Data("not a database".utf8))
            #expect(throws: (any Error).self) {
                _ = try SQLiteBackup.restore(from: damaged, database: target, keyFile: folder + "/restored/personal-data.key", now: Date())
            }
            try SQLiteBackup.check(target)
        }
    }
}

/// Events in the order they happened, from several tasks.
final class Timeline: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ event: String) { lock.withLock { list.append(event) } }
    var events: [String] { lock.withLock { list } }

    @Test("A unique index met by a second submit at once is a 409 conflict, never a 500")
    func constraintIsConflict() {
        struct Duplicate: DatabaseError, Error {
            var isSyntaxError: Bool { false }
            var isConnectionClosed: Bool { false }
            var isConstraintFailure: Bool { true }
        }
        guard case .conflict(_, let key) = ErrorResponder.classify(Duplicate()) else {
            Issue.record("a constraint failure is not a conflict")
            return
        }
        #expect(key == "error.conflict.duplicate")
    }
}
