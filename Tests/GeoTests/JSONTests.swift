import Testing
@testable import Geo

@Suite struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#"{"a": [1, -2.5, 3e2, true, false, null], "b": "x\"\u00e9\ud83d\ude00", "c": {}}"#)
        let o = try #require(v.objectValue)
        #expect(o.keys == ["a", "b", "c"])
        #expect(o["a"] == [.int(1), .double(-2.5), .double(300), .bool(true), .bool(false), .null])
        #expect(o["b"] == .string("x\"é😀"))
        #expect(o["c"] == .object([:]))
    }

    @Test func keepsMemberOrderAndLastOfRepeatedKeys() throws {
        let o = try #require(try JSONParser.parse(#"{"z":1,"a":2,"z":3}"#).objectValue)
        #expect(o["z"] == .int(3))
        #expect(o.keys.first == "z")
    }

    @Test(arguments: [
        ("{\n  \"a\": [1, 2,,]\n}", 2, 14),
        ("[1, 2", 1, 6),
        ("{\"a\" 1}", 1, 6),
        ("[01]", 1, 2),
        ("\"abc", 1, 1),
        ("[1]x", 1, 4),
        ("{\"é\": tru}", 1, 7),
        ("", 1, 1),
    ])
    func syntaxErrorsNameLineAndColumn(text: String, line: Int, column: Int) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("expected a syntax error for \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
        }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(ok)) != nil)
    }

    @Test func rejectsInvalidEscapesAndControlCharacters() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#""\x""#) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("\"a\u{01}b\"") }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#""\ud800""#) }
    }

    @Test func writesNumbersExactlyAtAPrecision() {
        func text(_ d: Double, _ places: Int) -> String {
            var w = JSONWriter()
            w.number(d, decimals: places)
            return w.string
        }
        #expect(text(12.5000001, 6) == "12.5")
        #expect(text(-7.9752249, 6) == "-7.975225")
        #expect(text(0.000_000_4, 6) == "0")
        #expect(text(-0.000_001, 6) == "-0.000001")
        #expect(text(3, 6) == "3")
        #expect(text(.nan, 6) == "null")
    }

    @Test func writesRealsSoReadersTypeThemAsReals() {
        func text(_ v: JSONValue) -> String { v.jsonText }
        #expect(text(.double(0)) == "0.0")
        #expect(text(.double(-12)) == "-12.0")
        #expect(text(.double(0.25)) == "0.25")
        #expect(text(.int(12)) == "12")
        #expect(text(.double(.infinity)) == "null")
    }

    @Test func roundTripsThroughTheWriter() throws {
        let v: JSONValue = ["s": "tab\tquote\"back\\slash\u{1}", "n": 1.25, "i": -3, "a": [true, nil], "o": ["k": "v"]]
        #expect(try JSONParser.parse(v.jsonText) == v)
    }
}
