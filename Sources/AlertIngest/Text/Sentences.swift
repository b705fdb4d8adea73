import ThreatModel

/// Splits prose into sentences: at '.', '!' or '?' followed by a space and a capital or digit,
/// except after single letters and the abbreviations given (the lexicon's
/// `sentence_abbreviations`: "U.S.", "Gen.", "e.g."), lower-cased without their last dot.
public enum Sentences {
    /// The longest abbreviation looked for before a full stop, in characters.
    static let longestAbbreviation = 16

    public static func split(_ text: String, abbreviations: Set<String>) -> [String] {
        var out: [String] = []
        let chars = Array(text)
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "." || c == "!" || c == "?" {
                var j = i + 1
                while j < chars.count, chars[j] == "\"" || chars[j] == "\u{201D}" || chars[j] == ")" || chars[j] == "'" { j += 1 }
                let atEnd = j >= chars.count
                var k = j
                while k < chars.count, chars[k] == " " || chars[k] == "\t" || chars[k] == "\n" { k += 1 }
                let spaced = k > j
                let nextStarts = k < chars.count && (chars[k].isUppercase || chars[k].isNumber || chars[k] == "\"" || chars[k] == "\u{201C}")
                // The word before the stop, looked at over at most `longestAbbreviation`
                // characters: abbreviations are short, and a run of dots or letters is not.
                var w = i - 1
                let floor = max(start, i - Self.longestAbbreviation - 1)
                while w >= floor, chars[w].isLetter || chars[w] == "." { w -= 1 }
                let word = w >= floor || w < start ? String(chars[(w + 1)..<i]) : ""
                let abbreviation = c == "." && (abbreviations.contains(word.lowercased()) || (word.count == 1 && word.first!.isUppercase))
                if atEnd || (spaced && nextStarts && !abbreviation) {
                    let s = String(chars[start..<j]).trimmingSpaces
                    if !s.isEmpty { out.append(s) }
                    start = k
                    i = k
                    continue
                }
            }
            i += 1
        }
        let rest = String(chars[min(start, chars.count)...]).trimmingSpaces
        if !rest.isEmpty { out.append(rest) }
        return out
    }
}
