import Domain
import Fluent
import Vapor

/// The demo district, modelled on Changchun in February 2020: one account per role and five
/// enterprises like the seed's. Loaded by `fugong demo` into an empty database only, so a real
/// deployment never gets accounts with known passwords; every page then says it is demo data.
enum DemoDistrict {
    /// The password of every demo account, shown in the README.
    static let password = "Fugong@2020"

    /// What each module's part of the demo builds on: the registry and the accounts made here.
    struct Context: Sendable {
        let db: any Database
        let now: Date
        /// The demo enterprises, in the order of `companies`.
        let enterprises: [UUID]
        /// The support officers, by zone.
        let officers: [String: User]
        /// Each enterprise's administrator, in the order of `companies` (`company`, `company2`, …).
        let enterpriseAdmins: [User]
        let vault: PersonalData
    }

    struct Company {
        let name, creditCode, legal, contact, phone, address, zone, industry: String
        let staff: Int
        let status: EnterpriseStatus
    }

    static let companies = [
        Company(name: "吉林君安生物科技有限公司", creditCode: "91220101MA14ABC12Q", legal: "王建国", contact: "李红",
                phone: "13804310001", address: "长春经开区临河街 1888 号", zone: "jingkai", industry: "消毒用品制造",
                staff: 120, status: .verified),
        Company(name: "长春圣卫防护服装有限公司", creditCode: "91220101MA17XY8038", legal: "赵立新", contact: "孙丽",
                phone: "13904310002", address: "长春新区硅谷大街 2266 号", zone: "xinqu", industry: "防护服装制造",
                staff: 260, status: .verified),
        Company(name: "长春智驰汽车电子有限公司", creditCode: "91220105MA13QK5673", legal: "刘海涛", contact: "周敏",
                phone: "13604310003", address: "长春经开区东南湖大路 5099 号", zone: "jingkai", industry: "汽车电子",
                staff: 850, status: .verified),
        Company(name: "长春绿源蔬菜专业合作社", creditCode: "93220101MA15WG2K81", legal: "陈福田", contact: "陈晓",
                phone: "13504310004", address: "长春新区长德路 88 号", zone: "xinqu", industry: "蔬菜种植与配送",
                staff: 45, status: .verified),
        Company(name: "长春北乳乳业有限公司", creditCode: "91220106MA142RT757", legal: "吴大勇", contact: "郑洁",
                phone: "13704310005", address: "长春兴隆综保区综保大街 66 号", zone: "xinglong", industry: "乳制品",
                staff: 310, status: .pending),
        Company(name: "长春康达急救设备有限公司", creditCode: "91220101MA17KD201P", legal: "马骏", contact: "高雪",
                phone: "13604310006", address: "长春经开区浦东路 1200 号", zone: "jingkai", industry: "医疗器械",
                staff: 140, status: .verified),
        Company(name: "长春宏运物流有限公司", creditCode: "91220101MA1B3LQ456", legal: "宋涛", contact: "许静",
                phone: "13904310007", address: "长春新区福祉大路 500 号", zone: "xinqu", industry: "物流运输",
                staff: 95, status: .verified),
        Company(name: "长春丰泽粮油加工有限公司", creditCode: "91220106MA15LY0N3Y", legal: "何平", contact: "冯梅",
                phone: "13504310008", address: "长春新区卓越大街 77 号", zone: "xinqu", industry: "粮油加工",
                staff: 60, status: .verified),
        Company(name: "长春悦城商业连锁有限公司", creditCode: "91220101MA14HR8K6C", legal: "韩冰", contact: "邓丽",
                phone: "13704310009", address: "长春经开区自由大路 300 号", zone: "jingkai", industry: "商业零售",
                staff: 420, status: .verified),
        Company(name: "长春兴隆冷链物流有限公司", creditCode: "91220107MA13XL2M1R", legal: "曹阳", contact: "彭敏",
                phone: "13804310010", address: "长春兴隆综保区长白路 9 号", zone: "xinglong", industry: "冷链物流",
                staff: 75, status: .verified),
        Company(name: "长春宏大包装材料有限公司", creditCode: "91220101MA1D0BY279", legal: "谢军", contact: "董芳",
                phone: "13604310011", address: "长春经开区天津路 88 号", zone: "jingkai", industry: "包装材料",
                staff: 180, status: .verified),
    ]

    static let departments = [
        ("工信局", "Industry and Information Technology Bureau"), ("人社局", "Human Resources and Social Security Bureau"),
        ("交通运输局", "Transport Bureau"), ("商务局", "Commerce Bureau"), ("卫健委", "Health Commission"),
        ("税务局", "Tax Bureau"), ("管委会助企办", "Enterprise Support Office"),
    ]

    /// username, role, display name; enterprise accounts belong to the disinfectant maker.
    static let accounts: [(String, Role, String)] = [
        ("admin", .districtAdmin, "区管理员 张伟"), ("reviewer", .reviewer, "审核员 王芳"),
        ("leader", .leader, "领导小组 李强"), ("officer", .officer, "助企干部 刘洋"),
        ("officer2", .officer, "助企干部 孙浩"), ("officer3", .officer, "助企干部 林霞"),
        ("agent", .agent, "工信局经办 陈静"), ("company", .enterpriseAdmin, "企业管理员 李红"),
        ("guard", .gateGuard, "门岗 赵军"), ("employee", .employee, "职工 孙磊"),
        ("seeker", .jobSeeker, "求职者 周婷"), ("port", .portOperator, "陆港运营 吴昊"),
        ("customs", .customsOfficer, "兴隆海关 关员 郑毅"),
    ]

    struct NotEmpty: Error, CustomStringConvertible {
        var description: String {
            "The database already holds accounts that are not demo data; the demo district loads only into an empty database. Set FUGONG_DATA_DIR to another folder."
        }
    }

    static func load(_ app: Application, on db: (any Database)? = nil) async throws {
        let db = db ?? app.db
        if try await PlatformFlag.query(on: db).filter(\.$key == PlatformFlag.demoKey).count() > 0 { return }
        guard try await User.query(on: db).count() == 0 else { throw NotEmpty() }
        let hash = try await app.password.async.hash(password)
        try await db.transaction { db in
            try await PlatformFlag(key: PlatformFlag.demoKey, value: "Changchun, February 2020").create(on: db)
            var enterpriseIDs: [UUID] = []
            for company in companies {
                let enterprise = Enterprise()
                enterprise.name = company.name
                enterprise.creditCode = company.creditCode
                enterprise.legalRepresentative = company.legal
                enterprise.contactName = company.contact
                enterprise.contactPhone = company.phone
                enterprise.address = company.address
                enterprise.zone = company.zone
                enterprise.industry = company.industry
                enterprise.aboveDesignatedSize = company.staff >= 100
                enterprise.staffCount = company.staff
                enterprise.status = company.status
                // Verified before the fortnight the demo tells of.
                if company.status == .verified { enterprise.reviewedAt = app.clock.now.addingTimeInterval(-20 * 86_400) }
                try await enterprise.create(on: db)
                enterpriseIDs.append(enterprise.id!)
            }
            var departmentIDs: [UUID] = []
            for (name, nameEn) in departments {
                let department = Department(name: name, nameEn: nameEn)
                try await department.create(on: db)
                departmentIDs.append(department.id!)
            }
            var officers: [String: User] = [:]
            let zones = ["officer": "jingkai", "officer2": "xinqu", "officer3": "xinglong"]
            for (username, role, displayName) in accounts {
                let user = User(
                    username: username, passwordHash: hash, role: role, displayName: displayName,
                    enterpriseID: role.belongsToEnterprise ? enterpriseIDs[0] : nil,
                    departmentID: role.belongsToDepartment ? departmentIDs[0] : nil
                )
                user.zone = zones[username]
                try await user.create(on: db)
                if let zone = zones[username] { officers[zone] = user }
            }
            // Every other enterprise has its administrator too, named after its contact: `company2` …
            var admins = [try await User.query(on: db).filter(\.$username == "company").first()!]
            for (index, company) in companies.enumerated().dropFirst() {
                let admin = User(username: "company\(index + 1)", passwordHash: hash, role: .enterpriseAdmin,
                                 displayName: "企业管理员 \(company.contact)", enterpriseID: enterpriseIDs[index], departmentID: nil)
                try await admin.create(on: db)
                admins.append(admin)
            }
            let context = Context(db: db, now: app.clock.now, enterprises: enterpriseIDs, officers: officers, enterpriseAdmins: admins,
                                  vault: app.personalData)
            for module in Modules.all { try await module.demo?(context) }
        }
        RoutingTable.changed(app)
        app.logger.notice("Loaded the demo district. Every demo account's password is \(password).")
    }
}
