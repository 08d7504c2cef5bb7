import Domain
import Fluent
import Foundation

/// The demo district's help desk: routing, department heads, the "15 measures" policy and a
/// notice, and tickets in every state, overdue ones included.
struct DemoHelpdesk {
    let db: any Database
    let now: Date
    let enterprises: [UUID]

    func load() async throws {
        let departments = try await Department.query(on: db).all()
        func department(_ name: String) -> Department { departments.first { $0.name == name }! }
        let routing: [(TicketCategory, String)] = [
            (.supplies, "工信局"), (.supplyChain, "商务局"), (.transport, "交通运输局"), (.workforce, "人社局"),
            (.financeTax, "税务局"), (.policy, "管委会助企办"),
        ]
        for (category, name) in routing {
            let rule = RoutingRule()
            rule.category = category
            rule.$department.id = try department(name).requireID()
            try await rule.create(on: db)
        }
        let desk = department("管委会助企办")
        desk.isDutyDesk = true
        try await desk.save(on: db)
        let agent = try await User.query(on: db).filter(\.$username == "agent").first()!
        let industry = department("工信局")
        industry.headID = agent.id
        try await industry.save(on: db)
        let admin = try await User.query(on: db).filter(\.$username == "admin").first()!
        let company = try await User.query(on: db).filter(\.$username == "company").first()!

        let measures = Policy()
        measures.kind = "policy"
        measures.title = "关于应对疫情支持企业复工复产的十五条措施（助企“15条”）"
        measures.issuer = "长春新区管委会"
        measures.issuedOn = CivilDate(now.addingTimeInterval(-20 * 86_400)).iso
        measures.tags = ["助企15条", "减负", "稳岗"]
        measures.body = """
        # 一、减轻企业负担
        1. **减免房租**：中小企业承租国有资产类经营用房的，免收 2 个月、减半收取 3 个月租金。
        2. **延期缴纳社保**：受疫情影响生产经营困难的企业，可申请缓缴社会保险费 6 个月。
        3. **降低用电用气成本**：疫情期间生产防疫物资的企业，用电用气“欠费不停供”。
        # 二、加大金融支持
        4. **贷款展期**：对到期还款困难的企业，银行予以展期或续贷，不抽贷、不断贷、不压贷。
        5. **贴息支持**：对生产防疫物资企业的新增贷款，给予 50% 贴息。
        # 三、稳定职工队伍
        6. **稳岗返还**：不裁员或少裁员的企业，返还上年度失业保险费的 50%。
        7. **线上招聘**：依托人才就业网开展网络招聘，免费发布岗位信息。
        # 四、保障物流畅通
        8. **绿色通道**：防疫物资和生活必需品运输车辆一律免费通行。
        9. **中欧班列**：长满欧班列运价、报关代理费、吊装与搬移费给予优惠。
        # 五、优化政务服务
        10. **不见面审批**：企业复工申请、备案全程网上办理。
        11. **助企干部包保**：每户规上企业配备一名助企干部，复工首日到现场督导。
        12. **诉求秒回**：企业诉求 24 小时在线受理，紧急事项 2 小时内响应。
        13. **防疫物资调配**：为复工企业协调口罩、消毒液、测温枪等物资。
        14. **用工对接**：协调返岗职工包车接送，减少交叉感染。
        15. **政策兑现**：以上措施由各职能部门限时兑现，纳入反馈考核。
        """
        measures.createdAt = now.addingTimeInterval(-20 * 86_400)
        measures.createdBy = try admin.requireID()
        try await measures.create(on: db)
        let notice = Policy()
        notice.kind = "notice"
        notice.title = "关于复工企业每日报送防疫情况的通知"
        notice.issuer = "长春经开区疫情防控指挥部"
        notice.issuedOn = CivilDate(now.addingTimeInterval(-3 * 86_400)).iso
        notice.tags = ["防疫"]
        notice.body = "各复工企业：\n请于每日 10 时前完成职工健康打卡，并报送防疫物资储备情况。"
        notice.createdAt = now.addingTimeInterval(-3 * 86_400)
        notice.createdBy = try admin.requireID()
        try await notice.create(on: db)
        try await sendHalfRead(notice)

        let levels = ServiceLevels()
        // (enterprise index, category, urgency, title, hours ago raised, state, feedback)
        let plan: [(Int, TicketCategory, TicketUrgency, String, Double, TicketState, Satisfaction?)] = [
            (0, .supplies, .emergency, "口罩缺口 2 万只，仅够 2 天", 0.5, .new, nil),
            (0, .transport, .emergency, "原料运输车辆无法进入长春", 5, .new, nil),               // overdue: response missed
            (1, .supplyChain, .general, "无纺布供应商未复工", 20, .accepted, nil),
            (2, .workforce, .general, "外省技术工人返岗需包车", 30, .inProgress, nil),
            (3, .financeTax, .complex, "申请增值税留抵退税", 50, .answered, nil),
            (5, .policy, .general, "租金减免如何申请", 100, .reopened, .unsatisfied),
            (6, .transport, .general, "货车通行证办理", 150, .closed, .satisfied),
            (8, .financeTax, .general, "社保缓缴流程", 200, .closed, .basicallySatisfied),
            (9, .supplies, .general, "测温枪采购渠道", 300, .closed, nil),                  // closed without feedback
        ]
        for (index, category, urgency, title, hoursAgo, state, satisfaction) in plan {
            let raised = now.addingTimeInterval(-hoursAgo * 3600)
            let rule = routing.first { $0.0 == category }
            let unit = department(rule?.1 ?? "管委会助企办")
            let ticket = Ticket()
            ticket.$enterprise.id = enterprises[index]
            ticket.raisedBy = try company.requireID()
            ticket.source = .enterprise
            ticket.category = category
            ticket.urgency = urgency
            ticket.title = title
            ticket.description = "【演示数据】\(title)。请协调解决。"
            ticket.$department.id = try unit.requireID()
            ticket.state = state
            ticket.createdAt = raised
            ticket.acknowledgedAt = raised
            ticket.firstResponseDueAt = levels.firstResponseDue(urgency, raisedAt: raised)
            ticket.resolutionDueAt = levels.resolutionDue(urgency, raisedAt: raised)
            ticket.transferCount = 0
            ticket.escalationLevel = state == .new && hoursAgo > 2 ? 1 : 0
            ticket.liked = satisfaction == .satisfied
            let day = CivilDate(raised)
            ticket.number = TicketNumber.make(day: day, sequence: try await HelpdeskStore.nextSequence(day: day.iso, on: db))
            if state != .new {
                ticket.firstResponseAt = raised.addingTimeInterval(min(hoursAgo, 1) * 1800)
                ticket.acceptedBy = unit.id == industry.id ? agent.id : nil
            }
            if [.answered, .reopened, .closed].contains(state) { ticket.answeredAt = raised.addingTimeInterval(hoursAgo * 1800) }
            if state == .closed {
                ticket.closedAt = raised.addingTimeInterval(hoursAgo * 2400)
                ticket.closure = satisfaction == nil ? .noFeedback : .confirmed
                ticket.solved = satisfaction.map { $0 != .unsatisfied }
            }
            if state == .reopened { ticket.solved = false; ticket.escalationLevel = 1; ticket.answeredAt = nil }
            ticket.satisfaction = satisfaction
            try await ticket.create(on: db)
            if state != .new {
                try await HelpdeskService.record(ticket, .accepted, author: nil, on: db, at: ticket.firstResponseAt!)
            }
            if state == .inProgress {
                try await HelpdeskService.message(ticket, kind: .reply, body: "已联系客运公司安排包车，请提供返岗人员名单。", author: agent, on: db, at: raised.addingTimeInterval(3600))
                try await HelpdeskService.message(ticket, kind: .note, body: "内部：与卫健委核对人员健康状况后再发车。", author: agent, isInternal: true, on: db, at: raised.addingTimeInterval(4000))
            }
            if [.answered, .reopened, .closed].contains(state) {
                try await HelpdeskService.message(ticket, kind: .answer, body: "已按助企“15条”办理，详见政策第 \(index % 15 + 1) 条。", author: agent,
                                                  policyID: measures.id, on: db, at: raised.addingTimeInterval(hoursAgo * 1800))
            }
            if let satisfaction {
                let solved = satisfaction != .unsatisfied
                try await HelpdeskService.record(ticket, .feedback(solved: solved, satisfaction: satisfaction, like: ticket.liked, comment: ""),
                                                 author: company, on: db, at: raised.addingTimeInterval(hoursAgo * 2400))
            } else if state == .closed {
                try await HelpdeskService.record(ticket, .autoClosed, author: nil, on: db, at: ticket.closedAt!)
            }
        }
    }

    /// 传递通知: the notice went to every verified enterprise; half of them have read it.
    private func sendHalfRead(_ notice: Policy) async throws {
        let verified = try await Enterprise.query(on: db).filter(\.$status == .verified).sort(\.$createdAt).all()
        let delivery = NoticeDelivery()
        delivery.policyID = try notice.requireID()
        delivery.targets = String(decoding: try JSONEncoder().encode(NoticeTargets(all: true)), as: UTF8.self)
        delivery.enterprises = verified.count
        delivery.createdAt = notice.createdAt
        try await delivery.create(on: db)
        for (index, enterprise) in verified.enumerated() {
            let receipt = NoticeReceipt()
            receipt.policyID = try notice.requireID()
            receipt.$enterprise.id = try enterprise.requireID()
            receipt.reminders = 0
            if index % 2 == 1 {
                receipt.readAt = notice.createdAt.addingTimeInterval(Double(index) * 1_800)
                receipt.readBy = enterprise.contactName
            }
            try await receipt.create(on: db)
            try await Notification.toEnterprise(try enterprise.requireID(), "notify.notice.new", [notice.title],
                                                link: "/policies/\(try notice.requireID())", at: notice.createdAt, on: db)
        }
    }
}
