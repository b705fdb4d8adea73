import Foundation
import Testing
import ThreatMapCore
@testable import ThreatService
import VectorTiles

/// Readers never wait for a write: while one holds the service's work lock (as a write does for
/// as long as it reads the document and makes the maps again), cached tiles are answered, and a
/// live map past its lifetime is served as it was rather than waited for.
@Suite struct ReadersDuringWritesTests {
    @Test func cachedTilesAndAnExpiredLiveMapAreServedWhileAWriteIsAtWork() throws {
        let f = try Fixture(maxZoom: 6) { $0.liveLifetime = 0.05 }
        let gao = tile(lon: 0.04, lat: 16.27, z: 6)
        let dated = try Moment(parsing: "2024-07-05")
        let made = try #require(try f.service.tile(gao, moment: dated).tile)
        let live = try f.service.map(.now)
        Thread.sleep(forTimeInterval: 0.1)  // the live map is now past its lifetime

        f.service.workLock.lock()
        defer { f.service.workLock.unlock() }
        let again = try f.service.tile(gao, moment: dated)
        #expect(again.cached && again.tile?.etag == made.etag)
        #expect(try f.service.map(.now).content.moment == live.content.moment, "the live map as it was, not waited for")
    }

    @Test func aWriteMakesTheTilesItChangesBeforeItsMapIsSwappedIn() throws {
        let f = try Fixture(maxZoom: 6)
        let dated = try Moment(parsing: "2024-07-05")
        let kidal = tile(lon: 1.41, lat: 18.44, z: 6)
        let before = try #require(try f.service.tile(kidal, moment: dated).tile)
        let outcome = try f.service.ingest(Array(kidalAlert.utf8), name: "kidal.json", format: nil)
        #expect(outcome.tilesInvalidated > 0)
        // Already made again in the new map, so the first reader after the write gets a hit.
        let after = try f.service.cachedTile(kidal, moment: dated)
        #expect(after != nil && after??.etag != before.etag)
    }
}
