import Domain
import Fluent
import SQLKit
import Vapor

/// The site (现场): each area's disinfection and the alert when one is overdue; who works on
/// site, from home, on leave or in quarantine each day, against the on-site headcount the
/// resumption was approved for; and the daily output of key supplies. Every change audited;
/// another enterprise's records answer 404.
enum SiteService {
    // MARK: Disinfection

    struct AreaInput: Content {
        var name: String?
        var kind: String?
        var timesPerDay: Int?
    }

    static func addArea(_ ctx: ServiceContext, enterpriseID: UUID, _ input: AreaInput) async throws -> SiteArea {
        let checked = try DisinfectionArea.check(name: input.name, kind: input.kind, timesPerDay: input.timesPerDay)
        if try await SiteArea.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$name == checked.name).first() != nil {
            throw FieldErrors("name", "error.site.areaTaken")
        }
        let area = SiteArea()
        area.$enterprise.id = enterpriseID
        area.name = checked.name
        area.kind = checked.kind
        area.timesPerDay = checked.timesPerDay
        area.createdAt = ctx.now
        try await ctx.transaction { db in
            try await area.create(on: db)
            try await Audit.record(ctx, on: db, action: "site.area.add", entity: "enterprise", entityID: enterpriseID,
                                   subject: checked.name, detail: "kind=\(checked.kind.rawValue),timesPerDay=\(checked.timesPerDay)")
        }
        return area
    }

    struct DisinfectionInput: Content {
        var area: UUID?
        var agent: String?
        var concentration: Double?
        var unit: String?
        /// When; now if left out.
        var at: Date?
    }

    static func record(_ ctx: ServiceContext, enterpriseID: UUID, _ input: DisinfectionInput) async throws -> Disinfection {
        let user = try ctx.requireUser()
        var errors = FieldErrors()
        var area: SiteArea?
        if let id = input.area {
            area = try await SiteArea.query(on: ctx.db).filter(\.$id == id).filter(\.$enterprise.$id == enterpriseID).first()
        }
        if area == nil { errors.add("area", input.area == nil ? "error.required" : "error.choice") }
        do {
            let checked = try DisinfectionSchedule.checkRecord(agent: input.agent, concentration: input.concentration, unit: input.unit,
                                                               at: input.at, now: ctx.now)
            try errors.throwIfAny()
            guard let area else { throw AppError.internalError("validated area") }
            let record = Disinfection()
            record.enterpriseID = enterpriseID
            record.$area.id = try area.requireID()
            record.at = checked.at
            record.agent = checked.agent
            record.concentration = checked.concentration
            record.unit = checked.unit
            record.recordedBy = user.displayName
            try await ctx.transaction { db in
                try await record.create(on: db)
                try await SiteArea.query(on: db).filter(\.$id == area.requireID()).set(\.$alertedAt, to: nil).update()
                try await Audit.record(ctx, on: db, action: "site.disinfect", entity: "enterprise", entityID: enterpriseID,
                                       subject: area.name, detail: "agent=\(checked.agent),concentration=\(checked.concentration) \(checked.unit.rawValue)")
            }
            return record
        } catch let found as FieldErrors {
            errors.merge(found)
            throw errors
        }
    }

    struct AreaStatus: Content {
        let id: UUID
        let name: String
        let kind: AreaKind
        let timesPerDay: Int
        let doneToday: Int
        let missingToday: Int
        let last: Date?
        let overdue: Bool
    }

    /// Each area today: done, still to do, overdue.
    static func status(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> [AreaStatus] {
        let today = CivilDate(ctx.now)
        let areas = try await SiteArea.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).sort(\.$name).all()
        let recent = try await Disinfection.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID)
            .filter(\.$at >= ctx.now.addingTimeInterval(-86_400 * 2)).all()
        return try areas.map { area in
            let id = try area.requireID()
            let own = recent.filter { $0.$area.id == id }
            let done = own.filter { $0.at >= today.start && $0.at <= ctx.now }.count
            let last = own.map(\.at).filter { $0 <= ctx.now }.max()
            return AreaStatus(id: id, name: area.name, kind: area.kind, timesPerDay: area.timesPerDay, doneToday: done,
                              missingToday: DisinfectionSchedule.missingToday(area.rule, doneToday: done), last: last,
                              overdue: DisinfectionSchedule.isOverdue(area.rule, last: last, since: area.createdAt, now: ctx.now))
        }
    }

    static func log(_ ctx: ServiceContext, enterpriseID: UUID, day: CivilDate) async throws -> [Disinfection] {
        try await Disinfection.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID)
            .filter(\.$at >= day.start).filter(\.$at < day.adding(days: 1).start).with(\.$area).sort(\.$at, .descending).all()
    }

    /// The clock's work: tells an enterprise once of each area that has become overdue.
    @discardableResult
    static func alertOverdue(_ ctx: ServiceContext) async throws -> Int {
        var alerted = 0
        for area in try await overdueAreas(ctx.db, enterprises: nil, unalertedOnly: true, now: ctx.now) {
            let areaID = try area.requireID()
            let told = try await ctx.transaction { db -> Bool in
                // Marked only if still unmarked and still without a disinfection in its interval:
                // one recorded meanwhile (or another instance's run) wins.
                guard let sql = db as? any SQLDatabase else { throw AppError.internalError("alerts need SQL") }
                let marked = try await sql.update(SiteArea.schema).set("alerted_at", to: SQLBind(ctx.now))
                    .where("id", .equal, SQLBind(areaID)).where("alerted_at", .is, SQLLiteral.null)
                    .where(SQLQueryString("NOT EXISTS (SELECT 1 FROM disinfections d WHERE d.area_id = \(bind: areaID) AND d.at > \(bind: ctx.now.addingTimeInterval(-area.rule.interval)))"))
                    .returning("id").all()
                guard !marked.isEmpty else { return false }
                try await Notification.toEnterprise(area.$enterprise.id, "notify.site.overdue", [area.name], link: "/site", at: ctx.now, on: db)
                return true
            }
            if told { alerted += 1 }
        }
        return alerted
    }

    /// The areas overdue at `now`, of these enterprises (all when nil): one query for the areas,
    /// one for their last two days of disinfections (an interval is a day at most).
    static func overdueAreas(_ db: any Database, enterprises: Set<UUID>?, unalertedOnly: Bool = false, now: Date) async throws -> [SiteArea] {
        let query = SiteArea.query(on: db)
        if let enterprises { query.filter(\.$enterprise.$id ~~ Array(enterprises)) }
        if unalertedOnly { query.filter(\.$alertedAt == nil) }
        let areas = try await query.all()
        guard !areas.isEmpty else { return [] }
        var last: [UUID: Date] = [:]
        for record in try await Disinfection.query(on: db).filter(\.$area.$id ~~ areas.compactMap(\.id))
            .filter(\.$at >= now.addingTimeInterval(-86_400 * 2)).filter(\.$at <= now).all() {
            last[record.$area.id] = max(last[record.$area.id] ?? record.at, record.at)
        }
        return areas.filter { DisinfectionSchedule.isOverdue($0.rule, last: $0.id.flatMap { last[$0] }, since: $0.createdAt, now: now) }
    }

    // MARK: Who works where

    struct ArrangementInput: Content {
        struct Item: Content {
            var employeeId: UUID?
            var arrangement: String?
        }

        var date: String?
        var items: [Item]?
    }

    struct ArrangementDay: Content {
        let date: String
        let counts: ArrangementCounts
        /// The on-site headcount of the enterprise's resumption, if it has one in force.
        let approvedOnSite: Int?
        let aboveApproved: Bool
    }

    /// The on-site headcount the enterprise's resumption in force was approved (or filed) for.
    static func approvedOnSite(_ enterpriseID: UUID, on db: any Database) async throws -> Int? {
        try await approvedOnSite([enterpriseID], on: db)[enterpriseID]
    }

    /// The same for many enterprises, in one query.
    static func approvedOnSite(_ enterpriseIDs: [UUID], on db: any Database) async throws -> [UUID: Int] {
        var approved: [UUID: Int] = [:]
        for application in try await ResumptionApplication.query(on: db).filter(\.$enterprise.$id ~~ enterpriseIDs)
            .filter(\.$state ~~ ResumptionState.allowingWork).sort(\.$stateChangedAt).all() {
            approved[application.$enterprise.id] = application.headcountOnSite // the latest wins
        }
        return approved
    }

    static func day(_ ctx: ServiceContext, enterpriseID: UUID, day: CivilDate) async throws -> ArrangementDay {
        let arrangements = try await WorkDay.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day == day.iso).all()
        let employed = try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$status == .employed).count()
        let counts = ArrangementCounts(arrangements.map(\.arrangement), employed: employed)
        let approved = try await approvedOnSite(enterpriseID, on: ctx.db)
        return ArrangementDay(date: day.iso, counts: counts, approvedOnSite: approved, aboveApproved: counts.exceeds(approvedOnSite: approved))
    }

    static func arrangements(_ ctx: ServiceContext, enterpriseID: UUID, day: CivilDate) async throws -> [UUID: WorkArrangement] {
        Dictionary(try await WorkDay.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day == day.iso).all()
            .map { ($0.employeeID, $0.arrangement) }, uniquingKeysWith: { _, last in last })
    }

    struct DayTotals: Content {
        let onSite: Int
        let remote: Int
    }

    /// On site and remote on `day`, in the district or the enterprises given (the dashboard).
    static func dayTotals(_ db: any Database, day: CivilDate, enterprises: Set<UUID>?) async throws -> DayTotals {
        let query = WorkDay.query(on: db).filter(\.$day == day.iso)
        if let enterprises { query.filter(\.$enterpriseID ~~ Array(enterprises)) }
        let arrangements = try await query.all().map(\.arrangement)
        return DayTotals(onSite: arrangements.filter { $0 == .onSite }.count, remote: arrangements.filter { $0 == .remote }.count)
    }

    /// Sets the day's arrangement of the people given (the others keep theirs). Above the
    /// approved on-site headcount, the enterprise's officer is told, once a day.
    static func arrange(_ ctx: ServiceContext, enterpriseID: UUID, _ input: ArrangementInput) async throws -> ArrangementDay {
        var errors = FieldErrors()
        let today = CivilDate(ctx.now)
        let day = input.date.flatMap(CivilDate.init(iso:))
        if let day {
            if day < today.adding(days: -7) || day > today.adding(days: 30) { errors.add("date", "error.number.range") }
        } else {
            errors.add("date", (input.date ?? "").isEmpty ? "error.required" : "error.date")
        }
        let items = input.items ?? []
        if items.isEmpty { errors.add("items", "error.required") }
        if items.count > 5_000 { errors.add("items", "error.tooMany") }
        let ids = Set(items.compactMap(\.employeeId))
        let known = Set(try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$id ~~ ids)
            .filter(\.$status == .employed).all().compactMap(\.id))
        var chosen: [(UUID, WorkArrangement)] = []
        var seen = Set<UUID>()
        for (index, item) in items.enumerated() {
            let field = "items[\(index)]"
            guard let id = item.employeeId, known.contains(id) else { errors.add("\(field).employeeId", "error.choice"); continue }
            if !seen.insert(id).inserted { errors.add("\(field).employeeId", "error.output.twice"); continue }
            guard let arrangement = item.arrangement.flatMap(WorkArrangement.init(rawValue:)) else {
                errors.add("\(field).arrangement", FormText.choiceError(item.arrangement))
                continue
            }
            chosen.append((id, arrangement))
        }
        try errors.throwIfAny()
        guard let day else { throw AppError.internalError("validated day") }
        let before = try await self.day(ctx, enterpriseID: enterpriseID, day: day)
        let settled = chosen
        try await ctx.transaction { db in
            try await WorkDay.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$day == day.iso)
                .filter(\.$employeeID ~~ settled.map(\.0)).delete()
            for (employeeID, arrangement) in settled {
                let row = WorkDay()
                row.enterpriseID = enterpriseID
                row.employeeID = employeeID
                row.day = day.iso
                row.arrangement = arrangement
                try await row.create(on: db)
            }
            try await Audit.record(ctx, on: db, action: "site.arrange", entity: "enterprise", entityID: enterpriseID,
                                   detail: "day=\(day.iso),people=\(settled.count)")
        }
        let after = try await self.day(ctx, enterpriseID: enterpriseID, day: day)
        if after.aboveApproved, !before.aboveApproved,
           let officer = try await OfficerService.currentAssignment(enterpriseID, on: ctx.db)?.$officer.id,
           let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db) {
            try await ctx.transaction { db in
                try await Notification.toUser(officer, "notify.site.aboveApproved",
                                              [enterprise.name, day.iso, String(after.counts.onSite), String(after.approvedOnSite ?? 0)],
                                              link: "/site/district", at: ctx.now, on: db)
            }
        }
        return after
    }

    // MARK: Output of key supplies

    static func products(_ db: any Database) async throws -> [KeyProduct] {
        try await KeyProduct.query(on: db).sort(\.$position).all()
    }

    /// Whether the enterprise reports output: resumed (or allowed to) for epidemic prevention
    /// or daily necessities.
    static func reportsOutput(_ enterpriseID: UUID, on db: any Database) async throws -> Bool {
        try await ResumptionApplication.query(on: db).filter(\.$enterprise.$id == enterpriseID)
            .filter(\.$state ~~ ResumptionState.allowingWork)
            .filter(\.$category ~~ Array(OutputRules.reportingCategories)).first() != nil
    }

    struct OutputInput: Content {
        struct Item: Content {
            var product: String?
            var quantity: Double?
            var ordersDue: Double?
        }

        var date: String?
        var items: [Item]?
    }

    /// The day's output, replacing what the enterprise reported for those products that day.
    static func reportOutput(_ ctx: ServiceContext, enterpriseID: UUID, _ input: OutputInput) async throws -> [OutputReport] {
        let user = try ctx.requireUser()
        guard try await reportsOutput(enterpriseID, on: ctx.db) else { throw AppError.conflict(field: nil, messageKey: "error.output.notKey") }
        let codes = Set(try await products(ctx.db).map(\.code))
        let checked = try OutputRules.check(date: input.date, items: (input.items ?? []).map { ($0.product ?? "", $0.quantity, $0.ordersDue) },
                                            products: codes, today: CivilDate(ctx.now))
        try await ctx.transaction { db in
            try await OutputReport.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$day == checked.day.iso)
                .filter(\.$product ~~ checked.items.map(\.product)).delete()
            for item in checked.items {
                let report = OutputReport()
                report.enterpriseID = enterpriseID
                report.day = checked.day.iso
                report.product = item.product
                report.quantity = item.quantity
                report.ordersDue = item.ordersDue
                report.reportedAt = ctx.now
                report.reportedBy = user.displayName
                try await report.create(on: db)
            }
            try await Audit.record(ctx, on: db, action: "site.output", entity: "enterprise", entityID: enterpriseID,
                                   detail: "day=\(checked.day.iso)," + checked.items.map { "\($0.product)=\($0.quantity)" }.joined(separator: ","))
        }
        return try await OutputReport.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day == checked.day.iso).all()
    }

    static func output(_ ctx: ServiceContext, enterpriseID: UUID, from: CivilDate, to: CivilDate) async throws -> [OutputReport] {
        try await OutputReport.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID)
            .filter(\.$day >= from.iso).filter(\.$day <= to.iso).sort(\.$day).all()
    }

    struct Totals: Content {
        struct Product: Content {
            let code: String
            let name: String
            let unit: String
            /// By day, `from` to `to`, 0 where nothing was reported.
            let quantities: [Int]
            let ordersDue: [Int]
            /// How many enterprises reported it each day.
            let reports: [Int]
            let enterprises: Int
        }

        let days: [String]
        let products: [Product]
    }

    /// The district's totals per product per day (officers: their enterprises').
    static func totals(_ ctx: ServiceContext, from: CivilDate, to: CivilDate, enterprises: Set<UUID>?, language: Language) async throws -> Totals {
        var days: [CivilDate] = []
        var day = from
        while day <= to, days.count < 366 {
            days.append(day)
            day = day.adding(days: 1)
        }
        let query = OutputReport.query(on: ctx.db).filter(\.$day >= from.iso).filter(\.$day <= to.iso)
        if let enterprises { query.filter(\.$enterpriseID ~~ Array(enterprises)) }
        let reports = try await query.all()
        let products = try await products(ctx.db)
        return Totals(days: days.map(\.iso), products: products.map { product in
            let own = reports.filter { $0.product == product.code }
            return .init(code: product.code, name: product.name(language), unit: product.unit(language),
                         quantities: days.map { day in own.filter { $0.day == day.iso }.reduce(0) { $0 + $1.quantity } },
                         ordersDue: days.map { day in own.filter { $0.day == day.iso }.reduce(0) { $0 + ($1.ordersDue ?? 0) } },
                         reports: days.map { day in own.filter { $0.day == day.iso }.count },
                         enterprises: Set(own.map(\.enterpriseID)).count)
        })
    }
}
