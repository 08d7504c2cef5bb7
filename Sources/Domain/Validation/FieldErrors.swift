/// Validation findings keyed by the field's JSON name. Values are string-table keys, so the
/// App layer can say them in the user's language; Domain never holds display text.
public struct FieldErrors: Error, Equatable, Sendable {
    public private(set) var messages: [String: String] = [:]
    /// Values for a message's `{0}`, `{1}`…, by field.
    public private(set) var arguments: [String: [String]] = [:]

    public init() {}

    public init(_ field: String, _ messageKey: String, arguments: [String] = []) {
        messages[field] = messageKey
        if !arguments.isEmpty { self.arguments[field] = arguments }
    }

    public var isEmpty: Bool { messages.isEmpty }

    /// The first finding for a field wins: it is usually the most basic one ("required").
    public mutating func add(_ field: String, _ messageKey: String, arguments: [String] = []) {
        guard messages[field] == nil else { return }
        messages[field] = messageKey
        if !arguments.isEmpty { self.arguments[field] = arguments }
    }

    public mutating func merge(_ other: FieldErrors) {
        for (field, key) in other.messages { add(field, key, arguments: other.arguments[field] ?? []) }
    }

    public func throwIfAny() throws {
        if !isEmpty { throw self }
    }

    /// The same findings under other field names: a page names plainly the one item of a list
    /// that the API calls `days[3].date`.
    public func renamed(_ rename: (String) -> String) -> FieldErrors {
        var renamed = FieldErrors()
        for (field, key) in messages { renamed.add(rename(field), key, arguments: arguments[field] ?? []) }
        return renamed
    }
}

/// Helpers for the common shape of a form field: trimmed, required, bounded length.
public enum FormText {
    public static func trimmed(_ value: String?) -> String {
        (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The message for a choice that is not one of the list: nothing chosen (an empty select
    /// sends "") is `error.required`, anything else `error.choice`.
    public static func choiceError(_ raw: String?) -> String {
        trimmed(raw).isEmpty ? "error.required" : "error.choice"
    }

    /// A whole number typed in a form: nil when left empty (`error.required` if it must be
    /// given), `error.number` when it is not one.
    public static func integer(_ value: String?, field: String, required: Bool = false, into errors: inout FieldErrors) -> Int? {
        let text = trimmed(value)
        if text.isEmpty {
            if required { errors.add(field, "error.required") }
            return nil
        }
        guard let number = Int(text) else { errors.add(field, "error.number"); return nil }
        return number
    }

    /// A decimal typed in a form (a temperature, a quantity): nil when left empty
    /// (`error.required` if it must be given), `error.number` when it is not one.
    public static func decimal(_ value: String?, field: String, required: Bool = false, into errors: inout FieldErrors) -> Double? {
        let text = trimmed(value)
        if text.isEmpty {
            if required { errors.add(field, "error.required") }
            return nil
        }
        guard let number = Double(text), number.isFinite else { errors.add(field, "error.number"); return nil }
        return number
    }

    /// A yes/no radio group: `yes`, `no`, or nil when neither was chosen.
    public static func yesNo(_ value: String?) -> Bool? {
        switch value {
        case "yes": true
        case "no": false
        default: nil
        }
    }

    /// Returns the trimmed text or records `error.required` / `error.tooLong`. Length counts
    /// code points, as the API document's `maxLength` (JSON Schema) does: "é" typed as e and a
    /// combining accent is two.
    public static func required(
        _ value: String?, field: String, maxLength: Int = 200, into errors: inout FieldErrors
    ) -> String {
        let text = trimmed(value)
        if text.isEmpty {
            errors.add(field, "error.required")
        } else if text.unicodeScalars.count > maxLength {
            errors.add(field, "error.tooLong")
        }
        return text
    }
}
