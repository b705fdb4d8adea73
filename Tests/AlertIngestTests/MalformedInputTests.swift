import AlertIngest
import Foundation
import Testing
import ThreatModel

/// Bad input gets a clear error naming what and where.
@Suite struct MalformedInputTests {
    static let cap = """
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>T-1</identifier><sender>s@example.org</sender><sent>2024-01-01T00:00:00Z</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          <info><category>Security</category><event>Attack</event><urgency>Immediate</urgency>
            <severity>Severe</severity><certainty>Observed</certainty>
            <area><areaDesc>somewhere</areaDesc><polygon>POLYGON</polygon></area>
          </info>
        </alert>
        """

    func cap(polygon: String) -> String { Self.cap.replacingOccurrences(of: "POLYGON", with: polygon) }

    @Test func truncatedXML() {
        let text = String(Self.cap.prefix(200))
        expectParseError(["malformed XML", "line"]) { _ = try readAlert(text) }
    }

    @Test func polygonWithAnOddNumberOfValues() {
        expectParseError(["polygon[1]", "point 3", "latitude,longitude"]) {
            _ = try readAlert(cap(polygon: "14.0,-4.0 14.0,-3.0 15.0 15.0,-4.0 14.0,-4.0"))
        }
    }

    @Test func latitudeOutOfRange() {
        expectParseError(["latitude 95.0 is outside -90...90"]) {
            _ = try readAlert(cap(polygon: "95.0,-4.0 14.0,-3.0 15.0,-3.0 95.0,-4.0"))
        }
    }

    @Test func unclosedPolygon() {
        expectParseError(["first and last points"]) {
            _ = try readAlert(cap(polygon: "14.0,-4.0 14.0,-3.0 15.0,-3.0 15.0,-4.0"))
        }
    }

    @Test func capMissingARequiredElement() {
        expectParseError(["alert/info[1]/severity", "missing"]) {
            _ = try readAlert(cap(polygon: "14.0,-4.0 14.0,-3.0 15.0,-3.0 14.0,-4.0").replacingOccurrences(of: "<severity>Severe</severity>", with: ""))
        }
    }

    @Test func xmlThatIsNotCAP() {
        expectParseError(["<feed>", "not a CAP"]) { _ = try readAlert("<feed><entry/></feed>") }
    }

    @Test func updateWithoutReferences() {
        expectParseError(["references"]) {
            _ = try readAlert(cap(polygon: "14.0,-4.0 14.0,-3.0 15.0,-3.0 14.0,-4.0").replacingOccurrences(of: "<msgType>Alert</msgType>", with: "<msgType>Update</msgType>"))
        }
    }

    @Test func jsonOfTheWrongShape() {
        expectParseError(["$.title", "required"]) { _ = try readAlert(#"{"id": "x"}"#) }
        expectParseError(["$.places", "expected an array"]) { _ = try readAlert(#"{"id": "x", "title": "t", "places": {"name": "Gao"}}"#) }
        expectParseError(["$.places[0].region", "no region of Mali"]) { _ = try readAlert(#"{"id": "x", "title": "t", "places": [{"region": "atlantis"}]}"#) }
        expectParseError(["$.categories.terrorism", "1 to 5"]) { _ = try readAlert(#"{"id": "x", "title": "t", "categories": {"terrorism": 9}}"#) }
        expectParseError(["$", "found a number"]) { _ = try readAlert("42", format: .json) }
        expectParseError(["$.published", "ISO 8601"]) { _ = try readAlert(#"{"id": "x", "title": "t", "published": "yesterday"}"#) }
    }

    @Test func malformedJSON() {
        expectParseError(["line 2, column 15", "malformed JSON"]) { _ = try readAlert("{\"id\": \"x\",\n \"title\": \"t\" \"severity\": 3}") }
    }

    @Test func emptyFile() {
        expectParseError(["empty"]) { _ = try readAlert("") }
        expectParseError(["empty"]) { _ = try readAlert("  \n\n ") }
        expectParseError(["empty"]) { _ = try readAlert("Skip to main content\n") }
    }

    @Test func fiftyMegabytes() throws {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 50 << 20)
        expectParseError(["50.0 MB", "at most 10 MB"]) { _ = try readAlert(huge) }
        var json = Array(#"{"id": "x", "title": ""#.utf8)
        json += [UInt8](repeating: UInt8(ascii: "b"), count: 50 << 20)
        expectParseError(["at most 10 MB"]) { _ = try readAlert(json) }
    }

    /// A text without one sentence break is one sentence of 40,000 words: read, every finding
    /// quoting at most 600 characters of it (the reading stays linear in its length).
    @Test func aTextWithNoSentenceBreaks() throws {
        var words: [String] = []
        let pool = ["attack", "near", "Gao,", "from", "Kayes", "to", "Mopti,", "except", "Bamako,", "in", "2012,", "do", "not", "travel", "to", "Kidal;",
                    "village", "of", "Tadjalalt", "(Gao", "region),", "north", "of", "the", "latitude", "of", "Nioro", "plus", "calme", "que", "le", "nord"]
        for k in 0..<40_000 { words.append(pool[(k * 7 + k / 3) % pool.count]) }
        let text = "1 Jun 2026\n\nMali: one long sentence\n\n" + words.joined(separator: " ")
        let alert = try readAlert(text)
        #expect(alert.regionIDs.contains("gao"))
        #expect(alert.assessments.allSatisfy { $0.provenance.text.count <= 600 })
    }

    @Test func binaryBytesAndMixedScripts() throws {
        expectParseError(["not valid UTF-8"]) { _ = try readAlert([0x31, 0x20, 0x4A, 0x61, 0x6E, 0xFF, 0xFE, 0x00, 0x80], format: .text) }
        // Arabic, Tifinagh, Chinese and Latin in one advisory: read, and only the Latin names place anything.
        let mixed = "2 Feb 2026\n\nMali: هجوم قرب غاو ⵜⴰⵎⴰⵣⵉⵖⵜ 袭击 attack near Gao\n\nمسلحون attacked a convoy near Gao; ⴰⵣⵓⵍ Tombouctou 廷巴克图.\n"
        let alert = try readAlert(mixed)
        #expect(Set(alert.regionIDs) == ["gao", "tombouctou"])
    }

    @Test func csvWithoutTheNeededColumns() {
        expectParseError(["line 1", "latitude"]) { _ = try readEvents("event_id_cnty,event_date,longitude\nX1,2024-01-01,3.0\n") }
    }

    @Test func csvRowWithoutCoordinatesIsReportedAndTheRestKept() throws {
        let t = try readEvents("""
            event_id_cnty,event_date,event_type,latitude,longitude,fatalities
            A1,2024-01-01,Battles,14.48,-4.19,0
            A2,2024-01-02,Battles,,,0
            A3,2024-01-03,Battles,14.48,-4.19,lots
            A4,2024-01-04,Battles,14.48,-4.19,1
            """)
        #expect(t.incidents.map(\.id) == ["A1", "A4"])
        #expect(t.errors.map(\.line) == [3, 4])
        #expect(t.errors[1].message.contains("fatalities"))
    }

    @Test func csvWithAnUnclosedQuote() {
        expectParseError(["line 3", "never closed"]) {
            _ = try readEvents("event_id_cnty,event_date,latitude,longitude,notes\nA1,2024-01-01,14,-4,ok\nA2,2024-01-02,14,-4,\"open\n")
        }
    }
}

@Suite struct CAPShapeTests {
    @Test func nationwideAreaDescriptionWithoutGeometry() throws {
        // The shape of the CAP 1.2 spec's advisory example: an area described only in words.
        let a = try readAlert("""
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>ADV-1</identifier><sender>advisory@example.org</sender><sent>2024-03-01T12:00:00-05:00</sent>
              <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
              <info><category>Security</category><event>Security advisory</event><urgency>Immediate</urgency>
                <severity>Severe</severity><certainty>Likely</certainty><senderName>Advisory Desk</senderName>
                <headline>Threat level raised</headline>
                <area><areaDesc>Mali nationwide</areaDesc></area>
              </info>
            </alert>
            """)
        #expect(a.regionIDs.count == 10)
        #expect(a.published.map(DateParsing.format) == "2024-03-01T17:00:00Z")
        #expect(a.categoryLevels == [.armedConflict: .high])  // no category named: the default
    }

    @Test func nonSecurityCategoryPlacesNoThreat() throws {
        let a = try readAlert("""
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>MET-1</identifier><sender>met@example.org</sender>
            <sent>2024-08-01T00:00:00Z</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
            <info><category>Met</category><event>Flood</event><urgency>Expected</urgency><severity>Severe</severity>
            <certainty>Likely</certainty><area><areaDesc>Mopti</areaDesc></area></info></alert>
            """)
        #expect(a.assessments.isEmpty)
        #expect(a.notes.contains { $0.contains("not a security one") })
    }

    @Test func certaintyLowersTheLevel() throws {
        let a = try readAlert("""
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>C-1</identifier><sender>s@example.org</sender>
            <sent>2024-08-01T00:00:00Z</sent><status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
            <info><category>Security</category><event>Possible attack</event><urgency>Future</urgency><severity>Extreme</severity>
            <certainty>Unlikely</certainty><area><areaDesc>Gao</areaDesc><circle>16.2666,-0.0400 5</circle></area></info></alert>
            """)
        #expect(a.categoryLevels.values.max() == .moderate)  // 5 - 2
        #expect(a.status == "Exercise")
        #expect(a.regionIDs == ["gao"])
    }
}
