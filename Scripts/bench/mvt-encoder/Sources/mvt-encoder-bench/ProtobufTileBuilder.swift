import SwiftProtobuf
import VectorTiles

/// The alternative to `MVTLayerBuilder`: the same API and the same key and value tables (each
/// key and value stored once, found through a dictionary), but features held as the messages
/// protoc-gen-swift generates from vector_tile.proto, and swift-protobuf doing the serializing.
struct ProtobufLayerBuilder {
    let name: String
    let extent: Int
    private var keys: [String] = []
    private var keyIndex: [String: UInt32] = [:]
    private var values: [VectorTile_Tile.Value] = []
    private var valueIndex: [TileValue: UInt32] = [:]
    private var features: [VectorTile_Tile.Feature] = []

    var featureCount: Int { features.count }

    init(name: String, extent: Int = 4096) {
        self.name = name
        self.extent = extent
    }

    private mutating func key(_ k: String) -> UInt32 {
        if let i = keyIndex[k] { return i }
        let i = UInt32(keys.count)
        keys.append(k)
        keyIndex[k] = i
        return i
    }

    private mutating func value(_ v: TileValue) -> UInt32 {
        if let i = valueIndex[v] { return i }
        let i = UInt32(values.count)
        var message = VectorTile_Tile.Value()
        // The fields ThreatMap's encoder picks: an integer goes to uint_value, or sint_value when negative.
        switch v {
        case .string(let s): message.stringValue = s
        case .double(let d): message.doubleValue = d
        case .int(let n): if n >= 0 { message.uintValue = UInt64(n) } else { message.sintValue = n }
        case .bool(let b): message.boolValue = b
        }
        values.append(message)
        valueIndex[v] = i
        return i
    }

    /// Adds a feature. Returns false, adding nothing, when the geometry is empty.
    @discardableResult
    mutating func add(id: UInt64?, properties: [(String, TileValue)], geometry: TileGeometry) -> Bool {
        let (type, commands) = GeometryCommands.encode(geometry)
        guard !commands.isEmpty else { return false }
        var feature = VectorTile_Tile.Feature()
        if let id { feature.id = id }
        var tags: [UInt32] = []
        for (k, v) in properties {
            tags.append(key(k))
            tags.append(value(v))
        }
        feature.tags = tags
        feature.type = type
        feature.geometry = commands
        features.append(feature)
        return true
    }

    /// The `Layer` message, version 2 as ThreatMap writes it.
    var message: VectorTile_Tile.Layer {
        var layer = VectorTile_Tile.Layer()
        layer.version = 2
        layer.name = name
        layer.features = features
        layer.keys = keys
        layer.values = values
        layer.extent = UInt32(extent)
        return layer
    }
}

/// The alternative to `MVTTileBuilder`: a tile's layers in order, serialized by swift-protobuf.
struct ProtobufTileBuilder {
    private var layers: [VectorTile_Tile.Layer] = []

    mutating func add(_ layer: ProtobufLayerBuilder) {
        if layer.featureCount > 0 { layers.append(layer.message) }
    }

    var message: VectorTile_Tile {
        var tile = VectorTile_Tile()
        tile.layers = layers
        return tile
    }

    func encoded() throws -> [UInt8] { try message.serializedBytes() }
}

/// A feature's geometry as MVT command integers (section 4.3 of the spec): MoveTo, LineTo and
/// ClosePath commands with their counts, coordinates as zig-zag deltas from the previous point.
struct GeometryCommands {
    private var integers: [UInt32] = []
    private var x: Int32 = 0
    private var y: Int32 = 0

    static func encode(_ geometry: TileGeometry) -> (VectorTile_Tile.GeomType, [UInt32]) {
        var c = GeometryCommands()
        switch geometry {
        case .points(let points):
            if !points.isEmpty {
                c.command(1, count: points.count)
                for p in points { c.point(p) }
            }
            return (.point, c.integers)
        case .lines(let lines):
            for line in lines where line.count >= 2 {
                c.path(line)
            }
            return (.linestring, c.integers)
        case .polygons(let polygons):
            for ring in polygons.joined() where ring.count >= 3 {
                c.path(ring)
                c.command(7, count: 1)
            }
            return (.polygon, c.integers)
        }
    }

    private mutating func command(_ id: UInt32, count: Int) { integers.append(id | UInt32(count) << 3) }

    private mutating func point(_ p: (Int32, Int32)) {
        integers.append(Self.zigzag(p.0 &- x))
        integers.append(Self.zigzag(p.1 &- y))
        (x, y) = p
    }

    private static func zigzag(_ v: Int32) -> UInt32 { UInt32(bitPattern: (v << 1) ^ (v >> 31)) }

    /// MoveTo the first point, LineTo the rest.
    private mutating func path(_ points: [(Int32, Int32)]) {
        command(1, count: 1)
        point(points[0])
        command(2, count: points.count - 1)
        for p in points.dropFirst() { point(p) }
    }
}
