import Domain
import Fluent
import Foundation
import Vapor

/// 助企干部: assignments (包保), site visits and their reports.
enum OfficerService {
    /// The enterprises currently assigned to an officer.
    static func assignedEnterpriseIDs(_ officer: User, on db: any Database) async throws -> [UUID] {
        try await OfficerAssignment.query(on: db)
            .filter(\.$officer.$id == officer.requireID()).filter(\.$endedAt == nil).all().map(\.$enterprise.id)
    }

    /// An officer serves the enterprises of their zone and those assigned to them.
    static func serves(_ officer: User, _ enterprise: Enterprise, on db: any Database) async throws -> Bool {
        if let zone = officer.zone, zone == enterprise.zone { return true }
        return try await assignedEnterpriseIDs(officer, on: db).contains(try enterprise.requireID())
    }

    static func currentAssignment(_ enterpriseID: UUID, on db: any Database) async throws -> OfficerAssignment? {
        try await OfficerAssignment.query(on: db)
            .filter(\.$enterprise.$id == enterpriseID).filter(\.$endedAt == nil).with(\.$officer).first()
    }

    /// Assigns `officerID`, or, when nil, the least-loaded officer of the enterprise's zone under
    /// the cap. Ends the previous assignment; schedules any visit that was waiting for an officer.
    static func assign(_ ctx: ServiceContext, enterpriseID: UUID?, officerID: UUID?) async throws -> OfficerAssignment {
        guard let enterpriseID else { throw FieldErrors("enterpriseId", "error.required") }
        guard let enterprise = try await Enterprise.find(enterpriseID, on: ctx.db) else {
            throw FieldErrors("enterpriseId", "error.enterprise.unknown")
        }
        let officer: User
        let method: String
        if let officerID {
            guard let chosen = try await User.find(officerID, on: ctx.db), chosen.role == .officer, !chosen.isDisabled else {
                throw FieldErrors("officerId", "error.officer.unknown")
            }
            (officer, method) = (chosen, "manual")
        } else {
            guard let chosen = try await pickOfficer(zone: enterprise.zone, on: ctx.db) else {
                throw AppError.conflict(field: "officerId", messageKey: "error.officer.noneAvailable")
            }
            (officer, method) = (chosen, "automatic")
        }
        let assignment = OfficerAssignment()
        assignment.$officer.id = try officer.requireID()
        assignment.$enterprise.id = enterpriseID
        assignment.method = method
        assignment.assignedBy = ctx.user?.id
        assignment.startedAt = ctx.now
        try await ctx.transaction { db in
            try await assign(assignment, on: db)
            try await Audit.record(ctx, on: db, action: "officer.assign", entity: "enterprise", entityID: enterpriseID,
                                   detail: "officer=\(officer.username),method=\(method)")
            try await Notification.toUser(try officer.requireID(), "notify.officer.assigned", [enterprise.name],
                                          link: "/enterprises/\(enterpriseID)", at: ctx.now, on: db)
            // An approved or filed application still waiting for its visit gets one now.
            if let waiting = try await ResumptionApplication.query(on: db).filter(\.$enterprise.$id == enterpriseID)
                .filter(\.$state ~~ [.approved, .filed]).first(),
               try await SiteVisit.query(on: db).filter(\.$application.$id == waiting.requireID())
                .filter(\.$status == .scheduled).count() == 0 {
                try await scheduleVisit(ctx, for: waiting, purpose: "resumption", on: db)
            }
        }
        return assignment
    }

    private static func assign(_ assignment: OfficerAssignment, on db: any Database) async throws {
        for previous in try await OfficerAssignment.query(on: db)
            .filter(\.$enterprise.$id == assignment.$enterprise.id).filter(\.$endedAt == nil).all() {
            previous.endedAt = assignment.startedAt
            try await previous.save(on: db)
        }
        try await assignment.create(on: db)
    }

    static func pickOfficer(zone: String, on db: any Database) async throws -> User? {
        let settings = try await DistrictSettings.load(db)
        let officers = try await User.query(on: db).filter(\.$role == .officer).filter(\.$zone == zone)
            .filter(\.$disabledAt == nil).sort(\.$username).all()
        let current = try await OfficerAssignment.query(on: db).filter(\.$endedAt == nil).all()
        let loads = officers.map { officer in (officer: officer.id!, load: current.filter { $0.$officer.id == officer.id }.count) }
        guard let id = OfficerBalancer.pick(loads, cap: settings.officerCap) else { return nil }
        return officers.first { $0.id == id }
    }

    /// Schedules a visit for the enterprise's officer, assigning one automatically if it has none.
    /// With no officer available in the zone, the visit waits for a manual assignment. A revisit
    /// falls two working days on, by `calendar`, read before the caller's transaction: reading it
    /// inside would wait for a second connection while holding the first.
    static func scheduleVisit(_ ctx: ServiceContext, for application: ResumptionApplication, purpose: String,
                              calendar: WorkingCalendar? = nil, on db: any Database) async throws {
        let enterpriseID = application.$enterprise.id
        var officerID = try await currentAssignment(enterpriseID, on: db)?.$officer.id
        if officerID == nil, let enterprise = try await Enterprise.find(enterpriseID, on: db),
           let officer = try await pickOfficer(zone: enterprise.zone, on: db) {
            let assignment = OfficerAssignment()
            assignment.$officer.id = try officer.requireID()
            assignment.$enterprise.id = enterpriseID
            assignment.method = "automatic"
            assignment.startedAt = ctx.now
            try await assign(assignment, on: db)
            officerID = officer.id
        }
        guard let officerID else { return }
        let today = CivilDate(ctx.now)
        let planned = CivilDate(iso: application.plannedDate) ?? today
        let visit = SiteVisit()
        visit.$application.id = try application.requireID()
        visit.$enterprise.id = enterpriseID
        visit.$officer.id = officerID
        if purpose == "revisit" {
            guard let calendar else { throw AppError.internalError("a revisit is scheduled by the working calendar") }
            visit.scheduledFor = calendar.adding(workingDays: 2, to: today).iso
        } else {
            visit.scheduledFor = max(planned, today).iso
        }
        visit.purpose = purpose
        visit.status = .scheduled
        visit.createdAt = ctx.now
        try await visit.create(on: db)
        try await Notification.toUser(officerID, "notify.visit.scheduled", [visit.scheduledFor],
                                      link: "/visits/\(try visit.requireID())", at: ctx.now, on: db)
    }

    struct Report: Content {
        /// standard → passed
        var results: [String: Bool]?
        var notes: [String: String]?
        var headcountFound: Int?
        var problems: String?
    }

    /// The officer's report. All five standards met → the application resumes; any failed →
    /// rectification: a filing is suspended (停产整改) and a revisit is scheduled.
    static func report(_ ctx: ServiceContext, _ visit: SiteVisit, _ report: Report, photos: [File]) async throws {
        guard visit.status == .scheduled else {
            throw AppError.illegalTransition(messageKey: "error.visit.alreadyReported")
        }
        guard SiteVisitSchedule.isDue(scheduledFor: visit.scheduledFor, today: CivilDate(ctx.now)) else { throw AppError.illegalTransition(messageKey: "error.visit.notYet") }
        var errors = FieldErrors()
        var results: [SiteStandard: Bool] = [:]
        for standard in SiteStandard.allCases {
            if let passed = report.results?[standard.rawValue] { results[standard] = passed } else { errors.add("results.\(standard.rawValue)", "error.required") }
        }
        if let unknown = report.results?.keys.first(where: { SiteStandard(rawValue: $0) == nil }) { errors.add("results.\(unknown)", "error.choice") }
        if let found = report.headcountFound, !(0...ResumptionService.maxHeadcount).contains(found) { errors.add("headcountFound", "error.number.range") }
        if report.headcountFound == nil { errors.add("headcountFound", "error.required") }
        let problems = FormText.trimmed(report.problems)
        if problems.count > 2000 { errors.add("problems", "error.tooLong") }
        let notes = (report.notes ?? [:]).filter { SiteStandard(rawValue: $0.key) != nil }.mapValues { String(FormText.trimmed($0).prefix(500)) }
        for (standard, passed) in results where !passed && (notes[standard.rawValue] ?? "").isEmpty {
            errors.add("notes.\(standard.rawValue)", "error.visit.noteRequired")
        }
        try errors.throwIfAny()

        let outcome = SiteVisitOutcome(results: results)
        guard let application = try await ResumptionApplication.find(visit.$application.id, on: ctx.db) else { throw AppError.notFound }
        // Photos first: a refused photo stops the whole report, and nothing is stored.
        let settings = try await ctx.settings()
        let checkedPhotos = try photos.filter { $0.data.readableBytes > 0 }.map {
            try Uploads.check($0, field: "photos", maxBytes: settings.maxUploadBytes)
        }
        visit.status = outcome == .passed ? .passed : .rectificationRequired
        visit.reportedAt = ctx.now
        visit.results = Dictionary(uniqueKeysWithValues: results.map { ($0.key.rawValue, $0.value) })
        visit.notes = notes
        visit.headcountFound = report.headcountFound
        visit.problems = problems.isEmpty ? nil : problems
        let userID = try ctx.requireUser().requireID()
        let now = ctx.now
        let calendar = try await ctx.calendar()
        let action: ResumptionAction? = switch (outcome, application.state) {
        case (.passed, .approved), (.passed, .filed), (.passed, .suspended): .confirmResumed
        case (.rectificationRequired, .filed): .suspend
        default: nil
        }
        let save: @Sendable (any Database) async throws -> Void = { db in
            try await visit.save(on: db)
            for (stored, name) in checkedPhotos {
                stored.createdAt = now
                try await stored.create(on: db)
                let attachment = ResumptionAttachment()
                attachment.$application.id = try application.requireID()
                attachment.visitID = visit.id
                attachment.kind = .visitPhoto
                attachment.filename = name
                attachment.contentType = stored.contentType
                attachment.size = stored.size
                attachment.$file.id = try stored.requireID()
                attachment.uploadedBy = userID
                attachment.createdAt = now
                try await attachment.create(on: db)
            }
            if outcome == .rectificationRequired {
                try await scheduleVisit(ctx, for: application, purpose: "revisit", calendar: calendar, on: db)
            }
        }
        let failed = SiteStandard.allCases.filter { results[$0] == false }.map(\.rawValue).joined(separator: ",")
        if let action {
            try await ResumptionService.transition(
                ctx, application, action, comment: outcome == .passed ? nil : (problems.isEmpty ? failed : problems),
                afterwards: { db in
                    try await save(db)
                    try await Audit.record(ctx, on: db, action: "visit.report", entity: "siteVisit", entityID: visit.id,
                                           detail: "outcome=\(outcome.rawValue)")
                })
        } else {
            try await ctx.transaction { db in
                try await save(db)
                try await Audit.record(ctx, on: db, action: "visit.report", entity: "siteVisit", entityID: visit.id,
                                       detail: "outcome=\(outcome.rawValue)")
                try await Notification.toEnterprise(application.$enterprise.id, "notify.visit.rectification", [failed],
                                                    link: "/resumption/\(try application.requireID())", at: now, on: db)
            }
        }
    }
}
