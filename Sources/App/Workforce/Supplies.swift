import Domain
import Fluent
import Vapor

/// Prevention supplies: stock, use per day (recorded, or estimated from the people on site),
/// days remaining, a warning under the district's threshold, and a request to the district as
/// a help-desk ticket.
enum Supplies {
    struct ItemDTO: Content {
        let item: SupplyItem
        let stock: Double
        /// Average recorded use over the last 7 days, or the estimate from headcount.
        let dailyUse: Double
        let estimated: Bool
        let daysRemaining: Double?
        let low: Bool
    }

    /// The supplies with the estimate from the people on site today.
    static func items(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> [ItemDTO] {
        let gate = try await WorkforceStore.gateDay(ctx.db, enterpriseID: enterpriseID, day: CivilDate(ctx.now))
        return try await items(ctx, enterpriseID: enterpriseID, onSite: gate.onSite)
    }

    static func items(_ ctx: ServiceContext, enterpriseID: UUID, onSite: Int) async throws -> [ItemDTO] {
        let policy = try await ctx.settings().health
        let stocks = try await Supply.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).all()
        let since = CivilDate(ctx.now).adding(days: -7).iso
        let uses = try await SupplyUse.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day > since).all()
        return SupplyItem.allCases.map { item in
            let stock = stocks.first { $0.item == item }?.stock ?? 0
            let (daily, estimated) = SupplyRules.dailyUse(recorded: uses.filter { $0.item == item }.map(\.used), item: item, onSite: onSite)
            let days = SupplyRules.daysRemaining(stock: stock, dailyUse: daily)
            return ItemDTO(item: item, stock: stock, dailyUse: (daily * 100).rounded() / 100, estimated: estimated,
                           daysRemaining: days.map { ($0 * 10).rounded() / 10 },
                           low: SupplyRules.isLow(stock: stock, dailyUse: daily, policy: policy))
        }
    }

    /// What a count of one supply says: received (added to the stock), used today (taken from
    /// the stock and recorded as the day's use), or a count that replaces the stock.
    struct Count: Sendable {
        var item: SupplyItem
        var received: Double?
        var used: Double?
        var stock: Double?
    }

    /// The API's body, and how it becomes a `Count`.
    struct Input: Content {
        var item: String?
        var received: Double?
        var used: Double?
        var stock: Double?

        func command() throws -> Count {
            var errors = FieldErrors()
            let item = SupplyItem(rawValue: self.item ?? "")
            if item == nil { errors.add("item", "error.choice") }
            for (value, field) in [(received, "received"), (used, "used"), (stock, "stock")] {
                if let value, !SupplyRules.isValidQuantity(value) { errors.add(field, "error.supply.quantity") }
            }
            if received == nil && used == nil && stock == nil { errors.add("received", "error.required") }
            guard let item, errors.isEmpty else { throw errors }
            return Count(item: item, received: received, used: used, stock: stock)
        }
    }

    static func record(_ ctx: ServiceContext, enterpriseID: UUID, _ input: Count) async throws {
        let item = input.item
        let day = CivilDate(ctx.now).iso
        let now = ctx.now
        try await ctx.transaction { db in
            let supply = try await Supply.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$item == item).first() ?? {
                let made = Supply()
                made.enterpriseID = enterpriseID
                made.item = item
                made.stock = 0
                return made
            }()
            if let stock = input.stock { supply.stock = stock }
            supply.stock += input.received ?? 0
            if let used = input.used {
                supply.stock = max(0, supply.stock - used)
                let use = try await SupplyUse.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$item == item)
                    .filter(\.$day == day).first() ?? {
                        let made = SupplyUse()
                        made.enterpriseID = enterpriseID
                        made.item = item
                        made.day = day
                        made.used = 0
                        return made
                    }()
                use.used += used
                try await use.save(on: db)
            }
            supply.updatedAt = now
            try await supply.save(on: db)
            try await Audit.record(ctx, on: db, action: "supply.record", entity: "enterprise", entityID: enterpriseID,
                                   detail: "item=\(item.rawValue),received=\(input.received ?? 0),used=\(input.used ?? 0)")
        }
    }

    /// The enterprise's supplies request still being handled, if any: one at a time.
    static func openRequest(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> Ticket? {
        try await openRequest(on: ctx.db, enterpriseID: enterpriseID)
    }

    private static func openRequest(on db: any Database, enterpriseID: UUID) async throws -> Ticket? {
        try await Ticket.query(on: db).filter(\.$enterprise.$id == enterpriseID).filter(\.$category == .supplies)
            .filter(\.$urgency == .emergency).filter(\.$state != .closed).sort(\.$createdAt, .descending).first()
    }

    /// One click: a help-desk ticket to the district for the items running low; refused while
    /// the last one is still open (the enterprise adds to that one). The check runs again inside
    /// the ticket's transaction, under the enterprise's lock (on SQLite the one writer runs
    /// transactions one at a time): two clicks at once open one ticket.
    static func request(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> Ticket {
        let alreadyOpen = AppError.conflict(field: "form", messageKey: "error.supply.requestOpen")
        if try await openRequest(ctx, enterpriseID: enterpriseID) != nil { throw alreadyOpen }
        let low = try await items(ctx, enterpriseID: enterpriseID).filter(\.low)
        guard !low.isEmpty else { throw FieldErrors("item", "error.supply.notLow") }
        let lines = low.map { item in
            ctx.t("supply.requestLine", ctx.t("supply.item.\(item.item.rawValue)"), String(format: "%.0f", item.stock),
                  item.daysRemaining.map { String(format: "%.1f", $0) } ?? "—")
        }
        return try await HelpdeskService.raise(ctx, .init(category: .supplies, urgency: .emergency, title: ctx.t("supply.requestTitle"),
                                                          description: lines.joined(separator: "\n"))) { db in
            try await db.lockRow(Enterprise.schema, id: enterpriseID)
            if try await openRequest(on: db, enterpriseID: enterpriseID) != nil { throw alreadyOpen }
        }
    }
}
