import Domain
import Fluent
import SQLKit
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
    static func items(_ req: Request, enterpriseID: UUID) async throws -> [ItemDTO] {
        guard let sql = req.db as? any SQLDatabase else { throw AppError.internalError("supplies need SQL") }
        let gate = try await DailySummary.gateDay(sql, enterpriseID: enterpriseID, day: CivilDate(req.now))
        return try await items(req, enterpriseID: enterpriseID, onSite: gate.onSite)
    }

    static func items(_ req: Request, enterpriseID: UUID, onSite: Int) async throws -> [ItemDTO] {
        let policy = try await req.districtSettings().health
        let stocks = try await Supply.query(on: req.db).filter(\.$enterpriseID == enterpriseID).all()
        let since = CivilDate(req.now).adding(days: -7).iso
        let uses = try await SupplyUse.query(on: req.db).filter(\.$enterpriseID == enterpriseID).filter(\.$day > since).all()
        return SupplyItem.allCases.map { item in
            let stock = stocks.first { $0.item == item }?.stock ?? 0
            let (daily, estimated) = SupplyRules.dailyUse(recorded: uses.filter { $0.item == item }.map(\.used), item: item, onSite: onSite)
            let days = SupplyRules.daysRemaining(stock: stock, dailyUse: daily)
            return ItemDTO(item: item, stock: stock, dailyUse: (daily * 100).rounded() / 100, estimated: estimated,
                           daysRemaining: days.map { ($0 * 10).rounded() / 10 },
                           low: SupplyRules.isLow(stock: stock, dailyUse: daily, policy: policy))
        }
    }

    struct Input: Content {
        var item: String?
        /// Received (added to the stock).
        var received: Double?
        /// Used today (taken from the stock and recorded as the day's use).
        var used: Double?
        /// A count that replaces the stock.
        var stock: Double?
    }

    static func record(_ req: Request, enterpriseID: UUID, _ input: Input) async throws {
        var errors = FieldErrors()
        let item = SupplyItem(rawValue: input.item ?? "")
        if item == nil { errors.add("item", "error.choice") }
        for (value, field) in [(input.received, "received"), (input.used, "used"), (input.stock, "stock")] {
            if let value, !SupplyRules.isValidQuantity(value) { errors.add(field, "error.supply.quantity") }
        }
        if input.received == nil && input.used == nil && input.stock == nil { errors.add("received", "error.required") }
        try errors.throwIfAny()
        let day = CivilDate(req.now).iso
        let now = req.now
        try await req.transaction { db in
            let supply = try await Supply.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$item == item!).first() ?? {
                let made = Supply()
                made.enterpriseID = enterpriseID
                made.item = item!
                made.stock = 0
                return made
            }()
            if let stock = input.stock { supply.stock = stock }
            supply.stock += input.received ?? 0
            if let used = input.used {
                supply.stock = max(0, supply.stock - used)
                let use = try await SupplyUse.query(on: db).filter(\.$enterpriseID == enterpriseID).filter(\.$item == item!)
                    .filter(\.$day == day).first() ?? {
                        let made = SupplyUse()
                        made.enterpriseID = enterpriseID
                        made.item = item!
                        made.day = day
                        made.used = 0
                        return made
                    }()
                use.used += used
                try await use.save(on: db)
            }
            supply.updatedAt = now
            try await supply.save(on: db)
            try await Audit.record(req, on: db, action: "supply.record", entity: "enterprise", entityID: enterpriseID,
                                   detail: "item=\(item!.rawValue),received=\(input.received ?? 0),used=\(input.used ?? 0)")
        }
    }

    /// One click: a help-desk ticket to the district for the items running low.
    static func request(_ req: Request, enterpriseID: UUID) async throws -> Ticket {
        let low = try await items(req, enterpriseID: enterpriseID).filter(\.low)
        guard !low.isEmpty else { throw FieldErrors("item", "error.supply.notLow") }
        let lines = low.map { item in
            req.t("supply.requestLine", req.t("supply.item.\(item.item.rawValue)"), String(format: "%.0f", item.stock),
                  item.daysRemaining.map { String(format: "%.1f", $0) } ?? "—")
        }
        return try await HelpdeskService.raise(req.context, .init(category: .supplies, urgency: .emergency, title: req.t("supply.requestTitle"),
                                                                  description: lines.joined(separator: "\n")))
    }
}
