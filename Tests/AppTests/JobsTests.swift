@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

extension TestingHTTPResponse {
    func decoded<T: Decodable>(_ type: T.Type) -> T? { try? JSONDecoder.iso.decode(type, from: Data(buffer: body)) }
}

enum JobsFixtures {
    static func posting(_ title: String, description: String = "两班倒，包吃住，提供岗前培训。", address: String = "长春新区硅谷大街 1 号",
                        closingDate: String = "2020-03-31", salaryMax: Int = 6500) -> [String: Any] {
        ["title": title, "category": "manufacturing", "openings": 10, "salaryMin": 4000, "salaryMax": salaryMax,
         "education": "juniorHigh", "experience": "不限", "zone": "xinqu", "address": address,
         "description": description, "benefits": "五险一金", "closingDate": closingDate]
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ caller: Caller?, _ body: [String: Any]? = nil) async throws -> TestingHTTPResponse {
        var headers = caller?.apiHeaders ?? [:]
        if body != nil { headers = headers.adding(.json) }
        return try await app.testing().sendRequest(method, path, headers: headers, body: body.map { try .json($0) })
    }

    /// A verified enterprise that has started recruiting (approved at once).
    static func employer(_ app: Application, name: String = "长春君安生物", code: Int = 1) async throws -> (Caller, Enterprise) {
        let enterprise = try await Fixtures.enterprise(app, name: name, code: code)
        let admin = try await Fixtures.caller(app, "hr\(code)", role: .enterpriseAdmin, enterprise: enterprise)
        let started = try await send(app, .POST, "/api/v1/employers", admin, ["introduction": "消毒液生产企业", "size": "100-499人"])
        #expect(started.status == .created && started.decoded(EmployerDTO.self)?.status == .approved)
        return (admin, enterprise)
    }

    /// A registered job seeker with a résumé and, if asked, consent; signed in by mobile.
    static func seeker(_ app: Application, mobile: String = "13904310001", consent: Bool = true) async throws -> Caller {
        let registered = try await send(app, .POST, "/api/v1/job-seekers", nil, ["mobile": mobile, "password": Fixtures.password, "name": "赵师傅"])
        #expect(registered.status == .created)
        let user = try #require(try await User.query(on: app.db).filter(\.$username == mobile).first())
        #expect(user.role == .jobSeeker)
        let caller = try await Fixtures.caller(app, user)
        let saved = try await send(app, .PUT, "/api/v1/resume", caller, [
            "name": "赵师傅", "birthYear": 1985, "education": "vocational", "school": "长春职业技术学院", "major": "机电一体化",
            "yearsOfWork": 12, "skills": "电工证、焊工证", "expectedSalary": 6000, "wantedCategories": ["manufacturing"],
            "wantedZones": ["xinqu"], "workHistory": "2008–2020 一汽配套厂 维修电工", "introduction": "能倒班",
        ])
        #expect(saved.status == .ok)
        if consent { #expect(try await send(app, .PUT, "/api/v1/resume/consent", caller, ["consent": true]).status == .ok) }
        return caller
    }
}

@Suite("Recruitment")
struct JobsTests {
    typealias F = JobsFixtures

    @Test("The seed's path by API: register → wait for review → approved → publish; seeker → résumé → apply → state changes")
    func seedPath() async throws {
        try await withApp { app in
            // A new employer registers with the enterprise registration's fields and waits.
            var body = Fixtures.registration(adminUsername: "xincailiao")
            body["introduction"] = "新材料企业，复工后扩招"
            let registered = try await F.send(app, .POST, "/api/v1/employers/registrations", nil, body)
            #expect(registered.status == .created)
            let employer = try #require(registered.decoded(EmployerDTO.self))
            #expect(employer.status == .pending && employer.waitingHours == 0)
            let admin = try await Fixtures.caller(app, try #require(try await User.query(on: app.db).filter(\.$username == "xincailiao").first()))
            // Not yet approved: nothing can be published.
            let early = try await F.send(app, .POST, "/api/v1/jobs", admin, F.posting("口罩机操作工"))
            #expect(early.status == .conflict && early.apiError?.code != nil)
            // The licence, checked by content.
            let (headers, licence) = ResumptionFixtures.multipart(kind: "", filename: "营业执照.pdf", data: ResumptionFixtures.pdf)
            let uploaded = try await app.testing().sendRequest(.POST, "/api/v1/employers/\(employer.id)/licence",
                                                               headers: admin.apiHeaders.adding(headers), body: licence)
            #expect(uploaded.status == .ok && uploaded.decoded(EmployerDTO.self)?.hasLicence == true)

            // The reviewer sees it waiting; a refusal needs a reason; approval verifies the enterprise too.
            app.clock.advance(by: 5 * 3600)
            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let queue = try await F.send(app, .GET, "/api/v1/employers?status=pending", reviewer)
            #expect(queue.decoded([EmployerDTO].self)?.first?.waitingHours == 5)
            let noReason = try await F.send(app, .POST, "/api/v1/employers/\(employer.id)/review", reviewer, ["decision": "refuse"])
            #expect(noReason.status == .unprocessableEntity && noReason.apiError?.fields["reason"] != nil)
            let approved = try await F.send(app, .POST, "/api/v1/employers/\(employer.id)/review", reviewer, ["decision": "approve"])
            #expect(approved.decoded(EmployerDTO.self)?.status == .approved)
            #expect(try await Enterprise.find(employer.enterpriseId, on: app.db)?.status == .verified)
            #expect(try await F.send(app, .POST, "/api/v1/employers/\(employer.id)/review", reviewer, ["decision": "approve"]).status == .conflict)

            // Publish (a fresh caller: the fixture token outlived the clock's advance).
            let hr = try await Fixtures.caller(app, admin.user)
            let published = try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("口罩机操作工"))
            #expect(published.status == .created)
            let job = try #require(published.decoded(JobDTO.self))
            #expect(job.status == .open && job.employerName == "长春新材料有限公司")

            // A seeker without consent cannot apply; with it, once.
            let seeker = try await F.seeker(app, consent: false)
            let noConsent = try await F.send(app, .POST, "/api/v1/jobs/\(job.id)/applications", seeker, ["message": "有经验"])
            #expect(noConsent.status == .conflict && noConsent.apiError?.fields["consent"] != nil)
            #expect(try await F.send(app, .PUT, "/api/v1/resume/consent", seeker, ["consent": true]).status == .ok)
            let applied = try await F.send(app, .POST, "/api/v1/jobs/\(job.id)/applications", seeker, ["message": "有经验"])
            #expect(applied.status == .created)
            let application = try #require(applied.decoded(ApplicationDTO.self))
            #expect(application.state == .applied && application.applicant == nil)
            #expect(try await F.send(app, .POST, "/api/v1/jobs/\(job.id)/applications", seeker, [:]).status == .conflict)

            // The employer sees the applicant's contact and résumé; opening it marks it viewed.
            let seen = try await F.send(app, .GET, "/api/v1/applications/\(application.id)", hr)
            let dto = try #require(seen.decoded(ApplicationDTO.self))
            #expect(dto.state == .viewed && dto.applicant?.mobile == "13904310001" && dto.applicant?.resume?.school == "长春职业技术学院")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "application.read").count() == 1)
            // Interview needs a time and a place; then offer, hired; nothing moves back.
            let bad = try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hr, ["state": "interview"])
            #expect(bad.apiError?.fields.keys.sorted() == ["interviewAt", "interviewPlace"])
            let interview = try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hr,
                                             ["state": "interview", "interviewAt": "2020-02-10T09:00:00Z", "interviewPlace": "线上：腾讯会议 123 456 789"])
            #expect(interview.decoded(ApplicationDTO.self)?.interviewPlace == "线上：腾讯会议 123 456 789")
            #expect(try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hr, ["state": "offer"]).status == .ok)
            #expect(try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hr, ["state": "hired"]).status == .ok)
            #expect(try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hr, ["state": "interview"]).status == .conflict)

            // The seeker sees each state and was told of each change.
            let mine = try await F.send(app, .GET, "/api/v1/applications", seeker)
            #expect(mine.decoded([ApplicationDTO].self)?.map(\.state) == [.hired])
            #expect(try await Notification.query(on: app.db).filter(\.$userID == seeker.user.requireID()).count() == 4)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "application.hired").count() == 1)

            // The district's figures count the posting, its openings, the application and the hire, by day and zone.
            let district = try await Fixtures.caller(app, "district", role: .districtAdmin)
            let figures = try #require(try await F.send(app, .GET, "/api/v1/job-figures", district).decoded(JobFigures.Report.self))
            #expect(figures.totals.postings == 1 && figures.totals.openings == 10 && figures.totals.applications == 1 && figures.totals.hires == 1)
            #expect(figures.zones.map(\.key) == ["xinqu"] && figures.days.last?.key == "2020-02-08")
            #expect(try await F.send(app, .GET, "/api/v1/job-figures", hr).status == .forbidden)
            let page = try await app.testing().sendRequest(.GET, "/jobs/figures", headers: district.pageHeaders)
            #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("新区"))
        }
    }

    @Test("Moderation: discriminatory wording, bounds and duplicates are refused with reasons; nothing is stored")
    func moderation() async throws {
        try await withApp { app in
            let (hr, _) = try await F.employer(app)
            let biased = try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("普工", description: "限男性，35岁以下，不招湖北籍。"))
            #expect(biased.status == .unprocessableEntity)
            #expect(biased.apiError?.fields["description"]?.contains("限男性") == true, "\(biased.text)")
            let far = try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("普工", closingDate: "2020-06-30", salaryMax: 100))
            #expect(Set(far.apiError?.fields.keys.map { $0 } ?? []) == ["closingDate", "salaryMax"])
            #expect(try await JobPosting.query(on: app.db).count() == 0)
            #expect(try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("叉车司机")).status == .created)
            let duplicate = try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("叉车司机"))
            #expect(duplicate.status == .conflict && duplicate.apiError?.fields["title"] != nil)
            // Another place is another posting.
            #expect(try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting("叉车司机", address: "长春兴隆综保区 3 号库")).status == .created)
        }
    }

    @Test("Search: one and two characters, phrase not scattered characters, filters, sorting; filled and expired drop out")
    func search() async throws {
        try await withApp { app in
            let (hr, _) = try await F.employer(app)
            for (title, salary) in [("维修电工", 7000), ("电工", 6000), ("电子厂普工", 5000), ("焊工", 8000), ("冷链配送司机", 6500)] {
                #expect(try await F.send(app, .POST, "/api/v1/jobs", hr, F.posting(title, salaryMax: salary)).status == .created)
                app.clock.advance(by: 60)
            }
            func titles(_ query: String) async throws -> [String] {
                let found = try await F.send(app, .GET, "/api/v1/jobs?\(query)", nil)
                return try #require(found.decoded(ListDTO<JobDTO>.self)).items.map(\.title)
            }
            let q = { (text: String) in "q=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            #expect(try await titles(q("电工")) == ["电工", "维修电工"]) // title match first, then newest
            #expect(try await titles(q("焊")) == ["焊工"])
            #expect(try await titles(q("司机")) == ["冷链配送司机"])
            #expect(try await titles(q("配送司机")) == ["冷链配送司机"])
            #expect(try await titles(q("电普")).isEmpty)
            #expect(try await titles("sort=salary&salaryMin=6500") == ["焊工", "维修电工", "冷链配送司机"])
            #expect(try await titles(q("长春君安")).count == 5) // the employer's name is searched too
            let bad = try await F.send(app, .GET, "/api/v1/jobs?education=phd&page=0", nil)
            #expect(bad.status == .unprocessableEntity && bad.apiError?.fields.keys.sorted() == ["education", "page"])

            // Filled: out of the search, still readable, marked.
            let welder = try #require(try await JobPosting.query(on: app.db).filter(\.$title == "焊工").first())
            let filled = try await F.send(app, .PATCH, "/api/v1/jobs/\(welder.id!)", hr, ["status": "filled"])
            #expect(filled.decoded(JobDTO.self)?.status == .filled)
            #expect(try await titles(q("焊")).isEmpty)
            // Past the closing date: expired everywhere.
            app.clock.advance(by: 60 * 86400)
            #expect(try await titles("").isEmpty)
            let job = try await F.send(app, .GET, "/api/v1/jobs/\(welder.id!)", nil)
            #expect(job.status == .ok)
            let electrician = try #require(try await JobPosting.query(on: app.db).filter(\.$title == "电工").first())
            #expect(try await F.send(app, .GET, "/api/v1/jobs/\(electrician.id!)", nil).decoded(JobDTO.self)?.status == .expired)
        }
    }

    @Test("Access: employers see only their own applicants; seekers only their own applications; withdrawn consent hides the résumé")
    func access() async throws {
        try await withApp { app in
            let (hrA, _) = try await F.employer(app, name: "甲企业", code: 1)
            let (hrB, _) = try await F.employer(app, name: "乙企业", code: 2)
            let job = try #require(try await F.send(app, .POST, "/api/v1/jobs", hrA, F.posting("防护服质检员")).decoded(JobDTO.self))
            let seeker = try await F.seeker(app)
            let other = try await F.seeker(app, mobile: "13904310002")
            let application = try #require(try await F.send(app, .POST, "/api/v1/jobs/\(job.id)/applications", seeker, [:]).decoded(ApplicationDTO.self))
            #expect(try await F.send(app, .GET, "/api/v1/applications/\(application.id)", hrB).status == .notFound)
            #expect(try await F.send(app, .PATCH, "/api/v1/applications/\(application.id)", hrB, ["state": "rejected"]).status == .notFound)
            #expect(try await F.send(app, .GET, "/api/v1/applications", hrB).text == "[]")
            #expect(try await F.send(app, .GET, "/api/v1/applications/\(application.id)", other).status == .notFound)
            #expect(try await F.send(app, .GET, "/api/v1/applications", other).text == "[]")
            #expect(try await F.send(app, .PATCH, "/api/v1/jobs/\(job.id)", hrB, ["title": "x"]).status == .notFound)
            // A seeker who never applied is nowhere in A's view.
            #expect(!(try await F.send(app, .GET, "/api/v1/applications", hrA).text.contains("13904310002")))
            // Withdrawn consent: the employer keeps the application but no longer sees contact or résumé.
            #expect(try await F.send(app, .PUT, "/api/v1/resume/consent", seeker, ["consent": false]).status == .ok)
            let seen = try #require(try await F.send(app, .GET, "/api/v1/applications/\(application.id)", hrA).decoded(ApplicationDTO.self))
            #expect(seen.applicant?.mobile == nil && seen.applicant?.resume == nil && seen.applicant?.name == "赵师傅")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "resume.withdrawConsent").count() == 1)
            // Registration checks: a taken mobile, a bad one.
            let taken = try await F.send(app, .POST, "/api/v1/job-seekers", nil, ["mobile": "13904310001", "password": Fixtures.password, "name": "x"])
            #expect(taken.status == .conflict)
            let bad = try await F.send(app, .POST, "/api/v1/job-seekers", nil, ["mobile": "123", "password": "short", "name": ""])
            #expect(bad.apiError?.fields.keys.sorted() == ["mobile", "name", "password"])
        }
    }
}

@Suite("Recruitment through the pages")
struct JobsPageTests {
    func form(_ app: Application, _ path: String, _ caller: Caller, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        var fields = fields
        fields["_csrf"] = caller.csrf
        return try await app.testing().sendRequest(.POST, path, headers: caller.pageHeaders.adding(.form), body: .form(fields))
    }

    @Test("Pending enterprise → start recruiting → licence → reviewer approves → publish (refused wording first) → seeker registers, fills the résumé, consents, applies → employer invites → seeker sees it")
    func seedPath() async throws {
        try await withApp { app in
            let enterprise = try await Fixtures.enterprise(app, name: "长春新区口罩厂", code: 2, status: .pending)
            let hr = try await Fixtures.caller(app, "hr", role: .enterpriseAdmin, enterprise: enterprise)
            #expect(try await app.testing().sendRequest(.GET, "/jobs/centre", headers: hr.pageHeaders).text.contains("action=\"/jobs/centre/start\""))
            #expect(try await form(app, "/jobs/centre/start", hr, ["introduction": "口罩生产", "size": "50-99人"]).status == .seeOther)
            let pending = try await app.testing().sendRequest(.GET, "/jobs/centre", headers: hr.pageHeaders)
            #expect(pending.text.contains("待审核") && pending.text.contains("尚未上传营业执照"))
            let (headers, body) = ResumptionPageTests().multipartForm([("_csrf", hr.csrf)], file: ("file", "执照.png", "image/png", ResumptionFixtures.png))
            #expect(try await app.testing().sendRequest(.POST, "/jobs/centre/licence", headers: hr.pageHeaders.adding(headers), body: body).status == .seeOther)

            let reviewer = try await Fixtures.caller(app, "reviewer", role: .reviewer)
            let queue = try await app.testing().sendRequest(.GET, "/jobs/review", headers: reviewer.pageHeaders)
            #expect(queue.text.contains("长春新区口罩厂") && queue.text.contains("已等待 0 小时"))
            let employer = try #require(try await Employer.query(on: app.db).first())
            #expect(try await app.testing().sendRequest(.GET, "/jobs/review/\(employer.id!)/licence", headers: reviewer.pageHeaders).status == .ok)
            let noReason = try await form(app, "/jobs/review/\(employer.id!)", reviewer, ["decision": "refuse"])
            #expect(noReason.status == .unprocessableEntity, "\(noReason.status) \(noReason.text.prefix(3000))")
            #expect(try await form(app, "/jobs/review/\(employer.id!)", reviewer, ["decision": "approve"]).status == .seeOther)
            #expect(try await Enterprise.find(enterprise.id, on: app.db)?.status == .verified)

            var posting = ["title": "口罩机操作工", "category": "manufacturing", "openings": "20", "salaryMin": "4500", "salaryMax": "6500",
                           "education": "juniorHigh", "experience": "不限", "zone": "xinqu", "address": "长春新区硅谷大街 8 号",
                           "description": "限女性，负责口罩机上料。", "benefits": "包吃住", "closingDate": "2020-03-15"]
            let refused = try await form(app, "/jobs/centre/postings", hr, posting)
            #expect(refused.status == .unprocessableEntity && refused.text.contains("含有性别限制") && refused.text.contains("value=\"口罩机操作工\""))
            posting["description"] = "负责口罩机上料、巡检，两班倒。"
            #expect(try await form(app, "/jobs/centre/postings", hr, posting).status == .seeOther)
            let job = try #require(try await JobPosting.query(on: app.db).first())

            // Anyone finds it, in both languages.
            let list = try await app.testing().sendRequest(.GET, "/jobs?q=%E5%8F%A3%E7%BD%A9")
            #expect(list.status == .ok && list.text.contains("/jobs/\(job.id!)") && list.text.contains("¥4500–6500"))
            #expect(try await app.testing().sendRequest(.GET, "/jobs?lang=en").text.contains("Talent and employment network"))

            // A seeker registers (anonymous form with its CSRF token), then works signed in.
            let registerPage = try await app.testing().sendRequest(.GET, "/seekers/register")
            let cookie = try #require(registerPage.cookie("fugong_session"))
            let csrf = String(try #require(registerPage.text.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.output.1))
            let registered = try await app.testing().sendRequest(.POST, "/seekers/register", headers: HTTPHeaders.form.adding(["Cookie": "fugong_session=\(cookie)"]),
                                                                 body: .form(["_csrf": csrf, "mobile": "13904310009", "name": "钱师傅", "password": Fixtures.password]))
            #expect(registered.status == .seeOther)
            let seeker = try await Fixtures.caller(app, try #require(try await User.query(on: app.db).filter(\.$username == "13904310009").first()))
            #expect(try await app.testing().sendRequest(.GET, "/jobs/\(job.id!)", headers: seeker.pageHeaders).text.contains("投递前请先填写简历"))
            let resume = ["name": "钱师傅", "birthYear": "1990", "education": "seniorHigh", "school": "长春二中", "major": "", "yearsOfWork": "8",
                          "skills": "叉车证", "expectedSalary": "5000", "wantedCategories[]": "manufacturing", "workHistory": "", "introduction": ""]
            #expect(try await form(app, "/resume", seeker, resume.merging(["birthYear": "1900"]) { $1 }).status == .unprocessableEntity)
            #expect(try await form(app, "/resume", seeker, resume).status == .seeOther)
            #expect(try await form(app, "/resume/consent", seeker, ["consent": "yes"]).status == .seeOther)
            #expect(try await form(app, "/jobs/\(job.id!)/apply", seeker, ["message": "可以马上到岗"]).status == .seeOther)
            #expect(try await form(app, "/jobs/\(job.id!)/apply", seeker, [:]).status == .conflict)

            // The employer opens the applicant (viewed), sees the résumé, invites to an interview.
            let application = try #require(try await JobApplication.query(on: app.db).first())
            let applicant = try await app.testing().sendRequest(.GET, "/jobs/centre/applications/\(application.id!)", headers: hr.pageHeaders)
            #expect(applicant.text.contains("长春二中") && applicant.text.contains("13904310009"))
            let noTime = try await form(app, "/jobs/centre/applications/\(application.id!)", hr, ["state": "interview", "interviewPlace": "厂区东门"])
            #expect(noTime.status == .unprocessableEntity)
            #expect(try await form(app, "/jobs/centre/applications/\(application.id!)", hr,
                                   ["state": "interview", "interviewAt": "2020-02-10T09:30", "interviewPlace": "厂区东门"]).status == .seeOther)
            let mine = try await app.testing().sendRequest(.GET, "/my-applications", headers: seeker.pageHeaders)
            #expect(mine.text.contains("邀请面试") && mine.text.contains("2020-02-10 09:30 · 厂区东门"))
            // Another enterprise's admin cannot open it.
            let other = try await Fixtures.caller(app, "other-hr", role: .enterpriseAdmin, enterprise: try await Fixtures.enterprise(app, name: "乙", code: 3))
            #expect(try await app.testing().sendRequest(.GET, "/jobs/centre/applications/\(application.id!)", headers: other.pageHeaders).status == .notFound)
        }
    }
}
