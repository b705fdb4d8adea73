import Foundation
import ThreatModel

/// The moment a map shows, as both shells take it (`--as-of` on the command line, `as_of` in a
/// URL): `now` (live), a day `YYYY-MM-DD` meaning the end of that day in UTC (so that everything
/// published that day counts), or an RFC 3339 time with its zone (`2021-03-21T09:00:00Z`,
/// `2021-03-21T10:00:00+01:00`). Nothing else: a free-text date or a time without a zone is an
/// error, never a guess.
public enum Moment: Hashable, Sendable {
    case now
    case at(Date)


    /// The accepted forms, for error messages and help.
    public static let forms = "now, a day (YYYY-MM-DD, meaning its end in UTC) or an RFC 3339 time with a zone (2021-03-21T09:00:00Z)"

    public init(parsing text: String) throws(MomentError) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || t == "now" {
            self = .now
            return
        }
        guard let date = Self.parse(Array(t.utf8)) else { throw MomentError(text: text) }
        self = .at(date)
    }

    /// The date this moment stands for, `now` being the given clock reading.
    public func date(now: Date = Date()) -> Date {
        if case .at(let d) = self { return d }
        return now
    }


    /// The `as_of` value that names this moment, one spelling per moment so that caches key on
    /// it: the day for the end of a day, else the UTC time; nil for now.
    public var queryValue: String? {
        guard case .at(let d) = self else { return nil }
        if (d.timeIntervalSince1970 + 1).truncatingRemainder(dividingBy: 86_400) == 0 { return UTCDate.formatDay(d) }
        return UTCDate.format(d)
    }

    /// `YYYY-MM-DD`, or RFC 3339 section 5.6 `date-time`: full-date "T" full-time, with
    /// fractional seconds and a `Z` or `±HH:MM` offset ("t", "z" and a space for "T" allowed, as
    /// the RFC's notes do).
    static func parse(_ u: [UInt8]) -> Date? {
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for i in r {
                guard (48...57).contains(u[i]) else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 10, u[4] == 45, u[7] == 45, let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10),
              let day = UTCDate.dayNumber(year: y, month: m, day: d) else { return nil }
        let midnight = Double(day) * 86_400
        if u.count == 10 { return Date(timeIntervalSince1970: midnight + 86_399) }
        guard u.count >= 20, [84, 116, 32].contains(u[10]), u[13] == 58, u[16] == 58,
              let h = digits(11..<13), let mi = digits(14..<16), let s = digits(17..<19),
              h <= 23, mi <= 59, s <= 60 else { return nil }
        var i = 19
        var fraction = 0.0
        if u[i] == 46 {
            var scale = 0.1
            i += 1
            let start = i
            while i < u.count, (48...57).contains(u[i]) {
                fraction += Double(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == 90 || u[i] == 122 {
            i += 1
        } else if u[i] == 43 || u[i] == 45, i + 6 == u.count, u[i + 3] == 58,
                  let oh = digits((i + 1)..<(i + 3)), let om = digits((i + 4)..<(i + 6)), oh <= 23, om <= 59 {
            offset = (oh * 3600 + om * 60) * (u[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        // A leap second (:60) is read as the last second of its minute.
        let seconds = Double(h * 3600 + mi * 60 + min(s, 59) - offset) + fraction
        return Date(timeIntervalSince1970: midnight + seconds)
    }
}

/// A moment that is none of the accepted forms.
public struct MomentError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String { "\"\(text)\" is not \(Moment.forms)" }
}
