import Foundation
import Geo
import Testing
import ThreatModel
import ThreatStore
@testable import ThreatMapCore

@Suite struct MomentTests {
    func date(_ s: String) -> Date { UTCDate.parse(s)! }

    @Test func aDayMeansItsEndInUTC() throws {
        #expect(try Moment(parsing: "2021-03-21") == .at(date("2021-03-21T23:59:59Z")))
        #expect(try Moment(parsing: " 2024-02-29 ") == .at(date("2024-02-29T23:59:59Z")))
        #expect(try Moment(parsing: "now") == .now)
        #expect(try Moment(parsing: "") == .now)
    }

    @Test func rfc3339TimesWithTheirZone() throws {
        #expect(try Moment(parsing: "2021-03-21T09:00:00Z") == .at(date("2021-03-21T09:00:00Z")))
        #expect(try Moment(parsing: "2021-03-21t09:00:00z") == .at(date("2021-03-21T09:00:00Z")))
        #expect(try Moment(parsing: "2021-03-21 10:00:00+01:00") == .at(date("2021-03-21T09:00:00Z")))
        #expect(try Moment(parsing: "2021-03-21T04:30:00-04:30") == .at(date("2021-03-21T09:00:00Z")))
        let fraction = try Moment(parsing: "2021-03-21T09:00:00.250Z").date()
        #expect(fraction.timeIntervalSince1970 - date("2021-03-21T09:00:00Z").timeIntervalSince1970 == 0.25)
    }

    /// Free text and half-forms are refused, naming the accepted forms, rather than guessed.
    @Test func anythingElseIsRefused() {
        for bad in ["March 21, 2021", "2024-01-01Tjunk", "2021-03-21T09:00:00", "2021-02-30", "2021-13-01", "21/03/2021",
                    "2021-03-21T24:00:00Z", "2021-03-21T09:00:00+0100", "2021-03-21T09:00:00.Z", "2021-03-21T09:00Z", "tomorrow"] {
            #expect(throws: MomentError.self, "\(bad)") { try Moment(parsing: bad) }
        }
        let message = (try? Moment(parsing: "2024-01-01Tjunk")).map { _ in "" } ?? "\(MomentError(text: "2024-01-01Tjunk"))"
        #expect(message.contains("YYYY-MM-DD") && message.contains("RFC 3339"))
    }

    @Test func oneSpellingPerMomentForCaches() throws {
        #expect(try Moment(parsing: "2021-03-21").queryValue == "2021-03-21")
        #expect(try Moment(parsing: "2021-03-21T10:00:00+01:00").queryValue == "2021-03-21T09:00:00Z")
        #expect(Moment.now.queryValue == nil)
    }

    @Test func theWindowIsItsDaysEndingWithTheMomentsDay() {
        #expect(UTCDate.windowStart(endingWith: date("2021-03-21T23:59:59Z"), days: 30) == date("2021-02-20"))
        #expect(UTCDate.windowStart(endingWith: date("2021-03-21T09:00:00Z"), days: 30) == date("2021-02-20"))
        #expect(UTCDate.windowStart(endingWith: date("2021-03-21T09:00:00Z"), days: 1) == date("2021-03-21"))
    }
}

@Suite struct IntakeTests {
    static let folder = try! GeoDataFolder()

    func intake() throws -> (Intake, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        return (Intake(store: store, resolution: try Self.folder.resolutionContext()), dir)
    }

    static let table = """
        event_id_cnty,event_date,event_type,sub_event_type,admin1,location,latitude,longitude,fatalities
        MLI1,2024-06-21,Battles,Armed clash,Gao,Ansongo,15.66,0.50,12
        MLI2,2024-06-22,Riots,Violent demonstration,Bamako,Bamako,12.64,-8.0,0
        MLI3,not a date,Riots,Violent demonstration,Bamako,Bamako,12.64,-8.0,0
        MLI4,2024-06-22,Battles,Armed clash,Gao,Near Niamey,13.5,2.1,3

        """

    @Test func aTableStreamsItsGoodRowsAndReportsTheBadOnes() throws {
        let (intake, dir) = try intake()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try intake.take(Array(Self.table.utf8), name: "events.csv")
        #expect(outcome.isTable && outcome.report.incidents == 3 && outcome.rowErrors.map(\.line) == [4])
        // A row 200 km outside Mali is stored in no region, and said so with its line and distance.
        #expect(outcome.outside.map(\.line) == [5])
        #expect(outcome.outside.first?.message.contains("km from the nearest region") == true)
        #expect(try intake.store.counts().incidents == 3)
        // The same bytes again: nothing read, nothing changed, the stored document's id.
        let again = try intake.take(Array(Self.table.utf8), name: "again.csv")
        #expect(again.report.unchanged && again.report.documentID == outcome.report.documentID)
    }

    /// Three advisories of one publisher about Bamako, each closing with the same standing
    /// paragraph about the north and centre: the first two read it as they stand, the third (the
    /// paragraph now in two stored documents) as the publisher's standing text, and reresolve
    /// reads each document as it read it when it came.
    @Test func aPublishersStandingParagraphIsBackgroundOnceItRecurs() throws {
        let (intake, dir) = try intake()
        defer { try? FileManager.default.removeItem(at: dir) }
        let standing = "Armed groups continue to attack security forces and civilians across northern and central Mali, and the threat of kidnapping there remains high."
        func advisory(_ day: Int, _ what: String) -> [UInt8] {
            Array("\(day) Mar 2026\n\nMali: \(what) in Bamako on March \(day)\n\nProtesters plan to gather in Bamako on March \(day).\n\nNotice\n\nContext\n\n\(standing)\n".utf8)
        }
        var regions: [[String]] = []
        for (day, what) in [(3, "Protest planned"), (10, "Teachers' strike"), (17, "Opposition rally")] {
            let outcome = try intake.take(advisory(day, what), name: "advisory-\(day).txt")
            let id = try #require(try intake.store.alerts().first { $0.documentID == outcome.report.documentID }?.alert)
            regions.append(id.regionIDs)
            if day == 17 { #expect(id.notes.contains { $0.contains("standing text") }) }
        }
        #expect(regions[0].contains("gao") && regions[1].contains("gao"))
        #expect(regions[2] == ["bamako"])
        _ = try intake.reresolve()
        let again = try intake.store.alerts().sorted { $0.documentID < $1.documentID }.map(\.alert.regionIDs)
        #expect(again == regions)
    }

    @Test func aTableWithNoReadableRowStoresNothing() throws {
        let (intake, dir) = try intake()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = "event_id_cnty,event_date,event_type,latitude,longitude\nMLI9,never,Battles,x,y\n"
        #expect {
            try intake.take(Array(bad.utf8), name: "bad.csv")
        } throws: { e in
            guard case IntakeError.noReadableRow(let first, _) = e else { return false }
            return first?.line == 2
        }
        #expect(try intake.store.counts().documents == 0)
    }

    @Test func unreadableDocumentsAndCancels() throws {
        let (intake, dir) = try intake()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: IntakeError.self) { try intake.take(Array("<alert><info>".utf8), name: "bad.xml", format: .cap) }
        #expect(throws: IntakeError.self) { try intake.cancel("nothing-here") }
        let alert = #"{"id": "core-test-1", "title": "Mali: attack in Gao", "published": "2024-06-21T08:00:00Z", "severity": "Warning", "summary": "An attack took place in Gao."}"#
        let stored = try intake.take(Array(alert.utf8), name: "a.json")
        #expect(stored.report.alerts.first?.state == .active)
        let cancel = try intake.cancel("core-test-1", now: UTCDate.parse("2024-06-22T00:00:00Z")!)
        #expect(cancel.report.ended == ["core-test-1"])
        #expect(try intake.store.alert("core-test-1")?.state == .cancelled)
        #expect {
            try intake.cancel("core-test-1")
        } throws: { e in
            guard case IntakeError.notActive(_, let state) = e else { return false }
            return state == .cancelled
        }
    }
}

@Suite struct MapContentTests {
    @Test func labelsKeepTheirSlugAsIDInTilesAndEachLayerHasItsPolicy() throws {
        let folder = try GeoDataFolder()
        let content = try MapContent.make(store: nil, builder: try folder.layerBuilder(), at: UTCDate.parse("2024-07-05T23:59:59Z")!)
        let map = content.tiled()
        let labels = try #require(map.sources.first { $0.name == "labels" })
        #expect(labels.features.contains { $0.id == "region:bamako" && $0.idProperty == "bamako" })
        #expect(labels.features.contains { $0.id == "zone:bamako" && $0.idProperty == "bamako" })
        #expect(map.sources.map(\.policy.sharesBorders) == [true, true, false, false, false])
        #expect(map.sources.map(\.policy.droppable) == [false, false, true, true, false])
        #expect(map.tileJSON(tileURL: "x", minZoom: 0, maxZoom: 6).objectValue?["as_of"] == .string("2024-07-05T23:59:59Z"))
    }
}
