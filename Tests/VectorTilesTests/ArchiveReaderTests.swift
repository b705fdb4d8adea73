import Foundation
import Geo
import Testing
@testable import VectorTiles

/// A fresh folder under the system's temporary one, removed by `done()`.
struct Scratch {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-archives-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { root + "/" + name }
    func done() { try? FileManager.default.removeItem(atPath: root) }
    /// What the folder holds, for checking that nothing was left beside an archive.
    var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() }
}

/// Real tiles from the tiler: two regions and a few hundred points, zooms 0 to 5.
func sampleTiles() async throws -> (tiles: [TileAddress: [UInt8]], layers: [TileLayerSource]) {
    var points: [TileFeature] = []
    for i in 0..<200 {
        points.append(TileFeature(id: "p\(i)", geometry: .point(Position(-4 + Double(i % 20) * 0.4, 11 + Double(i / 20) * 0.8)),
                                  properties: [("level", .int(Int64(i % 5 + 1)))], rank: Double(i % 5 + 1)))
    }
    let layers = [TileLayerSource(name: "regions", features: TilerTests.coverage(), isCoverage: true), TileLayerSource(name: "incidents", features: points)]
    var options = TilerOptions()
    options.maxZoom = 5
    return (try await Tiler(options: options).tiles(layers), layers)
}

let sampleBounds = BoundingBox(minX: -5, minY: 10, maxX: 5, maxY: 20)

func sampleInfo(asOf: String? = "2021-03-21T23:59:59Z") -> TileSetInfo {
    TileSetInfo(name: "ThreatMap", description: "test tiles", attribution: "us", minZoom: 0, maxZoom: 5, bounds: sampleBounds,
                vectorLayers: [["id": "regions", "fields": ["id": "String"]], ["id": "incidents", "fields": ["id": "String", "level": "Number"]]],
                asOf: asOf)
}

/// A small MVT tile whose one point and string property make it unlike any other `i`.
func distinctTile(_ i: Int) -> [UInt8] {
    var layer = MVTLayerBuilder(name: "incidents")
    // A pseudo-random length, so the directory's length column does not compress to nothing.
    // Letters from a linear congruential generator, so gzip cannot even the lengths out.
    var state = UInt64(truncatingIfNeeded: i) &* 2_654_435_761 &+ 1
    let count = Int(state % 97)
    let padding = String((0..<count).map { _ -> Character in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Character(Unicode.Scalar(UInt8(97 + (state >> 33) % 26)))
    })
    _ = layer.add(id: UInt64(i), properties: [("n", .int(Int64(i))), ("p", .string(padding))], geometry: .points([(Int32(i % 4096), Int32(i / 4096))]))
    var tile = MVTTileBuilder()
    tile.add(layer)
    return tile.encoded()
}

func readAll(_ reader: some TileArchiveReader) throws -> [TileAddress: [UInt8]] {
    var out: [TileAddress: [UInt8]] = [:]
    for t in try reader.addresses() { out[t] = try #require(try reader.tile(t), "\(t)") }
    return out
}

func u64(_ bytes: [UInt8], at i: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) } }

@Suite struct ArchiveRoundTripTests {
    @Test func mbtilesGivesBackTilesAddressesAndInfo() async throws {
        let s = try Scratch()
        defer { s.done() }
        let (tiles, _) = try await sampleTiles()
        #expect(tiles.keys.contains { $0.z == 5 })
        try MBTilesArchive.write(tiles, info: sampleInfo(), to: s.path("t.mbtiles"))
        #expect(s.names == ["t.mbtiles"])
        let reader = try MBTilesReader(path: s.path("t.mbtiles"))
        #expect(try reader.addresses() == tiles.keys.sorted())
        #expect(try readAll(reader) == tiles)
        #expect(reader.info == sampleInfo())
        #expect(try reader.tile(TileAddress(z: 5, x: 0, y: 0)) == nil)
        #expect(try reader.tile(TileAddress(z: 3, x: 9, y: 0)) == nil)
    }

    @Test func pmtilesGivesBackTilesAddressesAndInfo() async throws {
        let s = try Scratch()
        defer { s.done() }
        let (tiles, _) = try await sampleTiles()
        try PMTilesArchive.write(tiles, info: sampleInfo(), to: s.path("t.pmtiles"))
        #expect(s.names == ["t.pmtiles"])
        let reader = try PMTilesReader(path: s.path("t.pmtiles"))
        #expect(try reader.addresses() == tiles.keys.sorted())
        #expect(try readAll(reader) == tiles)
        var info = reader.info
        // The header keeps bounds in units of 1e-7 degrees.
        #expect(abs(info.bounds.minX - sampleBounds.minX) < 1e-7 && abs(info.bounds.maxY - sampleBounds.maxY) < 1e-7)
        info.bounds = sampleBounds
        #expect(info == sampleInfo())
        #expect(try reader.tile(TileAddress(z: 5, x: 0, y: 0)) == nil)
    }

    @Test func directoryGivesBackTilesAddressesAndInfo() async throws {
        let s = try Scratch()
        defer { s.done() }
        let (tiles, layers) = try await sampleTiles()
        var w = JSONWriter()
        w.value(TileJSON.document(layers: layers, tileURL: "{z}/{x}/{y}.mvt", minZoom: 0, maxZoom: 5, bounds: sampleBounds, asOf: "2021-03-21T23:59:59Z"))
        try DirectoryArchive.write(tiles, files: ["tiles.json": w.bytes, "style.json": Array("{}".utf8)], to: s.path("out"))
        #expect(s.names == ["out"])
        #expect(FileManager.default.contents(atPath: s.path("out/style.json")) == Data("{}".utf8))
        let reader = try DirectoryReader(path: s.path("out"))
        #expect(try reader.addresses() == tiles.keys.sorted())
        #expect(try readAll(reader) == tiles)
        #expect(reader.info.asOf == "2021-03-21T23:59:59Z")
        #expect(reader.info.bounds == sampleBounds && reader.info.minZoom == 0 && reader.info.maxZoom == 5)
        #expect(reader.info.vectorLayers.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } == ["regions", "incidents"])
    }

    @Test func noAsOfWritesNone() throws {
        let s = try Scratch()
        defer { s.done() }
        let tiles = [TileAddress(z: 0, x: 0, y: 0): distinctTile(1)]
        let document = TileJSON.document(layers: [], tileURL: "t", minZoom: 0, maxZoom: 0, bounds: sampleBounds)
        #expect(document.objectValue?["as_of"] == nil)
        #expect(TileJSON.document(layers: [], tileURL: "t", minZoom: 0, maxZoom: 0, bounds: sampleBounds, asOf: "x").objectValue?.keys.last == "as_of")
        try MBTilesArchive.write(tiles, info: sampleInfo(asOf: nil), to: s.path("t.mbtiles"))
        try PMTilesArchive.write(tiles, info: sampleInfo(asOf: nil), to: s.path("t.pmtiles"))
        #expect(try MBTilesReader(path: s.path("t.mbtiles")).info == sampleInfo(asOf: nil))
        #expect(try PMTilesReader(path: s.path("t.pmtiles")).info.asOf == nil)
        #expect(try PMTilesReader(path: s.path("t.pmtiles")).info.vectorLayers == sampleInfo().vectorLayers)
    }
}

@Suite struct PMTilesReaderTests {
    @Test func tileIDsTurnBackIntoAddresses() {
        for z in 0...7 {
            for x in 0..<(1 << z) {
                for y in 0..<(1 << z) {
                    let t = TileAddress(z: z, x: x, y: y)
                    #expect(PMTilesReader.address(PMTilesArchive.tileID(t)) == t)
                }
            }
        }
        for t in [TileAddress(z: 12, x: 1956, y: 1903), TileAddress(z: 20, x: 1_000_001, y: 3), TileAddress(z: 30, x: (1 << 30) - 1, y: 12_345)] {
            #expect(PMTilesReader.address(PMTilesArchive.tileID(t)) == t)
        }
        // The first id past zoom 30.
        #expect(PMTilesReader.address(((UInt64(1) << 62) - 1) / 3) == nil)
    }

    @Test func manyDistinctTilesGoThroughLeafDirectories() throws {
        let s = try Scratch()
        defer { s.done() }
        var tiles: [TileAddress: [UInt8]] = [:]
        var i = 0
        for x in 0..<200 {
            for y in 0..<200 {
                tiles[TileAddress(z: 9, x: x * 2, y: y)] = distinctTile(i)
                i += 1
            }
        }
        try PMTilesArchive.write(tiles, info: sampleInfo(), to: s.path("big.pmtiles"))
        let header = [UInt8](try #require(FileManager.default.contents(atPath: s.path("big.pmtiles"))).prefix(127))
        #expect(u64(header, at: 48) > 0, "leaf directories")
        #expect(127 + u64(header, at: 16) <= 16_384, "the root in the first 16 KB")
        let reader = try PMTilesReader(path: s.path("big.pmtiles"))
        #expect(try reader.addresses() == tiles.keys.sorted())
        for t in tiles.keys.sorted().enumerated().filter({ $0.offset % 101 == 0 }).map(\.element) {
            #expect(try reader.tile(t) == tiles[t], "\(t)")
        }
        #expect(try reader.tile(TileAddress(z: 9, x: 1, y: 0)) == nil)
        #expect(try reader.tile(TileAddress(z: 9, x: 400, y: 0)) == nil)
    }

    @Test func duplicateTilesStoredOnceReadAtEveryAddress() throws {
        let s = try Scratch()
        defer { s.done() }
        let sea = distinctTile(0), land = distinctTile(1)
        var tiles: [TileAddress: [UInt8]] = [TileAddress(z: 0, x: 0, y: 0): land]
        // Zoom 1 is one run (ids 1 to 4); zoom 2 repeats the sea apart from it.
        for x in 0..<2 { for y in 0..<2 { tiles[TileAddress(z: 1, x: x, y: y)] = sea } }
        tiles[TileAddress(z: 2, x: 3, y: 3)] = sea
        tiles[TileAddress(z: 2, x: 0, y: 0)] = distinctTile(2)
        try PMTilesArchive.write(tiles, info: sampleInfo(), to: s.path("d.pmtiles"))
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: s.path("d.pmtiles"))))
        #expect(u64(bytes, at: 72) == 7 && u64(bytes, at: 80) == 4 && u64(bytes, at: 88) == 3)
        let reader = try PMTilesReader(path: s.path("d.pmtiles"))
        #expect(try readAll(reader) == tiles)
    }

    @Test func truncatedOrCorruptFilesThrow() throws {
        let s = try Scratch()
        defer { s.done() }
        var tiles: [TileAddress: [UInt8]] = [:]
        for i in 0..<50 { tiles[TileAddress(z: 6, x: i, y: 7)] = distinctTile(i) }
        try PMTilesArchive.write(tiles, info: sampleInfo(), to: s.path("ok.pmtiles"))
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: s.path("ok.pmtiles"))))
        let rootLength = Int(u64(bytes, at: 16))
        for cut in [0, 10, 126, 127, 127 + rootLength / 2, bytes.count - 1] {
            let p = s.path("cut\(cut).pmtiles")
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: p))
            #expect(throws: TileArchiveError.self, "cut at \(cut)") { try PMTilesReader(path: p) }
        }
        do {
            _ = try PMTilesReader(path: s.path("cut10.pmtiles"))
        } catch {
            #expect("\(error)".contains("cut10.pmtiles") && "\(error)".contains("truncated"))
        }
        func corrupted(_ name: String, _ change: (inout [UInt8]) -> Void) throws -> String {
            var b = bytes
            change(&b)
            let p = s.path(name)
            try Data(b).write(to: URL(fileURLWithPath: p))
            return p
        }
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("magic.pmtiles") { $0[0] = UInt8(ascii: "X") }) }
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("v2.pmtiles") { $0[7] = 2 }) }
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("brotli.pmtiles") { $0[97] = 3 }) }
        // A root length past the end of the file, and one so large the sum overflows.
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("long.pmtiles") { $0[16 + 7] = 0x7F }) }
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("wrap.pmtiles") { for k in 16..<24 { $0[k] = 0xFF } }) }
        // A damaged root directory: its gzip stream no longer checks.
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: try corrupted("root.pmtiles") { for k in 140..<(127 + rootLength - 8) { $0[k] ^= 0x5A } }) }
        // A damaged tile: the archive opens, that tile throws.
        let dataOffset = Int(u64(bytes, at: 56))
        let reader = try PMTilesReader(path: try corrupted("tile.pmtiles") { for k in (dataOffset + 12)..<(dataOffset + 20) { $0[k] ^= 0xFF } })
        #expect(throws: TileArchiveError.self) { try readAll(reader) }
        #expect(throws: TileArchiveError.self) { try PMTilesReader(path: s.path("missing.pmtiles")) }
    }

    @Test func directoriesFromBadBytesThrow() throws {
        // A count far beyond what the bytes hold, a varint that never ends, tile ids not increasing.
        for raw: [UInt8] in [[0xFF, 0xFF, 0x03, 1, 1, 1, 1], [2, 0x80, 0x80], [2, 5, 0, 1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0], []] {
            #expect(throws: TileArchiveError.self, "\(raw)") { try PMTilesReader.directory(raw, gzip: false, path: "p", what: "root") }
        }
        let ok = try PMTilesReader.directory([2, 5, 1, 1, 1, 10, 10, 1, 0], gzip: false, path: "p", what: "root")
        #expect(ok.map(\.tileID) == [5, 6] && ok.map(\.offset) == [0, 10])
    }
}

@Suite struct MBTilesReaderTests {
    @Test func corruptFilesThrow() throws {
        let s = try Scratch()
        defer { s.done() }
        let garbage = s.path("garbage.mbtiles")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: TileArchiveError.self) { try MBTilesReader(path: garbage) }
        do {
            _ = try MBTilesReader(path: garbage)
        } catch {
            #expect("\(error)".contains("garbage.mbtiles"))
        }
        #expect(throws: TileArchiveError.self) { try MBTilesReader(path: s.path("missing.mbtiles")) }

        // A valid file whose first tile's deflate stream is damaged (same length, so SQLite is content).
        let tiles = [TileAddress(z: 0, x: 0, y: 0): distinctTile(1), TileAddress(z: 1, x: 1, y: 0): distinctTile(2)]
        let p = s.path("t.mbtiles")
        try MBTilesArchive.write(tiles, info: sampleInfo(), to: p)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: p)))
        let gzipHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00]
        let at = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == gzipHeader })
        for k in (at + 12)..<(at + 20) { bytes[k] ^= 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        let reader = try MBTilesReader(path: p)
        #expect(try reader.addresses() == tiles.keys.sorted())
        #expect(throws: TileArchiveError.self) { try readAll(reader) }

        // Half a file: SQLite finds its pages missing.
        let half = s.path("half.mbtiles")
        try MBTilesArchive.write(tiles, info: sampleInfo(), to: half)
        let whole = try #require(FileManager.default.contents(atPath: half))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: half))
        #expect(throws: TileArchiveError.self) {
            let r = try MBTilesReader(path: half)
            _ = try readAll(r)
        }
    }
}

@Suite struct DirectoryArchiveTests {
    func tileJSON() -> [UInt8] { Array("{\"tilejson\":\"3.0.0\"}".utf8) }

    @Test func refusesAnUnrelatedFolderAndLeavesItIntact() throws {
        let s = try Scratch()
        defer { s.done() }
        let fm = FileManager.default
        let tiles = [TileAddress(z: 0, x: 0, y: 0): distinctTile(1)]
        // Notes beside zoom-like folders; a folder of years (numeric, but not a pyramid).
        let notes = s.path("notes"), years = s.path("years"), file = s.path("file")
        try fm.createDirectory(atPath: notes + "/3/4", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: notes + "/thesis.txt"))
        try fm.createDirectory(atPath: years + "/2019", withIntermediateDirectories: true)
        try Data("jpeg".utf8).write(to: URL(fileURLWithPath: years + "/2019/photo.jpg"))
        try Data("a file".utf8).write(to: URL(fileURLWithPath: file))
        for p in [notes, years, file] {
            #expect(throws: TileArchiveError.self, "\(p)") { try DirectoryArchive.write(tiles, files: ["tiles.json": tileJSON()], to: p) }
        }
        do {
            try DirectoryArchive.write(tiles, files: [:], to: notes)
        } catch {
            #expect("\(error)".contains(notes) && "\(error)".contains("thesis.txt"))
        }
        #expect(fm.contents(atPath: notes + "/thesis.txt") == Data("mine".utf8))
        #expect(fm.contents(atPath: years + "/2019/photo.jpg") == Data("jpeg".utf8))
        #expect(fm.contents(atPath: file) == Data("a file".utf8))
        #expect(s.names == ["file", "notes", "years"])
    }

    @Test func replacesAnEarlierExportAndAnEmptyFolder() throws {
        let s = try Scratch()
        defer { s.done() }
        let fm = FileManager.default
        let out = s.path("out")
        let first = [TileAddress(z: 0, x: 0, y: 0): distinctTile(1), TileAddress(z: 1, x: 1, y: 1): distinctTile(2)]
        try DirectoryArchive.write(first, files: ["tiles.json": tileJSON()], to: out)
        let second = [TileAddress(z: 0, x: 0, y: 0): distinctTile(3)]
        try DirectoryArchive.write(second, files: ["tiles.json": tileJSON(), "style.json": [0x7B, 0x7D]], to: out + "/")
        #expect(try readAll(try DirectoryReader(path: out)) == second)
        #expect(!fm.fileExists(atPath: out + "/1"))
        #expect(s.names == ["out"])

        // An export without tiles.json (zoom folders and style.json) and an empty folder.
        try fm.removeItem(atPath: out + "/tiles.json")
        try DirectoryArchive.write(first, files: ["tiles.json": tileJSON()], to: out)
        #expect(try readAll(try DirectoryReader(path: out)) == first)
        let empty = s.path("empty")
        try fm.createDirectory(atPath: empty, withIntermediateDirectories: false)
        try DirectoryArchive.write(second, files: ["tiles.json": tileJSON()], to: empty)
        #expect(try readAll(try DirectoryReader(path: empty)) == second)
        #expect(s.names == ["empty", "out"])
    }

    @Test func badInputThrowsBeforeAnythingIsWritten() throws {
        let s = try Scratch()
        defer { s.done() }
        let out = s.path("out")
        let good = [TileAddress(z: 0, x: 0, y: 0): distinctTile(1)]
        try DirectoryArchive.write(good, files: ["tiles.json": tileJSON()], to: out)
        #expect(throws: TileArchiveError.invalidAddress(TileAddress(z: 1, x: 2, y: 0), path: out)) {
            try DirectoryArchive.write([TileAddress(z: 1, x: 2, y: 0): [1]], files: [:], to: out)
        }
        for name in ["../x.json", "7", "", "a/b"] {
            #expect(throws: TileArchiveError.self, "\(name)") { try DirectoryArchive.write(good, files: [name: [1]], to: out) }
        }
        #expect(try readAll(try DirectoryReader(path: out)) == good)
        #expect(s.names == ["out"])
    }
}

@Suite struct GzipLimitTests {
    @Test func aStreamPastTheLimitThrows() throws {
        let packed = try Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(try Gzip.decompress(packed, limit: 1 << 20).count == 1 << 20)
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(packed, limit: 1000) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(packed.dropLast(10))) }
    }
}
