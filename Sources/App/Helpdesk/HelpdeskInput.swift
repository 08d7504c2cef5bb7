import Domain
import Vapor

/// What the help desk's routes receive (JSON from the API, forms from the pages), and how each
/// becomes a service command: the checks that need no database, field by field.
enum HelpdeskInput {
    struct NewTicket: Content {
        var category: String?
        var urgency: String?
        var title: String?
        var description: String?
        /// Officers raise tickets on behalf of an enterprise they serve.
        var enterpriseId: UUID?

        func command() throws -> HelpdeskService.Raise {
            var errors = FieldErrors()
            // A dropdown left at "Choose…" sends an empty value: that is a missing answer, not a wrong one.
            let category = TicketCategory(rawValue: FormText.trimmed(self.category))
            if category == nil { errors.add("category", FormText.choiceError(self.category)) }
            let urgency = TicketUrgency(rawValue: FormText.trimmed(self.urgency))
            if urgency == nil { errors.add("urgency", FormText.choiceError(self.urgency)) }
            let title = FormText.required(title, field: "title", maxLength: 100, into: &errors)
            let description = FormText.required(description, field: "description", maxLength: 5000, into: &errors)
            guard let category, let urgency, errors.isEmpty else { throw errors }
            return .init(category: category, urgency: urgency, title: title, description: description, enterpriseID: enterpriseId)
        }
    }

    struct Reply: Content {
        var body: String?
        var `internal`: Bool?
        var policyId: UUID?

        func command() throws -> HelpdeskService.Words {
            var errors = FieldErrors()
            let text = FormText.required(body, field: "body", maxLength: 5000, into: &errors)
            try errors.throwIfAny()
            return .init(text: text, isInternal: self.internal ?? false, policyID: policyId)
        }
    }

    struct Transfer: Content {
        var departmentId: UUID?
        var reason: String?

        func command() throws -> HelpdeskService.Transfer {
            var errors = FieldErrors()
            if departmentId == nil { errors.add("departmentId", "error.required") }
            let reason = FormText.required(reason, field: "reason", maxLength: 500, into: &errors)
            guard let departmentId, errors.isEmpty else { throw errors }
            return .init(departmentID: departmentId, reason: reason)
        }
    }

    struct Feedback: Content {
        var solved: Bool?
        var satisfaction: String?
        var like: Bool?
        var comment: String?

        func command() throws -> HelpdeskService.Rating {
            var errors = FieldErrors()
            if solved == nil { errors.add("solved", "error.required") }
            let satisfaction = satisfaction.flatMap(Satisfaction.init(rawValue:))
            if satisfaction == nil { errors.add("satisfaction", FormText.choiceError(self.satisfaction)) }
            let comment = FormText.trimmed(comment)
            if comment.unicodeScalars.count > 1000 { errors.add("comment", "error.tooLong") }
            guard let solved, let satisfaction, errors.isEmpty else { throw errors }
            return .init(solved: solved, satisfaction: satisfaction, like: like ?? false, comment: comment)
        }
    }
}
