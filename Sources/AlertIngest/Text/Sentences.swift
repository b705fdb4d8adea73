import ThreatModel

/// Splits prose into sentences: at '.', '!' or '?' followed by a space and a capital or digit,
/// except after single letters and the abbreviations given (the lexicon's
/// `sentence_abbreviations`: "U.S.", "Gen.", "e.g."), lower-cased without their last dot.
public enum Sentences {
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
                var word = ""
                var w = i - 1
                while w >= start, chars[w].isLetter || chars[w] == "." { word.insert(chars[w], at: word.startIndex); w -= 1 }
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
