import Foundation

/// A small Markdown subset for policies: headings (#, ##, ###), paragraphs, `-`/`1.` lists,
/// **bold**. Everything is HTML-escaped first, so nothing typed can become markup or script.
enum Markdown {
    static func inline(_ text: String) -> String {
        let parts = HTML.escape(text).components(separatedBy: "**")
        return parts.enumerated().map { index, part in index % 2 == 1 && index < parts.count - 1 ? "<strong>\(part)</strong>" : part }
            .joined(separator: "")
    }

    static func html(_ source: String) -> String {
        var html: [String] = []
        var paragraph: [String] = []
        var list: (tag: String, items: [String])?
        func flush() {
            if !paragraph.isEmpty { html.append("<p>\(paragraph.map(inline).joined(separator: "<br>"))</p>"); paragraph = [] }
            if let open = list { html.append("<\(open.tag)>\(open.items.map { "<li>\(inline($0))</li>" }.joined())</\(open.tag)>"); list = nil }
        }
        for raw in source.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { flush(); continue }
            if let level = ["### ", "## ", "# "].firstIndex(where: { line.hasPrefix($0) }) {
                flush()
                let depth = 3 - level + 1
                html.append("<h\(depth + 1)>\(inline(String(line.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)))</h\(depth + 1)>")
                continue
            }
            let bullet = line.hasPrefix("- ") || line.hasPrefix("* ")
            let numbered = line.firstMatch(of: /^\d+[.、]\s*/)
            if bullet || numbered != nil {
                let tag = bullet ? "ul" : "ol"
                if !paragraph.isEmpty { flush() }
                if list?.tag != tag { flush(); list = (tag, []) }
                let item = bullet ? String(line.dropFirst(2)) : String(line[numbered!.range.upperBound...])
                list?.items.append(item)
                continue
            }
            if list != nil { flush() }
            paragraph.append(line)
        }
        flush()
        return html.joined(separator: "\n")
    }
}
