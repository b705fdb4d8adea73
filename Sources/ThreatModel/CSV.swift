import Foundation

/// A CSV fault, with the line it is on.
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line of the file.
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// One record of a CSV file, as byte ranges into the file: fields are decoded only when asked.
/// It points into the scanner's buffer, so it is valid only inside the scanner's callback.
public struct CSVRecord {
    let bytes: UnsafeBufferPointer<UInt8>
    var starts: [Int] = []
    var ends: [Int] = []
    /// Fields that were quoted and held doubled quotes.
    var escaped: [Bool] = []

    /// The 1-based line of the file where the record starts.
    public internal(set) var line = 1

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public var count: Int { starts.count }

    /// Field `i`, with spaces and tabs around it trimmed and doubled quotes undone.
    public subscript(i: Int) -> String {
        var a = starts[i], b = ends[i]
        while a < b, bytes[a] == 0x20 || bytes[a] == 0x09 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09 { b -= 1 }
        return decode(a, b, escaped[i])
    }

    /// Field `i` as written (inside its quotes, if quoted), doubled quotes undone.
    public func untrimmed(_ i: Int) -> String {
        decode(starts[i], ends[i], escaped[i])
    }

    /// Every field as written, doubled quotes undone.
    public var untrimmedFields: [String] { (0..<count).map(untrimmed) }

    /// Whether field `i` is empty once trimmed.
    public func isBlank(_ i: Int) -> Bool {
        (starts[i]..<ends[i]).allSatisfy { bytes[$0] == 0x20 || bytes[$0] == 0x09 }
    }

    private func decode(_ a: Int, _ b: Int, _ escaped: Bool) -> String {
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[a..<b]), as: UTF8.self)
        return escaped ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    mutating func removeAll() {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        escaped.removeAll(keepingCapacity: true)
    }
}

/// A streaming CSV scanner over bytes, after RFC 4180: fields separated by commas; a field that
/// starts with a double quote is quoted and may hold commas, line breaks and doubled quotes
/// (`""` for `"`); a quote elsewhere in a field is an ordinary character. Records end at CRLF,
/// LF or CR. A UTF-8 byte order mark at the start is skipped. Line numbers count every line
/// break, those inside quoted fields too, so a record's `line` is where it starts in the file.
/// A record of one blank field (an empty or all-space line) is no record. The first record is
/// the header; the others must have as many fields as it.
///
/// The two modes differ only in what a fault does:
///
/// - `strict`, for files an analyst edits (GeoData): every fault throws a `CSVError` naming its
///   line: a quoted field never closed, a character after a closing quote other than a comma or
///   a line end, a record with a different number of fields than the header, bytes that are not
///   UTF-8, a file without a header row.
/// - `lenient`, for tables from outside (ACLED exports): a record with a different number of
///   fields than the header is handed to `skipped` with its line and the scan goes on; text
///   between a closing quote and the next comma is dropped; invalid UTF-8 is decoded with
///   U+FFFD; an empty file calls nothing. A quoted field never closed still throws, since it
///   swallows the rest of the file.
public struct CSVScanner: Sendable {
    public enum Mode: Sendable {
        case strict, lenient
    }

    public var mode: Mode

    public init(_ mode: Mode) { self.mode = mode }

    /// Scans `data`: `header` gets the first record, `row` each later one in order; either
    /// returns false to stop. `skipped` gets each record the lenient mode leaves out.
    public func scan(_ data: [UInt8], header: (CSVRecord) -> Bool, row: (CSVRecord) -> Bool,
                     skipped: (CSVError) -> Void = { _ in }) throws(CSVError) {
        var failure: CSVError?
        data.withUnsafeBufferPointer { bytes in
            do throws(CSVError) {
                try scan(bytes, header: header, row: row, skipped: skipped)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Scans bytes in memory; see `scan(_:header:row:skipped:)`.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, header: (CSVRecord) -> Bool, row: (CSVRecord) -> Bool,
                     skipped: (CSVError) -> Void = { _ in }) throws(CSVError) {
        let strict = mode == .strict
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var record = CSVRecord(bytes: bytes)
        var line = 1
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var recordStart = i
        var headerCount = -1
        func emit(end: Int) throws(CSVError) -> Bool {
            defer { record.removeAll() }
            if record.count == 1 && record.isBlank(0) { return true }
            if strict, let bad = Self.firstInvalidUTF8(bytes, recordStart..<end) {
                throw CSVError(line: record.line + Self.lineBreaks(bytes, recordStart..<bad),
                               message: "the text is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))")
            }
            if headerCount < 0 {
                headerCount = record.count
                return header(record)
            }
            if record.count != headerCount {
                let fault = CSVError(line: record.line, message: "\(record.count) fields where the header has \(headerCount)")
                if strict { throw fault }
                skipped(fault)
                return true
            }
            return row(record)
        }
        while i < n {
            if bytes[i] == quote {
                let quoteLine = line
                var j = i + 1
                var escaped = false
                while true {
                    guard j < n else { throw CSVError(line: quoteLine, message: "a quoted field is never closed") }
                    let b = bytes[j]
                    if b == quote {
                        if j + 1 < n, bytes[j + 1] == quote { escaped = true; j += 2; continue }
                        break
                    }
                    if b == lf || (b == cr && (j + 1 == n || bytes[j + 1] != lf)) { line += 1 }
                    j += 1
                }
                record.starts.append(i + 1)
                record.ends.append(j)
                record.escaped.append(escaped)
                i = j + 1
                if strict, i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
                    throw CSVError(line: line, message: "unexpected character after a closing quote; a quote inside a quoted field is written twice (\"\")")
                }
                // Lenient: text between the closing quote and the separator is dropped.
                while i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr { i += 1 }
            } else {
                let start = i
                while i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr { i += 1 }
                record.starts.append(start)
                record.ends.append(i)
                record.escaped.append(false)
            }
            if i < n, bytes[i] == comma {
                i += 1
                if i == n {
                    record.starts.append(n)
                    record.ends.append(n)
                    record.escaped.append(false)
                }
                continue
            }
            let end = i
            if i < n, bytes[i] == cr { i += 1 }
            if i < n, bytes[i] == lf { i += 1 }
            if try !emit(end: end) { return }
            line += 1
            record.line = line
            recordStart = i
        }
        if record.count > 0, try !emit(end: n) { return }
        if strict && headerCount < 0 { throw CSVError(line: 1, message: "the file is empty: a header row is needed") }
    }

    /// The offset of the first byte in `range` that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        // ASCII, nearly all of a GeoData file, needs no decoding.
        guard bytes[range].contains(where: { $0 >= 0x80 }) else { return nil }
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes[range].makeIterator()
        var offset = range.lowerBound
        while true {
            switch parser.parseScalar(from: &input) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The line breaks (CRLF, LF, CR) in `range`.
    static func lineBreaks(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var count = 0
        for k in range where bytes[k] == 0x0A || (bytes[k] == 0x0D && (k + 1 == bytes.count || bytes[k + 1] != 0x0A)) { count += 1 }
        return count
    }
}

/// A CSV table read whole: a header and rows of fields as written (not trimmed), each row with
/// the line it starts on, for error messages. Read by `CSVScanner`, strict by default.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// The 1-based line of the file where the row starts.
        public var line: Int
        public var fields: [String]
    }

    /// The header's names, trimmed.
    public var header: [String]
    public var rows: [Row]
    /// The rows the lenient mode left out, with their line and why; none in strict mode.
    public var skipped: [CSVError]

    /// The column index of each header name, as written and trimmed.
    public func column(_ name: String) -> Int? {
        header.firstIndex { $0.trimmingSpaces == name }
    }

    /// Reads CSV bytes (see `CSVScanner` for the grammar and the modes). A file without a header
    /// row is an error in either mode.
    public init(bytes: [UInt8], mode: CSVScanner.Mode = .strict) throws(CSVError) {
        var header: [String]?
        var rows: [Row] = []
        var skipped: [CSVError] = []
        try CSVScanner(mode).scan(
            bytes,
            header: { r in header = r.untrimmedFields.map(\.trimmingSpaces); return true },
            row: { r in rows.append(Row(line: r.line, fields: r.untrimmedFields)); return true },
            skipped: { skipped.append($0) })
        guard let header else { throw CSVError(line: 1, message: "the file is empty: a header row is needed") }
        self.header = header
        self.rows = rows
        self.skipped = skipped
    }

    /// Reads CSV text; see `init(bytes:mode:)`.
    public init(parsing text: String, mode: CSVScanner.Mode = .strict) throws(CSVError) {
        try self.init(bytes: Array(text.utf8), mode: mode)
    }

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
