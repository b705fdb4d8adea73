import Foundation
import ThreatModel

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

/// A GeoData CSV file read with the columns it must have; errors name the file and line.
struct GeoDataCSV {
    let url: URL
    let table: CSVTable
    let index: [String: Int]

    init(_ url: URL, columns: [String]) throws {
        self.url = url
        do {
            table = try CSVTable(parsing: String(decoding: try Atlas.readFile(url), as: UTF8.self))
        } catch let e as CSVError {
            throw AtlasError(file: url.path, message: e.description)
        }
        var index: [String: Int] = [:]
        for name in columns {
            guard let i = table.column(name) else { throw AtlasError(file: url.path, message: "missing column \"\(name)\"") }
            index[name] = i
        }
        self.index = index
    }

    /// A row's field in a named column, trimmed; empty where the row is short.
    func field(_ row: CSVTable.Row, _ name: String) -> String {
        let i = index[name]!
        return i < row.fields.count ? row.fields[i].trimmingSpaces : ""
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
