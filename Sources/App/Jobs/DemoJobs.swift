import Domain
import Fluent
import Foundation

/// The demo district's talent network: its verified enterprises recruit, one new employer
/// waits for review, about three hundred postings of the kind the district needed in February
/// 2020, and the demo seeker's résumé with applications in every state.
struct DemoJobs {
    let db: any Database
    let now: Date
    let enterprises: [UUID]

    struct Template {
        let title: String
        let category: JobCategory
        let education: Education
        let salary: (Int, Int)
        let duty: String
    }

    static let templates: [Template] = [
        .init(title: "口罩机操作工", category: .manufacturing, education: .juniorHigh, salary: (4500, 6500), duty: "负责口罩机上料、巡检和简单调试，保证日产量"),
        .init(title: "防护服质检员", category: .manufacturing, education: .seniorHigh, salary: (4000, 5500), duty: "按 GB 19082 检验医用防护服的缝线、压条和外观"),
        .init(title: "汽车线束装配工", category: .manufacturing, education: .juniorHigh, salary: (4200, 6000), duty: "按图纸装配汽车线束，检查导通"),
        .init(title: "叉车司机", category: .logistics, education: .juniorHigh, salary: (5000, 7000), duty: "持叉车证，负责仓库装卸和倒运"),
        .init(title: "冷链配送司机", category: .logistics, education: .juniorHigh, salary: (5500, 8000), duty: "持 B2 以上驾照，负责乳品和蔬菜冷链配送"),
        .init(title: "Java开发工程师", category: .it, education: .bachelor, salary: (9000, 15000), duty: "参与企业复工管理系统的后端开发，熟悉 Spring"),
        .init(title: "维修电工", category: .manufacturing, education: .vocational, salary: (5000, 7500), duty: "持电工证，负责厂区配电和设备电气维修"),
        .init(title: "焊工", category: .manufacturing, education: .vocational, salary: (5500, 8500), duty: "持焊工证，负责钢结构和设备支架焊接"),
        .init(title: "仓库管理员", category: .logistics, education: .seniorHigh, salary: (4000, 5500), duty: "负责出入库登记、盘点和防疫物资台账"),
        .init(title: "消毒液灌装工", category: .manufacturing, education: .juniorHigh, salary: (4000, 5000), duty: "负责消毒液灌装、封口和装箱"),
        .init(title: "护士", category: .medical, education: .college, salary: (5000, 7000), duty: "持护士执业证，负责厂区医务室和员工体温监测"),
        .init(title: "药品质检员", category: .medical, education: .college, salary: (5000, 6500), duty: "负责原辅料和成品的检验记录"),
        .init(title: "收银员", category: .retail, education: .seniorHigh, salary: (3500, 4500), duty: "负责门店收银，配合门店测温登记"),
        .init(title: "理货员", category: .retail, education: .juniorHigh, salary: (3500, 4500), duty: "负责货架补货、临期商品检查"),
        .init(title: "社区配送员", category: .service, education: .juniorHigh, salary: (4500, 7000), duty: "负责社区生鲜订单无接触配送"),
        .init(title: "蔬菜分拣工", category: .agriculture, education: .any, salary: (3500, 4500), duty: "负责蔬菜分拣、称重和打包"),
        .init(title: "大棚种植工", category: .agriculture, education: .any, salary: (3500, 5000), duty: "负责温室大棚蔬菜种植和采收"),
        .init(title: "保洁员", category: .service, education: .any, salary: (3000, 3800), duty: "负责办公区和车间的清洁消杀"),
        .init(title: "安保员", category: .service, education: .juniorHigh, salary: (3800, 4800), duty: "负责门岗测温、登记和巡逻"),
        .init(title: "机修钳工", category: .manufacturing, education: .vocational, salary: (5500, 8000), duty: "负责生产设备的机械维修和保养"),
        .init(title: "设备维修工程师", category: .manufacturing, education: .college, salary: (7000, 10000), duty: "负责自动化产线的故障诊断"),
        .init(title: "嵌入式软件工程师", category: .it, education: .bachelor, salary: (10000, 16000), duty: "负责救护车电子设备的嵌入式软件开发"),
        .init(title: "数据分析师", category: .it, education: .bachelor, salary: (8000, 13000), duty: "负责销售和供应链数据分析"),
        .init(title: "电子装配工", category: .manufacturing, education: .juniorHigh, salary: (4000, 5500), duty: "负责电路板插件和整机装配"),
        .init(title: "包装工", category: .manufacturing, education: .any, salary: (3500, 4500), duty: "负责成品包装、贴标和码垛"),
        .init(title: "粮油搬运工", category: .logistics, education: .any, salary: (4000, 5500), duty: "负责粮油装卸和库内搬运"),
        .init(title: "会计", category: .other, education: .college, salary: (4500, 6500), duty: "负责凭证、报税和复工补贴申报材料"),
        .init(title: "人事专员", category: .other, education: .college, salary: (4500, 6000), duty: "负责招聘、入职和员工健康信息登记"),
        .init(title: "客服专员", category: .service, education: .seniorHigh, salary: (3800, 5000), duty: "负责订单咨询和售后回访"),
        .init(title: "建筑电工", category: .construction, education: .vocational, salary: (6000, 9000), duty: "持证上岗，负责方舱和厂房改造的电气施工"),
    ]

    /// Which employers post a job, by their industry: a disinfectant maker does not hire
    /// greenhouse hands, nor a logistics firm nurses. A job not listed is one every employer has.
    static let makers = ["消毒用品制造", "防护服装制造", "汽车电子", "乳制品", "粮油加工", "包装材料", "医疗器械"]
    static let fits: [String: [String]] = [
        "口罩机操作工": ["防护服装制造", "消毒用品制造"], "防护服质检员": ["防护服装制造"], "汽车线束装配工": ["汽车电子"],
        "叉车司机": ["物流运输", "冷链物流", "粮油加工", "包装材料"], "冷链配送司机": ["冷链物流", "乳制品", "蔬菜种植与配送"],
        "Java开发工程师": ["汽车电子", "物流运输", "商业零售"], "维修电工": makers, "焊工": ["医疗器械", "汽车电子", "包装材料"],
        "消毒液灌装工": ["消毒用品制造"], "护士": ["汽车电子", "防护服装制造", "乳制品"], "药品质检员": ["消毒用品制造", "医疗器械"],
        "收银员": ["商业零售"], "理货员": ["商业零售", "粮油加工"], "社区配送员": ["商业零售", "蔬菜种植与配送"],
        "蔬菜分拣工": ["蔬菜种植与配送"], "大棚种植工": ["蔬菜种植与配送"], "机修钳工": makers,
        "设备维修工程师": ["汽车电子", "乳制品", "防护服装制造", "消毒用品制造", "医疗器械"], "嵌入式软件工程师": ["汽车电子", "医疗器械"],
        "数据分析师": ["商业零售", "物流运输", "乳制品"], "电子装配工": ["汽车电子", "医疗器械"],
        "包装工": ["包装材料", "粮油加工", "乳制品", "消毒用品制造"], "粮油搬运工": ["粮油加工"],
        "客服专员": ["商业零售", "物流运输", "乳制品"], "建筑电工": ["包装材料", "汽车电子"],
    ]

    static let shifts = ["长白班", "两班倒", "三班倒", "夜班", "做六休一", "做五休二", "早班", "中班", "倒班", "弹性排班"]

    func load() async throws {
        let companies = try await Enterprise.query(on: db).filter(\.$id ~~ enterprises).sort(\.$name).all()
        var employers: [(Enterprise, Employer)] = []
        for enterprise in companies {
            let employer = Employer()
            employer.$enterprise.id = try enterprise.requireID()
            employer.introduction = "\(enterprise.name)，主营\(enterprise.industry)。复工复产期间扩大招聘，岗前提供防疫培训。"
            employer.size = enterprise.staffCount >= 500 ? "500人以上" : enterprise.staffCount >= 100 ? "100-499人" : "20-99人"
            employer.submittedAt = now.addingTimeInterval(-Double(enterprise.status == .verified ? 20 : 1) * 86_400)
            employer.status = enterprise.status == .verified ? .approved : .pending
            if employer.status == .approved { employer.reviewedAt = employer.submittedAt }
            try await employer.create(on: db)
            if employer.status == .approved { employers.append((enterprise, employer)) }
        }
        let today = CivilDate(now)
        var postings: [JobPosting] = []
        for (index, template) in Self.templates.enumerated() {
            let fitting = Self.fits[template.title].map { industries in employers.filter { industries.contains($0.0.industry) } } ?? employers
            guard !fitting.isEmpty else { continue }
            for variant in 0..<10 {
                let (enterprise, employer) = fitting[(index * 3 + variant) % fitting.count]
                let posting = JobPosting()
                posting.$employer.id = try employer.requireID()
                posting.enterpriseID = try enterprise.requireID()
                posting.title = variant == 0 ? template.title : "\(template.title)（\(Self.shifts[variant])）"
                posting.category = template.category
                posting.openings = 1 + (index * 7 + variant * 3) % 30
                let step = (variant % 4) * 200
                posting.salaryMin = template.salary.0 + step
                posting.salaryMax = template.salary.1 + step
                posting.education = template.education
                posting.experience = variant % 3 == 0 ? "不限" : "\(variant % 3) 年以上"
                posting.zone = enterprise.zone
                posting.address = "\(enterprise.address) \(variant + 1) 号楼"
                posting.description = "\(template.duty)。\(Self.shifts[variant])，岗前培训，上岗前需完成健康申报和 14 天居家观察（如适用）。"
                posting.benefits = ["包吃住，五险一金", "提供班车，餐补", "五险一金，节日福利", "包住，加班费另计"][variant % 4]
                let created = now.addingTimeInterval(-Double((index + variant * 2) % 20) * 86_400 - Double(variant) * 3_600)
                posting.createdAt = created
                posting.updatedAt = created
                // A few closed already, a few filled; the rest open for 2 to 8 more weeks.
                posting.closingDate = variant == 9 ? today.adding(days: -1).iso : today.adding(days: 14 + (index + variant) % 45).iso
                posting.status = variant == 8 && index % 3 == 0 ? .filled : .open
                posting.searchText = SearchTerms.normalized([posting.title, enterprise.name, posting.description].joined(separator: "\n"))
                try await posting.create(on: db)
                try await JobsStore.index(posting, on: db)
                postings.append(posting)
            }
        }
        try await seekerApplications(postings)
    }

    /// The demo seeker: a résumé, consent, and an application in every state.
    private func seekerApplications(_ postings: [JobPosting]) async throws {
        guard let seeker = try await User.query(on: db).filter(\.$username == "seeker").first() else { return }
        let resume = Resume()
        resume.$user.id = try seeker.requireID()
        resume.name = "周婷"
        resume.gender = "female"
        resume.birthYear = 1994
        resume.education = .vocational
        resume.school = "长春汽车工业高等专科学校"
        resume.major = "机电一体化"
        resume.yearsOfWork = 6
        resume.skills = "电工证（低压）、叉车证"
        resume.expectedSalary = 6000
        resume.wantedCategories = [JobCategory.manufacturing.rawValue, JobCategory.logistics.rawValue]
        resume.wantedZones = ["jingkai", "xinqu"]
        resume.workHistory = "2014–2017 长春某汽车零部件厂 线束装配\n2017–2020 长春某物流公司 叉车司机"
        resume.introduction = "家住经开区，可倒班，已完成 14 天居家观察。"
        resume.updatedAt = now.addingTimeInterval(-3 * 86_400)
        resume.consentGivenAt = now.addingTimeInterval(-3 * 86_400)
        try await resume.create(on: db)
        // Jobs open today and posted before the week of applications began.
        let open = postings.filter { $0.status == .open && $0.closingDate >= CivilDate(now).iso && $0.createdAt <= now.addingTimeInterval(-7 * 86_400) }
        let states: [ApplicationState] = [.applied, .viewed, .interview, .offer, .hired, .rejected]
        for (offset, state) in states.enumerated() {
            let posting = open[offset * 37 % open.count]
            let application = JobApplication()
            application.$posting.id = try posting.requireID()
            application.enterpriseID = posting.enterpriseID
            application.$seeker.id = try seeker.requireID()
            application.state = state
            application.message = "有相关经验，可以尽快到岗。"
            application.createdAt = now.addingTimeInterval(-Double(6 - offset) * 86_400)
            application.updatedAt = now.addingTimeInterval(-Double(6 - offset) * 43_200)
            if state == .interview {
                application.interviewAt = now.addingTimeInterval(2 * 86_400)
                application.interviewPlace = "线上：腾讯会议 236 118 020"
            }
            if state == .rejected { application.reason = "岗位已招满" }
            if state == .hired { application.hiredAt = application.updatedAt }
            try await application.create(on: db)
        }
    }
}
