import Geo

/// A tile that does not follow the Mapbox Vector Tile 2.1 encoding, with the byte offset where
/// reading stopped.
public struct MVTDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "vector tile, byte \(offset): \(message)" }
}

/// Reads a Mapbox Vector Tile 2.1 (vector-tile-spec 2.1, section 4) into readable JSON: each layer
/// with its version, extent and features; each feature with its id, type, properties (tags
/// resolved through the layer's keys and values) and geometry as integer tile coordinates
/// (commands decoded, section 4.3: parts of points, lines or rings, rings closed). For golden
/// files and round-trip checks: a change in a tile shows as a diff a person can read. Every
/// length and index is checked against the bytes: a corrupt tile is an error, never a trap.
public enum MVTDecoder {
    public static func json(_ tile: [UInt8]) throws(MVTDecodeError) -> JSONValue {
        var reader = ProtobufReader(tile[...], base: 0)
        var layers: [JSONValue] = []
        while let field = try reader.next() {
            guard field.number == 3, case .bytes(let payload, let at) = field.value else { continue }
            layers.append(try layer(payload, at: at))
        }
        return .object(["layers": .array(layers)])
    }

    static func layer(_ bytes: ArraySlice<UInt8>, at base: Int) throws(MVTDecodeError) -> JSONValue {
        var reader = ProtobufReader(bytes, base: base)
        var name = "", version = 1, extent = 4096
        var keys: [String] = [], values: [JSONValue] = [], features: [(ArraySlice<UInt8>, Int)] = []
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (15, .varint(let v)): version = Int(truncatingIfNeeded: v)
            case (1, .bytes(let b, _)): name = String(decoding: b, as: UTF8.self)
            case (2, .bytes(let b, let at)): features.append((b, at))
            case (3, .bytes(let b, _)): keys.append(String(decoding: b, as: UTF8.self))
            case (4, .bytes(let b, let at)): values.append(try value(b, at: at))
            case (5, .varint(let v)): extent = Int(truncatingIfNeeded: v)
            default: continue
            }
        }
        var out: [JSONValue] = []
        for (b, at) in features { out.append(try feature(b, at: at, keys: keys, values: values)) }
        return .object(["name": .string(name), "version": .int(version), "extent": .int(extent), "features": .array(out)])
    }

    static func value(_ bytes: ArraySlice<UInt8>, at base: Int) throws(MVTDecodeError) -> JSONValue {
        var reader = ProtobufReader(bytes, base: base)
        var result: JSONValue = .null
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let b, _)): result = .string(String(decoding: b, as: UTF8.self))
            case (2, .fixed32(let bits)): result = .double(Double(Float(bitPattern: bits)))
            case (3, .fixed64(let bits)): result = .double(Double(bitPattern: bits))
            case (4, .varint(let v)): result = .int(Int(truncatingIfNeeded: Int64(bitPattern: v)))
            case (5, .varint(let v)): result = v <= UInt64(Int.max) ? .int(Int(v)) : .double(Double(v))
            case (6, .varint(let v)): result = .int(Int(truncatingIfNeeded: Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)))
            case (7, .varint(let v)): result = .bool(v != 0)
            default: continue
            }
        }
        return result
    }

    static func feature(_ bytes: ArraySlice<UInt8>, at base: Int, keys: [String], values: [JSONValue]) throws(MVTDecodeError) -> JSONValue {
        var reader = ProtobufReader(bytes, base: base)
        var id: JSONValue = .null, type = 0
        var tags: [UInt64] = [], commands: [UInt64] = [], geometryAt = base
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .varint(let v)): id = v <= UInt64(Int.max) ? .int(Int(v)) : .double(Double(v))
            case (2, .bytes(let b, let at)): tags = try ProtobufReader.packed(b, at: at)
            case (3, .varint(let v)): type = Int(truncatingIfNeeded: v)
            case (4, .bytes(let b, let at)): commands = try ProtobufReader.packed(b, at: at); geometryAt = at
            default: continue
            }
        }
        guard tags.count % 2 == 0 else { throw MVTDecodeError(offset: base, message: "a feature has an odd number of tags") }
        var properties = JSONObject()
        for i in stride(from: 0, to: tags.count, by: 2) {
            guard tags[i] < UInt64(keys.count), tags[i + 1] < UInt64(values.count) else {
                throw MVTDecodeError(offset: base, message: "a tag names key \(tags[i]) or value \(tags[i + 1]), past the layer's \(keys.count) keys and \(values.count) values")
            }
            properties[keys[Int(tags[i])]] = values[Int(tags[i + 1])]
        }
        let names = [0: "Unknown", 1: "Point", 2: "LineString", 3: "Polygon"]
        return .object([
            "id": id, "type": .string(names[type] ?? "type \(type)"), "properties": .object(properties),
            "geometry": try geometry(commands, type: type, at: geometryAt),
        ])
    }

    /// Section 4.3: MoveTo (1), LineTo (2) and ClosePath (7) with zigzag-encoded deltas from the
    /// cursor. Points come out as one part of positions; lines and rings as one part each.
    static func geometry(_ commands: [UInt64], type: Int, at offset: Int) throws(MVTDecodeError) -> JSONValue {
        var parts: [[JSONValue]] = [], current: [JSONValue] = []
        var x: Int64 = 0, y: Int64 = 0, i = 0
        func zigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }
        while i < commands.count {
            let id = commands[i] & 7, count = Int(truncatingIfNeeded: commands[i] >> 3)
            i += 1
            switch id {
            case 1, 2:
                guard count <= (commands.count - i) / 2 else {
                    throw MVTDecodeError(offset: offset, message: "a command wants \(count) positions past the geometry's end")
                }
                if id == 1, !current.isEmpty, type != 1 { parts.append(current); current = [] }
                for _ in 0..<count {
                    x = x &+ zigzag(commands[i]); y = y &+ zigzag(commands[i + 1])
                    i += 2
                    current.append([.int(Int(x)), .int(Int(y))])
                }
            case 7:
                if let first = current.first { current.append(first) }
                parts.append(current)
                current = []
            default:
                throw MVTDecodeError(offset: offset, message: "unknown geometry command \(id)")
            }
        }
        if !current.isEmpty { parts.append(current) }
        return .array(parts.map { .array($0) })
    }
}

/// Protocol Buffers wire format (varint, 64-bit, length-delimited, 32-bit), bounds-checked.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        /// The payload and its offset in the whole tile.
        case bytes(ArraySlice<UInt8>, Int)
    }

    let bytes: ArraySlice<UInt8>
    var i: Int
    /// Offset of `bytes.startIndex` in the whole tile, for error messages.
    let base: Int

    init(_ bytes: ArraySlice<UInt8>, base: Int) {
        self.bytes = bytes
        i = bytes.startIndex
        self.base = base - bytes.startIndex
    }

    func fail(_ message: String) -> MVTDecodeError { MVTDecodeError(offset: base + i, message: message) }

    mutating func varint() throws(MVTDecodeError) -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while i < bytes.endIndex {
            let b = bytes[i]
            i += 1
            guard shift < 64 else { throw fail("a varint longer than 10 bytes") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
        throw fail("the bytes end inside a varint")
    }

    mutating func fixed(_ n: Int) throws(MVTDecodeError) -> UInt64 {
        guard bytes.endIndex - i >= n else { throw fail("the bytes end inside a \(n * 8)-bit value") }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        i += n
        return v
    }

    mutating func next() throws(MVTDecodeError) -> (number: Int, value: Value)? {
        guard i < bytes.endIndex else { return nil }
        let key = try varint()
        let number = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0: return (number, .varint(try varint()))
        case 1: return (number, .fixed64(try fixed(8)))
        case 5: return (number, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
        case 2:
            let n = try varint()
            guard n <= UInt64(bytes.endIndex - i) else { throw fail("a field of \(n) bytes runs past the end") }
            let start = i
            i += Int(n)
            return (number, .bytes(bytes[start..<i], base + start))
        default: throw fail("wire type \(key & 7) is not used by vector tiles")
        }
    }

    static func packed(_ b: ArraySlice<UInt8>, at offset: Int) throws(MVTDecodeError) -> [UInt64] {
        var r = ProtobufReader(b, base: offset)
        var out: [UInt64] = []
        while r.i < b.endIndex { out.append(try r.varint()) }
        return out
    }
}
