import Domain
import Foundation
import Testing

@Suite("Recruitment: postings, fair hiring, pipeline, search terms")
struct JobRulesTests {
    static let today = CivilDate(iso: "2020-02-18")!
    static let zones: Set<String> = ["jingkai", "xinqu", "xinglong"]

    static func draft(_ change: (inout PostingDraft) -> Void = { _ in }) -> PostingDraft {
        var draft = PostingDraft(title: "口罩机操作工", category: "manufacturing", openings: 20, salaryMin: 4500, salaryMax: 6500,
                                 education: "juniorHigh", experience: "不限", zone: "xinqu", address: "长春新区硅谷大街 1 号",
                                 description: "负责口罩机上料、巡检，两班倒，提供培训。", benefits: "包吃住，五险一金",
                                 closingDate: "2020-03-31")
        change(&draft)
        return draft
    }

    func errors(_ draft: PostingDraft) -> [String: String] {
        do {
            _ = try PostingRules.check(draft, today: Self.today, zones: Self.zones)
            return [:]
        } catch {
            return error.messages
        }
    }

    @Test("A sound posting passes with its values trimmed and typed")
    func sound() throws {
        let posting = try PostingRules.check(Self.draft { $0.title = "  口罩机操作工 " }, today: Self.today, zones: Self.zones)
        #expect(posting.title == "口罩机操作工" && posting.category == .manufacturing && posting.education == .juniorHigh)
        #expect(posting.closingDate == CivilDate(iso: "2020-03-31"))
    }

    @Test("Salary order, openings, zone and the closing date within 90 days")
    func bounds() {
        #expect(errors(Self.draft { $0.salaryMin = 7000 })["salaryMax"] == "error.job.salaryOrder")
        #expect(errors(Self.draft { $0.salaryMin = 6500 }).isEmpty) // min = max is a fixed wage
        #expect(errors(Self.draft { $0.salaryMin = 0 })["salaryMin"] == "error.job.salary")
        #expect(errors(Self.draft { $0.openings = 0 })["openings"] == "error.job.openings")
        #expect(errors(Self.draft { $0.zone = "moon" })["zone"] == "error.choice")
        #expect(errors(Self.draft { $0.closingDate = "2020-05-18" }).isEmpty) // day 90
        #expect(errors(Self.draft { $0.closingDate = "2020-05-19" })["closingDate"] == "error.job.closingFar")
        #expect(errors(Self.draft { $0.closingDate = "2020-02-17" })["closingDate"] == "error.job.closingPast")
        #expect(errors(Self.draft { $0.closingDate = "31/03/2020" })["closingDate"] == "error.date")
        let empty = errors(PostingDraft())
        #expect(Set(empty.keys) == ["title", "category", "openings", "salaryMin", "salaryMax", "education", "zone", "address",
                                    "description", "closingDate"])
    }

    @Test("Discriminatory wording is refused with its ground and the phrase quoted", arguments: [
        ("限男性", FairHiring.Ground.gender), ("仅限女性，形象好", .gender), ("男性优先", .gender), ("不招女工", .gender),
        ("35岁以下", .age), ("年龄18-35周岁", .age), ("年龄不超过40", .age), ("18至45岁", .age),
        ("不招湖北籍", .origin), ("谢绝湖北籍员工", .origin), ("限本地户口", .origin), ("本地户籍优先", .origin),
    ])
    func discrimination(phrase: String, ground: FairHiring.Ground) {
        let finding = FairHiring.finding(in: "招聘普工若干，\(phrase)，待遇从优。")
        #expect(finding?.ground == ground, "\(phrase)")
        let messages = errors(Self.draft { $0.description = "负责上料。\(phrase)。" })
        #expect(messages["description"] == "error.job.discrimination.\(ground.rawValue)", "\(phrase)")
    }

    @Test("Ordinary postings are not flagged", arguments: [
        "男女不限，年满18周岁", "招男女普工各10名", "女装缝纫工", "工作地点不限", "不要求工作经验", "需持C1驾照，3年以上驾龄",
        "防护服质检员，熟悉GB 19082", "湖北路门店店员",
    ])
    func fair(text: String) {
        #expect(FairHiring.finding(in: text) == nil, "\(text)")
    }

    @Test("The pipeline moves forward or to rejected, never back, never out of a final state")
    func pipeline() {
        let legal: [ApplicationState: Set<ApplicationState>] = [
            .applied: [.viewed, .interview, .offer, .hired, .rejected],
            .viewed: [.interview, .offer, .hired, .rejected],
            .interview: [.offer, .hired, .rejected],
            .offer: [.hired, .rejected],
            .hired: [], .rejected: [],
        ]
        for from in ApplicationState.allCases {
            for to in ApplicationState.allCases {
                #expect(from.allows(to) == legal[from]!.contains(to), "\(from) → \(to)")
            }
        }
    }

    @Test("Search terms: Han n-grams of one to four characters, words of Latin text, width-folded; longer queries in four-character pieces")
    func terms() {
        #expect(SearchTerms.index("电工") == ["电", "工", "电工"])
        #expect(SearchTerms.index("Java开发") == ["java", "开", "发", "开发"])
        #expect(SearchTerms.index("ＪＡＶＡ，C1驾照") == ["java", "c1", "驾", "照", "驾照"])
        #expect(SearchTerms.query("焊") == ["焊"])
        #expect(SearchTerms.query("司机") == ["司机"])
        #expect(SearchTerms.query("叉车司机") == ["叉车司机"])
        #expect(SearchTerms.query("冷链配送员") == ["冷链配送", "链配送员"])
        #expect(SearchTerms.query("java 工程师") == ["java", "工程师"])
        #expect(SearchTerms.index("叉车司机") == ["叉", "车", "司", "机", "叉车", "车司", "司机", "叉车司", "车司机", "叉车司机"])
        #expect(SearchTerms.query(" ，") == [])
        // Every query term of a text is in the text's index, so a text always finds itself.
        for text in ["汽车线束装配工", "冷链配送司机（B2）", "Java开发工程师"] {
            #expect(Set(SearchTerms.query(text)).isSubset(of: SearchTerms.index(text)))
        }
    }
}
