import Foundation

/// Chinese full-text search without a word segmenter. A text's terms are its Han character
/// sequences of one to four characters (n-grams, overlapping), and its Latin words and numbers,
/// lowercased and width-folded. A query of up to four Han characters is one term, looked up
/// exactly: 电工 finds 电工 and 维修电工 but not 电子工厂. A longer one needs each of its
/// four-character pieces, and the database then confirms the whole phrase as a substring. Most
/// job queries (焊工, 司机, 叉车司机) are four characters or fewer. The same terms serve SQLite
/// and PostgreSQL, so both give the same results.
public enum SearchTerms {
    /// The longest n-gram indexed.
    static let longest = 4

    /// Every distinct term of `text`, for the index.
    public static func index(_ text: String) -> Set<String> {
        var terms = Set<String>()
        for run in runs(of: text) {
            switch run {
            case .han(let characters):
                for start in characters.indices {
                    for length in 1...min(longest, characters.count - start) {
                        terms.insert(String(characters[start..<start + length]))
                    }
                }
            case .word(let word):
                terms.insert(word)
            }
        }
        return terms
    }

    /// The terms a document must hold to match `query`; empty when the query has none.
    public static func query(_ query: String) -> [String] {
        var terms: [String] = []
        for run in runs(of: query) {
            switch run {
            case .han(let characters) where characters.count <= longest:
                terms.append(String(characters))
            case .han(let characters):
                for start in 0...(characters.count - longest) { terms.append(String(characters[start..<start + longest])) }
            case .word(let word):
                terms.append(word)
            }
        }
        var seen = Set<String>()
        return terms.filter { seen.insert($0).inserted }
    }

    /// The text as the index sees it (width-folded, lowercased), for the substring check.
    public static func normalized(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    enum Run: Equatable {
        case han([Character])
        case word(String)
    }

    static func runs(of text: String) -> [Run] {
        var runs: [Run] = []
        var han: [Character] = []
        var word = ""
        func flush() {
            if !han.isEmpty { runs.append(.han(han)); han = [] }
            if !word.isEmpty { runs.append(.word(word)); word = "" }
        }
        for character in normalized(text) {
            if character.unicodeScalars.allSatisfy({ $0.properties.isIdeographic }) {
                if !word.isEmpty { flush() }
                han.append(character)
            } else if character.isLetter || character.isNumber {
                if !han.isEmpty { flush() }
                word.append(character)
            } else {
                flush()
            }
        }
        flush()
        return runs
    }
}
