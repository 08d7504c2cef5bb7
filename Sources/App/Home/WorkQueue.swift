import Domain
import Fluent
import Vapor

/// What needs this person today, most urgent or oldest first: the heart of each role's home
/// page. Each entry says what it is, why it is due and where to act on it.
struct WorkQueue: Encodable {
    struct Item: Encodable {
        let title: String
        let detail: String
        let href: String
        /// Past its deadline or due within the next few hours: shown first, marked.
        let urgent: Bool
    }

    let heading: String
    let items: [Item]
    /// Of them past their deadline or due within hours.
    let urgentCount: Int
    /// The whole queue, when more than the page lists.
    let more: HomeController.Link?

    init(heading: String, items: [Item], more: HomeController.Link?) {
        self.heading = heading
        self.items = items
        urgentCount = items.filter(\.urgent).count
        self.more = more
    }

    static let shown = 8

    /// The queue of `user`'s role, or nil for a role whose home page is its tiles.
    static func build(_ req: Request, for user: User) async throws -> WorkQueue? {
        switch user.role {
        case .agent: try await agent(req, user)
        case .reviewer: try await applications(req, .submitted, heading: "home.queue.review", more: "/resumption?state=submitted")
        case .leader: try await applications(req, .passed, heading: "home.queue.confirm", more: "/resumption?state=passed")
        case .officer: try await officer(req, user)
        case .jobSeeker: try await seeker(req, user)
        case .enterpriseAdmin: try await enterprise(req, user)
        case .employee: try await employee(req, user)
        case .gateGuard: try await guardQueue(req, user)
        case .districtAdmin, .portOperator, .customsOfficer: nil
        }
    }

    /// "due in 3 h" or "4 h overdue", from now.
    static func due(_ req: Request, _ deadline: Date) -> (text: String, urgent: Bool) {
        let seconds = deadline.timeIntervalSince(req.now)
        let hours = abs(seconds) / 3600
        let amount = hours < 1 ? req.t("home.minutes", String(max(1, Int(abs(seconds) / 60))))
            : hours < 48 ? req.t("home.hours", String(Int(hours.rounded(.down)))) : req.t("home.days", String(Int(hours / 24)))
        return seconds < 0 ? (req.t("home.overdueBy", amount), true) : (req.t("home.dueIn", amount), seconds < 4 * 3600)
    }

    /// "waiting 3 days" since `date`.
    static func waiting(_ req: Request, since date: Date) -> String {
        let hours = max(0, req.now.timeIntervalSince(date) / 3600)
        return req.t("home.waiting", hours < 48 ? req.t("home.hours", String(Int(hours))) : req.t("home.days", String(Int(hours / 24))))
    }

    // MARK: The roles

    /// The department's open tickets by their next deadline: the reply, then the resolution.
    private static func agent(_ req: Request, _ user: User) async throws -> WorkQueue {
        guard let department = user.$department.id else { return WorkQueue(heading: req.t("home.queue.tickets"), items: [], more: nil) }
        // The nearest deadlines of each kind, read a page at a time, however long the queue.
        let open = Ticket.query(on: req.db).filter(\.$department.$id == department).filter(\.$state ~~ [.new, .accepted, .inProgress, .reopened])
        let total = try await open.count()
        let toReply = try await open.copy().filter(\.$firstResponseAt == nil).sort(\.$firstResponseDueAt).limit(shown).with(\.$enterprise).all()
        let toResolve = try await open.copy().filter(\.$firstResponseAt != nil).sort(\.$resolutionDueAt).limit(shown).with(\.$enterprise).all()
        let ordered = (toReply.map { ($0, $0.firstResponseDueAt) } + toResolve.map { ($0, $0.resolutionDueAt) }).sorted { $0.1 < $1.1 }
        let items = ordered.prefix(shown).map { ticket, deadline in
            let due = due(req, deadline)
            let step = req.t(ticket.firstResponseAt == nil ? "home.ticket.reply" : "home.ticket.resolve")
            return Item(title: "\(ticket.number) · \(ticket.title)",
                        detail: "\(ticket.enterprise.name) · \(req.t(ticket.urgency.nameKey)) · \(step) \(due.text)",
                        href: "/helpdesk/\(ticket.id!)", urgent: due.urgent)
        }
        return WorkQueue(heading: req.t("home.queue.tickets"), items: items,
                         more: total > shown ? .init(label: req.t("home.queue.all", String(total)), href: "/helpdesk") : nil)
    }

    /// Applications waiting for this step, the longest-waiting first.
    private static func applications(_ req: Request, _ state: ResumptionState, heading: String, more: String) async throws -> WorkQueue {
        let inState = ResumptionApplication.query(on: req.db).filter(\.$state == state)
        let total = try await inState.count()
        let queue = try await inState.copy().with(\.$enterprise).sort(\.$stateChangedAt).limit(shown).all()
        let overdueDays = try await req.districtSettings().queueOverdueWorkingDays
        let calendar = try await req.context.calendar()
        let items = queue.map { application in
            let late = calendar.workingDays(from: CivilDate(application.stateChangedAt), to: CivilDate(req.now)) >= overdueDays
            return Item(title: application.enterprise.name,
                        detail: "\(req.t(application.category.nameKey)) · \(waiting(req, since: application.stateChangedAt))",
                        href: "/resumption/\(application.id!)", urgent: late)
        }
        return WorkQueue(heading: req.t(heading), items: items,
                         more: total > shown ? .init(label: req.t("home.queue.all", String(total)), href: more) : nil)
    }

    /// Visits due by today, then the enterprises in the officer's care.
    private static func officer(_ req: Request, _ user: User) async throws -> WorkQueue {
        let today = CivilDate(req.now).iso
        let visits = try await SiteVisit.query(on: req.db).filter(\.$officer.$id == user.requireID()).filter(\.$status == .scheduled)
            .filter(\.$scheduledFor <= today).sort(\.$scheduledFor).with(\.$enterprise).all()
        var items = visits.map { visit in
            Item(title: "\(visit.enterprise.name) · \(req.t("visit.purpose.\(visit.purpose)"))",
                 detail: visit.scheduledFor < today ? req.t("home.visit.late", visit.scheduledFor) : req.t("home.visit.today"),
                 href: "/visits/\(visit.id!)", urgent: true)
        }
        // The enterprises in their care, with their open applications: two queries, however many.
        let assigned = try await OfficerService.assignedEnterpriseIDs(user, on: req.db)
        let enterprises = assigned.isEmpty ? [] : try await Enterprise.query(on: req.db).filter(\.$id ~~ assigned).sort(\.$name).limit(shown).all()
        let open = enterprises.isEmpty ? [] : try await ResumptionApplication.query(on: req.db)
            .filter(\.$enterprise.$id ~~ enterprises.compactMap(\.id)).filter(\.$state ~~ ResumptionState.open).all()
        for enterprise in enterprises {
            let application = open.first { $0.$enterprise.id == enterprise.id }
            items.append(Item(title: enterprise.name, detail: application.map { req.t($0.state.nameKey) } ?? req.t("home.noApplication"),
                              href: application.map { "/resumption/\($0.id!)" } ?? "/enterprises/\(enterprise.id!)", urgent: false))
        }
        return WorkQueue(heading: req.t("home.queue.officer"), items: items,
                         more: assigned.count > shown ? .init(label: req.t("home.queue.all", String(assigned.count)), href: "/resumption") : nil)
    }

    /// The seeker's applications, newest change first, then open jobs they asked for.
    private static func seeker(_ req: Request, _ user: User) async throws -> WorkQueue {
        let applications = try await JobApplication.query(on: req.db).filter(\.$seeker.$id == user.requireID())
            .sort(\.$updatedAt, .descending).with(\.$posting).limit(shown).all()
        var items = applications.map { application in
            Item(title: application.posting.title,
                 detail: req.t(application.state.nameKey) + (application.interviewAt.map { " · \(DisplayFormat.dateTime($0))" } ?? ""),
                 href: "/my-applications", urgent: application.state == .interview || application.state == .offer)
        }
        if let resume = try await JobsService.resume(of: user, on: req.db) {
            let applied = Set(applications.map(\.$posting.id))
            var query = JobPosting.query(on: req.db).filter(\.$status == .open).sort(\.$createdAt, .descending)
            let categories = resume.wantedCategories.compactMap(JobCategory.init(rawValue:))
            if !categories.isEmpty { query = query.filter(\.$category ~~ categories) }
            if !resume.wantedZones.isEmpty { query = query.filter(\.$zone ~~ resume.wantedZones) }
            for posting in try await query.limit(shown).all() where !applied.contains(posting.id!) {
                items.append(Item(title: posting.title, detail: req.t("home.matchingJob", String(posting.openings)),
                                  href: "/jobs/\(posting.id!)", urgent: false))
            }
        } else {
            items.append(Item(title: req.t("jobs.needsResume"), detail: req.t("home.resumeFirst"), href: "/resume", urgent: true))
        }
        return WorkQueue(heading: req.t("home.queue.seeker"), items: items, more: .init(label: req.t("jobs.title"), href: "/jobs"))
    }

    /// An application to finish or correct, fever alerts not yet handled, who has not reported today, supplies running low, answers to confirm.
    private static func enterprise(_ req: Request, _ user: User) async throws -> WorkQueue? {
        guard let enterpriseID = user.$enterprise.id,
              try await Enterprise.find(enterpriseID, on: req.db)?.status == .verified else { return nil }
        var items: [Item] = []
        if let application = try await ResumptionService.openApplication(of: enterpriseID, on: req.db),
           application.state.isEditable {
            items.append(Item(title: req.t(application.state == .returned ? "home.applicationReturned" : "home.applicationDraft"),
                              detail: req.t(application.state == .returned ? "home.applicationReturned.next" : "home.applicationDraft.next"), href: "/resumption/\(application.id!)", urgent: application.state == .returned))
        }
        let alerts = try await FeverAlert.query(on: req.db).filter(\.$enterpriseID == enterpriseID).filter(\.$handledAt == nil).count()
        if alerts > 0 { items.append(Item(title: req.t("home.feverAlerts", String(alerts)), detail: req.t("home.feverAlerts.detail"), href: "/workforce", urgent: true)) }
        let summary = try await DailySummary.compute(req.context, enterpriseID: enterpriseID, day: CivilDate(req.now), site: false)
        if summary.employees > summary.reported {
            items.append(Item(title: req.t("home.notReported", String(summary.employees - summary.reported)),
                              detail: req.t("home.notReported.detail"), href: "/workforce", urgent: false))
        }
        if !summary.lowSupplies.isEmpty {
            items.append(Item(title: req.t("home.lowSupplies", String(summary.lowSupplies.count)),
                              detail: summary.lowSupplies.map { req.t("supply.item.\($0.rawValue)") }.joined(separator: "、"),
                              href: "/workforce/supplies", urgent: true))
        }
        let answered = try await Ticket.query(on: req.db).filter(\.$enterprise.$id == enterpriseID).filter(\.$state == .answered)
            .sort(\.$answeredAt).limit(shown).all()
        for ticket in answered {
            items.append(Item(title: "\(ticket.number) · \(ticket.title)", detail: req.t("home.ticket.confirm"), href: "/helpdesk/\(ticket.id!)", urgent: false))
        }
        return WorkQueue(heading: req.t("home.queue.enterprise"), items: items, more: nil)
    }

    /// The employee's own card: reported today or not, and first, a code that will not let them
    /// in (quarantine, fever, symptoms, a case), with why and until when, so that nobody travels to be refused.
    private static func employee(_ req: Request, _ user: User) async throws -> WorkQueue? {
        guard user.employeeID != nil else { return nil }
        let employee = try await Roster.own(req.context, today: true)
        let today = CivilDate(req.now)
        let code = try await Health.currentCode(req.context, employee)
        let reported = !code.reasons.contains(.noReportToday)
        var items = [reported
            // "Show the pass at the gate" only while the gate would let the person in.
            ? Item(title: req.t("home.reportedToday"), detail: req.t(code.admitsAtGate ? "home.showCard" : "home.seeCode"), href: "/health", urgent: false)
            : Item(title: req.t("health.reportToday"), detail: req.t("home.reportBeforeGate"), href: "/health", urgent: true)]
        // Not having reported yet is the item above.
        let reasons = code.reasons.filter { $0 != .noReportToday }
        if !code.admitsAtGate, !reasons.isEmpty {
            let ends = employee.today?.quarantine.flatMap { $0.isActive(on: today) ? $0.plannedEnd : nil }
            let detail = reasons.map { req.t("health.reason.\($0.rawValue)") } + (ends.map { [req.t("home.quarantineEnds", $0.iso)] } ?? [])
                + [req.t("home.codeRefused")]
            items.insert(Item(title: req.t("home.codeToday", req.t("health.color.\(code.color.rawValue)")),
                              detail: detail.joined(separator: " · "), href: "/health", urgent: true), at: 0)
        }
        return WorkQueue(heading: req.t("home.queue.employee"), items: items, more: nil)
    }

    /// The gate, and today's refusals so far.
    private static func guardQueue(_ req: Request, _ user: User) async throws -> WorkQueue? {
        guard let enterpriseID = user.$enterprise.id else { return nil }
        let gate = try await WorkforceStore.gateDay(req.db, enterpriseID: enterpriseID, day: CivilDate(req.now))
        return WorkQueue(heading: req.t("home.queue.gate"), items: [
            Item(title: req.t("gate.title"), detail: req.t("home.gateToday", String(gate.onSite), String(gate.denials)),
                 href: gate.denials > 0 ? "/gate?refused=1" : "/gate", urgent: false),
            Item(title: req.t("gate.visitors"), detail: req.t("home.visitorsHint"), href: "/gate/visitors", urgent: false),
        ], more: nil)
    }
}
