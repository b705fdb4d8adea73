/// A property value as Mapbox Vector Tile 2.1 stores it (section 4.1, `Value`).
public enum TileValue: Hashable, Sendable {
    case string(String)
    case double(Double)
    case int(Int64)
    case bool(Bool)
}

/// The geometry of one tile feature, already in integer tile coordinates (y down): the encoder
/// does no geometry. Polygon rings are closed implicitly (the last point is not repeated); the
/// tiler gives exterior rings clockwise and holes counter-clockwise in tile space, as section
/// 4.3.4.4 of the spec requires.
public enum TileGeometry: Sendable {
    case points([(Int32, Int32)])
    case lines([[(Int32, Int32)]])
    /// Each polygon: its exterior ring first, then its holes.
    case polygons([[[(Int32, Int32)]]])
}

/// Keys and values numbered once for a whole tile set, so that a feature's properties can be
/// looked up as numbers in every tile it reaches, rather than hashed as strings again in each.
public struct PropertyTable {
    public private(set) var keys: [String] = []
    public private(set) var values: [TileValue] = []
    var keyIndex: [String: UInt32] = [:]
    var valueIndex: [TileValue: UInt32] = [:]

    public init() {}

    /// The properties as (key, value) numbers of this table, numbering what is new.
    public mutating func tags(_ properties: [(String, TileValue)]) -> [(UInt32, UInt32)] {
        properties.map { (MVTLayerBuilder.intern($0.0, &keys, &keyIndex), MVTLayerBuilder.intern($0.1, &values, &valueIndex)) }
    }
}

/// Builds one layer of a tile: features, and the key and value tables they index into, each
/// key and value stored once (vtzero's `layer_builder`), in the order first used.
public struct MVTLayerBuilder {
    public let name: String
    public let extent: Int
    var keys: [String] = []
    var keyIndex: [String: UInt32] = [:]
    var values: [TileValue] = []
    var valueIndex: [TileValue: UInt32] = [:]
    var features = ProtobufWriter()
    public private(set) var featureCount = 0
    /// A `PropertyTable`'s numbers to this layer's, for `add(id:tags:from:geometry:)`.
    var tableKeys: [UInt32: UInt32] = [:]
    var tableValues: [UInt32: UInt32] = [:]

    public init(name: String, extent: Int = 4096) {
        self.name = name
        self.extent = extent
    }

    mutating func key(_ k: String) -> UInt32 { Self.intern(k, &keys, &keyIndex) }

    mutating func value(_ v: TileValue) -> UInt32 { Self.intern(v, &values, &valueIndex) }

    /// The index of `item` in `table`, appended the first time it is seen.
    static func intern<T: Hashable>(_ item: T, _ table: inout [T], _ index: inout [T: UInt32]) -> UInt32 {
        if let i = index[item] { return i }
        let i = UInt32(table.count)
        table.append(item)
        index[item] = i
        return i
    }

    /// Adds a feature whose properties are numbers of `table` (the same table for every feature
    /// of this layer; not mixed with `add(id:properties:geometry:)`). The same bytes as adding
    /// the properties themselves.
    @discardableResult
    public mutating func add(id: UInt64?, tags numbered: [(UInt32, UInt32)], from table: PropertyTable, geometry: TileGeometry) -> Bool {
        var tags: [UInt32] = []
        tags.reserveCapacity(numbered.count * 2)
        for (k, v) in numbered {
            tags.append(Self.local(k, &tableKeys, &keys, table.keys))
            tags.append(Self.local(v, &tableValues, &values, table.values))
        }
        return add(id: id, tags: tags, geometry: geometry)
    }

    /// This layer's index of entry `n` of a table, the entry appended the first time it is used.
    static func local<T>(_ n: UInt32, _ known: inout [UInt32: UInt32], _ entries: inout [T], _ table: [T]) -> UInt32 {
        if let i = known[n] { return i }
        let i = UInt32(entries.count)
        entries.append(table[Int(n)])
        known[n] = i
        return i
    }

    /// Adds a feature. Returns false, adding nothing, when the geometry is empty.
    @discardableResult
    public mutating func add(id: UInt64?, properties: [(String, TileValue)], geometry: TileGeometry) -> Bool {
        var tags: [UInt32] = []
        for (k, v) in properties {
            tags.append(key(k))
            tags.append(value(v))
        }
        return add(id: id, tags: tags, geometry: geometry)
    }

    mutating func add(id: UInt64?, tags: [UInt32], geometry: TileGeometry) -> Bool {
        var commands: [UInt32] = []
        let type: UInt32
        var cx: Int32 = 0, cy: Int32 = 0
        func moveTo(_ count: Int) { commands.append(UInt32(1 | (count << 3))) }
        func lineTo(_ count: Int) { commands.append(UInt32(2 | (count << 3))) }
        func point(_ p: (Int32, Int32)) {
            commands.append(zigzag(p.0 &- cx))
            commands.append(zigzag(p.1 &- cy))
            cx = p.0
            cy = p.1
        }
        switch geometry {
        case .points(let ps):
            guard !ps.isEmpty else { return false }
            type = 1
            moveTo(ps.count)
            for p in ps { point(p) }
        case .lines(let ls):
            type = 2
            for l in ls where l.count >= 2 {
                moveTo(1)
                point(l[0])
                lineTo(l.count - 1)
                for p in l.dropFirst() { point(p) }
            }
        case .polygons(let polys):
            type = 3
            for poly in polys {
                for ring in poly where ring.count >= 3 {
                    moveTo(1)
                    point(ring[0])
                    lineTo(ring.count - 1)
                    for p in ring.dropFirst() { point(p) }
                    commands.append(7 | (1 << 3))  // ClosePath
                }
            }
        }
        guard !commands.isEmpty else { return false }
        var f = ProtobufWriter()
        if let id { f.varintField(1, id) }
        f.packed(2, tags)
        f.varintField(3, UInt64(type))
        f.packed(4, commands)
        features.bytesField(2, f.bytes)
        featureCount += 1
        return true
    }

    /// The encoded `Layer` message.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        w.varintField(15, 2)  // version 2
        w.stringField(1, name)
        w.raw(features.bytes)
        for k in keys { w.stringField(3, k) }
        for v in values {
            var vw = ProtobufWriter()
            switch v {
            case .string(let s): vw.stringField(1, s)
            case .double(let d): vw.fixed64Field(3, d.bitPattern)
            case .int(let i): i >= 0 ? vw.varintField(5, UInt64(i)) : vw.varintField(6, UInt64(zigzag64(i)))
            case .bool(let b): vw.varintField(7, b ? 1 : 0)
            }
            w.bytesField(4, vw.bytes)
        }
        w.varintField(5, UInt64(extent))
        return w.bytes
    }
}

/// A whole tile: its layers in order (`Tile`, field 3).
public struct MVTTileBuilder {
    var layers: [MVTLayerBuilder] = []

    public init() {}

    public mutating func add(_ layer: MVTLayerBuilder) {
        if layer.featureCount > 0 { layers.append(layer) }
    }

    public var isEmpty: Bool { layers.isEmpty }

    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        for l in layers { w.bytesField(3, l.encoded()) }
        return w.bytes
    }
}

@inline(__always) func zigzag(_ v: Int32) -> UInt32 { UInt32(bitPattern: (v << 1) ^ (v >> 31)) }
@inline(__always) func zigzag64(_ v: Int64) -> Int64 { (v << 1) ^ (v >> 63) }

/// The protocol-buffers wire format, the little of it that tiles need.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func varintField(_ field: Int, _ v: UInt64) {
        varint(UInt64(field << 3))
        varint(v)
    }

    mutating func bytesField(_ field: Int, _ b: [UInt8]) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    mutating func stringField(_ field: Int, _ s: String) { bytesField(field, Array(s.utf8)) }

    mutating func fixed64Field(_ field: Int, _ v: UInt64) {
        varint(UInt64(field << 3 | 1))
        for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) }
    }

    mutating func packed(_ field: Int, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(v)) }
        bytesField(field, inner.bytes)
    }
}

/// A stable 53-bit feature id from a string id (FNV-1a), so that the same feature has the same id
/// in every tile and run, and JavaScript clients read it exactly.
public func stableFeatureID(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h & ((1 << 53) - 1)
}
