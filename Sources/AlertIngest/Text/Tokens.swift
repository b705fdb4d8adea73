import Foundation
import ThreatModel

/// A word of a text, with where it stands and how it folds.
public struct Token: Sendable {
    /// Lower case, accents and apostrophes removed: "Ségou" → "segou".
    public var folded: String
    /// The folded word's stem (`Stemmer`): "kidnappers" → "kidnap".
    public var stem: String
    /// The word as written.
    public var text: Substring
    /// Whether the word as written starts with a capital letter (a proper noun, in running text).
    public var isCapitalized: Bool
}

/// Splits text into words: runs of letters and digits, apostrophes inside words kept (and then
/// dropped by folding: "Jama'at" → "jamaat"). Hyphens, dots and other marks separate words. A
/// French elision is its own word: "l'attaque" is "l" and "attaque", "d'enlèvement" "d" and
/// "enlèvement", "jusqu'à" "jusqu" and "à".
public enum Tokenizer {
    /// The French words that elide before a vowel, lower case.
    static let elisions: Set<String> = ["l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]
    public static func tokens(_ text: Substring) -> [Token] {
        var out: [Token] = []
        var start: String.Index?
        var i = text.startIndex
        func add(_ word: Substring) {
            guard !word.isEmpty else { return }
            let folded = NameFolding.fold(String(word)).replacingOccurrences(of: " ", with: "")
            if !folded.isEmpty {
                out.append(Token(folded: folded, stem: Stemmer.stem(folded), text: word, isCapitalized: word.first!.isUppercase))
            }
        }
        func flush(_ end: String.Index) {
            guard let s = start else { return }
            var word = text[s..<end]
            while let last = word.last, last == "'" || last == "\u{2019}" { word = word.dropLast() }
            if let apostrophe = word.firstIndex(where: { $0 == "'" || $0 == "\u{2019}" }), apostrophe > word.startIndex,
               word.index(after: apostrophe) < word.endIndex, elisions.contains(word[..<apostrophe].lowercased()) {
                add(word[..<apostrophe])
                word = word[word.index(after: apostrophe)...]
            }
            add(word)
            start = nil
        }
        while i < text.endIndex {
            let c = text[i]
            if c.isLetter || c.isNumber {
                if start == nil { start = i }
            } else if (c == "'" || c == "\u{2019}"), start != nil {
                // An apostrophe inside a word stays with it.
            } else {
                flush(i)
            }
            i = text.index(after: i)
        }
        flush(text.endIndex)
        return out
    }

    public static func tokens(_ text: String) -> [Token] { tokens(Substring(text)) }

    /// The folded words of a phrase, as the lexicon stores it.
    public static func key(_ phrase: String) -> [String] { tokens(phrase).map(\.folded) }
}

/// Phrases (sequences of folded words) with a payload each, found by longest match.
public struct PhraseIndex<Payload>: Sendable where Payload: Sendable {
    struct Entry: Sendable {
        var words: [String]
        var payload: Payload
        var order: Int
    }

    /// How a phrase's words are compared with a text's.
    public enum Matching: Sendable {
        /// Folded words, whole: names.
        case folded
        /// Stems of folded words (`Stemmer`): threat and level phrases, in every inflection.
        case stems
    }

    private var byFirstWord: [String: [Entry]] = [:]
    private var count = 0
    public let matching: Matching

    public init(matching: Matching = .folded) { self.matching = matching }

    @inline(__always) func word(_ t: Token) -> String { matching == .stems ? t.stem : t.folded }

    public mutating func add(_ phrase: String, _ payload: Payload) {
        let words = Tokenizer.tokens(phrase).map(word)
        guard let first = words.first else { return }
        count += 1
        byFirstWord[first, default: []].append(Entry(words: words, payload: payload, order: count))
        // Longest first; among equals, the one added first.
        byFirstWord[first]!.sort { ($0.words.count, -$0.order) > ($1.words.count, -$1.order) }
    }

    /// The longest phrase starting at token `i` (the first added among equals), with the number
    /// of tokens it spans.
    public func match(_ tokens: [Token], at i: Int) -> (payload: Payload, length: Int)? {
        guard let entries = byFirstWord[word(tokens[i])] else { return nil }
        for e in entries where i + e.words.count <= tokens.count {
            var ok = true
            for k in 1..<e.words.count where word(tokens[i + k]) != e.words[k] {
                ok = false
                break
            }
            if ok { return (e.payload, e.words.count) }
        }
        return nil
    }

    /// Every longest, non-overlapping match, left to right.
    public func scan(_ tokens: [Token]) -> [(payload: Payload, range: Range<Int>)] {
        var out: [(Payload, Range<Int>)] = []
        var i = 0
        while i < tokens.count {
            if let m = match(tokens, at: i) {
                out.append((m.payload, i..<(i + m.length)))
                i += m.length
            } else {
                i += 1
            }
        }
        return out
    }
}
