import Domain
import Fluent
import SQLKit
import Vapor

/// The factory gate: staff check-in and check-out by pass or employee number, and visitors.
/// A guard gets decisions and their reasons, never a temperature history. Every check-in is
/// kept (the staff gate log), allowed or not.
enum Gate {
    struct CheckInInput: Content {
        var passCode: String?
        var employeeNumber: String?
        var temperature: Double?
        var mask: Bool?
        /// Asked only where the district checks them (`HealthPolicy.protectiveEquipment`).
        var gloves: Bool?
        var suit: Bool?
        var direction: String?
        /// A checkpoint inside the site (`GET …/checkpoints`); the main gate when left out.
        var checkpoint: UUID?
    }

    struct DecisionDTO: Content {
        let decision: String
        let reasons: [GateReason]
        /// The reasons in the guard's language.
        let reasonTexts: [String]
        let healthCode: HealthColor?
        /// Whom the guard sees: the name and number, to compare with the work card.
        let name: String?
        let employeeNumber: String?
    }

    /// The enterprise a guard (or the enterprise admin standing in) works the gate of.
    static func enterpriseID(_ ctx: ServiceContext) throws -> UUID {
        guard let id = try ctx.requireUser().$enterprise.id else { throw AppError.forbidden }
        return id
    }

    static func checkIn(_ ctx: ServiceContext, _ input: CheckInInput) async throws -> DecisionDTO {
        let enterpriseID = try enterpriseID(ctx)
        var errors = FieldErrors()
        let direction = GateDirection(rawValue: input.direction ?? "in")
        if direction == nil { errors.add("direction", "error.choice") }
        let pass = FormText.trimmed(input.passCode).uppercased()
        let number = FormText.trimmed(input.employeeNumber)
        if pass.isEmpty && number.isEmpty { errors.add("passCode", "error.gate.who") }
        if pass.count > 32 || number.count > 32 { errors.add(pass.isEmpty ? "employeeNumber" : "passCode", "error.tooLong") }
        if let temperature = input.temperature {
            if let problem = Temperature.problem(temperature) { errors.add("temperature", problem) }
        } else if direction == .in {
            errors.add("temperature", "error.required")
        }
        let policy = try await ctx.settings().health
        let answers: [ProtectiveItem: Bool?] = [.mask: input.mask, .gloves: input.gloves, .suit: input.suit]
        for item in policy.requiredEquipment where (answers[item] ?? nil) == nil && (direction == .in || item == .mask) {
            errors.add(item.rawValue, "error.required")
        }
        var checkpoint: Checkpoint?
        if let id = input.checkpoint {
            checkpoint = try await Checkpoint.query(on: ctx.db).filter(\.$id == id).filter(\.$enterpriseID == enterpriseID).first()
            if checkpoint == nil { errors.add("checkpoint", "error.choice") } else if direction == .out { errors.add("direction", "error.checkpoint.inOnly") }
        }
        try errors.throwIfAny()
        guard let direction else { throw AppError.internalError("validated gate input") }
        let wearing = Set(ProtectiveItem.allCases.filter { (answers[$0] ?? nil) == true })
        let mask = wearing.contains(.mask)
        let temperature = input.temperature.map { ($0 * 10).rounded() / 10 }

        let now = ctx.now
        let today = CivilDate(now)
        var employee: Employee?
        if !pass.isEmpty {
            employee = try await WorkforceStore.employee(.pass(code: pass, day: today, enterpriseID: enterpriseID), day: today, on: ctx)
        } else {
            employee = try await WorkforceStore.employee(.number(number, enterpriseID: enterpriseID), day: today, on: ctx)
        }
        var code: HealthCode?
        var inQuarantine = false
        if let employee {
            let facts = try Health.facts(employee, now: now)
            code = HealthCode(facts, today: today, policy: policy)
            inQuarantine = facts.quarantines.contains { $0.isActive(on: today) }
        }
        let decision = GateDecision.staff(onRoster: employee != nil, employed: employee?.status == .employed, code: code,
                                          inQuarantine: inQuarantine, temperature: temperature, wearing: wearing, direction: direction, policy: policy)
        let guardID = try ctx.requireUser().requireID()
        let alert = employee.flatMap { person in
            temperature.flatMap {
                policy.isFever($0) ? FeverAlerts.Pending(employee: person, temperature: $0, source: checkpoint == nil ? .gate : .checkpoint, at: now) : nil
            }
        }
        let employeeID = employee?.id
        let typed = pass.isEmpty ? number : pass
        let reasons = decision.reasons.map(\.rawValue).joined(separator: ",")
        // The gate's log says who is on site; a checkpoint keeps its own.
        var statements = [try checkpoint.map {
            WorkforceStore.checkpointPassage(enterpriseID: enterpriseID, checkpointID: try $0.requireID(), employeeID: employeeID, typed: typed,
                                             temperature: temperature, allowed: decision.allowed, reasons: reasons, guardID: guardID, at: now)
        } ?? WorkforceStore.gateCheckIn(enterpriseID: enterpriseID, employeeID: employeeID, typed: typed, direction: direction,
                                        temperature: temperature, mask: mask, allowed: decision.allowed, reasons: reasons,
                                        guardID: guardID, at: now)]
        if let employeeID, let temperature { statements.append(WorkforceStore.temperature(temperature, of: employeeID, at: now)) }
        try await FeverAlerts.write(ctx, statements, alert: alert, policy: policy)
        return DecisionDTO(decision: decision.allowed ? "allow" : "deny", reasons: decision.reasons,
                           reasonTexts: decision.reasons.map { ctx.t("gate.reason.\($0.rawValue)") }, healthCode: code?.color,
                           name: employee?.name, employeeNumber: employee?.employeeNumber)
    }

    // MARK: Visitors

    struct PlaceDTO: Content, Equatable {
        var province: String
        var city: String

        /// Places typed one a line, province then city (`辽宁省 沈阳市`), as the forms take them.
        static func lines(_ text: String?) -> [PlaceDTO] {
            (text ?? "").split(whereSeparator: \.isNewline).map { line in
                let parts = line.split(whereSeparator: { " 　,，".contains($0) }).map(String.init)
                return PlaceDTO(province: parts.first ?? "", city: parts.dropFirst().joined(separator: " "))
            }
        }
    }

    struct VisitorInput: Content {
        var name: String?
        var mobile: String?
        var idNumber: String?
        var organisation: String?
        var purpose: String?
        /// The host's employee number.
        var hostEmployeeNumber: String?
        var places: [PlaceDTO]?
        var keyAreaContact: Bool?
        var temperature: Double?
        var mask: Bool?
    }

    struct VisitorDTO: Content {
        let id: UUID
        let name: String
        let mobile: String
        let idNumber: String?
        let organisation: String
        let purpose: String
        let hostName: String?
        let places: [PlaceDTO]
        let decision: String
        let reasons: [GateReason]
        let reasonTexts: [String]
        let checkedInAt: Date
        let checkedOutAt: Date?
    }

    static func places(_ raw: [PlaceDTO]?, into errors: inout FieldErrors) -> [PlaceDTO] {
        let places = (raw ?? []).map { PlaceDTO(province: FormText.trimmed($0.province), city: FormText.trimmed($0.city)) }
            .filter { !$0.province.isEmpty || !$0.city.isEmpty }
        if places.count > 20 || places.contains(where: { $0.province.count > 20 || $0.city.count > 30 }) { errors.add("places", "error.tooLong") }
        return places
    }

    static func registerVisitor(_ ctx: ServiceContext, _ input: VisitorInput) async throws -> VisitorDTO {
        let enterpriseID = try enterpriseID(ctx)
        let policy = try await ctx.settings().health
        var errors = FieldErrors()
        let name = FormText.required(input.name, field: "name", maxLength: 50, into: &errors)
        var mobile = ""
        do { mobile = try MobileNumber(FormText.required(input.mobile, field: "mobile", into: &errors)).value } catch {
            if !FormText.trimmed(input.mobile).isEmpty { errors.add("mobile", error.messageKey) }
        }
        var id: ResidentID?
        let rawID = FormText.trimmed(input.idNumber)
        if !rawID.isEmpty {
            do { id = try ResidentID(rawID, today: ctx.now) } catch { errors.add("idNumber", error.messageKey) }
        }
        let organisation = FormText.required(input.organisation, field: "organisation", maxLength: 100, into: &errors)
        let purpose = FormText.required(input.purpose, field: "purpose", maxLength: 200, into: &errors)
        var host: Employee?
        let hostNumber = FormText.trimmed(input.hostEmployeeNumber)
        if !hostNumber.isEmpty {
            host = try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$employeeNumber == hostNumber).first()
            if host == nil { errors.add("hostEmployeeNumber", "error.employee.unknown") }
        }
        let places = places(input.places, into: &errors)
        if input.keyAreaContact == nil { errors.add("keyAreaContact", "error.required") }
        if let temperature = input.temperature {
            if let problem = Temperature.problem(temperature) { errors.add("temperature", problem) }
        } else { errors.add("temperature", "error.required") }
        if input.mask == nil { errors.add("mask", "error.required") }
        try errors.throwIfAny()
        guard let temperature = input.temperature, let mask = input.mask, let contact = input.keyAreaContact else {
            throw AppError.internalError("validated visitor input")
        }
        let decision = GateDecision.visitor(temperature: temperature, mask: mask, places: places.map { ($0.province, $0.city) },
                                            keyAreaContact: contact, idGiven: id != nil, policy: policy)
        let visitor = Visitor()
        visitor.id = UUID()
        visitor.enterpriseID = enterpriseID
        visitor.name = name
        visitor.mobile = mobile
        visitor.idSealed = try id.map { try ctx.app.personalData.seal($0.value) }
        visitor.idMasked = id?.masked
        visitor.organisation = organisation
        visitor.purpose = purpose
        visitor.hostEmployeeID = host?.id
        visitor.places = String(decoding: try JSONEncoder().encode(places), as: UTF8.self)
        visitor.keyAreaContact = contact
        visitor.temperature = (temperature * 10).rounded() / 10
        visitor.mask = mask
        visitor.allowed = decision.allowed
        visitor.reasons = decision.reasons.map(\.rawValue).joined(separator: ",")
        visitor.guardID = try ctx.requireUser().requireID()
        visitor.checkedInAt = ctx.now
        let insert = try PreparedInsert(visitor)
        let fever = policy.isFever(temperature)
        try await ctx.transaction { db in
            try await insert.run(on: db, for: visitor)
            try await Audit.record(ctx, on: db, action: "visitor.register", entity: "visitor", entityID: visitor.id,
                                   detail: decision.allowed ? "allow" : "deny")
            if fever {
                for admin in try await User.query(on: db).filter(\.$enterprise.$id == enterpriseID).filter(\.$role == .enterpriseAdmin).all() {
                    try await Notification.toUser(admin.id!, "notice.visitorFever", [name, String(format: "%.1f", temperature)],
                                                  link: "/gate/visitors", at: ctx.now, on: db)
                }
            }
        }
        if fever { ctx.app.publishLive("fever", to: ["enterprise:\(enterpriseID)"]) }
        return dto(ctx, visitor, hostName: host?.name)
    }

    static func dto(_ ctx: ServiceContext, _ visitor: Visitor, hostName: String?) -> VisitorDTO {
        let reasons = visitor.reasons.split(separator: ",").compactMap { GateReason(rawValue: String($0)) }
        return VisitorDTO(id: visitor.id!, name: visitor.name, mobile: (try? MobileNumber(visitor.mobile).masked) ?? visitor.mobile,
                          idNumber: visitor.idMasked, organisation: visitor.organisation, purpose: visitor.purpose, hostName: hostName,
                          places: (try? JSONDecoder().decode([PlaceDTO].self, from: Data(visitor.places.utf8))) ?? [],
                          decision: visitor.allowed ? "allow" : "deny", reasons: reasons,
                          reasonTexts: reasons.map { ctx.t("gate.reason.\($0.rawValue)") },
                          checkedInAt: visitor.checkedInAt, checkedOutAt: visitor.checkedOutAt)
    }

    static func checkOutVisitor(_ ctx: ServiceContext, visitorID: UUID) async throws -> VisitorDTO {
        let enterpriseID = try enterpriseID(ctx)
        guard let visitor = try await Visitor.find(visitorID, on: ctx.db), visitor.enterpriseID == enterpriseID else { throw AppError.notFound }
        guard visitor.allowed else { throw FieldErrors("visitor", "error.visitor.notIn") }
        guard visitor.checkedOutAt == nil else { throw FieldErrors("visitor", "error.visitor.out") }
        visitor.checkedOutAt = ctx.now
        try await ctx.transaction { db in
            try await visitor.save(on: db)
            try await Audit.record(ctx, on: db, action: "visitor.checkOut", entity: "visitor", entityID: visitor.id)
        }
        return dto(ctx, visitor, hostName: nil)
    }

    /// The visitor log of a day (the guard and the enterprise admin).
    static func visitors(_ ctx: ServiceContext, day: CivilDate) async throws -> [VisitorDTO] {
        let enterpriseID = try enterpriseID(ctx)
        let visitors = try await Visitor.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID)
            .filter(\.$checkedInAt >= day.start).filter(\.$checkedInAt < day.adding(days: 1).start)
            .sort(\.$checkedInAt, .descending).limit(500).all()
        let hosts = try await Employee.names(visitors.compactMap(\.hostEmployeeID), on: ctx.db)
        return visitors.map { dto(ctx, $0, hostName: $0.hostEmployeeID.flatMap { hosts[$0] }) }
    }

    struct LogEntry: Content {
        let at: Date
        let name: String?
        /// The roster's number, which tells two people of one name apart.
        let employeeNumber: String?
        let typed: String
        let direction: String
        let decision: String
        let reasons: [GateReason]
    }

    // MARK: Checkpoints

    struct CheckpointDTO: Content {
        let id: UUID
        let name: String
    }

    static func checkpoints(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> [CheckpointDTO] {
        try await Checkpoint.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).sort(\.$name).all()
            .map { CheckpointDTO(id: try $0.requireID(), name: $0.name) }
    }

    struct CheckpointInput: Content {
        var name: String?
    }

    /// A checkpoint of the enterprise's (a workshop entrance, a disinfection area), audited.
    static func addCheckpoint(_ ctx: ServiceContext, enterpriseID: UUID, _ input: CheckpointInput) async throws -> CheckpointDTO {
        var errors = FieldErrors()
        let name = FormText.required(input.name, field: "name", maxLength: 40, into: &errors)
        try errors.throwIfAny()
        if try await Checkpoint.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).filter(\.$name == name).first() != nil {
            throw FieldErrors("name", "error.site.areaTaken")
        }
        if try await Checkpoint.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).count() >= 50 { throw FieldErrors("name", "error.tooMany") }
        let checkpoint = Checkpoint()
        checkpoint.enterpriseID = enterpriseID
        checkpoint.name = name
        checkpoint.createdAt = ctx.now
        try await ctx.transaction { db in
            try await checkpoint.create(on: db)
            try await Audit.record(ctx, on: db, action: "gate.checkpoint.add", entity: "enterprise", entityID: enterpriseID, subject: name)
        }
        return CheckpointDTO(id: try checkpoint.requireID(), name: name)
    }

    /// The staff gate log of a day: decisions, never temperatures.
    /// At a checkpoint (`checkpointID`), that checkpoint's own passages instead; `refusedOnly`,
    /// the refusals alone (the guard's review of the day).
    static func log(_ ctx: ServiceContext, day: CivilDate, limit: Int = 200, checkpointID: UUID? = nil,
                    refusedOnly: Bool = false) async throws -> [LogEntry] {
        let enterpriseID = try enterpriseID(ctx)
        let rows: [WorkforceStore.GatePassage]
        if let checkpointID {
            rows = try await WorkforceStore.checkpointLog(ctx.db, checkpointID: checkpointID, day: day, limit: limit, refusedOnly: refusedOnly)
        } else {
            rows = try await WorkforceStore.gateLog(ctx.db, enterpriseID: enterpriseID, day: day, limit: limit, refusedOnly: refusedOnly)
        }
        let people = try await Employee.namesAndNumbers(rows.compactMap(\.employee_id), on: ctx.db)
        return rows.map {
            LogEntry(at: $0.at, name: $0.employee_id.flatMap { people[$0]?.name }, employeeNumber: $0.employee_id.flatMap { people[$0]?.number },
                     typed: $0.typed, direction: $0.direction,
                     decision: $0.allowed ? "allow" : "deny", reasons: $0.reasons.split(separator: ",").compactMap { GateReason(rawValue: String($0)) })
        }
    }
}
