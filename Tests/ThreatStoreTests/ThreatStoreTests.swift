import Foundation
import GRDB
import Geo
import Testing
import ThreatModel
@testable import ThreatStore

func temporaryStore() throws -> (SQLiteStore, URL) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite")
    return (try SQLiteStore(path: url.path), url)
}

/// The two stores behind `ThreatStore`; every behaviour below is checked on both.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A cluster to test PostgreSQL on: an administrator's URL (`Scripts/postgres.sh start` prints
/// one). Without it the PostgreSQL cases do not run, unless THREATMAP_REQUIRE_POSTGRES=1 says
/// they must (Scripts/test.sh sets both), when `postgresIsHereWhenRequired` fails.
let postgresAdminURL = ProcessInfo.processInfo.environment["THREATMAP_TEST_POSTGRES"]
let storeKinds: [StoreKind] = postgresAdminURL == nil ? [.sqlite] : [.sqlite, .postgres]

/// Runs `body` with a new, empty store of `kind` and where it is, then removes it.
func withStore(_ kind: StoreKind, _ body: (any ThreatStore, String) throws -> Void) throws {
    switch kind {
    case .sqlite:
        let (store, url) = try temporaryStore()
        defer { try? store.close(); try? FileManager.default.removeItem(at: url) }
        try body(store, url.path)
    case .postgres:
        let database = try PostgresScratchDatabase(adminURL: try #require(postgresAdminURL))
        defer { try? database.drop() }
        let store = try PostgresStore(url: database.url)
        defer { try? store.close() }
        try body(store, database.url)
    }
}

func alert(_ id: String, type: AlertMessageType = .alert, references: [String] = [], level: ThreatLevel = .high) -> Alert {
    let place = PlaceMention(text: "Gao", kind: .place, role: .event, name: "Gao", regionIDs: ["gao"], zoneIDs: ["northern"],
                             position: Position(-0.04, 16.27), provenance: Provenance(field: "title", text: "Attack in Gao"))
    return Alert(id: id, format: .json, title: "Attack in Gao", messageType: type, references: references, places: [place],
                 assessments: type == .cancel ? [] : [ThreatAssessment(category: .terrorism, level: level, place: 0, provenance: place.provenance)])
}

func document(_ text: String) -> SourceDocument {
    SourceDocument(name: "doc.json", format: .json, bytes: Array(text.utf8))
}

@Suite struct SHA256Tests {
    /// FIPS 180-4's examples (and NIST's million "a"s), through swift-crypto.
    @Test func knownDigests() {
        #expect(sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)) ==
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha256Hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func aDocumentCarriesItsDigest() {
        #expect(document("abc").sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct ThreatStoreTests {
    @Test(arguments: storeKinds) func theSameDocumentTwiceIsStoredOnce(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            let first = try store.ingest(document("a"), alerts: [alert("A")], incidents: [])
            #expect(!first.unchanged)
            let again = try store.ingest(document("a"), alerts: [alert("A")], incidents: [])
            #expect(again.unchanged)
            #expect(try store.counts().documents == 1)
            #expect(try store.counts().alerts == 1)
            // The same alert id from other bytes replaces the stored version.
            let other = try store.ingest(document("a, fetched again"), alerts: [alert("A", level: .extreme)], incidents: [])
            #expect(other.alerts.first?.action == .replaced)
            #expect(try store.counts().alerts == 1)
            #expect(try store.alert("A")?.alert.level == .extreme)
            // The documents are kept as received, with their digests.
            let docs = try store.documents()
            #expect(docs.map(\.bytes) == [Array("a".utf8), Array("a, fetched again".utf8)])
            #expect(docs[0].sha256 == sha256Hex(Array("a".utf8)))
        }
    }

    @Test(arguments: storeKinds) func anUpdateSupersedesAndACancelEnds(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
            let update = try store.ingest(document("2"), alerts: [alert("B", type: .update, references: ["A"])], incidents: [])
            #expect(update.ended == ["A"])
            #expect(try store.alert("A")?.state == .superseded)
            #expect(try store.alert("A")?.endedBy == "B")
            #expect(try store.alert("B")?.state == .active)
            _ = try store.ingest(document("3"), alerts: [alert("C", type: .cancel, references: ["B"])], incidents: [])
            #expect(try store.alert("B")?.state == .cancelled)
            #expect(try store.alert("C")?.state == .cancel)
        }
    }

    @Test(arguments: storeKinds) func aCancelThatArrivesFirstStillEndsTheAlert(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            _ = try store.ingest(document("cancel"), alerts: [alert("C", type: .cancel, references: ["A"])], incidents: [])
            let late = try store.ingest(document("alert"), alerts: [alert("A")], incidents: [])
            #expect(late.alerts.first?.state == .cancelled)
        }
    }

    @Test func theSQLiteIncidentColumnsMatchTheTable() throws {
        let (store, url) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: url) }
        let table = try store.queue.read { db in try db.columns(in: "incident").map(\.name) }
        #expect(IncidentInsertColumn.allCases.map(\.name) == table)
        #expect(IncidentSelectColumn.allCases.map(\.position) == Array(0..<Int32(IncidentSelectColumn.allCases.count)))
        #expect(IncidentInsertColumn.allCases.map(\.parameter) == Array(1...Int32(IncidentInsertColumn.allCases.count)))
    }

    @Test(arguments: storeKinds) func incidentsAreKeptByTheirOwnID(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            let day = Date(timeIntervalSince1970: 1_718_236_800)
            func incident(_ id: String, _ region: String?) -> Incident {
                Incident(id: id, date: day, position: Position(-3.61, 14.35), regionID: region, zoneID: region == nil ? nil : "central",
                         categories: [.terrorism, .armedConflict], level: .high, fatalities: 3, eventType: "Battles", subEventType: "Armed clash",
                         actors: ["JNIM", "FAMa"], sourceAdmin1: "Mopti", location: "Bandiagara", notes: "n", line: 2, remarks: ["r1", "r2"])
            }
            _ = try store.ingest(document("csv 1"), alerts: [], incidents: [incident("E1", "mopti"), incident("E2", nil)])
            _ = try store.ingest(document("csv 2"), alerts: [], incidents: [incident("E1", "mopti")])
            let back = try store.incidents()
            #expect(back.map(\.id) == ["E1", "E2"])
            #expect(back[0].categories == [.terrorism, .armedConflict])
            #expect(back[0].actors == ["JNIM", "FAMa"])
            #expect(back[0].remarks == ["r1", "r2"])
            #expect(back[0].date == day)
            #expect(back[1].regionID == nil)
            // Every field comes back from its own column; without details, only what a map shows.
            #expect(back[0] == incident("E1", "mopti").withLine(0))
            let sourced = try store.sourcedIncidents(from: nil, through: nil, details: false)
            #expect(sourced.map(\.source) == ["doc.json", "doc.json"])
            #expect(sourced[0].incident.actors.isEmpty && sourced[0].incident.notes.isEmpty && sourced[0].incident.sourceAdmin1.isEmpty)
            #expect(sourced[0].incident.remarks.isEmpty && sourced[0].incident.location == "Bandiagara" && sourced[0].incident.fatalities == 3)
        }
    }

    /// A damaged file may carry a NUL character, which PostgreSQL's text cannot hold: both
    /// stores keep it as U+FFFD, and give back the same.
    @Test(arguments: storeKinds) func aNULCharacterIsStoredAsTheReplacementCharacter(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            let day = Date(timeIntervalSince1970: 1_718_236_800)
            let damaged = Incident(id: "E\u{0}1", date: day, position: Position(-3.61, 14.35), regionID: "mopti", zoneID: "central",
                                   categories: [.crime], level: .low, fatalities: 0, eventType: "Riots", subEventType: "Mob violence",
                                   actors: ["A\u{0}"], sourceAdmin1: "Mopti", location: "Ban\u{0}diagara", notes: "n\u{0}", line: 2, remarks: [])
            var titled = alert("A\u{0}B")
            titled.title = "Attack\u{0} in Gao"
            _ = try store.ingest(document("nul"), alerts: [titled], incidents: [damaged])
            let back = try #require(try store.incidents().first)
            #expect(back.id == "E\u{FFFD}1" && back.location == "Ban\u{FFFD}diagara" && back.notes == "n\u{FFFD}" && back.actors == ["A\u{FFFD}"])
            // Counts are 64-bit in both.
            var huge = damaged
            huge.id = "E2"
            huge.fatalities = 5_000_000_000
            _ = try store.ingest(document("huge"), alerts: [], incidents: [huge])
            #expect(try store.incidents().first { $0.id == "E2" }?.fatalities == 5_000_000_000)
            // An alert comes back whole from its JSON, as it was read; looked up by the id it has.
            #expect(try store.alert("A\u{0}B")?.alert.title == "Attack\u{0} in Gao")
        }
    }

    @Test(arguments: storeKinds) func reresolveRebuildsFromTheDocuments(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
            _ = try store.ingest(document("2"), alerts: [alert("B", type: .update, references: ["A"])], incidents: [])
            let reports = try store.reresolve { d, _ in
                let text = String(decoding: d.bytes, as: UTF8.self)
                return (text == "1" ? [alert("A", level: .low)] : [alert("B", type: .update, references: ["A"], level: .low)], [])
            }
            #expect(reports.count == 2)
            #expect(try store.alert("A")?.state == .superseded)
            #expect(try store.alerts().allSatisfy { $0.alert.level == .low })
            #expect(try store.counts().documents == 2)
        }
    }

    @Test(arguments: storeKinds) func aFailedIngestLeavesTheStoreAsItWas(_ kind: StoreKind) throws {
        try withStore(kind) { store, _ in
            _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
            let before = try store.counts()
            // An alert whose assessment points at a place it does not have fails half-way through.
            var broken = alert("Z")
            broken.assessments.append(ThreatAssessment(category: .crime, level: .low, place: 0, provenance: Provenance(field: "x", text: "y")))
            broken.places = []
            #expect(throws: StoreError.self) {
                _ = try store.ingest(document("2"), alerts: [alert("Y"), broken], incidents: [])
            }
            let after = try store.counts()
            #expect(before.documents == after.documents && before.alerts == after.alerts && before.assessments == after.assessments)
        }
    }

    @Test(arguments: storeKinds) func reopeningMigratesOnce(_ kind: StoreKind) throws {
        try withStore(kind) { store, location in
            _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
            let reopened = try Stores.open(location)
            defer { try? reopened.close() }
            #expect(try reopened.counts().alerts == 1)
        }
    }

    @Test func aSQLiteStoreOfANewerSchemaIsRefusedAndLeftAsItIs() throws {
        let (store, url) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
        try store.queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')") }
        try store.close()
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: url.path) }
        #expect(error?.message.contains("newer") == true && error?.message.contains("v99") == true, "\(error?.message ?? "")")
        let count = try DatabaseQueue(path: url.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM alert") }
        #expect(count == 1)
    }

    @Test func anUnwritablePathIsAClearError() {
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/nonexistent/dir/store.sqlite") }
    }
}

extension Incident {
    func withLine(_ line: Int) -> Incident {
        var copy = self
        copy.line = line
        return copy
    }
}
