import Foundation

/// Names folded for matching and for ids: "Ségou" and "SEGOU" both fold to "segou".
public enum NameFolding {
    static let posix = Locale(identifier: "en_US_POSIX")

    /// Lower case, accents removed, apostrophes dropped, any other run of non-alphanumerics
    /// turned into one space, trimmed: "Gourma-Rharous" → "gourma rharous", "N'Débougou" →
    /// "ndebougou".
    public static func fold(_ name: String) -> String {
        // Most names are ASCII: fold those without Foundation, which is slow per call.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(name.utf8.count)
            var pendingSpace = false
            for b in name.utf8 {
                switch b {
                case UInt8(ascii: "'"), UInt8(ascii: "`"): continue
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if pendingSpace && !out.isEmpty { out.append(0x20) }
                    pendingSpace = false
                    out.append(b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 32 : b)
                default:
                    pendingSpace = true
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        let stripped = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: posix)
        var out = ""
        var pendingSpace = false
        for scalar in stripped.unicodeScalars {
            if scalar == "'" || scalar == "\u{2019}" || scalar == "`" { continue }
            if CharacterSet.alphanumerics.contains(scalar) {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// The id form of a name: folded, with hyphens between words: "Gourma-Rharous" →
    /// "gourma-rharous", "Ségou" → "segou".
    public static func slug(_ name: String) -> String {
        fold(name).replacingOccurrences(of: " ", with: "-")
    }

    /// Whether a name is written in Latin letters (with accents), digits and punctuation only.
    public static func isLatin(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { s in
            s.value < 0x250 || (0x1E00...0x1EFF).contains(s.value) || s == "\u{2019}"
        }
    }
}

extension String {
    /// The string without white space at either end.
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
