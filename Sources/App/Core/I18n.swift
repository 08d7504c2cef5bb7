import Domain
import Foundation
import Leaf
import Vapor

/// The platform's languages: Simplified Chinese by default, English on request.
public enum Language: String, CaseIterable, Codable, Sendable {
    case zhHans = "zh-Hans"
    case en

    /// The `lang` attribute for HTML.
    var htmlLang: String { self == .zhHans ? "zh-CN" : "en" }

    static let cookieName = "fugong_lang"

    /// `zh…` → Chinese, `en…` → English, honouring q-values; anything else → Chinese.
    static func from(acceptLanguage header: String?) -> Language {
        guard let header else { return .zhHans }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q)
        }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
        for (tag, _) in ranked {
            if tag.hasPrefix("zh") { return .zhHans }
            if tag.hasPrefix("en") { return .en }
        }
        return .zhHans
    }

    static func from(code: String?) -> Language? {
        switch code?.lowercased() {
        case "en", "en-us", "en-gb": .en
        case "zh", "zh-hans", "zh-cn": .zhHans
        default: nil
        }
    }
}

/// All user-facing text, one JSON table per language under `Resources/Strings`.
public struct StringTables: Sendable {
    let tables: [Language: [String: String]]

    public static func load(from directory: String) throws -> StringTables {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("\(language.rawValue).json")
            let data = try Data(contentsOf: url)
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return StringTables(tables: tables)
    }

    public func has(_ key: String) -> Bool { tables.values.contains { $0[key] != nil } }

    public func keys(_ language: Language) -> Set<String> {
        Set(tables[language]?.keys ?? [:].keys)
    }

    /// `{0}`, `{1}`… in the text are replaced by `arguments`. A missing key shows itself, so
    /// it is noticed, rather than failing the page.
    public func text(_ key: String, _ language: Language, _ arguments: [String] = []) -> String {
        var text = tables[language]?[key] ?? tables[.zhHans]?[key] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }
}

extension Application {
    private struct StringsKey: StorageKey { typealias Value = StringTables }

    public var strings: StringTables {
        get { storage[StringsKey.self]! }
        set { storage[StringsKey.self] = newValue }
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// `?lang=` on this request, then the remembered choice, then `Accept-Language`.
    public var language: Language {
        if let cached = storage[LanguageKey.self] { return cached }
        let chosen = Language.from(code: chosenInQuery)
            ?? Language.from(code: cookies[Language.cookieName]?.string)
            ?? Language.from(acceptLanguage: headers.first(name: .acceptLanguage))
        storage[LanguageKey.self] = chosen
        return chosen
    }

    /// `?lang=`, without decoding the query of every request that has none (the gate's, the reports').
    var chosenInQuery: String? {
        guard url.query?.contains("lang=") == true else { return nil }
        return query[String.self, at: "lang"]
    }

    public func t(_ key: String, _ arguments: String...) -> String {
        application.strings.text(key, language, arguments)
    }

    /// Field errors in the user's language.
    func translated(_ fields: [String: String]) -> [String: String] {
        fields.mapValues { t($0) }
    }

    /// Field errors in the user's language, with their values filled in.
    func translated(_ errors: FieldErrors) -> [String: String] {
        Dictionary(uniqueKeysWithValues: errors.messages.map { field, key in
            (field, application.strings.text(key, language, errors.arguments[field] ?? []))
        })
    }
}

/// Remembers a language chosen with `?lang=` in a cookie. The choice is a display preference
/// kept by the browser; nothing on the server changes.
enum LanguageChoice {
    static func apply(_ request: Request, _ response: Response) {
        if let chosen = Language.from(code: request.chosenInQuery) {
            response.cookies[Language.cookieName] = HTTPCookies.Value(
                string: chosen.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                isSecure: request.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax
            )
        }
        response.headers.replaceOrAdd(name: .contentLanguage, value: request.language.htmlLang)
    }
}

/// `#t("key")` or `#t("key", argument…)` in templates.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw "#t needs a string key"
        }
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard let request = ctx.request else { return .string(key) }
        return .string(request.application.strings.text(key, request.language, Array(arguments)))
    }
}
