import Foundation
import Geo

/// One feature to tile: lon/lat geometry, a string id unique in its layer (its MVT id is
/// `stableFeatureID(id)` where the layer gives ids), the property `id` (the id itself unless the layer names its features
/// otherwise, as labels name their region or zone), flat properties, and a rank that decides which
/// points stay when low zooms are thinned (higher stays).
public struct TileFeature: Sendable {
    public var id: String
    public var idProperty: String
    public var geometry: Geometry
    public var properties: [(String, TileValue)]
    public var rank: Double

    public init(id: String, idProperty: String? = nil, geometry: Geometry, properties: [(String, TileValue)], rank: Double = 0) {
        self.id = id
        self.idProperty = idProperty ?? id
        self.geometry = geometry
        self.properties = properties
        self.rank = rank
    }
}

/// How a layer is tiled, as data of the layer.
public struct TilePolicy: Sendable, Equatable {
    /// Polygons that share borders exactly (regions, zones): the borders are simplified once per
    /// zoom and the faces rebuilt from them, so that neighbours keep identical borders at every zoom.
    public var sharesBorders: Bool
    /// Whether a tile over its size or feature limit may leave out the layer's lower-ranked
    /// features, and whether its points are clustered below the maximum zoom: one per cell of
    /// `TilerOptions.pointCell` tile units, the highest ranked standing for the others, with
    /// `point_count` (how many it stands for) when that is more than one. A layer that may not be
    /// dropped (coverages, labels) is always whole.
    public var droppable: Bool
    /// The properties a feature keeps below the maximum zoom, where it is seen from afar (the
    /// property `id` among them only when named); nil keeps them all at every zoom.
    public var summary: [String]?
    /// Whether the layer's features carry an MVT feature id (`stableFeatureID` of their id). A
    /// layer of many features may leave it out: it costs eight bytes a feature in every tile that
    /// gzip cannot shrink, and the `id` property names each feature (MapLibre's `promoteId` uses
    /// it for feature state).
    public var featureIDs: Bool

    public init(sharesBorders: Bool, droppable: Bool, summary: [String]? = nil, featureIDs: Bool = true) {
        self.sharesBorders = sharesBorders
        self.droppable = droppable
        self.summary = summary
        self.featureIDs = featureIDs
    }

    /// A coverage: shared borders, never dropped.
    public static let coverage = TilePolicy(sharesBorders: true, droppable: false)
    /// Every feature in every tile it reaches.
    public static let whole = TilePolicy(sharesBorders: false, droppable: false)
    /// The highest-ranked features kept first when a tile is over its limits; points clustered
    /// below the maximum zoom; no feature ids (such a layer is the many features of a tile).
    public static let ranked = TilePolicy(sharesBorders: false, droppable: true, featureIDs: false)
    /// Ranked, keeping only `summary`'s properties (and `point_count`) below the maximum zoom,
    /// and no feature ids.
    public static func ranked(summary: [String]) -> TilePolicy {
        TilePolicy(sharesBorders: false, droppable: true, summary: summary, featureIDs: false)
    }
}

/// A layer to tile, with its policy.
public struct TileLayerSource: Sendable {
    public var name: String
    public var features: [TileFeature]
    public var policy: TilePolicy
    public var isCoverage: Bool { policy.sharesBorders }

    public init(name: String, features: [TileFeature], policy: TilePolicy) {
        self.name = name
        self.features = features
        self.policy = policy
    }

    /// A coverage layer, or one whose features may be dropped from an oversized tile.
    public init(name: String, features: [TileFeature], isCoverage: Bool = false) {
        self.init(name: name, features: features, policy: isCoverage ? .coverage : .ranked)
    }
}

public struct TilerOptions: Sendable {
    public var minZoom = 0
    public var maxZoom = 12
    public var extent = 4096
    /// Tile units of buffer around each tile, so that lines and outlines continue past its edge.
    public var buffer = 64
    /// Below the maximum zoom, the points of a droppable layer are clustered to one per cell of
    /// this many tile units, the highest ranked kept: at most (extent / cell)² points per tile.
    /// 256 of 4096 is 32 pixels of a 512-pixel tile, about MapLibre's own clustering radius.
    public var pointCell = 256
    /// How many tasks share the work.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// The most a tile may weigh and hold (tippecanoe's defaults). A tile over either limit is
    /// made again with only the higher-ranked half of its non-coverage features, until it fits.
    public var maxTileBytes = 500 * 1024
    public var maxTileFeatures = 200_000

    public init() {}
}

/// Cuts layers into Mapbox Vector Tiles (section 4 of the 2.1 spec): per zoom, simplify to about
/// a tile unit, clip each tile with a buffer, snap to the integer grid with GEOS (which repairs what
/// snapping breaks and drops what collapses), orient rings, and encode; a tile over the size or
/// feature limit keeps its most severe features. Only tiles with content are returned. Work is shared among tasks, each with its own GEOS context.
public struct Tiler: Sendable {
    public var options: TilerOptions

    public init(options: TilerOptions = TilerOptions()) { self.options = options }

    /// Every tile with content, encoded (not compressed).
    public func tiles(_ layers: [TileLayerSource], progress: (@Sendable (Int) -> Void)? = nil) async throws -> [TileAddress: [UInt8]] {
        let projected = Self.projected(layers)
        let options = self.options
        return try await withThrowingTaskGroup(of: [TileAddress: [UInt8]].self) { group in
            for w in 0..<options.workers {
                group.addTask {
                    try TileWorker(layers: projected, options: options, worker: w, progress: progress).run()
                }
            }
            var all: [TileAddress: [UInt8]] = [:]
            for try await part in group { all.merge(part) { a, _ in a } }
            return all
        }
    }

    /// The layers in Web Mercator metres, as the tiler works on them.
    static func projected(_ layers: [TileLayerSource]) -> [TileLayerSource] {
        layers.map { l in
            TileLayerSource(name: l.name, features: l.features.map { f in
                var g = f
                g.geometry = project(f.geometry)
                return g
            }, policy: l.policy)
        }
    }

    static func project(_ g: Geometry) -> Geometry {
        func ps(_ a: [Position]) -> [Position] { a.map(WebMercator.project) }
        switch g {
        case .point(let p): return .point(WebMercator.project(p))
        case .multiPoint(let a): return .multiPoint(ps(a))
        case .lineString(let a): return .lineString(ps(a))
        case .multiLineString(let a): return .multiLineString(a.map(ps))
        case .polygon(let p): return .polygon(Polygon(rings: p.rings.map(ps)))
        case .multiPolygon(let a): return .multiPolygon(a.map { Polygon(rings: $0.rings.map(ps)) })
        case .geometryCollection(let a): return .geometryCollection(a.map(project))
        }
    }
}

/// One task's share of the tiles: those whose (x + y) modulo the worker count is its number.
struct TileWorker {
    let layers: [TileLayerSource]
    let options: TilerOptions
    let worker: Int
    let progress: (@Sendable (Int) -> Void)?

    func run() throws -> [TileAddress: [UInt8]] {
        let maker = try TileMaker(layers: layers, options: options, context: GEOSContext())
        var out: [TileAddress: [UInt8]] = [:]
        for z in options.minZoom...options.maxZoom {
            let plan = try maker.plan(zoom: z) { ($0.x + $0.y) % options.workers == worker }
            let before = out.count
            for t in plan.tiles.keys {
                if let bytes = try maker.tile(t, plan) { out[t] = bytes }
            }
            progress?(out.count - before)
        }
        return out
    }
}

/// A point kept at a zoom: its feature, where it is, and how many points of the layer it stands
/// for (itself and those of its cluster cell).
struct KeptPoint {
    let feature: Int
    let position: Position
    let count: Int
}

/// What one zoom needs to make its tiles: every feature's shape simplified for the zoom, the
/// points kept at it, and which features each tile holds (an index of a shape, or -1 - the index
/// of a kept point).
struct ZoomPlan {
    let zoom: Int
    let shapes: [[GEOSObject?]]
    /// Each shape's box, as the plan found it.
    let bounds: [[BoundingBox?]]
    let points: [[KeptPoint]]
    let tiles: [TileAddress: [[Int]]]
    /// Shapes prepared for the "does it cover the whole tile" test, made when first needed.
    let prepared = PreparedShapes()
}

/// Prepared forms of a plan's shapes, made on first use (most shapes never need one).
final class PreparedShapes {
    private var made: [Int: [Int: PreparedGeometry]] = [:]

    func get(_ layer: Int, _ index: Int, _ shape: GEOSObject) throws -> PreparedGeometry {
        if let p = made[layer]?[index] { return p }
        let p = try shape.prepared()
        made[layer, default: [:]][index] = p
        return p
    }
}

/// Makes tiles from projected layers with one GEOS context: a zoom's plan, then any of its tiles.
/// Not for use from two threads at once.
final class TileMaker {
    let layers: [TileLayerSource]
    let options: TilerOptions
    let ctx: GEOSContext
    /// The GEOS form of every non-point feature, made once.
    let objects: [[GEOSObject?]]
    /// Every layer's points (feature, position), the highest ranked first (ties by id) in a
    /// droppable layer, so that clustering keeps the most severe: sorted once, used at every zoom.
    let pointOrder: [[(Int, Position)]]
    /// Each layer's keys and values, numbered once; each feature's properties as those numbers
    /// (all of them, and its summary in a layer with a summary policy).
    var tables: [PropertyTable]
    let full: [[[(UInt32, UInt32)]]]
    let summaries: [[[(UInt32, UInt32)]]?]

    init(layers: [TileLayerSource], options: TilerOptions, context: GEOSContext) throws {
        self.layers = layers
        self.options = options
        self.ctx = context
        objects = try layers.map { l in
            try l.features.map { f in
                if case .point = f.geometry { return nil }
                if case .multiPoint = f.geometry { return nil }
                return try GEOSObject(f.geometry, context: context)
            }
        }
        pointOrder = layers.map { l in
            var points: [(Int, Position)] = []
            for (fi, f) in l.features.enumerated() {
                if case .point(let p) = f.geometry { points.append((fi, p)) }
                if case .multiPoint(let ps) = f.geometry { for p in ps { points.append((fi, p)) } }
            }
            guard l.policy.droppable else { return points }
            let features = l.features
            return points.sorted { a, b in
                let fa = features[a.0], fb = features[b.0]
                return fa.rank != fb.rank ? fa.rank > fb.rank : fa.id < fb.id
            }
        }
        var tables = Array(repeating: PropertyTable(), count: layers.count)
        var full: [[[(UInt32, UInt32)]]] = []
        var summaries: [[[(UInt32, UInt32)]]?] = []
        for (li, l) in layers.enumerated() {
            full.append(l.features.map { f in tables[li].tags([("id", .string(f.idProperty))] + f.properties) })
            summaries.append(l.policy.summary.map { names in
                l.features.map { f in
                    tables[li].tags(names.compactMap { name in
                        name == "id" ? ("id", .string(f.idProperty)) : f.properties.first { $0.0 == name }
                    })
                }
            })
        }
        self.tables = tables
        self.full = full
        self.summaries = summaries
    }

    /// Adds a feature with its properties for zoom `z` (`properties(layer:feature:zoom:count:)`).
    func add(_ fi: Int, layer li: Int, zoom z: Int, count: Int = 1, geometry: TileGeometry, to layer: inout MVTLayerBuilder) {
        layer.add(id: featureID(li, layers[li].features[fi]), tags: properties(layer: li, feature: fi, zoom: z, count: count),
                  from: tables[li], geometry: geometry)
    }

    /// A feature's MVT id, if its layer gives them.
    func featureID(_ li: Int, _ f: TileFeature) -> UInt64? {
        layers[li].policy.featureIDs ? stableFeatureID(f.id) : nil
    }

    /// What a feature carries in a tile of zoom `z`, as numbers of its layer's table: every
    /// property at the maximum zoom (or in a layer without a summary), else its summary;
    /// `point_count` when it stands for others.
    func properties(layer li: Int, feature fi: Int, zoom z: Int, count: Int = 1) -> [(UInt32, UInt32)] {
        var out = z < options.maxZoom ? summaries[li]?[fi] ?? full[li][fi] : full[li][fi]
        if count > 1 { out += tables[li].tags([("point_count", .int(Int64(count)))]) }
        return out
    }

    /// A zoom's shapes and points, with the tiles that `keep` accepts.
    func plan(zoom z: Int, keep: (TileAddress) -> Bool) throws -> ZoomPlan {
        let tolerance = WebMercator.unitSize(zoom: z, extent: options.extent)
        var shapes: [[GEOSObject?]] = []
        var bounds: [[BoundingBox?]] = []
        var points: [[KeptPoint]] = []
        var byTile: [TileAddress: [[Int]]] = [:]
        let pad = tolerance * Double(options.buffer)
        for (li, l) in layers.enumerated() {
            let simplified = try l.isCoverage
                ? Self.simplifyCoverage(objects[li], tolerance: tolerance, ctx)
                : objects[li].map { try $0?.simplifiedPreservingTopology(tolerance: tolerance) }
            shapes.append(simplified)
            let boxes = simplified.map { $0?.bounds }
            bounds.append(boxes)
            let kept = z < options.maxZoom && l.policy.droppable
                ? Self.cluster(pointOrder[li], zoom: z, cell: options.pointCell, extent: options.extent)
                : pointOrder[li].map { KeptPoint(feature: $0.0, position: $0.1, count: 1) }
            points.append(kept)
            for (fi, b) in boxes.enumerated() {
                guard let b else { continue }
                let box = BoundingBox(minX: b.minX - pad, minY: b.minY - pad, maxX: b.maxX + pad, maxY: b.maxY + pad)
                for t in WebMercator.tiles(covering: box, zoom: z) where keep(t) {
                    byTile[t, default: Array(repeating: [], count: layers.count)][li].append(fi)
                }
            }
            for (k, point) in kept.enumerated() {
                let p = point.position
                let box = BoundingBox(minX: p.x - pad, minY: p.y - pad, maxX: p.x + pad, maxY: p.y + pad)
                for t in WebMercator.tiles(covering: box, zoom: z) where keep(t) {
                    byTile[t, default: Array(repeating: [], count: layers.count)][li].append(-1 - k)
                }
            }
        }
        return ZoomPlan(zoom: z, shapes: shapes, bounds: bounds, points: points, tiles: byTile)
    }

    /// One tile of a planned zoom, encoded; nil when nothing lands in it. A tile over the size or
    /// feature limit is made again with the higher-ranked half of its droppable features.
    func tile(_ t: TileAddress, _ plan: ZoomPlan) throws -> [UInt8]? {
        guard var perLayer = plan.tiles[t] else { return nil }
        while true {
            var tile = MVTTileBuilder()
            var features = 0
            for (li, indices) in perLayer.enumerated() where !indices.isEmpty {
                var layer = MVTLayerBuilder(name: layers[li].name, extent: options.extent)
                try encode(indices, layer: li, tile: t, plan: plan, into: &layer)
                features += layer.featureCount
                tile.add(layer)
            }
            if tile.isEmpty { return nil }
            let bytes = tile.encoded()
            if (bytes.count <= options.maxTileBytes && features <= options.maxTileFeatures) || !dropHalf(&perLayer, points: plan.points) {
                return bytes
            }
        }
    }

    func encode(_ indices: [Int], layer li: Int, tile t: TileAddress, plan: ZoomPlan, into layer: inout MVTLayerBuilder) throws {
        let shapes = plan.shapes[li], points = plan.points[li]
        let b = t.mercatorBounds
        let extent = Double(options.extent)
        let scale = extent / (b.maxX - b.minX)
        let pad = Double(options.buffer) / scale
        let clip = BoundingBox(minX: b.minX - pad, minY: b.minY - pad, maxX: b.maxX + pad, maxY: b.maxY + pad)
        // A polygon that covers the whole buffered tile is that square, whatever its shape: no
        // clipping or snapping (at high zooms most polygons of a tile are such squares).
        var clipObject: GEOSObject?
        let lo = Int32(-options.buffer), hi = Int32(options.extent + options.buffer)
        // Clockwise on screen from the bottom-left corner, as GEOS's clipped square comes out.
        let square: [[[(Int32, Int32)]]] = [[[(lo, hi), (lo, lo), (hi, lo), (hi, hi)]]]
        var pointGroups: [Int: [(Int32, Int32)]] = [:]
        var pointCounts: [Int: Int] = [:]
        var order: [Int] = []
        for i in indices.sorted(by: { ($0 < 0 ? -$0 : $0) < ($1 < 0 ? -$1 : $1) }) {
            if i < 0 {
                let point = points[-1 - i]
                let fi = point.feature, p = point.position
                let x = ((p.x - b.minX) * scale).rounded(), y = ((b.maxY - p.y) * scale).rounded()
                if pointGroups[fi] == nil { order.append(fi) }
                pointGroups[fi, default: []].append((Int32(x), Int32(y)))
                pointCounts[fi, default: 0] += point.count
                continue
            }
            guard let shape = shapes[i] else { continue }
            if !layers[li].features[i].geometry.isLineal, let box = plan.bounds[li][i], box.minX <= clip.minX, box.minY <= clip.minY,
               box.maxX >= clip.maxX, box.maxY >= clip.maxY {
                if clipObject == nil {
                    clipObject = try GEOSObject(.polygon(Polygon(rings: [[Position(clip.minX, clip.minY), Position(clip.maxX, clip.minY),
                                                                          Position(clip.maxX, clip.maxY), Position(clip.minX, clip.maxY),
                                                                          Position(clip.minX, clip.minY)]])), context: ctx)
                }
                if try plan.prepared.get(li, i, shape).covers(clipObject!) {
                    add(i, layer: li, zoom: t.z, geometry: .polygons(square), to: &layer)
                    continue
                }
            }
            let clipped = try shape.clipped(to: clip)
            if clipped.isEmpty { continue }
            let local = try clipped.scaled(sx: scale, sy: -scale, tx: -b.minX * scale, ty: b.maxY * scale)
            // Snap to the tile grid: rounding alone where that leaves the shape valid (most shapes),
            // else GEOS's snap rounding, which repairs what rounding breaks and drops what collapses.
            var snapped = try local.withPrecision(gridSize: 1, keepingTopology: false)
            if !(try snapped.isValid()) { snapped = try local.withPrecision(gridSize: 1) }
            if snapped.isEmpty { continue }
            if layers[li].features[i].geometry.isLineal {
                // Lines (borders, coasts, rivers): each part with two or more distinct vertices.
                let lines: [[(Int32, Int32)]] = try snapped.geometry().lineStrings.compactMap { line in
                    var out: [(Int32, Int32)] = []
                    for p in line {
                        let v = (Int32(p.x.rounded()), Int32(p.y.rounded()))
                        if out.last.map({ $0 != v }) ?? true { out.append(v) }
                    }
                    return out.count >= 2 ? out : nil
                }
                if !lines.isEmpty {
                    add(i, layer: li, zoom: t.z, geometry: .lines(lines), to: &layer)
                }
                continue
            }
            let polys = try snapped.geometry().polygons
            let rings: [[[(Int32, Int32)]]] = polys.compactMap { poly in
                var out: [[(Int32, Int32)]] = []
                for (k, ring) in poly.rings.enumerated() {
                    var r = ring.map { (Int32($0.x.rounded()), Int32($0.y.rounded())) }
                    if r.count > 1, r.first! == r.last! { r.removeLast() }
                    guard r.count >= 3 else { continue }
                    // In tile space (y down) the spec wants exteriors with positive area (clockwise
                    // on screen) and holes negative.
                    let area = Self.area(r)
                    if area == 0 { continue }
                    if (k == 0) != (area > 0) { r.reverse() }
                    if k == 0 { out.append(r) } else if !out.isEmpty { out.append(r) }
                }
                return out.isEmpty ? nil : out
            }
            guard !rings.isEmpty else { continue }
            add(i, layer: li, zoom: t.z, geometry: .polygons(rings), to: &layer)
        }
        for fi in order {
            add(fi, layer: li, zoom: t.z, count: pointCounts[fi]!, geometry: .points(pointGroups[fi]!), to: &layer)
        }
    }

    /// Keeps the higher-ranked half of every non-coverage layer's features in a tile (ties by
    /// id); false when there is nothing left to drop.
    func dropHalf(_ perLayer: inout [[Int]], points: [[KeptPoint]]) -> Bool {
        var dropped = false
        for li in perLayer.indices where layers[li].policy.droppable && perLayer[li].count > 1 {
            let features = layers[li].features
            func feature(_ i: Int) -> TileFeature { features[i < 0 ? points[li][-1 - i].feature : i] }
            let ranked = perLayer[li].sorted { a, b in
                let fa = feature(a), fb = feature(b)
                return fa.rank != fb.rank ? fa.rank > fb.rank : fa.id < fb.id
            }
            perLayer[li] = Array(ranked.prefix(ranked.count / 2))
            dropped = true
        }
        return dropped
    }

    /// The shoelace sum in tile space: positive for a ring clockwise on screen (y down).
    static func area(_ r: [(Int32, Int32)]) -> Int64 {
        var s: Int64 = 0
        for i in r.indices {
            let a = r[i], b = r[(i + 1) % r.count]
            s += Int64(a.0) * Int64(b.1) - Int64(b.0) * Int64(a.1)
        }
        return s
    }

    /// Points kept at a zoom below the maximum: `ordered` (highest rank first) clustered to one
    /// per cell of `cell` tile units, the first of each cell kept and counting the others.
    static func cluster(_ ordered: [(Int, Position)], zoom: Int, cell: Int, extent: Int) -> [KeptPoint] {
        let size = WebMercator.unitSize(zoom: zoom, extent: extent) * Double(cell)
        var slot: [Int64: Int] = [:]
        slot.reserveCapacity(min(ordered.count, 1 << 16))
        var out: [(Int, Position, Int)] = []
        for (fi, p) in ordered {
            let cx = Int64(((p.x + WebMercator.halfWorld) / size).rounded(.down))
            let cy = Int64(((WebMercator.halfWorld - p.y) / size).rounded(.down))
            let key = cx << 32 | cy
            if let k = slot[key] {
                out[k].2 += 1
            } else {
                slot[key] = out.count
                out.append((fi, p, 1))
            }
        }
        return out.map { KeptPoint(feature: $0.0, position: $0.1, count: $0.2) }
    }

    /// A coverage's polygons simplified with their shared borders kept identical: the borders are
    /// noded and merged into edges between junctions, simplified together so that no edge crosses
    /// another (GEOS topology-preserving simplification of the whole set), and the faces rebuilt by
    /// polygonizing them; each face goes back to the polygon that holds a point of it.
    static func simplifyCoverage(_ objects: [GEOSObject?], tolerance: Double, _ ctx: GEOSContext) throws -> [GEOSObject?] {
        let present = objects.compactMap { $0 }
        guard !present.isEmpty else { return objects }
        let edges = try ctx.collection(try present.map { try $0.boundary() }).unaryUnion().lineMerged()
        let simplified = try edges.simplifiedPreservingTopology(tolerance: tolerance)
        let faces = try ctx.polygonize([try simplified.unaryUnion()]).parts()
        var assigned: [[GEOSObject]] = Array(repeating: [], count: objects.count)
        let prepared = try objects.map { try $0?.prepared() }
        for face in faces {
            let p = try face.pointOnSurface()
            if let i = try prepared.firstIndex(where: { try $0?.covers(p) ?? false }) { assigned[i].append(face) }
        }
        return try objects.indices.map { i in
            guard objects[i] != nil else { return nil }
            if assigned[i].isEmpty { return nil }  // collapsed at this zoom
            return assigned[i].count == 1 ? assigned[i][0] : try ctx.collection(assigned[i]).unaryUnion()
        }
    }
}
