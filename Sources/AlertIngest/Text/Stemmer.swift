/// A light suffix stripper for English and French, on folded words (lower case, no accents), so
/// that the lexicon's threat words match every inflection: "abducting", "abducted", "abductors"
/// and "abduction" all stem to "abduct"; "enlèvement", "enlevés" and "enlevée" to "enlev";
/// "déconseillé", "déconseillée" and "déconseillés" to "deconseil".
///
/// The rules, applied once each, in order:
/// 1. a plural: "-ies" → "-y"; "-es" after s, x, z, ch or sh → ""; "-s" → "" (not after s, u or i);
/// 2. one derivational or verbal suffix, the longest that leaves a stem of at least three
///    letters: -ements, -ement, -ations, -ation, -ings, -ing, -ions, -ion, -ers, -er, -ors, -or,
///    -euses, -euse, -eurs, -eur, -ent, -ant, -ees, -ee, -ed, -es, -e;
/// 3. a doubled final consonant is undoubled ("kidnapp" → "kidnap", "conseill" → "conseil").
/// A word shorter than four letters, or with a digit, is left as it is.
///
/// It is not a linguist's stemmer: two different words may share a stem ("border" and "bord").
/// It is used only where both sides are the lexicon's threat and level phrases and the text's
/// words, never for place names.
public enum Stemmer {
    static let suffixes: [[UInt8]] = [
        "ements", "ations", "ement", "euses", "ation", "ings", "ions", "euse", "eurs", "ing", "ion", "ers", "ors", "eur",
        "ent", "ant", "ees", "er", "or", "ee", "ed", "es", "e",
    ].map { Array($0.utf8) }

    public static func stem(_ folded: String) -> String {
        var w = Array(folded.utf8)
        guard w.count >= 4, w.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return folded }
        func ends(_ s: [UInt8]) -> Bool { w.count >= s.count && Array(w[(w.count - s.count)...]) == s }
        let s = UInt8(ascii: "s")
        // 1. Plurals.
        if ends(Array("ies".utf8)), w.count > 4 {
            w.removeLast(3)
            w.append(UInt8(ascii: "y"))
        } else if ends(Array("es".utf8)), w.count > 4,
                  [Array("ses".utf8), Array("xes".utf8), Array("zes".utf8), Array("ches".utf8), Array("shes".utf8)].contains(where: ends) {
            w.removeLast(2)
        } else if w.last == s, w.count > 3, ![s, UInt8(ascii: "u"), UInt8(ascii: "i")].contains(w[w.count - 2]) {
            w.removeLast()
        }
        // 2. One suffix, leaving at least three letters.
        for suffix in suffixes where ends(suffix) && w.count - suffix.count >= 3 {
            w.removeLast(suffix.count)
            break
        }
        // 3. A doubled final consonant.
        if w.count >= 4, let last = w.last, last == w[w.count - 2], !"aeiouy".utf8.contains(last) {
            w.removeLast()
        }
        return String(decoding: w, as: UTF8.self)
    }
}
