/// One field that changed between two versions of a form, for reviewers of a resubmission.
public struct FieldChange: Equatable, Codable, Sendable {
    public let field: String
    public let before: String
    public let after: String

    /// Fields whose values differ, in the order of `after`'s keys sorted by name.
    public static func diff(_ before: [String: String], _ after: [String: String]) -> [FieldChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { field in
            let old = before[field] ?? "", new = after[field] ?? ""
            return old == new ? nil : FieldChange(field: field, before: old, after: new)
        }
    }
}
