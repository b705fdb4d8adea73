import Foundation
import Geo
import HTTPTypes
import Testing
@testable import ThreatService
import VectorTiles

/// `serve --tiles`: a PMTiles and an MBTiles archive served beside the live map, each with its
/// TileJSON and tiles, answered as live tiles are.
@Suite struct ServedArchiveTests {
    @Test func archivesAreServedWithTheirTileJSONAndTiles() async throws {
        let f = try Fixture(samples: false)
        var layer = MVTLayerBuilder(name: "regions")
        _ = layer.add(id: 1, properties: [("level", .int(4))], geometry: .polygons([[[(0, 0), (100, 0), (100, 100), (0, 100)]]]))
        var builder = MVTTileBuilder()
        builder.add(layer)
        let tile = builder.encoded()
        let tiles = [TileAddress(z: 2, x: 1, y: 1): tile]
        var info = TileSetInfo(name: "July", description: "as of July", attribution: "", minZoom: 0, maxZoom: 2,
                               bounds: BoundingBox(minX: -12, minY: 10, maxX: 4, maxY: 25), vectorLayers: [["id": "regions", "fields": [:]]],
                               asOf: "2024-07-05T23:59:59Z")
        info.members = ["levels": "both"]
        let pm = f.directory.appendingPathComponent("july.pmtiles").path, mb = f.directory.appendingPathComponent("june.mbtiles").path
        try PMTilesArchive.write(tiles, info: info, to: pm)
        try MBTilesArchive.write(tiles, info: info, to: mb)
        let routes = ThreatRoutes(service: f.service, archives: [try ServedArchive(path: pm), try ServedArchive(path: mb)])
        try await withLiveServer(routes) { client in
            let list = try json(try await client.execute(uri: "/archives", method: .get).body)
            #expect(list.objectValue?["archives"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } == ["july", "june"])
            for name in ["july", "june"] {
                let doc = try json(try await client.execute(uri: "/archives/\(name)/tiles.json", method: .get).body).objectValue
                #expect(doc?["as_of"] == "2024-07-05T23:59:59Z" && doc?["maxzoom"] == .int(2), "\(name)")
                #expect(doc?["tiles"]?.arrayValue?.first?.stringValue?.hasSuffix("/archives/\(name)/tiles/{z}/{x}/{y}.mvt") == true)
                let got = try await client.execute(uri: "/archives/\(name)/tiles/2/1/1.mvt", method: .get)
                #expect(got.status == .ok && Array(got.body.readableBytesView) == tile, "\(name)")
                let etag = try #require(got.headers[.eTag])
                #expect(got.headers[HTTPField.Name("X-Cache")!] == "miss")
                // Asked again, the tile is answered from bytes made the first time.
                let again = try await client.execute(uri: "/archives/\(name)/tiles/2/1/1.mvt", method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified && again.headers[HTTPField.Name("X-Cache")!] == "hit")
                #expect(try await client.execute(uri: "/archives/\(name)/tiles/2/0/0.mvt", method: .get).status == .noContent)
            }
            #expect(try await client.execute(uri: "/archives/may/tiles.json", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/archives/july/tiles/2/9/9.mvt", method: .get).status == .notFound)
        }
        // The cache keeps at most its capacity, dropping the oldest first.
        let cache = ServedTileCache(capacity: 8)
        for x in 0..<9 { cache[TileAddress(z: 4, x: x, y: 0)] = .some(nil) }
        #expect(cache.count == 7 && cache[TileAddress(z: 4, x: 0, y: 0)] == nil && cache[TileAddress(z: 4, x: 8, y: 0)] != nil)
        // Not an archive: a clear error naming it.
        let text = f.directory.appendingPathComponent("notes.pmtiles").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: TileArchiveError.self) { try ServedArchive(path: text) }
    }
}
