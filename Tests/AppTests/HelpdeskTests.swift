@testable import App
import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

extension TestingHTTPResponse {
    var ticket: TicketDTO? { try? JSONDecoder.iso.decode(TicketDTO.self, from: Data(buffer: body)) }
}

enum HelpdeskFixtures {
    struct World {
        let company: Caller
        let agent: Caller
        let otherAgent: Caller
        let head: User
        let admin: Caller
        let industry: Department
        let transport: Department
        let enterprise: Enterprise
    }

    static func world(_ app: Application) async throws -> World {
        let enterprise = try await Fixtures.enterprise(app, name: "吉林君安生物科技有限公司", code: 1)
        let industry = Department(name: "工信局", nameEn: "Industry Bureau")
        industry.isDutyDesk = true
        try await industry.create(on: app.db)
        let transport = Department(name: "交通运输局", nameEn: "Transport Bureau")
        try await transport.create(on: app.db)
        let rule = RoutingRule()
        rule.category = .transport
        rule.$department.id = transport.id!
        try await rule.create(on: app.db)
        func agent(_ name: String, _ department: Department) async throws -> User {
            let user = User(username: name, passwordHash: try await app.password.async.hash(Fixtures.password), role: .agent,
                            displayName: "经办 \(name)", departmentID: department.id)
            try await user.create(on: app.db)
            return user
        }
        let head = try await agent("head", industry)
        industry.headID = head.id
        try await industry.save(on: app.db)
        return World(
            company: try await Fixtures.caller(app, "company", role: .enterpriseAdmin, enterprise: enterprise),
            agent: try await Fixtures.caller(app, try await agent("agent", industry)),
            otherAgent: try await Fixtures.caller(app, try await agent("driver-desk", transport)),
            head: head,
            admin: try await Fixtures.caller(app, "admin", role: .districtAdmin),
            industry: industry, transport: transport, enterprise: enterprise
        )
    }

    static func raise(_ app: Application, _ caller: Caller, category: String = "supplies", urgency: String = "emergency") async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/v1/tickets", headers: caller.apiHeaders.adding(.json), body: .json([
            "category": category, "urgency": urgency, "title": "口罩缺口 2 万只", "description": "消毒液生产线员工口罩仅够 2 天。",
        ]))
    }
}

@Suite("Help desk")
struct HelpdeskTests {
    func post(_ app: Application, _ path: String, _ caller: Caller, _ body: [String: Any] = [:]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, path, headers: caller.apiHeaders.adding(.json), body: .json(body))
    }

    @Test("秒回: the create request answers with number, department and due times; agents of the department see it")
    func instantReceipt() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let created = try await HelpdeskFixtures.raise(app, world.company)
            #expect(created.status == .created)
            let ticket = try #require(created.ticket)
            #expect(ticket.number == "FG-20200208-0001")
            #expect(ticket.department == "工信局") // no rule for supplies: the duty desk
            #expect(ticket.acknowledgedAt == app.clock.now)
            #expect(ticket.firstResponseDueAt == app.clock.now.addingTimeInterval(2 * 3600))
            #expect(ticket.resolutionDueAt == app.clock.now.addingTimeInterval(24 * 3600))
            #expect(created.text.contains("\"acknowledgedAt\""))
            let second = try await HelpdeskFixtures.raise(app, world.company, category: "transport", urgency: "general")
            #expect(second.ticket?.number == "FG-20200208-0002")
            #expect(second.ticket?.department == "交通运输局")

            let queue = try await app.testing().sendRequest(.GET, "/api/v1/tickets", headers: world.agent.apiHeaders)
            #expect(queue.text.contains("FG-20200208-0001") && !queue.text.contains("FG-20200208-0002"))
            let bad = try await post(app, "/api/v1/tickets", world.company, ["category": "gossip", "urgency": "now", "title": "", "description": ""])
            #expect(bad.apiError?.fields.keys.sorted() == ["category", "description", "title", "urgency"])
            #expect(try await Ticket.query(on: app.db).count() == 2)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "ticket.create").all()
            #expect(audited.count == 2 && audited.allSatisfy { $0.username == "company" && $0.role == "enterpriseAdmin" })

            // The instance keeps the routing table, but a change takes effect with the next ticket.
            let health = try await post(app, "/api/v1/departments", world.admin, ["name": "卫健委", "nameEn": "Health Commission", "categories": ["supplies"]])
            #expect(health.status == .created)
            #expect(try await HelpdeskFixtures.raise(app, world.company).ticket?.department == "卫健委")
        }
    }

    @Test("The loop: accept, reply, internal note, answer citing a policy, confirm and rate; internal notes never reach the enterprise")
    func loop() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let path = "/api/v1/tickets/\(id)"
            #expect(try await post(app, "\(path)/accept", world.otherAgent).status == .notFound)
            let accepted = try await post(app, "\(path)/accept", world.agent)
            #expect(accepted.ticket?.state == .accepted)
            #expect(accepted.ticket?.firstResponseAt == app.clock.now)
            _ = try await post(app, "\(path)/replies", world.agent, ["body": "已联系口罩生产企业调配", "internal": false])
            _ = try await post(app, "\(path)/replies", world.agent, ["body": "内部：优先从储备库调拨", "internal": true])
            let forged = try await post(app, "\(path)/replies", world.company, ["body": "我也想写内部备注", "internal": true])
            #expect(forged.status == .forbidden)
            _ = try await post(app, "\(path)/replies", world.company, ["body": "谢谢，请尽快"])

            let policy = Policy()
            policy.kind = "policy"; policy.title = "助企 15 条"; policy.issuer = "管委会"; policy.issuedOn = "2020-02-05"
            policy.body = "1. 减免租金"; policy.tags = []; policy.createdAt = app.clock.now; policy.createdBy = world.admin.user.id!
            try await policy.create(on: app.db)
            let answered = try await post(app, "\(path)/answer", world.agent, ["body": "已调拨 2 万只口罩，今日送达", "policyId": policy.id!.uuidString])
            #expect(answered.ticket?.state == .answered)

            let seenByCompany = try await app.testing().sendRequest(.GET, path, headers: world.company.apiHeaders)
            #expect(!seenByCompany.text.contains("内部：优先从储备库调拨"))
            #expect(seenByCompany.ticket?.messages?.contains { $0.internal } == false)
            let page = try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: world.company.pageHeaders)
            #expect(!page.text.contains("内部：优先从储备库调拨"))
            #expect(page.text.contains("已调拨 2 万只口罩"))
            #expect(page.text.contains("/policies/\(policy.id!)"))
            let seenByAgent = try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: world.agent.pageHeaders)
            #expect(seenByAgent.text.contains("内部：优先从储备库调拨"))

            let rated = try await post(app, "\(path)/feedback", world.company, ["solved": true, "satisfaction": "satisfied", "like": true, "comment": "秒回！"])
            #expect(rated.ticket?.state == .closed)
            #expect(rated.ticket?.closure == .confirmed)
            #expect(rated.ticket?.like == true)
            let card = try await app.testing().sendRequest(.GET, "/api/v1/scorecards?from=2020-02-01&to=2020-02-08", headers: world.admin.apiHeaders)
            let report = try JSONDecoder().decode(Scorecards.Report.self, from: Data(buffer: card.body))
            let industry = try #require(report.departments.first { $0.name == "工信局" })
            #expect(industry.tickets == 1 && industry.responseRate == 1 && industry.resolutionRate == 1 && industry.satisfactionRate == 1 && industry.likes == 1)
            #expect(report.agents.first?.name == "经办 agent")
            let audited = try await AuditEvent.query(on: app.db).filter(\.$entity == "ticket").all().map(\.action)
            #expect(audited.contains("ticket.create") && audited.contains("ticket.note") && audited.contains("ticket.confirm"))
        }
    }

    @Test("Not solved or unsatisfied reopens and escalates to the head; transfer keeps the clock and counts")
    func reopenAndTransfer() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company, urgency: "general").ticket?.id)
            let path = "/api/v1/tickets/\(id)"
            _ = try await post(app, "\(path)/accept", world.agent)
            _ = try await post(app, "\(path)/answer", world.agent, ["body": "请联系供应商"])
            let reopened = try await post(app, "\(path)/feedback", world.company, ["solved": false, "satisfaction": "unsatisfied"])
            #expect(reopened.ticket?.state == .reopened)
            #expect(reopened.ticket?.escalationLevel == 1)
            #expect(try await Notification.query(on: app.db).filter(\.$userID == world.head.id).filter(\.$messageKey == "notify.ticket.reopened").count() == 1)

            let due = reopened.ticket?.resolutionDueAt
            let noReason = try await post(app, "\(path)/transfer", world.agent, ["departmentId": world.transport.id!.uuidString])
            #expect(noReason.apiError?.fields.keys.sorted() == ["reason"])
            let moved = try await post(app, "\(path)/transfer", world.agent, ["departmentId": world.transport.id!.uuidString, "reason": "涉及运输通行证"])
            #expect(moved.ticket?.state == .new)
            #expect(moved.ticket?.transferCount == 1)
            #expect(moved.ticket?.department == "交通运输局")
            #expect(moved.ticket?.resolutionDueAt == due)
            // The old department no longer sees it; the new one does.
            #expect(try await app.testing().sendRequest(.GET, path, headers: world.agent.apiHeaders).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, path, headers: world.otherAgent.apiHeaders).status == .ok)
        }
    }

    @Test("The clock: overdue tickets escalate to the head and the district admin, twice; unconfirmed answers close")
    func clock() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let late = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let answered = try #require(try await HelpdeskFixtures.raise(app, world.company, urgency: "general").ticket?.id)
            _ = try await post(app, "/api/v1/tickets/\(answered)/accept", world.agent)
            _ = try await post(app, "/api/v1/tickets/\(answered)/answer", world.agent, ["body": "已办理"])

            app.clock.advance(by: 1.5 * 3600)
            #expect(try await HelpdeskService.sweep(app.context()) == 0)
            app.clock.advance(by: 3600) // 2.5 h: the emergency's first response is overdue
            #expect(try await HelpdeskService.sweep(app.context()) == 1)
            #expect(try await Ticket.find(late, on: app.db)?.escalationLevel == 1)
            let notified = try await Notification.query(on: app.db).filter(\.$messageKey == "notify.ticket.escalated").all()
            #expect(Set(notified.compactMap(\.userID)) == [world.head.id!, world.admin.user.id!])
            #expect(try await HelpdeskService.sweep(app.context()) == 0) // not twice for the same level
            let admin = try await Fixtures.caller(app, world.admin.user) // a fresh token: the clock moved on
            let overdue = try await app.testing().sendRequest(.GET, "/api/v1/tickets?overdue=true", headers: admin.apiHeaders)
            #expect(overdue.text.contains(late.uuidString) && !overdue.text.contains(answered.uuidString))

            app.clock.advance(by: 24 * 3600)
            try await HelpdeskService.sweep(app.context())
            #expect(try await Ticket.find(late, on: app.db)?.escalationLevel == 2)
            app.clock.advance(by: 48 * 3600) // 3 days after the answer
            try await HelpdeskService.sweep(app.context())
            let closed = try #require(try await Ticket.find(answered, on: app.db))
            #expect(closed.state == .closed && closed.closure == .noFeedback)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "ticket.autoClose").count() == 1)
        }
    }

    @Test("Attachments: the enterprise and the agent add files by API and page; checked by content; others get 404; none once closed")
    func attachments() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let (headers, body) = ResumptionFixtures.multipart(kind: "", filename: "../../缺口清单.pdf", data: ResumptionFixtures.pdf)
            let added = try await app.testing().sendRequest(.POST, "/api/v1/tickets/\(id)/attachments",
                                                            headers: world.company.apiHeaders.adding(headers), body: body)
            #expect(added.status == .created)
            let file = try #require(added.ticket?.attachments?.first)
            #expect(file.filename == "缺口清单.pdf" && file.contentType == "application/pdf" && file.uploadedBy == world.company.user.displayName)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "ticket.attach").count() == 1)

            // The department's agent downloads it; it comes as a download, never rendered inline.
            let download = try await app.testing().sendRequest(.GET, file.href, headers: world.agent.apiHeaders)
            #expect(download.status == .ok && Data(buffer: download.body) == ResumptionFixtures.pdf)
            #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            // Another department's agent and another enterprise see nothing.
            let other = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            let stranger = try await Fixtures.caller(app, "b-admin", role: .enterpriseAdmin, enterprise: other)
            #expect(try await app.testing().sendRequest(.GET, file.href, headers: stranger.apiHeaders).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, file.href, headers: world.otherAgent.apiHeaders).status == .notFound)
            let sneaky = try await app.testing().sendRequest(.POST, "/api/v1/tickets/\(id)/attachments",
                                                             headers: stranger.apiHeaders.adding(headers), body: body)
            #expect(sneaky.status == .notFound)

            // A text file renamed .pdf is refused by its content, per field, and nothing is stored.
            let (fakeHeaders, fake) = ResumptionFixtures.multipart(kind: "", filename: "x.pdf", data: Data("<script>".utf8))
            let refused = try await app.testing().sendRequest(.POST, "/api/v1/tickets/\(id)/attachments",
                                                              headers: world.company.apiHeaders.adding(fakeHeaders), body: fake)
            #expect(refused.status == .unprocessableEntity && refused.apiError?.fields["file"] != nil)
            #expect(try await TicketAttachment.query(on: app.db).count() == 1)

            // Through the page: the agent attaches a PNG; the ticket page lists both files.
            let (pageHeaders, pageBody) = ResumptionPageTests().multipartForm([("_csrf", world.agent.csrf)],
                                                                              file: ("file", "回执.png", "image/png", ResumptionFixtures.png))
            let posted = try await app.testing().sendRequest(.POST, "/helpdesk/\(id)/attachments",
                                                             headers: world.agent.pageHeaders.adding(pageHeaders), body: pageBody)
            #expect(posted.status == .seeOther)
            let page = try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: world.company.pageHeaders)
            #expect(page.text.contains("缺口清单.pdf") && page.text.contains("回执.png") && page.text.contains("/helpdesk/\(id)/attachments/"))

            // Closed: no more files.
            let ticket = try #require(try await Ticket.find(id, on: app.db))
            ticket.state = .closed
            try await ticket.save(on: app.db)
            let late = try await app.testing().sendRequest(.POST, "/api/v1/tickets/\(id)/attachments",
                                                           headers: world.company.apiHeaders.adding(headers), body: body)
            #expect(late.status == .conflict)
            #expect(try await TicketAttachment.query(on: app.db).count() == 2)
        }
    }

    @Test("An enterprise sees only its own tickets; an agent only the department's; internal notes stay inside")
    func access() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            let other = try await Fixtures.enterprise(app, name: "乙企业", code: 2)
            let stranger = try await Fixtures.caller(app, "b-admin", role: .enterpriseAdmin, enterprise: other)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/tickets/\(id)", headers: stranger.apiHeaders).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/helpdesk/\(id)", headers: stranger.pageHeaders).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/tickets", headers: stranger.apiHeaders).text == "[]")
            #expect(try await post(app, "/api/v1/tickets/\(id)/feedback", stranger, ["solved": true, "satisfaction": "satisfied"]).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/tickets/\(id)", headers: world.otherAgent.apiHeaders).status == .notFound)
            // Officers serve their zone.
            let officer = try await Fixtures.user(app, "officer", role: .officer)
            officer.zone = "jingkai"
            try await officer.save(on: app.db)
            let officerCaller = try await Fixtures.caller(app, officer)
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/tickets/\(id)", headers: officerCaller.apiHeaders).status == .ok)
            let onBehalf = try await post(app, "/api/v1/tickets", officerCaller, ["category": "policy", "urgency": "general", "title": "租金减免", "description": "咨询",
                                                                             "enterpriseId": world.enterprise.id!.uuidString])
            #expect(onBehalf.status == .created)
            #expect(try await Ticket.query(on: app.db).filter(\.$source == .officer).count() == 1)
        }
    }

    @Test("Pages: raise a ticket and see the receipt at once, in both languages; the agent's queue lists it")
    func pages() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let form = try await app.testing().sendRequest(.GET, "/helpdesk/new", headers: world.company.pageHeaders)
            #expect(form.text.contains("<label for=\"title\">标题</label>"))
            let created = try await app.testing().sendRequest(
                .POST, "/helpdesk", headers: world.company.pageHeaders.adding(.form),
                body: .form(["_csrf": world.company.csrf, "category": "supplies", "urgency": "emergency", "title": "口罩缺口", "description": "仅够 2 天"]))
            #expect(created.status == .seeOther)
            let location = try #require(created.headers.first(name: .location))
            let receipt = try await app.testing().sendRequest(.GET, location, headers: world.company.pageHeaders)
            #expect(receipt.text.contains("FG-20200208-0001"))
            #expect(receipt.text.contains("受理回执"))
            #expect(receipt.text.contains("工信局"))
            let english = try await app.testing().sendRequest(.GET, location, headers: world.company.pageHeaders.adding(["Accept-Language": "en"]))
            #expect(english.text.contains("Receipt") && english.text.contains("Industry Bureau"))
            let queue = try await app.testing().sendRequest(.GET, "/helpdesk", headers: world.agent.pageHeaders)
            #expect(queue.text.contains("FG-20200208-0001"))
            #expect(queue.text.contains("data-live=\"/live\""))
            let accept = try await app.testing().sendRequest(.POST, "\(location)/accept", headers: world.agent.pageHeaders.adding(.form),
                                                             body: .form(["_csrf": world.agent.csrf]))
            #expect(accept.status == .seeOther)
            // The agent is told what happened, in words of the step.
            let afterAccept = try await app.testing().sendRequest(.GET, location, headers: world.agent.pageHeaders)
            #expect(afterAccept.text.contains("<p class=\"flash\" role=\"status\">已受理：企业可以看到受理人。</p>"))
            let rating = try await app.testing().sendRequest(.GET, location, headers: world.company.pageHeaders)
            #expect(rating.text.contains("已受理"))
        }
    }

    @Test("Live: a new ticket is pushed to the department's open pages")
    func liveEvents() async throws {
        try await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            let (_, events) = app.liveEvents.subscribe(["department:\(world.industry.id!)"])
            let (_, elsewhere) = app.liveEvents.subscribe(["department:\(world.transport.id!)"])
            let id = try #require(try await HelpdeskFixtures.raise(app, world.company).ticket?.id)
            var iterator = events.makeAsyncIterator()
            #expect(await iterator.next()?.data == "ticket:\(id)")
            _ = elsewhere
            #expect(app.liveEvents.count == 2)
        }
    }

    @Test("The group robot hears of new tickets in the WeCom/DingTalk format, retried after a failure")
    func groupRobot() async throws {
        let received = NIOLockedValueBox<[String]>([])
        let failuresLeft = NIOLockedValueBox(1)
        let receiver = try await Application.make(.testing)
        receiver.logger.logLevel = .critical
        receiver.post("hook") { req async throws -> HTTPStatus in
            if failuresLeft.withLockedValue({ left in defer { left -= 1 }; return left > 0 }) { return .serviceUnavailable }
            received.withLockedValue { $0.append(req.body.string ?? "") }
            return .ok
        }
        try await receiver.asyncBoot()
        try await receiver.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = receiver.http.server.shared.localAddress?.port ?? 0
        GroupRobot.backoff = [0.05, 0.1]
        try? await withApp { app in
            let world = try await HelpdeskFixtures.world(app)
            world.industry.webhookURL = "http://127.0.0.1:\(port)/hook"
            try await world.industry.save(on: app.db)
            let created = try await HelpdeskFixtures.raise(app, world.company)
            #expect(created.status == .created)
            // Up to 5 s: the whole suite runs in parallel on two cores.
            for _ in 0..<250 where received.withLockedValue({ $0.isEmpty }) { try await Task.sleep(nanoseconds: 20_000_000) }
            let message = try #require(received.withLockedValue { $0.first })
            #expect(message.contains("\"msgtype\":\"text\""))
            #expect(message.contains("FG-20200208-0001"))
        }
        await receiver.server.shutdown()
        try await receiver.asyncShutdown()
        #expect(port > 0)
    }
}

@Suite("Policies")
struct PolicyTests {
    @Test("The district publishes; everyone signed in searches; unread marks clear on reading; Markdown cannot inject markup")
    func policies() async throws {
        try await withApp { app in
            let admin = try await Fixtures.caller(app, "admin", role: .districtAdmin)
            let company = try await Fixtures.caller(app, "company", role: .enterpriseAdmin)
            let bad = try await app.testing().sendRequest(.POST, "/api/v1/policies", headers: admin.apiHeaders.adding(.json),
                                                          body: .json(["title": "", "issuer": "", "issuedOn": "2020-13-01", "body": ""]))
            #expect(bad.apiError?.fields.keys.sorted() == ["body", "issuedOn", "issuer", "title"])
            let created = try await app.testing().sendRequest(.POST, "/api/v1/policies", headers: admin.apiHeaders.adding(.json), body: .json([
                "title": "关于支持企业复工复产的十五条措施", "issuer": "长春新区管委会", "issuedOn": "2020-02-06", "tags": ["减负", "稳岗"],
                "body": "# 一、减轻企业负担\n1. **减免租金** 三个月\n2. 延期缴纳社保\n\n<script>alert(1)</script>",
            ]))
            #expect(created.status == .created)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/policies", headers: company.apiHeaders.adding(.json),
                                                        body: .json(["title": "x"])).status == .forbidden)
            let found = try await app.testing().sendRequest(.GET, "/api/v1/policies?q=%E7%A4%BE%E4%BF%9D", headers: company.apiHeaders)
            #expect(found.text.contains("十五条措施") && found.text.contains("\"unread\":true"))
            #expect(try await app.testing().sendRequest(.GET, "/api/v1/policies?q=%E7%A7%9F%E8%BD%A6", headers: company.apiHeaders).text == "[]")
            let id = try #require(try await Policy.query(on: app.db).first()?.id)
            let page = try await app.testing().sendRequest(.GET, "/policies/\(id)", headers: company.pageHeaders)
            #expect(page.text.contains("<strong>减免租金</strong>"))
            #expect(page.text.contains("<ol>"))
            #expect(!page.text.contains("<script>alert(1)</script>"))
            #expect(page.text.contains("&lt;script&gt;"))
            let after = try await app.testing().sendRequest(.GET, "/api/v1/policies", headers: company.apiHeaders)
            #expect(after.text.contains("\"unread\":false"))

            // Files: the district admin attaches by API and page; everyone signed in downloads.
            let (headers, body) = ResumptionFixtures.multipart(kind: "", filename: "十五条全文.pdf", data: ResumptionFixtures.pdf)
            #expect(try await app.testing().sendRequest(.POST, "/api/v1/policies/\(id)/attachments",
                                                        headers: company.apiHeaders.adding(headers), body: body).status == .forbidden)
            let attached = try await app.testing().sendRequest(.POST, "/api/v1/policies/\(id)/attachments",
                                                               headers: admin.apiHeaders.adding(headers), body: body)
            #expect(attached.status == .created && attached.text.contains("十五条全文.pdf"))
            let (fakeHeaders, fake) = ResumptionFixtures.multipart(kind: "", filename: "x.pdf", data: Data("MZ".utf8))
            let refused = try await app.testing().sendRequest(.POST, "/api/v1/policies/\(id)/attachments",
                                                              headers: admin.apiHeaders.adding(fakeHeaders), body: fake)
            #expect(refused.status == .unprocessableEntity && refused.apiError?.fields["file"] != nil)
            let (pageHeaders, pageBody) = ResumptionPageTests().multipartForm([("_csrf", admin.csrf)],
                                                                              file: ("file", "申报表.png", "image/png", ResumptionFixtures.png))
            #expect(try await app.testing().sendRequest(.POST, "/policies/\(id)/attachments",
                                                        headers: admin.pageHeaders.adding(pageHeaders), body: pageBody).status == .seeOther)
            #expect(try await PolicyAttachment.query(on: app.db).count() == 2)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "policy.attach").count() == 2)
            let listed = try await app.testing().sendRequest(.GET, "/api/v1/policies", headers: company.apiHeaders)
            let policies = try JSONDecoder.iso.decode([PoliciesAPIController.PolicyDTO].self, from: Data(buffer: listed.body))
            #expect(Set(policies.first?.attachments.map(\.filename) ?? []) == ["十五条全文.pdf", "申报表.png"])
            let href = try #require(policies.first?.attachments.first?.href)
            let download = try await app.testing().sendRequest(.GET, href, headers: company.apiHeaders)
            #expect(download.status == .ok && download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            let reader = try await app.testing().sendRequest(.GET, "/policies/\(id)", headers: company.pageHeaders)
            #expect(reader.text.contains("十五条全文.pdf") && reader.text.contains("申报表.png") && !reader.text.contains("enctype=\"multipart/form-data\""))
        }
    }
}
