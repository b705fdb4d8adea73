import Foundation
import Geo
import Testing
import ThreatModel
import ThreatStore
import VectorTiles
@testable import ThreatMapCore

/// The same documents, taken into SQLite and into PostgreSQL, make the same map: every layer's
/// GeoJSON byte for byte and every tile, at several moments. Against a real PostgreSQL with
/// PostGIS (THREATMAP_TEST_POSTGRES, from Scripts/postgres.sh); nothing mocked.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["THREATMAP_TEST_POSTGRES"] != nil,
                "THREATMAP_TEST_POSTGRES names no PostgreSQL cluster (Scripts/postgres.sh start)"))
struct StoreEquivalenceTests {
    static let folder = try! GeoDataFolder()

    /// An ACLED-style export of `rows` events over two years, from a seeded generator: points
    /// across Mali and a little beyond its borders, every event type, updates of earlier rows.
    static func eventTable(rows: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> UInt64 {  // SplitMix64: the same table on every machine
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(next() >> 11) / Double(1 << 53) }
        let types = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
                     ("Violence against civilians", "Attack"), ("Violence against civilians", "Abduction/forced disappearance"),
                     ("Riots", "Violent demonstration"), ("Protests", "Peaceful protest"), ("Strategic developments", "Looting/property destruction")]
        let admin1 = ["Gao", "Mopti", "Timbuktu", "Kidal", "Segou", "Sikasso", "Kayes", "Koulikoro", "Bamako", "Menaka"]
        var out = "event_id_cnty,event_date,event_type,sub_event_type,actor1,civilian_targeting,admin1,location,latitude,longitude,fatalities,notes\n"
        let start = UTCDate.parse("2023-03-01")!.timeIntervalSince1970
        for k in 0..<rows {
            let id = k % 10 == 9 ? "MLI\(next() % UInt64(max(1, k)))" : "MLI\(k)"
            let day = UTCDate.formatDay(Date(timeIntervalSince1970: start + Double(next() % 730) * 86_400))
            let (type, sub) = types[Int(next() % UInt64(types.count))]
            let civilian = type == "Violence against civilians" ? "Civilian targeting" : ""
            out += "\(id),\(day),\(type),\(sub),\"Actor \(next() % 40), \"\"group\"\"\",\(civilian),\(admin1[Int(next() % 10)]),"
            out += "Place \(k),\(String(format: "%.4f", uniform(10.0, 25.2))),\(String(format: "%.4f", uniform(-12.4, 4.4))),"
            out += "\(next() % 3 == 0 ? next() % 30 : 0),\"Row \(k); café, Sévaré\"\n"
        }
        return Array(out.utf8)
    }

    /// Takes the samples and the table into `store`, in the same order each time.
    static func fill(_ store: any ThreatStore, table: [UInt8]) throws {
        let intake = Intake(store: store, resolution: try folder.resolutionContext())
        let samples = try FileManager.default.contentsOfDirectory(atPath: folder.root.appendingPathComponent("alerts").path).sorted()
        for name in samples {
            let bytes = Array(try Data(contentsOf: folder.root.appendingPathComponent("alerts").appendingPathComponent(name)))
            _ = try intake.take(bytes, name: name)
        }
        _ = try intake.take(table, name: "events.csv")
    }

    @Test func sqliteAndPostgresMakeTheSameMap() async throws {
        let table = Self.eventTable(rows: 20_000, seed: 2026)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-equal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try SQLiteStore(path: dir.appendingPathComponent("s.sqlite").path)
        defer { try? sqlite.close() }
        let database = try PostgresScratchDatabase(adminURL: ProcessInfo.processInfo.environment["THREATMAP_TEST_POSTGRES"]!)
        defer { try? database.drop() }
        let postgres = try Stores.open(database.url)
        defer { try? postgres.close() }
        try Self.fill(sqlite, table: table)
        try Self.fill(postgres, table: table)
        #expect(try sqlite.counts() == postgres.counts())
        #expect(try sqlite.counts().incidents > 15_000)
        #expect(try sqlite.alerts().map(\.alert) == postgres.alerts().map(\.alert))
        #expect(try sqlite.alerts().map(\.state) == postgres.alerts().map(\.state))

        let builder = try Self.folder.layerBuilder()
        for moment in ["2024-05-20T12:00:00Z", "2024-07-15T23:59:59Z", "2025-02-28T23:59:59Z"] {
            let at = UTCDate.parse(moment)!
            let a = try MapContent.make(store: sqlite, builder: builder, at: at)
            let b = try MapContent.make(store: postgres, builder: builder, at: at)
            for name in builder.layerNames {
                let writer = GeoJSONWriter(name: name.rawValue, foreignMembers: a.stamp)
                let left = writer.write(try #require(a.layers[name])), right = writer.write(try #require(b.layers[name]))
                #expect(left == right, "\(name.rawValue) as of \(moment): \(left.count) bytes from SQLite, \(right.count) from PostgreSQL")
            }
            var options = TilerOptions()
            options.maxZoom = 6
            let tilesA = try await Tiler(options: options).tiles(a.tiled().sources)
            let tilesB = try await Tiler(options: options).tiles(b.tiled().sources)
            #expect(tilesA.count > 20)
            #expect(tilesA == tilesB, "tiles as of \(moment)")
        }
    }
}
