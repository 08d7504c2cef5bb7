import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The seed's scale, so that the dashboard and today's briefing read like the seed's paragraph:
/// about a thousand support officers on duty across the three zones, about four thousand
/// dispatch contacts with the zones' enterprises over the last ten days, and nineteen
/// above-designated-size industrial enterprises of 经开区 resumed (the demo's own and the line's
/// exporters, through review, green light and the officer's visit). Runs last, after every
/// module's own part of the demo.
struct DemoDashboard {
    let context: DemoDistrict.Context
    var db: any Database { context.db }
    var now: Date { context.now }

    static let officers = 1_000
    static let contacts = 4_000
    static let resumedAboveSizeInJingkai = 19

    func load() async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let officers = try await makeOfficers(sql)
        try await makeContacts(sql, officers: officers)
        try await resumeIndustry()
    }

    /// Officers who never sign in in the demo: their password is a random one nobody knows.
    private func makeOfficers(_ sql: any SQLDatabase) async throws -> [(id: UUID, zone: String)] {
        let hash = try Bcrypt.hash(UUID().uuidString, cost: 4)
        let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
        let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉")
        let zones = ["jingkai", "xinqu", "xinglong"]
        var made: [(UUID, String)] = []
        var rows: [[any SQLExpression]] = []
        for index in 0..<Self.officers {
            let id = UUID()
            let zone = zones[index % 3 == 2 ? (index / 3) % 3 : index % 2]
            let name = "助企干部 \(surnames[index % surnames.count])\(given[(index / surnames.count + index) % given.count])"
            rows.append([SQLBind(id), SQLBind(String(format: "helper%04d", index + 1)), SQLBind(hash), SQLBind(Role.officer.rawValue),
                         SQLBind(name), SQLBind(zone), SQLBind(now), SQLBind(now)])
            made.append((id, zone))
        }
        for start in stride(from: 0, to: rows.count, by: 200) {
            try await sql.insert(into: User.schema)
                .columns(["id", "username", "password_hash", "role", "display_name", "zone", "created_at", "updated_at"])
                .rows(Array(rows[start..<min(rows.count, start + 200)])).run()
        }
        return made
    }

    /// About four hundred contacts a day for ten days, each by an officer of the enterprise's zone.
    private func makeContacts(_ sql: any SQLDatabase, officers: [(id: UUID, zone: String)]) async throws {
        let enterprises = try await Enterprise.query(on: db).filter(\.$status == .verified).all()
        let byZone = Dictionary(grouping: officers, by: \.zone)
        let channels = DispatchChannel.allCases, outcomes = DispatchOutcome.allCases
        let summaries = ["电话了解复工意向与防疫物资情况", "上门检查测温点和隔离观察室", "协调口罩和消毒液供应", "转办用工需求到人社局",
                         "核实返岗人员隔离情况", "宣讲助企“15条”政策", "协调物流运输通行证"]
        let already = try await DispatchContact.query(on: db).filter(\.$contactedAt >= now.addingTimeInterval(-10 * 86_400)).count()
        var rows: [[any SQLExpression]] = []
        for index in 0..<max(0, Self.contacts - already) {
            let enterprise = enterprises[index % enterprises.count]
            guard let pool = byZone[enterprise.zone], !pool.isEmpty else { continue }
            let officer = pool[(index * 7) % pool.count]
            // Spread over the last ten days, during working hours, none in the future.
            let day = index % 10
            let at = min(now.addingTimeInterval(-60), CivilDate(now).adding(days: -day).start.addingTimeInterval(Double(8 * 3600 + (index * 97) % (10 * 3600))))
            rows.append([SQLBind(UUID()), SQLBind(officer.id), SQLBind(enterprise.id!), SQLBind(channels[index % channels.count].rawValue),
                         SQLBind(at), SQLBind(CivilDate(at).iso), SQLBind(summaries[index % summaries.count]),
                         SQLBind(outcomes[(index / 3) % outcomes.count].rawValue), SQLBind(at)])
        }
        for start in stride(from: 0, to: rows.count, by: 300) {
            try await sql.insert(into: DispatchContact.schema)
                .columns(["id", "officer_id", "enterprise_id", "channel", "contacted_at", "day", "summary", "outcome", "created_at"])
                .rows(Array(rows[start..<min(rows.count, start + 300)])).run()
        }
    }

    /// 经开区's above-size industrial enterprises without an application resume, until nineteen have.
    private func resumeIndustry() async throws {
        let applications = try await ResumptionApplication.query(on: db).with(\.$enterprise).all()
        let resumedAbove = Set(applications.filter { $0.state == .resumed && $0.enterprise.zone == "jingkai" && $0.enterprise.aboveDesignatedSize }
            .map(\.$enterprise.id))
        let withApplication = Set(applications.map(\.$enterprise.id))
        let candidates = try await Enterprise.query(on: db).filter(\.$zone == "jingkai").filter(\.$status == .verified).sort(\.$name).all()
            .filter { !withApplication.contains($0.id!) }
        guard let reviewer = try await User.query(on: db).filter(\.$username == "reviewer").first(),
              let leader = try await User.query(on: db).filter(\.$username == "leader").first(),
              let officer = context.officers["jingkai"]
        else { return }
        let products = ["汽车零部件 订单 3 万件", "车载电子 5000 套/周", "冲压模具 12 套", "汽车安全玻璃 8000 片/周", "液压阀门 2000 件/周"]
        for (index, enterprise) in candidates.prefix(max(0, Self.resumedAboveSizeInJingkai - resumedAbove.count)).enumerated() {
            enterprise.aboveDesignatedSize = true
            try await enterprise.save(on: db)
            let submitted = now.addingTimeInterval(Double(-(9 * 86_400) + index * 25_000))
            let application = ResumptionApplication()
            application.$enterprise.id = try enterprise.requireID()
            application.category = index % 4 == 0 ? .cityOperation : .otherVital
            application.products = products[index % products.count]
            application.plannedDate = CivilDate(submitted).adding(days: 2).iso
            application.headcountTotal = enterprise.staffCount
            application.headcountOnSite = max(10, enterprise.staffCount / 3)
            application.headcountOutOfProvince = 2
            application.headcountKeyAreas = 0
            application.headcountIsolated = 0
            application.checklist = PreventionItem.allCases.map(\.rawValue)
            application.maskDays = 14
            application.disinfectantDays = 20
            application.thermometerDays = 30
            application.mode = .approval
            application.state = .resumed
            application.submittedAt = submitted
            application.stateChangedAt = submitted.addingTimeInterval(3 * 86_400)
            try await application.create(on: db)
            let steps: [(String, ResumptionState?, ResumptionState, User, Double)] = [
                ("create", nil, .draft, reviewer, -3600), ("submit", .draft, .submitted, reviewer, 0),
                ("pass", .submitted, .passed, reviewer, 20_000), ("approve", .passed, .approved, leader, 60_000),
                ("confirmResumed", .approved, .resumed, officer, 3 * 86_400),
            ]
            for (action, from, to, actor, offset) in steps {
                let event = ResumptionEvent()
                event.$application.id = try application.requireID()
                event.at = submitted.addingTimeInterval(offset)
                event.actorID = try actor.requireID()
                event.actorName = action == "create" || action == "submit" ? enterprise.contactName : actor.displayName
                event.actorRole = action == "create" || action == "submit" ? Role.enterpriseAdmin.rawValue : actor.role.rawValue
                event.action = action
                event.fromState = from?.rawValue
                event.toState = to.rawValue
                event.comment = action == "pass" ? "规上工业企业，订单与防控方案齐全" : nil
                event.changes = []
                try await event.create(on: db)
            }
        }
    }
}
