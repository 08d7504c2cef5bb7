import Domain
import Fluent
import Foundation

/// The demo district's resumption applications, one in every state, with the timelines,
/// documents, officer assignments, site visits and dispatch contacts that lead there.
struct DemoResumption {
    let db: any Database
    let now: Date
    /// In the order of `DemoDistrict.companies`.
    let enterprises: [UUID]
    /// By zone.
    let officers: [String: User]
    /// In the order of `enterprises`.
    let enterpriseAdmins: [User]

    struct Step {
        let action: ResumptionAction?
        let hoursAgo: Double
        let comment: String?
    }

    func load() async throws {
        let reviewer = try await user("reviewer"), leader = try await user("leader")
        let submit = { (hours: Double) in Step(action: .submit, hoursAgo: hours, comment: nil) }
        let plan: [(index: Int, category: ResumptionCategory, products: String, mode: ResumptionMode?, steps: [Step], visit: SiteVisitStatus?)] = [
            // 经开区 approves (分区施策): the disinfectant maker resumed after review and the green light.
            (0, .epidemicPrevention, "消毒液 5000瓶/日", .approval,
             [submit(200), Step(action: .pass, hoursAgo: 190, comment: "订单齐全，保障全市消毒液供应"), Step(action: .approve, hoursAgo: 180, comment: nil),
              Step(action: .confirmResumed, hoursAgo: 150, comment: nil)], .passed),
            // 新区 files: resumed on filing, inspected on site.
            (1, .epidemicPrevention, "连体防护服、隔离衣 1000件/日", .filing,
             [submit(200), Step(action: .confirmResumed, hoursAgo: 150, comment: nil)], .passed),
            (2, .cityOperation, "救护车电子控制系统 200套/周", .approval,
             [submit(60), Step(action: .pass, hoursAgo: 50, comment: "为江铃福特全顺救护车配套"), Step(action: .approve, hoursAgo: 20, comment: nil)], .scheduled),
            (3, .dailyNecessities, "新鲜蔬菜 20吨/日", .filing,
             [submit(100), Step(action: .confirmResumed, hoursAgo: 90, comment: nil)], .passed),
            (4, .dailyNecessities, "乳制品 30吨/日", .approval, [submit(20)], nil),
            (5, .epidemicPrevention, "负压救护车急救设备 30套/周", .approval,
             [submit(30), Step(action: .returnForChanges, hoursAgo: 26, comment: "请补充防控方案，并将到岗人数压缩至最少")], nil),
            (6, .cityOperation, "生活物资干线运输", .filing, [submit(70)], .scheduled),
            (7, .dailyNecessities, "大米、食用油 20吨/日", nil, [], nil),
            (8, .otherVital, "服装零售门店", .approval,
             [submit(100), Step(action: .refuse, hoursAgo: 90, comment: "非生活必需门店，疫情期间暂缓营业")], nil),
            (9, .dailyNecessities, "冷链食品仓储配送", .approval,
             [submit(160), Step(action: .pass, hoursAgo: 150, comment: "冷链保供必需"), Step(action: .approve, hoursAgo: 140, comment: nil),
              Step(action: .confirmResumed, hoursAgo: 120, comment: nil),
              Step(action: .suspend, hoursAgo: 96, comment: "冷库作业区未设隔离观察室，防控档案不全")], .rectificationRequired),
            (10, .otherVital, "医药包装材料", .approval, [submit(30), Step(action: .pass, hoursAgo: 20, comment: "为药企配套")], nil),
        ]
        for item in plan {
            let enterpriseID = enterprises[item.index], company = enterpriseAdmins[item.index]
            let application = ResumptionApplication()
            application.$enterprise.id = enterpriseID
            application.category = item.category
            application.products = item.products
            // Planned three days after it was filed: past for those already at work, ahead for the rest.
            let filed = now.addingTimeInterval(-(item.steps.first?.hoursAgo ?? 0) * 3600)
            application.plannedDate = CivilDate(filed.addingTimeInterval(3 * 86_400)).iso
            application.headcountTotal = 120
            application.headcountOnSite = item.index == 5 ? 80 : 40
            application.headcountOutOfProvince = 3
            application.headcountKeyAreas = 0
            application.headcountIsolated = item.index == 5 ? 2 : 0
            application.checklist = PreventionItem.allCases.map(\.rawValue).filter { item.index != 10 || $0 != PreventionItem.isolationRoom.rawValue }
            application.maskDays = 10
            application.disinfectantDays = 15
            application.thermometerDays = 30
            application.state = .draft
            application.mode = item.mode
            application.stateChangedAt = now.addingTimeInterval(-(item.steps.first?.hoursAgo ?? 2) * 3600 - 3600)
            try await application.create(on: db)
            try await event(application, "create", from: nil, by: company, at: application.stateChangedAt, comment: nil)
            if !item.steps.isEmpty { try await attach(application, .commitment, by: company) }
            for step in item.steps {
                guard let action = step.action else { continue }
                let from = application.state
                application.state = try from.applying(action, mode: item.mode ?? .approval)
                let at = now.addingTimeInterval(-step.hoursAgo * 3600)
                application.stateChangedAt = at
                if action == .submit { application.submittedAt = at }
                if action == .returnForChanges { application.returnedSnapshot = ResumptionService.snapshot(application) }
                let actor = switch action {
                case .submit: company
                case .pass, .returnForChanges, .refuse: reviewer
                case .approve, .leaderRefuse: leader
                case .confirmResumed, .suspend: officers[try await zone(enterpriseID)] ?? reviewer
                }
                try await event(application, action.rawValue, from: from, by: actor, at: at, comment: step.comment)
            }
            try await application.save(on: db)
            if let status = item.visit { try await visit(application, status: status) }
        }
        try await contacts()
    }

    private func user(_ username: String) async throws -> User {
        guard let user = try await User.query(on: db).filter(\.$username == username).first() else {
            throw AppError.internalError("demo account \(username) missing")
        }
        return user
    }

    private func zone(_ enterpriseID: UUID) async throws -> String {
        try await Enterprise.find(enterpriseID, on: db)?.zone ?? "jingkai"
    }

    private func event(_ application: ResumptionApplication, _ action: String, from: ResumptionState?, by actor: User,
                       at: Date, comment: String?) async throws {
        let event = ResumptionEvent()
        event.$application.id = try application.requireID()
        event.at = at
        event.actorID = try actor.requireID()
        event.actorName = actor.displayName
        event.actorRole = actor.role.rawValue
        event.action = action
        event.fromState = from?.rawValue
        event.toState = application.state.rawValue
        event.comment = comment
        event.changes = []
        try await event.create(on: db)
    }

    /// A small, valid PDF as the demo's signed commitment.
    private func attach(_ application: ResumptionApplication, _ kind: AttachmentKind, by actor: User) async throws {
        let data = Data("%PDF-1.4\n% 演示数据 demo commitment\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        let file = StoredFile()
        file.contentType = "application/pdf"
        file.size = data.count
        file.sha256 = ""
        file.data = data
        file.createdAt = now
        try await file.create(on: db)
        let attachment = ResumptionAttachment()
        attachment.$application.id = try application.requireID()
        attachment.kind = kind
        attachment.filename = "承诺书.pdf"
        attachment.contentType = file.contentType
        attachment.size = data.count
        attachment.$file.id = try file.requireID()
        attachment.uploadedBy = try actor.requireID()
        attachment.createdAt = now
        try await attachment.create(on: db)
    }

    private func visit(_ application: ResumptionApplication, status: SiteVisitStatus) async throws {
        let enterpriseID = application.$enterprise.id
        guard let officer = officers[try await zone(enterpriseID)] else { return }
        let assignment = OfficerAssignment()
        assignment.$officer.id = try officer.requireID()
        assignment.$enterprise.id = enterpriseID
        assignment.method = "automatic"
        assignment.startedAt = application.stateChangedAt
        try await assignment.create(on: db)
        let visit = SiteVisit()
        visit.$application.id = try application.requireID()
        visit.$enterprise.id = enterpriseID
        visit.$officer.id = try officer.requireID()
        visit.scheduledFor = status == .scheduled ? application.plannedDate : CivilDate(application.stateChangedAt).iso
        visit.purpose = "resumption"
        visit.status = status
        visit.createdAt = application.stateChangedAt
        if status != .scheduled {
            visit.reportedAt = application.stateChangedAt
            let failed: Set<String> = status == .passed ? [] : [SiteStandard.measures.rawValue, SiteStandard.records.rawValue]
            visit.results = Dictionary(uniqueKeysWithValues: SiteStandard.allCases.map { ($0.rawValue, !failed.contains($0.rawValue)) })
            visit.notes = status == .passed ? [:] : ["measures": "未设隔离观察室", "records": "测温登记台账不全"]
            visit.headcountFound = 38
        }
        try await visit.create(on: db)
        if status == .rectificationRequired {
            let revisit = SiteVisit()
            revisit.$application.id = try application.requireID()
            revisit.$enterprise.id = enterpriseID
            revisit.$officer.id = try officer.requireID()
            revisit.scheduledFor = WorkingCalendar(entries: WorkingCalendar.stateCouncil).adding(workingDays: 2, to: CivilDate(now)).iso
            revisit.purpose = "revisit"
            revisit.status = .scheduled
            revisit.createdAt = now
            try await revisit.create(on: db)
        }
    }

    /// A fortnight of dispatch contacts ("N contacts with M enterprises"), leaving one enterprise uncontacted.
    private func contacts() async throws {
        let channels = DispatchChannel.allCases, outcomes = DispatchOutcome.allCases
        let reached = Array(enterprises.enumerated().filter { $0.offset != 4 && $0.offset != 7 })
        for day in 0..<10 {
            for (n, item) in reached.enumerated() where (n + day) % 3 != 0 {
                let zone = try await zone(item.element)
                guard let officer = officers[zone] else { continue }
                let contact = DispatchContact()
                contact.$officer.id = try officer.requireID()
                contact.$enterprise.id = item.element
                contact.channel = channels[(n + day) % channels.count]
                contact.contactedAt = now.addingTimeInterval(Double(-day * 86_400 - n * 1800 - 3600))
                contact.day = CivilDate(contact.contactedAt).iso
                contact.summary = "了解复工意向与防疫物资情况"
                contact.outcome = outcomes[(n * 3 + day) % outcomes.count]
                contact.createdAt = contact.contactedAt
                try await contact.create(on: db)
            }
        }
    }
}
