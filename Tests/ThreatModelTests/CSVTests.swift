import Testing
import ThreatModel

/// What a scan gives: the header, the rows with their lines, the records left out, or the error.
struct Scan: Equatable {
    var header: [String]? = nil
    var rows: [[String]] = []
    var lines: [Int] = []
    var skipped: [CSVError] = []
    var error: CSVError? = nil
}

func scan(_ bytes: [UInt8], _ mode: CSVScanner.Mode, trimmed: Bool = true) -> Scan {
    var s = Scan()
    func fields(_ r: CSVRecord) -> [String] { trimmed ? (0..<r.count).map { r[$0] } : r.untrimmedFields }
    do {
        try CSVScanner(mode).scan(bytes, header: { r in s.header = fields(r); return true },
                                  row: { r in s.rows.append(fields(r)); s.lines.append(r.line); return true },
                                  skipped: { s.skipped.append($0) })
    } catch {
        s.error = error
    }
    return s
}

func scan(_ text: String, _ mode: CSVScanner.Mode, trimmed: Bool = true) -> Scan { scan(Array(text.utf8), mode, trimmed: trimmed) }

@Suite struct CSVScannerTests {
    static let modes: [CSVScanner.Mode] = [.strict, .lenient]

    @Test(arguments: modes) func quotedFieldsCommasAndDoubledQuotes(mode: CSVScanner.Mode) {
        let s = scan("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"\",,\" \"\n", mode, trimmed: false)
        #expect(s.header == ["a", "b", "c"])
        #expect(s.rows == [["1", "x, y", "say \"hi\""], ["", "", " "]])
        #expect(s.error == nil)
    }

    @Test(arguments: modes) func aQuoteInsideAnUnquotedFieldIsACharacter(mode: CSVScanner.Mode) {
        // A space before the quote makes it part of an unquoted field too.
        #expect(scan("a,b\nab\"c, \"x\"\n", mode, trimmed: false).rows == [["ab\"c", " \"x\""]])
    }

    @Test(arguments: modes) func lineEndsCRLFLFAndCR(mode: CSVScanner.Mode) {
        for end in ["\r\n", "\n", "\r"] {
            let s = scan(["a,b", "1,2", "3,4", ""].joined(separator: end), mode)
            #expect(s.header == ["a", "b"])
            #expect(s.rows == [["1", "2"], ["3", "4"]])
            #expect(s.lines == [2, 3])
        }
        // Mixed, and a last row without a line end.
        let s = scan("a,b\r\n1,2\n3,4\r5,6", mode)
        #expect(s.rows == [["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(s.lines == [2, 3, 4])
    }

    @Test(arguments: modes) func aByteOrderMarkIsSkipped(mode: CSVScanner.Mode) {
        let s = scan([0xEF, 0xBB, 0xBF] + Array("id,name\n1,Gao\n".utf8), mode)
        #expect(s.header == ["id", "name"])
        #expect(s.rows == [["1", "Gao"]])
    }

    @Test(arguments: modes) func embeddedLineBreaksCountForTheLinesAfter(mode: CSVScanner.Mode) {
        let s = scan("a,b\n1,\"two\nlines\"\n2,\"three\r\nlines\rhere\"\n\n3,x\n", mode, trimmed: false)
        #expect(s.rows == [["1", "two\nlines"], ["2", "three\r\nlines\rhere"], ["3", "x"]])
        #expect(s.lines == [2, 4, 8])
    }

    @Test(arguments: modes) func blankLinesAreNoRecords(mode: CSVScanner.Mode) {
        let s = scan("\n\na,b\n\n  \n1,2\n\n", mode)
        #expect(s.header == ["a", "b"])
        #expect(s.rows == [["1", "2"]])
        #expect(s.lines == [6])
        #expect(s.skipped.isEmpty && s.error == nil)
    }

    @Test(arguments: modes) func fieldsAreTrimmedOnlyWhenAsked(mode: CSVScanner.Mode) {
        #expect(scan("a,b\n  x ,\" y \"\n", mode).rows == [["x", "y"]])
        #expect(scan("a,b\n  x ,\" y \"\n", mode, trimmed: false).rows == [["  x ", " y "]])
    }

    @Test(arguments: modes) func aTrailingCommaIsAnEmptyLastField(mode: CSVScanner.Mode) {
        #expect(scan("a,b\n1,\n2,", mode).rows == [["1", ""], ["2", ""]])
    }

    @Test(arguments: modes) func anUnclosedQuoteNamesTheLineItOpensOn(mode: CSVScanner.Mode) {
        let s = scan("a,b\n1,2\n3,\"open\n4,5\n", mode)
        #expect(s.error == CSVError(line: 3, message: "a quoted field is never closed"))
    }

    @Test(arguments: modes) func headerOnly(mode: CSVScanner.Mode) {
        let s = scan("a,b,c\n", mode)
        #expect(s.header == ["a", "b", "c"])
        #expect(s.rows.isEmpty && s.error == nil)
    }

    @Test func anEmptyFileIsAnErrorOnlyWhenStrict() {
        for text in ["", "\n\n", "\u{FEFF}"] {
            #expect(scan(text, .strict).error == CSVError(line: 1, message: "the file is empty: a header row is needed"))
            #expect(scan(text, .lenient) == Scan())
        }
    }

    @Test func raggedRowsStrictStopLenientSkipAndGoOn() {
        let text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n\"x\ny\",8,9\n"
        #expect(scan(text, .strict).error == CSVError(line: 3, message: "2 fields where the header has 3"))
        let s = scan(text, .lenient)
        #expect(s.rows == [["1", "2", "3"], ["x\ny", "8", "9"]])
        #expect(s.lines == [2, 5])
        #expect(s.skipped == [CSVError(line: 3, message: "2 fields where the header has 3"),
                              CSVError(line: 4, message: "4 fields where the header has 3")])
    }

    @Test func textAfterAClosingQuoteStrictFailsLenientDrops() {
        let text = "a,b,c\n1,\"x\ny\"z,2\n"
        let strict = scan(text, .strict)
        #expect(strict.error?.line == 3)
        #expect(strict.error?.message.contains("after a closing quote") == true)
        #expect(scan(text, .lenient).rows == [["1", "x\ny", "2"]])
    }

    @Test func invalidUTF8StrictNamesItsLineLenientReplaces() {
        let bytes = Array("a,b\n1,\"two\nlines\"\n2,".utf8) + [0x78, 0xFF, 0x79] + Array("\n".utf8)
        #expect(scan(bytes, .strict).error == CSVError(line: 4, message: "the text is not valid UTF-8 (byte 0xFF)"))
        let s = scan(bytes, .lenient)
        #expect(s.rows == [["1", "two\nlines"], ["2", "x\u{FFFD}y"]])
        // Valid multi-byte text passes in both modes.
        #expect(scan("nom,région\nSégou,Ménaka\n", .strict).rows == [["Ségou", "Ménaka"]])
    }

    @Test func theCallbacksStopTheScan() throws {
        var rows = 0
        try CSVScanner(.strict).scan(Array("a\n1\n2\n3\n".utf8), header: { _ in true }, row: { _ in rows += 1; return rows < 2 })
        #expect(rows == 2)
        var headers = 0
        try CSVScanner(.lenient).scan(Array("a\n1\n".utf8), header: { _ in headers += 1; return false }, row: { _ in Issue.record("row after stop"); return true })
        #expect(headers == 1)
    }
}

@Suite struct CSVTableTests {
    @Test func readsHeaderRowsAndColumns() throws {
        let t = try CSVTable(parsing: "\u{FEFF} id , name\r\n1,\" Gao \"\r\n\r\n2,Kidal")
        #expect(t.header == ["id", "name"])
        #expect(t.column("name") == 1)
        #expect(t.column("zone") == nil)
        #expect(t.rows.map(\.fields) == [["1", " Gao "], ["2", "Kidal"]])
        #expect(t.rows.map(\.line) == [2, 4])
        #expect(t.skipped.isEmpty)
    }

    @Test func strictByDefaultLenientWhenAsked() throws {
        let text = "a,b\n1,2\n3\n4,5\n"
        #expect(throws: CSVError(line: 3, message: "1 fields where the header has 2")) { try CSVTable(parsing: text) }
        let t = try CSVTable(parsing: text, mode: .lenient)
        #expect(t.rows.map(\.fields) == [["1", "2"], ["4", "5"]])
        #expect(t.skipped.map(\.line) == [3])
    }

    @Test func anEmptyFileNeedsAHeaderInEitherMode() {
        for mode in [CSVScanner.Mode.strict, .lenient] {
            #expect(throws: CSVError(line: 1, message: "the file is empty: a header row is needed")) { try CSVTable(parsing: "", mode: mode) }
        }
    }

    @Test func invalidUTF8InBytesIsAnError() {
        #expect(throws: CSVError(line: 2, message: "the text is not valid UTF-8 (byte 0xC3)")) {
            try CSVTable(bytes: Array("a\n".utf8) + [0xC3, 0x28])
        }
    }

    @Test func formatRoundTrips() throws {
        let rows = [["a,b", "say \"x\""], ["two\nlines", ""], ["cr\r", "plain"]]
        let text = CSVTable.format(header: ["n", "v"], rows: rows)
        #expect(text == "n,v\n\"a,b\",\"say \"\"x\"\"\"\n\"two\nlines\",\n\"cr\r\",plain\n")
        #expect(try CSVTable(parsing: text).rows.map(\.fields) == rows)
    }
}
