import Foundation
import ThreatModel

/// Dates as alerts and event tables write them.
public enum DateParsing {
    static let months: [String: Int] = {
        var m: [String: Int] = [:]
        let english = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        let french = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"]
        for (i, name) in english.enumerated() {
            m[name] = i + 1
            m[String(name.prefix(3))] = i + 1
        }
        for (i, name) in french.enumerated() { m[name] = i + 1 }
        m["sept"] = 9
        return m
    }()

    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date? {
        guard (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s), y > 1900, y < 2200 else { return nil }
        let c = DateComponents(calendar: utc, timeZone: utc.timeZone, year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        guard let date = utc.date(from: c), utc.component(.day, from: date) == d else { return nil }
        return date
    }

    /// Digits are written `[0-9]`, not `\d`, which also matches other scripts' digits ("٢٠٢٤")
    /// that `Int` does not read.
    static func regex(_ p: String) -> NSRegularExpression { try! NSRegularExpression(pattern: p, options: [.caseInsensitive]) }
    static let dayMonthYear = regex(#"\b([0-9]{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-zéû]{3,9})\.?[\s,-]+([0-9]{4})\b(?:\s*[|,@-]?\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*(AM|PM)?\s*(UTC|GMT|Z)?)?"#)
    static let monthDayYear = regex(#"\b([A-Za-z]{3,9})\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})\b(?:\s*[|,@-]?\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*(AM|PM)?\s*(UTC|GMT|Z)?)?"#)
    static let iso = regex(#"\b([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?)?"#)
    static let slashed = regex(#"\b([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\b"#)

    /// The first date (with its time, if written) in `text`: "21 Mar 2021 | 09:09 AM UTC",
    /// "March 21, 2021", "21 March 2021", "2021-03-21T09:09:00Z", "21/03/2021" (day first).
    /// Times without a zone are taken as UTC.
    public static func firstDate(in text: String) -> Date? {
        let ns = text as NSString
        let range = NSRange(location: 0, length: ns.length)
        var found: [(Int, Date)] = []
        func g(_ m: NSTextCheckingResult, _ i: Int) -> String? {
            let r = m.range(at: i)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
        func time(_ m: NSTextCheckingResult, _ h: Int) -> (Int, Int, Int) {
            guard var hour = g(m, h).flatMap({ Int($0) }), let minute = g(m, h + 1).flatMap({ Int($0) }) else { return (0, 0, 0) }
            let second = g(m, h + 2).flatMap { Int($0) } ?? 0
            if let ampm = g(m, h + 3)?.uppercased() {
                if ampm == "PM", hour < 12 { hour += 12 }
                if ampm == "AM", hour == 12 { hour = 0 }
            }
            return (hour, minute, second)
        }
        if let m = iso.firstMatch(in: text, range: range) {
            let (h, mi, s) = (g(m, 4).flatMap { Int($0) } ?? 0, g(m, 5).flatMap { Int($0) } ?? 0, g(m, 6).flatMap { Int($0) } ?? 0)
            if var d = make(Int(g(m, 1)!)!, Int(g(m, 2)!)!, Int(g(m, 3)!)!, h, mi, s) {
                if let zone = g(m, 7), zone.uppercased() != "Z" {
                    let digits = zone.filter { $0.isASCII && $0.isNumber }
                    let offset = ((Int(digits.prefix(2)) ?? 0) * 3600 + (Int(digits.suffix(2)) ?? 0) * 60) * (zone.hasPrefix("-") ? -1 : 1)
                    d = d.addingTimeInterval(TimeInterval(-offset))
                }
                found.append((m.range.location, d))
            }
        }
        if let m = dayMonthYear.firstMatch(in: text, range: range), let mo = months[fold(g(m, 2)!)] {
            let (h, mi, s) = time(m, 4)
            if let d = make(Int(g(m, 3)!)!, mo, Int(g(m, 1)!)!, h, mi, s) { found.append((m.range.location, d)) }
        }
        if let m = monthDayYear.firstMatch(in: text, range: range), let mo = months[fold(g(m, 1)!)] {
            let (h, mi, s) = time(m, 4)
            if let d = make(Int(g(m, 3)!)!, mo, Int(g(m, 2)!)!, h, mi, s) { found.append((m.range.location, d)) }
        }
        if let m = slashed.firstMatch(in: text, range: range), let d = make(Int(g(m, 3)!)!, Int(g(m, 2)!)!, Int(g(m, 1)!)!) {
            found.append((m.range.location, d))
        }
        return found.min { $0.0 < $1.0 }?.1
    }

    static func fold(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// An RFC 3339 / ISO 8601 date-time as CAP writes it ("2003-04-02T14:39:01-05:00").
    public static func iso8601(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.count >= 10, let d = firstDate(in: t) else { return nil }
        return d
    }

    /// A day as ACLED writes it: "2021-03-21", "21 March 2021", "21-March-2021", "21/03/2021".
    public static func day(_ text: String) -> Date? {
        // The common case, "2021-03-21", without regular expressions.
        let u = Array(text.utf8)
        if u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") {
            func n(_ r: Range<Int>) -> Int? {
                var v = 0
                for i in r {
                    guard u[i] >= 48, u[i] <= 57 else { return nil }
                    v = v * 10 + Int(u[i] - 48)
                }
                return v
            }
            if let y = n(0..<4), let m = n(5..<7), let d = n(8..<10) { return make(y, m, d) }
            return nil
        }
        return firstDate(in: text).map { utc.startOfDay(for: $0) }
    }

    /// ISO 8601 in UTC, for output: "2021-03-21T09:09:00Z".
    public static func format(_ d: Date) -> String { UTCDate.format(d) }

    /// A day in UTC, for output: "2021-03-21".
    public static func formatDay(_ d: Date) -> String { UTCDate.formatDay(d) }
}
