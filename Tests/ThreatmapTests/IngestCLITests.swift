import Foundation
import Geo
import Testing
import ThreatStore

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let samples = repositoryRoot.appendingPathComponent("GeoData/alerts")

func sampleFile(_ name: String) -> String { samples.appendingPathComponent(name).path }

/// A scratch folder with a store path in it.
struct Scratch {
    let dir: URL
    var store: String { dir.appendingPathComponent("store.sqlite").path }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// The store file's bytes, to show that nothing changed.
    func storeBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: store)) }
}

@Suite struct IngestCLITests {
    @Test func resolvePrintsTheContract() throws {
        let r = try CLI.run(["resolve", sampleFile("gao-2023-09-ansongo-kidnapping.txt")])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONParser.parse(Array(r.stdout)).objectValue)
        #expect(o["regions"] == ["gao", "kidal", "menaka", "tombouctou"])
        #expect(o["zones"] == ["northern"])
        #expect(o["categories"]?.objectValue?["kidnapping"] == 5)
        #expect(o["level"] == 5)
        #expect(o["places"]?.arrayValue?.isEmpty == false)
    }

    @Test func resolveAnEventTable() throws {
        let r = try CLI.run(["resolve", sampleFile("acled-2024-sample.csv")])
        #expect(r.status != 0)  // two bad rows
        let o = try #require(try JSONParser.parse(Array(r.stdout)).objectValue)
        let incidents = try #require(o["incidents"]?.arrayValue)
        #expect(incidents.count == 9)
        let first = try #require(incidents.first?.objectValue)
        for key in ["event_id", "date", "lon", "lat", "region", "zone", "categories"] { #expect(first[key] != nil, "\(key)") }
        #expect(o["errors"]?.arrayValue?.compactMap { $0.objectValue?["line"] } == [7, 13])
        #expect(r.stderr.contains("line 7: no coordinates"))
    }

    @Test func ingestStoresEachAlertOnceAndReportsIt() throws {
        let s = try Scratch()
        defer { s.remove() }
        let files = ["mopti-2024-06-bandiagara.txt", "cap-timbuktu-2024-05.xml", "sikasso-2025-02-json.json"].map(sampleFile)
        let r = try CLI.run(["ingest"] + files, environment: ["THREATMAP_STORE": s.store])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("text-mali-suspected-militants-ambush") && lines[0].contains("regions=mopti") && lines[0].contains("level=4"))
        #expect(lines[1].hasPrefix("cap-TM-2024-05-TBK-001") && lines[1].contains("zones=northern"))
        let again = try CLI.run(["ingest", "--store", s.store, files[0]])
        #expect(again.status == 0)
        #expect(again.text.contains("already stored"))
        #expect(try SQLiteStore(path: s.store).counts().alerts == 3)
    }

    @Test func updatesAndCancelsEndWhatTheyReference() throws {
        let s = try Scratch()
        defer { s.remove() }
        let r = try CLI.run(["ingest", "--store", s.store] + ["cap-timbuktu-2024-05.xml", "cap-timbuktu-2024-05-update.xml", "cap-timbuktu-2024-05-cancel.xml",
                                                            "mopti-2024-06-bandiagara.txt", "cancel-bandiagara.json"].map(sampleFile))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("ended cap-TM-2024-05-TBK-001"))
        #expect(r.text.contains("ended cap-TM-2024-05-TBK-002"))
        #expect(r.text.contains("ended text-mali-suspected-militants-ambush-military-convoy-near-bandiagara-mopti-region-june-13"))
        let store = try SQLiteStore(path: s.store)
        #expect(try store.alert("cap-TM-2024-05-TBK-001")?.state == .superseded)
        #expect(try store.alert("cap-TM-2024-05-TBK-002")?.state == .cancelled)
        #expect(try store.alerts().filter { $0.state == .active }.isEmpty)
    }

    @Test func badInputFailsAndLeavesTheStoreUnchanged() throws {
        let s = try Scratch()
        defer { s.remove() }
        #expect(try CLI.run(["ingest", "--store", s.store, sampleFile("bamako-2024-03-protests.txt")]).status == 0)
        let before = try s.storeBytes()
        let cap = try String(contentsOfFile: sampleFile("cap-menaka-2024-07.xml"), encoding: .utf8)
        let bad: [(String, [UInt8], String)] = [
            ("truncated.xml", Array(cap.prefix(300).utf8), "malformed XML"),
            ("odd.xml", Array(cap.replacingOccurrences(of: "<circle>15.9182,2.4022 30</circle>", with: "<polygon>15.9,2.4 16.0</polygon>").utf8), "latitude,longitude"),
            ("lat95.xml", Array(cap.replacingOccurrences(of: "<circle>15.9182,2.4022 30</circle>", with: "<polygon>95,2 16,2 16,3 95,2</polygon>").utf8), "latitude 95"),
            ("shape.json", Array(#"{"id": "x", "title": 7}"#.utf8), "$.title"),
            ("empty.txt", [], "empty"),
            ("huge.txt", [UInt8](repeating: 0x41, count: 50 << 20), "at most 10 MB"),
            ("nocoords.csv", Array("event_id_cnty,event_date,latitude,longitude\nE1,2024-01-01,,\n".utf8), "no coordinates"),
        ]
        for (name, bytes, message) in bad {
            let path = try s.write(name, bytes)
            let r = try CLI.run(["ingest", "--store", s.store, path])
            #expect(r.status != 0, "\(name) was accepted")
            #expect(r.stderr.contains(message), "\(name): \(r.stderr.prefix(300))")
            #expect(try s.storeBytes() == before, "\(name) changed the store")
        }
        // A missing file too; and the good file among bad ones is still stored.
        let mixed = try CLI.run(["ingest", "--store", s.store, "/nonexistent.txt", sampleFile("kayes-2024-11-road-banditry.txt")])
        #expect(mixed.status != 0)
        #expect(mixed.stderr.contains("/nonexistent.txt: no such file"))
        #expect(try SQLiteStore(path: s.store).counts().alerts == 2)
    }

    @Test func anEventTableStoresItsGoodRows() throws {
        let s = try Scratch()
        defer { s.remove() }
        let r = try CLI.run(["ingest", "--store", s.store, sampleFile("acled-2024-sample.csv")])
        #expect(r.status != 0)
        #expect(r.text.contains("9 incidents (1 repeated rows merged), 2 bad rows"))
        #expect(try SQLiteStore(path: s.store).counts().incidents == 9)
    }

    @Test func reresolveKeepsTheDocuments() throws {
        let s = try Scratch()
        defer { s.remove() }
        _ = try CLI.run(["ingest", "--store", s.store, sampleFile("cap-menaka-2024-07.xml")])
        let r = try CLI.run(["reresolve", "--store", s.store])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("cap-TM-2024-07-MNK-001"))
        #expect(try SQLiteStore(path: s.store).counts().documents == 1)
    }

    @Test func resolveNamesAMissingFile() throws {
        let r = try CLI.run(["resolve", "/nonexistent/alert.txt"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/alert.txt: no such file"))
    }
}

@Suite struct ExportCLITests {
    @Test func everyLayerAsOfADateIsByteIdenticalRunToRun() throws {
        let s = try Scratch()
        defer { s.remove() }
        _ = try CLI.run(["ingest", "--store", s.store] + ["mopti-2024-06-bandiagara.txt", "acled-2024-sample.csv", "cap-menaka-2024-07.xml"].map(sampleFile))
        var runs: [[String: Data]] = []
        for k in 0..<2 {
            let dir = s.dir.appendingPathComponent("out\(k)")
            let r = try CLI.run(["export", "geojson", "--all", "-o", dir.path, "--as-of", "2024-07-05", "--store", s.store])
            #expect(r.status == 0, "\(r.stderr)")
            var files: [String: Data] = [:]
            for name in ["regions", "zones", "alert_areas", "incidents", "labels"] {
                files[name] = try Data(contentsOf: dir.appendingPathComponent("\(name).geojson"))
            }
            runs.append(files)
        }
        #expect(runs[0] == runs[1])
        let regions = try GeoJSONReader().read(Array(runs[0]["regions"]!)).featureCollection
        let mopti = try #require(regions.features.first { $0.properties["id"] == "mopti" })
        #expect(mopti.properties["level"] == 4)
        #expect(mopti.properties["level_terrorism"] == 4)
        let menaka = try #require(regions.features.first { $0.properties["id"] == "menaka" })
        #expect(menaka.properties["level_armed_conflict"] == 4)  // the Ménaka clashes, CAP Severe
        let incidents = try GeoJSONReader().read(Array(runs[0]["incidents"]!)).featureCollection
        #expect(incidents.features.count == 5)  // June 5 to July 5: MLI30001, 30002, 30003, 30004, 30006
    }

    @Test func exportNeedsALayerOrAll() throws {
        let r = try CLI.run(["export", "geojson"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--layer") && r.stderr.contains("--all"))
        let bad = try CLI.run(["export", "geojson", "--layer", "regions", "--as-of", "yesterday"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("as-of"))
    }

    @Test func withoutAStoreEveryRegionIsLevelOne() throws {
        let s = try Scratch()
        defer { s.remove() }
        let r = try CLI.run(["export", "geojson", "--layer", "regions", "--store", s.store])
        #expect(r.status == 0)
        #expect(r.stderr.contains("no store"))
        #expect(!FileManager.default.fileExists(atPath: s.store))
        let fc = try GeoJSONReader().read(Array(r.stdout)).featureCollection
        #expect(fc.features.allSatisfy { $0.properties["level"] == 1 })
    }
}
