import Foundation
import Testing
import ThreatMapCore
import ThreatModel
import ThreatService
import ThreatStore
import VectorTiles

/// Two services on one PostgreSQL database, as two `threatmap serve` processes would be: a write
/// through one changes the other's cached map, and leaves the other's unrelated cached tiles as
/// they were. Against a real PostgreSQL with PostGIS (THREATMAP_TEST_POSTGRES); nothing mocked.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["THREATMAP_TEST_POSTGRES"] != nil,
                "THREATMAP_TEST_POSTGRES names no PostgreSQL cluster (Scripts/postgres.sh start)"))
struct SharedStoreTests {
    @Test func aWriteThroughOneServiceChangesTheOthersMapAndKeepsItsOtherTiles() throws {
        let database = try PostgresScratchDatabase(adminURL: ProcessInfo.processInfo.environment["THREATMAP_TEST_POSTGRES"]!)
        defer { try? database.drop() }
        let folder = try GeoDataFolder(explicit: geodata.path)
        var settings = ServiceSettings()
        try settings.writers.add(name: "test-feed", token: "secret")
        let storeA = try Stores.open(database.url), storeB = try Stores.open(database.url)
        defer { try? storeA.close(); try? storeB.close() }
        let a = try MapService(store: storeA, geodata: folder, settings: settings)
        let b = try MapService(store: storeB, geodata: folder, settings: settings)
        b.followStore()
        defer { b.stopFollowing() }
        let moment = Moment.at(UTCDate.parse("2024-07-05T23:59:59Z")!)
        func kidalLevel() throws -> Int? {
            try b.map(moment).content.layers[.regions]?.features.first { $0.id?.description == "kidal" }?.properties["level"]?.intValue
        }
        let before = try kidalLevel()
        // b caches a tile far from Kidal (Kayes, in the far west) and one over Kidal.
        let far = tile(lon: -11.4, lat: 14.4, z: 7), over = tile(lon: 1.41, lat: 18.44, z: 7)
        let farTag = try #require(try b.tile(far, moment: moment).tile).etag
        let overTag = try #require(try b.tile(over, moment: moment).tile).etag
        _ = try a.ingest(Array(kidalAlert.utf8), name: "kidal.json", format: nil)
        var waited = 0.0
        while try kidalLevel() != 5, waited < 5 {
            Thread.sleep(forTimeInterval: 0.02)
            waited += 0.02
        }
        #expect(before != 5)
        #expect(try kidalLevel() == 5, "b did not follow a's write within 5 s")
        #expect(waited < 1, "b followed a's write after \(waited) s")
        // Far from the change, the same tile: its ETag unchanged, so clients' 304s stand.
        #expect(try b.tile(far, moment: moment).tile?.etag == farTag)
        #expect(try b.tile(over, moment: moment).tile?.etag != overTag)
        // Both services send the same bytes for the same tile.
        #expect(try a.tile(over, moment: moment).tile?.bytes == b.tile(over, moment: moment).tile?.bytes)
    }
}
