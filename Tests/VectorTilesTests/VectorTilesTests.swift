import Foundation
import Geo
import Testing
@testable import VectorTiles

/// A small protobuf reader for tests: enough of the MVT schema to check what the encoder wrote.
struct PB {
    var bytes: [UInt8]
    var i = 0

    init(_ b: [UInt8]) { bytes = b }

    mutating func varint() -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = bytes[i]
            i += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// (field, wire type, payload bytes or varint value).
    mutating func fields() -> [(Int, [UInt8], UInt64)] {
        var out: [(Int, [UInt8], UInt64)] = []
        while i < bytes.count {
            let key = varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((field, [], varint()))
            case 1: out.append((field, Array(bytes[i..<(i + 8)]), 0)); i += 8
            case 2:
                let n = Int(varint())
                out.append((field, Array(bytes[i..<(i + n)]), 0))
                i += n
            default: fatalError("wire type")
            }
        }
        return out
    }

    static func packed(_ b: [UInt8]) -> [UInt32] {
        var r = PB(b)
        var out: [UInt32] = []
        while r.i < b.count { out.append(UInt32(r.varint())) }
        return out
    }
}

struct DecodedFeature {
    var id: UInt64?
    var type: UInt64
    var properties: [String: TileValue]
    var commands: [UInt32]
}

func decode(_ tile: [UInt8]) -> [String: (extent: Int, features: [DecodedFeature])] {
    var out: [String: (Int, [DecodedFeature])] = [:]
    var t = PB(tile)
    for (field, payload, _) in t.fields() where field == 3 {
        var l = PB(payload)
        var name = "", extent = 4096
        var keys: [String] = [], values: [TileValue] = [], raw: [[UInt8]] = []
        for (f, p, v) in l.fields() {
            switch f {
            case 1: name = String(decoding: p, as: UTF8.self)
            case 2: raw.append(p)
            case 3: keys.append(String(decoding: p, as: UTF8.self))
            case 4:
                var vr = PB(p)
                for (vf, vp, vv) in vr.fields() {
                    switch vf {
                    case 1: values.append(.string(String(decoding: vp, as: UTF8.self)))
                    case 3: values.append(.double(Double(bitPattern: vp.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })))
                    case 5: values.append(.int(Int64(vv)))
                    case 6: values.append(.int(Int64(vv >> 1) ^ -Int64(vv & 1)))
                    case 7: values.append(.bool(vv != 0))
                    default: break
                    }
                }
            case 5: extent = Int(v)
            default: break
            }
        }
        var features: [DecodedFeature] = []
        for p in raw {
            var fr = PB(p)
            var d = DecodedFeature(id: nil, type: 0, properties: [:], commands: [])
            for (f, fp, fv) in fr.fields() {
                switch f {
                case 1: d.id = fv
                case 2:
                    let tags = PB.packed(fp)
                    for k in stride(from: 0, to: tags.count, by: 2) { d.properties[keys[Int(tags[k])]] = values[Int(tags[k + 1])] }
                case 3: d.type = fv
                case 4: d.commands = PB.packed(fp)
                default: break
                }
            }
            features.append(d)
        }
        out[name] = (extent, features)
    }
    return out
}

@Suite struct TileMathTests {
    @Test func boundsAndCovering() {
        let world = TileAddress(z: 0, x: 0, y: 0).mercatorBounds
        #expect(abs(world.minX + WebMercator.halfWorld) < 1e-6 && abs(world.maxY - WebMercator.halfWorld) < 1e-6)
        let bamako = WebMercator.project(Position(-8.0029, 12.6392))
        // Bamako is in tile 12/1956/1903: x = floor((lon + 180) / 360 · 2^z) = floor(1956.94),
        // y = floor((1 - ln(tan φ + sec φ) / π) / 2 · 2^z) = floor(1903.01).
        let t = WebMercator.tiles(covering: BoundingBox(minX: bamako.x, minY: bamako.y, maxX: bamako.x, maxY: bamako.y), zoom: 12)
        #expect(t == [TileAddress(z: 12, x: 1956, y: 1903)])
        let back = WebMercator.unproject(bamako)
        #expect(abs(back.x + 8.0029) < 1e-9 && abs(back.y - 12.6392) < 1e-9)
        #expect(TileAddress(z: 3, x: 8, y: 0).isValid == false)
    }
}

@Suite struct EncoderTests {
    @Test func encodesCommandsTablesAndIDs() {
        var layer = MVTLayerBuilder(name: "incidents")
        layer.add(id: 7, properties: [("level", .int(4)), ("name", .string("Gao"))], geometry: .points([(10, 20)]))
        layer.add(id: 8, properties: [("level", .int(4)), ("ok", .bool(true)), ("x", .double(1.5)), ("n", .int(-3))], geometry: .points([(11, 19), (5, 5)]))
        var tile = MVTTileBuilder()
        tile.add(layer)
        tile.add(MVTLayerBuilder(name: "empty"))  // layers without features are left out
        let decoded = decode(tile.encoded())
        #expect(Set(decoded.keys) == ["incidents"])
        let fs = decoded["incidents"]!.features
        #expect(decoded["incidents"]!.extent == 4096)
        #expect(fs.map(\.id) == [7, 8])
        #expect(fs[0].type == 1)
        // MoveTo(1), zigzag(10) = 20, zigzag(20) = 40.
        #expect(fs[0].commands == [9, 20, 40])
        // MoveTo(2), (11, 19), then the delta (-6, -14): zigzag 11, 27.
        #expect(fs[1].commands == [17, 22, 38, 11, 27])
        #expect(fs[0].properties == ["level": .int(4), "name": .string("Gao")])
        #expect(fs[1].properties == ["level": .int(4), "ok": .bool(true), "x": .double(1.5), "n": .int(-3)])
    }

    @Test func polygonsCloseTheirRings() {
        var layer = MVTLayerBuilder(name: "regions")
        layer.add(id: 1, properties: [], geometry: .polygons([[[(0, 0), (10, 0), (10, 10), (0, 10)]]]))
        let f = decode({ var t = MVTTileBuilder(); t.add(layer); return t.encoded() }())["regions"]!.features[0]
        #expect(f.type == 3)
        #expect(f.commands == [9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15])
    }

    @Test func stableIDsFitJavaScriptNumbers() {
        #expect(stableFeatureID("bamako") == stableFeatureID("bamako"))
        #expect(stableFeatureID("bamako") != stableFeatureID("gao"))
        #expect(stableFeatureID("MLI30001") < (1 << 53))
    }
}

@Suite struct TilerTests {
    /// Two regions sharing a long wiggly border.
    static func coverage() -> [TileFeature] {
        var border: [Position] = []
        for i in 0...200 { border.append(Position(0.01 * sin(Double(i)), 10 + Double(i) * 0.05)) }
        let west = Polygon(exterior: [Position(-5, 10)] + border + [Position(-5, 20), Position(-5, 10)])
        let east = Polygon(exterior: [Position(5, 10), Position(5, 20)] + border.reversed() + [Position(5, 10)])
        return [TileFeature(id: "west", geometry: .polygon(west), properties: []), TileFeature(id: "east", geometry: .polygon(east), properties: [])]
    }

    @Test func sharedBordersStayIdenticalAfterSimplification() throws {
        let ctx = GEOSContext()
        let objects = try Self.coverage().map { try GEOSObject(Tiler.project($0.geometry), context: ctx) }
        for z in [0, 3, 6, 9] {
            let s = try TileMaker.simplifyCoverage(objects, tolerance: WebMercator.unitSize(zoom: z, extent: 4096), ctx)
            let a = try #require(s[0]), b = try #require(s[1])
            #expect(try !a.relate(b, pattern: "T********"), "overlap at z\(z)")
            let union = try a.union(b)
            #expect(abs(try union.area() - (try a.area() + b.area())) < 1e-6 * (try union.area()), "z\(z)")
            guard case .polygon(let outline) = try union.geometry() else { Issue.record("gap at z\(z)"); continue }
            #expect(outline.holes.isEmpty)
            #expect(a.vertexCount <= objects[0].vertexCount)
        }
    }

    @Test func tilesDecodeWithValidOrientedRingsAndThinnedPoints() async throws {
        var points: [TileFeature] = []
        for i in 0..<500 {
            points.append(TileFeature(id: "p\(i)", geometry: .point(Position(-3 + Double(i % 50) * 0.001, 14 + Double(i / 50) * 0.001)),
                                      properties: [("level", .int(Int64(i % 5 + 1)))], rank: Double(i % 5 + 1)))
        }
        var options = TilerOptions()
        options.maxZoom = 10
        let tiles = try await Tiler(options: options).tiles([
            TileLayerSource(name: "regions", features: Self.coverage(), isCoverage: true),
            TileLayerSource(name: "incidents", features: points),
        ])
        #expect(tiles[TileAddress(z: 0, x: 0, y: 0)] != nil)
        for (t, bytes) in tiles {
            let d = decode(bytes)
            for f in d["regions"]?.features ?? [] {
                // The first ring of each polygon turns clockwise on screen: MoveTo, LineTo(n), ClosePath.
                #expect(f.type == 3 && f.commands.first == 9 && f.commands.last == 15, "\(t)")
                #expect(f.properties["id"] != nil)
            }
        }
        // At z0 the 500 points, all in a few hundred metres, thin to one: the highest level.
        let z0 = decode(tiles[TileAddress(z: 0, x: 0, y: 0)]!)["incidents"]!.features
        #expect(z0.count == 1 && z0[0].properties["level"] == .int(5))
        // At the maximum zoom all are kept.
        let z10 = tiles.filter { $0.key.z == 10 }.values.reduce(0) { $0 + (decode($1)["incidents"]?.features.count ?? 0) }
        #expect(z10 >= 500)
    }

    @Test func clustersCountTheirPointsAndKeepTheSummaryBelowTheMaximumZoom() async throws {
        // 40 points in a few hundred metres, one of level 5 among levels 1-4, each with a unique
        // note that the summary leaves out.
        var points: [TileFeature] = []
        for i in 0..<40 {
            let level = i == 17 ? 5 : Int64(i % 4 + 1)
            points.append(TileFeature(id: "p\(i)", geometry: .point(Position(-3 + Double(i % 8) * 0.0005, 14 + Double(i / 8) * 0.0005)),
                                      properties: [("level", .int(level)), ("note", .string("note \(i)"))], rank: Double(level)))
        }
        var options = TilerOptions()
        options.maxZoom = 12
        let tiles = try await Tiler(options: options).tiles([
            TileLayerSource(name: "incidents", features: points, policy: .ranked(summary: ["level"]))
        ])
        for z in [0, 3, 6] {
            let m = WebMercator.project(Position(-2.998, 14.001))
            let t = WebMercator.tiles(covering: BoundingBox(minX: m.x, minY: m.y, maxX: m.x, maxY: m.y), zoom: z)[0]
            let bytes = try #require(tiles[t], "z\(z): the tile holding the points")
            let f = decode(bytes)["incidents"]?.features ?? []
            #expect(f.count == 1, "z\(z): one cluster")
            #expect(f.first?.properties == ["level": .int(5), "point_count": .int(40)], "z\(z): the highest level, counting all, only the summary")
            #expect(f.first?.id == nil, "z\(z): a ranked layer carries no feature id")
        }
        // At the maximum zoom every point is itself, with all its properties and no count.
        let z12 = tiles.filter { $0.key.z == 12 }.values.flatMap { decode($0)["incidents"]?.features ?? [] }
        #expect(z12.count == 40)
        #expect(z12.allSatisfy { $0.properties["note"] != nil && $0.properties["id"] != nil && $0.properties["point_count"] == nil })
    }

    @Test func linesAreTiledAsLinesAndPolygonsStayPolygons() async throws {
        // A river-like line across two z1 tiles, and a polygon layer beside it.
        let river = TileFeature(id: "river", geometry: .lineString([Position(-20, 10), Position(-5, 14), Position(10, 12)]),
                                properties: [("kind", .string("river"))])
        let layers = [TileLayerSource(name: "base", features: [river], policy: .whole),
                      TileLayerSource(name: "regions", features: Self.coverage(), isCoverage: true)]
        var options = TilerOptions()
        options.maxZoom = 3
        let tiles = try await Tiler(options: options).tiles(layers)
        let z0 = decode(tiles[TileAddress(z: 0, x: 0, y: 0)]!)
        let line = try #require(z0["base"]?.features.first)
        #expect(line.type == 2 && line.properties["kind"] == .string("river"))
        // MoveTo 1, then LineTo of the remaining vertices.
        #expect(line.commands.first == 9 && line.commands[3] & 7 == 2)
        #expect(z0["regions"]?.features.allSatisfy { $0.type == 3 } == true)
        // Both z1 tiles the line crosses hold a piece of it; a z1 tile it misses holds none.
        #expect(decode(tiles[TileAddress(z: 1, x: 0, y: 0)]!)["base"]?.features.first?.type == 2)
        #expect(decode(tiles[TileAddress(z: 1, x: 1, y: 0)]!)["base"]?.features.first?.type == 2)
        #expect(tiles[TileAddress(z: 1, x: 0, y: 1)].map { decode($0)["base"] == nil } ?? true)
    }

    @Test func tilesMadeOnDemandAreThePyramidsTiles() async throws {
        var points: [TileFeature] = []
        for i in 0..<300 {
            points.append(TileFeature(id: "p\(i)", geometry: .point(Position(-4 + Double(i % 30) * 0.2, 11 + Double(i / 30) * 0.5)),
                                      properties: [("level", .int(Int64(i % 5 + 1)))], rank: Double(i % 5 + 1)))
        }
        let layers = [TileLayerSource(name: "regions", features: Self.coverage(), isCoverage: true), TileLayerSource(name: "incidents", features: points)]
        var options = TilerOptions()
        options.maxZoom = 7
        let pyramid = try await Tiler(options: options).tiles(layers)
        let session = try TileSession(layers: layers, options: options)
        for t in pyramid.keys.sorted() {
            #expect(try session.tile(t) == pyramid[t], "\(t)")
        }
        // A tile with nothing in it, and one past the maximum zoom, are nil.
        #expect(try session.tile(TileAddress(z: 3, x: 0, y: 0)) == nil)
        #expect(try session.tile(TileAddress(z: 8, x: 123, y: 117)) == nil)
    }
}

@Suite struct ArchiveTests {
    @Test func pmtilesTileIDsFollowTheHilbertCurves() {
        #expect(PMTilesArchive.tileID(TileAddress(z: 0, x: 0, y: 0)) == 0)
        // Zoom 1 starts at 1 and walks (0,0), (0,1), (1,1), (1,0).
        #expect([(0, 0), (0, 1), (1, 1), (1, 0)].map { PMTilesArchive.tileID(TileAddress(z: 1, x: $0.0, y: $0.1)) } == [1, 2, 3, 4])
        // Zoom 2 starts after the 1 + 4 tiles above it.
        #expect(PMTilesArchive.tileID(TileAddress(z: 2, x: 0, y: 0)) == 5)
        var ids = Set<UInt64>()
        for x in 0..<16 { for y in 0..<16 { ids.insert(PMTilesArchive.tileID(TileAddress(z: 4, x: x, y: y))) } }
        #expect(ids.count == 256 && ids.min() == 85 && ids.max() == 340)
    }

    @Test func gzipRoundTripsAndIsDeterministic() throws {
        let data = Array((0..<100_000).map { UInt8($0 % 251) })
        let packed = try Gzip.compress(data)
        #expect(packed.count < data.count / 10)
        #expect(packed[0] == 0x1F && packed[1] == 0x8B)
        #expect(try Gzip.decompress(packed) == data)
        #expect(try Gzip.compress(data) == packed)
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress([0x1F, 0x8B, 0, 1, 2]) }
    }
}

@Suite struct TileLimitTests {
    @Test func anOversizedTileKeepsItsHighestRankedFeatures() async throws {
        var areas: [TileFeature] = []
        for i in 0..<40 {
            let x = -5 + Double(i) * 0.01
            let ring = (0...64).map { k -> Position in
                let a = Double(k) / 64 * 2 * .pi
                return Position(x + 0.5 * cos(a), 14 + 0.5 * sin(a))
            }
            areas.append(TileFeature(id: "a\(i)", geometry: .polygon(Polygon(exterior: ring)), properties: [("level", .int(Int64(i % 5 + 1)))],
                                     rank: Double(i % 5 + 1)))
        }
        var options = TilerOptions()
        options.maxZoom = 4
        options.workers = 1
        let free = try await Tiler(options: options).tiles([TileLayerSource(name: "alert_areas", features: areas)])
        let biggest = free.values.map(\.count).max()!
        options.maxTileBytes = biggest / 3
        let limited = try await Tiler(options: options).tiles([TileLayerSource(name: "alert_areas", features: areas)])
        #expect(limited.values.allSatisfy { $0.count <= options.maxTileBytes })
        // What stays is the most severe: no dropped feature outranks a kept one.
        func levels(_ bytes: [UInt8]) -> [String: Int64] {
            var out: [String: Int64] = [:]
            for f in decode(bytes)["alert_areas"]?.features ?? [] {
                if case .string(let id) = f.properties["id"], case .int(let l) = f.properties["level"] { out[id] = l }
            }
            return out
        }
        var droppedSomewhere = false
        for (t, bytes) in limited {
            let kept = levels(bytes), all = levels(free[t]!)
            let dropped = all.filter { kept[$0.key] == nil }
            droppedSomewhere = droppedSomewhere || !dropped.isEmpty
            #expect((kept.values.min() ?? 5) >= (dropped.values.max() ?? 0), "\(t)")
        }
        #expect(droppedSomewhere)
    }
}
