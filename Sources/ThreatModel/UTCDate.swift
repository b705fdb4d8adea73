import Foundation

/// Dates in UTC as ISO 8601 text, computed directly (Foundation's formatters build an ICU formatter
/// per call, far too slow for a table of 100,000 rows).
public enum UTCDate {
    /// Year, month, day of a day number counted from 1970-01-01 (H. Hinnant's civil-from-days).
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// "2021-03-21T09:09:00Z".
    public static func format(_ date: Date) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        let (y, m, d) = civil(days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))Z"
    }

    /// The first moment of a window of `days` UTC days ending with the day of `moment`: the
    /// start of its first day.
    public static func windowStart(endingWith moment: Date, days: Int) -> Date {
        startOfDay(moment).addingTimeInterval(-Double(max(1, days) - 1) * 86_400)
    }

    /// The first second of the day (UTC) that holds `date`.
    public static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// Days from 1970-01-01 to a civil date, or nil when the date does not exist (2021-02-30).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        return days(year, month, day)
    }

    /// "2021-03-21".
    public static func formatDay(_ date: Date) -> String {
        String(format(date).prefix(10))
    }

    /// Days from 1970-01-01 to a civil date (H. Hinnant's days-from-civil).
    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Reads what `format` and `formatDay` write: "2021-03-21T09:09:00Z" or "2021-03-21".
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    static func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Date? {
        func n(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var v = 0
            for i in r {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u.count >= 10, u[4] == 45, u[7] == 45, let y = n(0..<4), let m = n(5..<7), let d = n(8..<10),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var seconds = days(y, m, d) * 86_400
        if u.count == 10 { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        guard u.count == 20, u[10] == 84, u[13] == 58, u[16] == 58, u[19] == 90,
              let h = n(11..<13), let mi = n(14..<16), let s = n(17..<19) else { return nil }
        seconds += h * 3600 + mi * 60 + s
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
