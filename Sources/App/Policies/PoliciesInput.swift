import Domain
import Vapor

/// What the policy routes receive, and how it becomes a command.
enum PoliciesInput {
    struct NewPolicy: Content {
        var kind: String?
        var title: String?
        var issuer: String?
        var issuedOn: String?
        var body: String?
        var tags: [String]?
        /// Whom it is sent to, each enterprise's reading recorded; left out, it is only published.
        var targets: NoticeReceipts.TargetsInput?

        func command() throws -> PoliciesService.Publish {
            var errors = FieldErrors()
            let kind = kind ?? "policy"
            if !["policy", "notice"].contains(kind) { errors.add("kind", "error.choice") }
            let title = FormText.required(title, field: "title", maxLength: 200, into: &errors)
            let issuer = FormText.required(issuer, field: "issuer", maxLength: 100, into: &errors)
            let body = FormText.required(body, field: "body", maxLength: 50_000, into: &errors)
            let issuedText = FormText.trimmed(issuedOn)
            let issuedOn = CivilDate(iso: issuedText)
            if issuedOn == nil { errors.add("issuedOn", issuedText.isEmpty ? "error.required" : "error.date") }
            let tags = (self.tags ?? []).map(FormText.trimmed).filter { !$0.isEmpty }
            if tags.count > 10 || tags.contains(where: { $0.count > 20 }) { errors.add("tags", "error.tooLong") }
            guard let issuedOn, errors.isEmpty else { throw errors }
            return .init(kind: kind, title: title, issuer: issuer, issuedOn: issuedOn, body: body, tags: tags)
        }
    }

    /// The command and, when targets are given, whom it reaches: every field's mistake at once.
    static func checked(_ ctx: ServiceContext, _ input: NewPolicy) async throws -> (PoliciesService.Publish, (NoticeTargets, [UUID])?) {
        var errors = FieldErrors()
        var command: PoliciesService.Publish?
        do { command = try input.command() } catch let found as FieldErrors { errors.merge(found) }
        var targets: (NoticeTargets, [UUID])?
        if let chosen = input.targets {
            do { targets = try await NoticeReceipts.check(ctx, chosen) } catch let found as FieldErrors { errors.merge(found) }
        }
        try errors.throwIfAny()
        guard let command else { throw AppError.internalError("validated policy") }
        return (command, targets)
    }
}
