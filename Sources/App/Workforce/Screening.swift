import Domain
import Fluent
import SQLKit
import Vapor

/// Travel screening (假期流动信息) and quarantine. A returnee from outside the province gets a
/// quarantine from the return date at once; a contact with cases moves the person's last
/// contact date (the code is red for 14 days after it).
enum Screening {
    struct TravelInput: Content {
        var leftCity: Bool?
        var places: [Gate.PlaceDTO]?
        var returnDate: String?
        var transport: String?
        var transportNumber: String?
        var contactWithCases: Bool?
        var contactDate: String?
        var symptomsLast14Days: Bool?
    }

    struct TravelDTO: Content {
        let id: UUID
        let employeeId: UUID
        let leftCity: Bool
        let places: [Gate.PlaceDTO]
        let returnDate: String?
        let transport: Transport?
        let transportNumber: String
        let contactWithCases: Bool
        let contactDate: String?
        let symptomsLast14Days: Bool
        let outsideProvince: Bool
        let keyArea: Bool
        let createdAt: Date
        /// The quarantine this record started, if any.
        let quarantineId: UUID?
    }

    /// For a person read by `Roster.find` or `Roster.own`, which decide who may.
    static func record(_ ctx: ServiceContext, _ employee: Employee, _ input: TravelInput) async throws -> TravelDTO {
        let user = try ctx.requireUser()
        let policy = try await ctx.settings().health
        let today = CivilDate(ctx.now)
        var errors = FieldErrors()
        guard let leftCity = input.leftCity else { throw FieldErrors("leftCity", "error.required") }
        let places = leftCity ? Gate.places(input.places, into: &errors) : []
        if leftCity && places.isEmpty { errors.add("places", "error.required") }
        var returnDate: CivilDate?
        if leftCity {
            if let raw = input.returnDate.map(FormText.trimmed), !raw.isEmpty {
                returnDate = CivilDate(iso: raw)
                if returnDate == nil || returnDate! > today.adding(days: 30) { errors.add("returnDate", "error.date") }
            } else { errors.add("returnDate", "error.required") }
        }
        var transport: Transport?
        if leftCity {
            if let raw = input.transport, let value = Transport(rawValue: raw) { transport = value } else { errors.add("transport", FormText.choiceError(input.transport)) }
        }
        let transportNumber = FormText.trimmed(input.transportNumber)
        if transportNumber.count > 30 { errors.add("transportNumber", "error.tooLong") }
        guard let contact = input.contactWithCases else { errors.add("contactWithCases", "error.required"); throw errors }
        var contactDate: CivilDate?
        if contact {
            if let raw = input.contactDate.map(FormText.trimmed), let day = CivilDate(iso: raw), day <= today { contactDate = day } else { errors.add("contactDate", "error.date") }
        }
        if input.symptomsLast14Days == nil { errors.add("symptomsLast14Days", "error.required") }
        try errors.throwIfAny()

        let outside = places.contains { policy.isOutsideProvince($0.province) }
        let keyArea = places.contains { policy.isKeyArea(province: $0.province, city: $0.city) }
        let record = TravelRecord()
        record.id = UUID()
        record.$employee.id = try employee.requireID()
        record.enterpriseID = employee.$enterprise.id
        record.leftCity = leftCity
        record.places = String(decoding: try JSONEncoder().encode(places), as: UTF8.self)
        record.returnDate = returnDate?.iso
        record.transport = transport?.rawValue
        record.transportNumber = transportNumber
        record.contactWithCases = contact
        record.contactDate = contactDate?.iso
        record.symptomsLast14Days = input.symptomsLast14Days ?? false
        record.outsideProvince = outside
        record.keyArea = keyArea
        record.recordedBy = try user.requireID()
        record.createdAt = ctx.now

        // A returnee from outside the province: quarantine from the return date, unless one from
        // that date is already there.
        var quarantine: Quarantine?
        if outside, let returnDate {
            let existing = try await Quarantine.query(on: ctx.db).filter(\.$employee.$id == employee.id!).filter(\.$startDate == returnDate.iso).first()
            if existing == nil {
                let period = QuarantinePeriod(start: returnDate, policy: policy)
                let made = Quarantine()
                made.id = UUID()
                made.$employee.id = employee.id!
                made.enterpriseID = employee.$enterprise.id
                made.cause = .returnee
                made.place = .home
                made.startDate = period.start.iso
                made.plannedEnd = period.plannedEnd.iso
                made.createdAt = ctx.now
                quarantine = made
            }
        }
        if let contactDate, employee.lastCaseContact.flatMap(CivilDate.init(iso:)).map({ contactDate > $0 }) ?? true {
            employee.lastCaseContact = contactDate.iso
        }
        let recordInsert = try PreparedInsert(record)
        let quarantineInsert = try quarantine.map { try PreparedInsert($0) }
        try await ctx.transaction { [quarantine] db in
            try await recordInsert.run(on: db, for: record)
            if let quarantine, let quarantineInsert {
                try await quarantineInsert.run(on: db, for: quarantine)
                try await Audit.record(ctx, on: db, action: "quarantine.start", entity: "employee", entityID: employee.id, detail: "cause=returnee")
            }
            if employee.hasChanges { try await employee.save(on: db) }
            try await Audit.record(ctx, on: db, action: "travel.record", entity: "employee", entityID: employee.id)
        }
        return dto(record, quarantineID: quarantine?.id)
    }

    static func dto(_ record: TravelRecord, quarantineID: UUID? = nil) -> TravelDTO {
        TravelDTO(id: record.id!, employeeId: record.$employee.id, leftCity: record.leftCity,
                  places: (try? JSONDecoder().decode([Gate.PlaceDTO].self, from: Data(record.places.utf8))) ?? [],
                  returnDate: record.returnDate, transport: record.transport.flatMap(Transport.init(rawValue:)),
                  transportNumber: record.transportNumber, contactWithCases: record.contactWithCases, contactDate: record.contactDate,
                  symptomsLast14Days: record.symptomsLast14Days, outsideProvince: record.outsideProvince, keyArea: record.keyArea,
                  createdAt: record.createdAt, quarantineId: quarantineID)
    }

    /// The enterprise's screening: each employed person with their latest record, or none.
    struct OverviewRow: Content {
        let employeeId: UUID
        let name: String
        let employeeNumber: String
        let department: String
        let screened: Bool
        let outsideProvince: Bool
        let keyArea: Bool
        let contactWithCases: Bool
        let symptoms: Bool
        let returnDate: String?
    }

    struct Overview: Content {
        let total: Int
        let screened: Int
        let outsideProvince: Int
        let keyArea: Int
        let notScreened: Int
        /// The people to look at: not screened, from outside, from key areas, contact or symptoms.
        let rows: [OverviewRow]
    }

    static func overview(_ ctx: ServiceContext, enterpriseID: UUID, filter: String?) async throws -> Overview {
        let employees = try await Employee.query(on: ctx.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$status == .employed)
            .sort(\.$employeeNumber).all()
        let records = try await TravelRecord.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID).sort(\.$createdAt).all()
        var latest: [UUID: TravelRecord] = [:]
        for record in records { latest[record.$employee.id] = record }
        let rows = employees.map { employee -> OverviewRow in
            let record = latest[employee.id!]
            return OverviewRow(employeeId: employee.id!, name: employee.name, employeeNumber: employee.employeeNumber,
                               department: employee.department, screened: record != nil, outsideProvince: record?.outsideProvince ?? false,
                               keyArea: record?.keyArea ?? false, contactWithCases: record?.contactWithCases ?? false,
                               symptoms: record?.symptomsLast14Days ?? false, returnDate: record?.returnDate)
        }
        let shown = rows.filter { row in
            switch filter {
            case "notScreened": !row.screened
            case "outsideProvince": row.outsideProvince
            case "keyArea": row.keyArea
            default: !row.screened || row.outsideProvince || row.keyArea || row.contactWithCases || row.symptoms
            }
        }
        return Overview(total: rows.count, screened: rows.filter(\.screened).count, outsideProvince: rows.filter(\.outsideProvince).count,
                        keyArea: rows.filter(\.keyArea).count, notScreened: rows.filter { !$0.screened }.count, rows: Array(shown.prefix(500)))
    }

    // MARK: Quarantine

    struct QuarantineDTO: Content {
        let id: UUID
        let employeeId: UUID
        let name: String
        let department: String
        let cause: QuarantineCause
        let place: QuarantinePlace
        let startDate: String
        let plannedEnd: String
        let daysRemaining: Int
        let active: Bool
        let released: Bool
        let extensionReason: String?
        /// Readings taken today (0–2).
        let readingsToday: Int
    }

    struct QuarantineInput: Content {
        var employeeId: UUID?
        var startDate: String?
        var place: String?
    }

    /// By hand: a close contact.
    static func startQuarantine(_ ctx: ServiceContext, enterpriseID: UUID, _ input: QuarantineInput) async throws -> Quarantine {
        var errors = FieldErrors()
        let policy = try await ctx.settings().health
        let today = CivilDate(ctx.now)
        guard let employeeID = input.employeeId, let employee = try await Employee.find(employeeID, on: ctx.db),
              employee.$enterprise.id == enterpriseID else { throw FieldErrors("employeeId", "error.employee.unknown") }
        let start = input.startDate.flatMap { CivilDate(iso: FormText.trimmed($0)) }
        if start == nil || start! > today || start! < today.adding(days: -policy.quarantineDays) { errors.add("startDate", "error.date") }
        let place = QuarantinePlace(rawValue: input.place ?? "")
        if place == nil { errors.add("place", "error.choice") }
        try errors.throwIfAny()
        let period = QuarantinePeriod(start: start!, policy: policy)
        let quarantine = Quarantine()
        quarantine.id = UUID()
        quarantine.$employee.id = employeeID
        quarantine.enterpriseID = enterpriseID
        quarantine.cause = .closeContact
        quarantine.place = place!
        quarantine.startDate = period.start.iso
        quarantine.plannedEnd = period.plannedEnd.iso
        quarantine.createdAt = ctx.now
        if employee.lastCaseContact.flatMap(CivilDate.init(iso:)).map({ period.start > $0 }) ?? true { employee.lastCaseContact = period.start.iso }
        let insert = try PreparedInsert(quarantine)
        try await ctx.transaction { db in
            try await insert.run(on: db, for: quarantine)
            try await employee.save(on: db)
            try await Audit.record(ctx, on: db, action: "quarantine.start", entity: "employee", entityID: employeeID, detail: "cause=closeContact")
        }
        return quarantine
    }

    static func findQuarantine(_ ctx: ServiceContext, id: UUID?, enterpriseID: UUID) async throws -> Quarantine {
        guard let id, let quarantine = try await Quarantine.find(id, on: ctx.db),
              quarantine.enterpriseID == enterpriseID else { throw AppError.notFound }
        return quarantine
    }

    static func release(_ ctx: ServiceContext, _ quarantine: Quarantine) async throws {
        do { try quarantine.period.checkRelease(on: CivilDate(ctx.now)) } catch { throw FieldErrors("quarantine", error.rawValue) }
        quarantine.releasedAt = ctx.now
        quarantine.releasedBy = try ctx.requireUser().id
        try await ctx.transaction { db in
            try await quarantine.save(on: db)
            try await Audit.record(ctx, on: db, action: "quarantine.release", entity: "employee", entityID: quarantine.$employee.id)
        }
    }

    struct ExtensionInput: Content {
        var plannedEnd: String?
        var reason: String?
    }

    static func extend(_ ctx: ServiceContext, _ quarantine: Quarantine, _ input: ExtensionInput) async throws {
        guard let end = input.plannedEnd.flatMap({ CivilDate(iso: FormText.trimmed($0)) }), end <= CivilDate(ctx.now).adding(days: 60) else {
            throw FieldErrors("plannedEnd", "error.date")
        }
        let reason = FormText.trimmed(input.reason)
        if reason.count > 200 { throw FieldErrors("reason", "error.tooLong") }
        do { try quarantine.period.checkExtension(to: end, reason: reason) } catch {
            throw FieldErrors(error == .reason ? "reason" : "plannedEnd", error.rawValue)
        }
        let before = quarantine.plannedEnd
        quarantine.plannedEnd = end.iso
        quarantine.extensionReason = reason
        try await ctx.transaction { db in
            try await quarantine.save(on: db)
            try await Audit.record(ctx, on: db, action: "quarantine.extend", entity: "employee", entityID: quarantine.$employee.id,
                                   detail: "from=\(before),to=\(end.iso)")
        }
    }

    struct ReadingInput: Content {
        var slot: Int?
        var temperature: Double?
    }

    /// Morning (1) and afternoon (2) readings while the quarantine lasts.
    static func reading(_ ctx: ServiceContext, _ quarantine: Quarantine, _ input: ReadingInput) async throws {
        let today = CivilDate(ctx.now)
        guard quarantine.period.isActive(on: today) else { throw FieldErrors("quarantine", "error.quarantine.notActive") }
        var errors = FieldErrors()
        if ![1, 2].contains(input.slot ?? 0) { errors.add("slot", "error.choice") }
        if let temperature = input.temperature {
            if let problem = Temperature.problem(temperature) { errors.add("temperature", problem) }
        } else { errors.add("temperature", "error.required") }
        try errors.throwIfAny()
        let temperature = (input.temperature! * 10).rounded() / 10
        if try await QuarantineReading.query(on: ctx.db).filter(\.$quarantine.$id == quarantine.id!).filter(\.$day == today.iso)
            .filter(\.$slot == input.slot!).count() > 0 { throw FieldErrors("slot", "error.quarantine.readingTaken") }
        let reading = QuarantineReading()
        reading.$quarantine.id = quarantine.id!
        reading.day = today.iso
        reading.slot = input.slot!
        reading.temperature = temperature
        reading.takenAt = ctx.now
        let policy = try await ctx.settings().health
        guard let employee = try await Employee.find(quarantine.$employee.id, on: ctx.db) else { throw AppError.notFound }
        let alert = policy.isFever(temperature) ? FeverAlerts.Pending(employee: employee, temperature: temperature, source: .quarantine, at: ctx.now) : nil
        let insert = try PreparedInsert(reading)
        let outcome = try await ctx.transaction { db -> FeverAlerts.Outcome? in
            try await insert.run(on: db, for: reading)
            try await WorkforceStore.temperature(temperature, of: employee.id!, at: ctx.now).run(on: db)
            try await Audit.record(ctx, on: db, action: "quarantine.reading", entity: "employee", entityID: employee.id)
            guard let alert else { return nil }
            return try await FeverAlerts.raise(alert, policy: policy, on: db)
        }
        if let outcome { FeverAlerts.announce(ctx.app, outcome) }
    }

    /// Quarantines of the enterprise: active ones and those ended in the last week.
    static func quarantines(_ ctx: ServiceContext, enterpriseID: UUID) async throws -> [QuarantineDTO] {
        let today = CivilDate(ctx.now)
        let list = try await Quarantine.query(on: ctx.db).filter(\.$enterpriseID == enterpriseID)
            .filter(\.$plannedEnd >= today.adding(days: -7).iso).sort(\.$plannedEnd).with(\.$employee).limit(1000).all()
        let readings = try await QuarantineReading.query(on: ctx.db).filter(\.$quarantine.$id ~~ Set(list.compactMap(\.id)))
            .filter(\.$day == today.iso).all()
        return list.map { quarantine in
            let period = quarantine.period
            return QuarantineDTO(id: quarantine.id!, employeeId: quarantine.$employee.id, name: quarantine.employee.name,
                                 department: quarantine.employee.department, cause: quarantine.cause, place: quarantine.place,
                                 startDate: quarantine.startDate, plannedEnd: quarantine.plannedEnd, daysRemaining: period.daysRemaining(on: today),
                                 active: period.isActive(on: today), released: quarantine.releasedAt != nil,
                                 extensionReason: quarantine.extensionReason,
                                 readingsToday: readings.filter { $0.$quarantine.id == quarantine.id }.count)
        }
    }
}
