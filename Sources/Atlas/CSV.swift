import Foundation

/// A CSV table as RFC 4180 describes it: comma-separated, fields optionally in double quotes,
/// quotes doubled inside quoted fields, quoted fields spanning lines. Rows remember the line
/// they start on, for error messages.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// The 1-based line of the file where the row starts.
        public var line: Int
        public var fields: [String]
    }

    public var header: [String]
    public var rows: [Row]

    /// The column index of each header name, as written and trimmed.
    public func column(_ name: String) -> Int? {
        header.firstIndex { $0.trimmingSpaces == name }
    }

    /// Parses CSV text. A byte order mark is skipped, CRLF and LF both end rows, blank lines are
    /// ignored.
    public init(parsing text: String) throws(CSVError) {
        var records: [Row] = []
        var field = ""
        var fields: [String] = []
        var line = 1
        var rowStart = 1
        var inQuotes = false
        var quoteLine = 0
        var afterQuote = false
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        func endRow() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Row(line: rowStart, fields: fields))
            }
            fields = []
        }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRow()
                line += 1
                rowStart = line
                afterQuote = false
            case "\n":
                endRow()
                line += 1
                rowStart = line
                afterQuote = false
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
                quoteLine = line
            default:
                if afterQuote {
                    throw CSVError(line: line, message: "unexpected character after a closing quote; a quote inside a quoted field is written twice (\"\")")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw CSVError(line: quoteLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        guard let first = records.first else { throw CSVError(line: 1, message: "the file is empty: a header row is needed") }
        header = first.fields.map(\.trimmingSpaces)
        rows = Array(records.dropFirst())
    }
}

/// A CSV fault, with its line.
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension CSVTable {
    /// The table as CSV text, with fields quoted only where they must be.
    public static func format(header: [String], rows: [[String]]) -> String {
        func quote(_ f: String) -> String {
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }
        var out = header.map(quote).joined(separator: ",") + "\n"
        for r in rows { out += r.map(quote).joined(separator: ",") + "\n" }
        return out
    }
}
