/// A publisher's standing paragraphs: the same long paragraph closing many of its advisories
/// ("The threat of terrorism is high in Mali ..." under every alert) is background, not a new
/// threat. A paragraph is a line of the text; a line of fewer than `minimumWords` words
/// (a heading, a date) is none. Its fingerprint is the 64-bit FNV-1a hash of its folded words,
/// as 16 hex digits, so that case, accents and punctuation do not tell two copies apart.
public enum StandingText {
    public static let minimumWords = 12

    /// The fingerprints of the text's paragraphs, each once, in order.
    public static func fingerprints(of text: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let f = fingerprint(of: String(line)), seen.insert(f).inserted else { continue }
            out.append(f)
        }
        return out
    }

    public static func fingerprints(of bytes: [UInt8]) -> [String] {
        fingerprints(of: String(decoding: bytes, as: UTF8.self))
    }

    /// The fingerprint of one paragraph, or nil when it is too short to be one.
    public static func fingerprint(of paragraph: String) -> String? {
        let folded = NameFolding.fold(paragraph)
        guard folded.split(separator: " ").count >= minimumWords else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in folded.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
