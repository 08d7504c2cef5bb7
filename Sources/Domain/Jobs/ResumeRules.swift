import Foundation

/// A résumé as typed (form or JSON).
public struct ResumeDraft: Sendable {
    public var name: String?
    public var gender: String?
    public var birthYear: Int?
    public var education: String?
    public var school: String?
    public var major: String?
    public var yearsOfWork: Int?
    public var skills: String?
    public var expectedSalary: Int?
    public var wantedCategories: [String]?
    public var wantedZones: [String]?
    public var workHistory: String?
    public var introduction: String?

    public init(name: String? = nil, gender: String? = nil, birthYear: Int? = nil, education: String? = nil, school: String? = nil,
                major: String? = nil, yearsOfWork: Int? = nil, skills: String? = nil, expectedSalary: Int? = nil,
                wantedCategories: [String]? = nil, wantedZones: [String]? = nil, workHistory: String? = nil, introduction: String? = nil) {
        self.name = name; self.gender = gender; self.birthYear = birthYear; self.education = education; self.school = school
        self.major = major; self.yearsOfWork = yearsOfWork; self.skills = skills; self.expectedSalary = expectedSalary
        self.wantedCategories = wantedCategories; self.wantedZones = wantedZones; self.workHistory = workHistory
        self.introduction = introduction
    }
}

/// A résumé that passed its checks.
public struct CheckedResume: Equatable, Sendable {
    public let name: String
    public let gender: String?
    public let birthYear: Int
    public let education: Education
    public let school: String
    public let major: String
    public let yearsOfWork: Int
    public let skills: String
    public let expectedSalary: Int
    public let wantedCategories: [JobCategory]
    public let wantedZones: [String]
    public let workHistory: String
    public let introduction: String
}

public enum ResumeRules {
    /// Aged 16 to 70 this year; an education level (not "any"); years of work and pay in range;
    /// categories and zones from their lists; texts within their lengths.
    public static func check(_ draft: ResumeDraft, thisYear: Int, zones: Set<String>) throws(FieldErrors) -> CheckedResume {
        var errors = FieldErrors()
        let name = FormText.required(draft.name, field: "name", maxLength: 30, into: &errors)
        let gender = FormText.trimmed(draft.gender)
        if !gender.isEmpty, !["male", "female"].contains(gender) { errors.add("gender", "error.choice") }
        if let birthYear = draft.birthYear {
            if !((thisYear - 70)...(thisYear - 16)).contains(birthYear) { errors.add("birthYear", "error.resume.birthYear") }
        } else {
            errors.add("birthYear", "error.required")
        }
        let education = draft.education.flatMap(Education.init(rawValue:))
        if education == nil || education == .any { errors.add("education", FormText.choiceError(draft.education)) }
        if let years = draft.yearsOfWork {
            if !(0...60).contains(years) { errors.add("yearsOfWork", "error.number") }
        } else {
            errors.add("yearsOfWork", "error.required")
        }
        if let salary = draft.expectedSalary, !(0...200_000).contains(salary) { errors.add("expectedSalary", "error.job.salary") }
        let categories = (draft.wantedCategories ?? []).map(JobCategory.init(rawValue:))
        if categories.contains(nil) { errors.add("wantedCategories", "error.choice") }
        let wantedZones = draft.wantedZones ?? []
        if !Set(wantedZones).isSubset(of: zones) { errors.add("wantedZones", "error.choice") }
        func text(_ field: String, _ value: String?, _ limit: Int) -> String {
            let text = FormText.trimmed(value)
            if text.unicodeScalars.count > limit { errors.add(field, "error.tooLong") }
            return text
        }
        let school = text("school", draft.school, 60), major = text("major", draft.major, 60), skills = text("skills", draft.skills, 500)
        let history = text("workHistory", draft.workHistory, 3000), introduction = text("introduction", draft.introduction, 1000)
        guard errors.isEmpty, let birthYear = draft.birthYear, let education, let yearsOfWork = draft.yearsOfWork else { throw errors }
        return CheckedResume(name: name, gender: gender.isEmpty ? nil : gender, birthYear: birthYear, education: education, school: school,
                             major: major, yearsOfWork: yearsOfWork, skills: skills, expectedSalary: draft.expectedSalary ?? 0,
                             wantedCategories: categories.compactMap { $0 }, wantedZones: wantedZones, workHistory: history,
                             introduction: introduction)
    }
}
