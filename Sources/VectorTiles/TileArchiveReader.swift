import Foundation
import Geo

/// A tile archive opened for reading: a `z/x/y.mvt` folder, MBTiles or PMTiles. What a server
/// asks of a source (Martin's shape): what the set is, and the bytes of one tile.
public protocol TileArchiveReader: Sendable {
    /// What the archive records about its tiles.
    var info: TileSetInfo { get }
    /// The uncompressed MVT bytes of `t`, or nil when the archive has no such tile.
    func tile(_ t: TileAddress) throws -> [UInt8]?
    /// Every address the archive holds a tile for, sorted.
    func addresses() throws -> [TileAddress]
}

/// Why a tile archive could not be written or read, with the path it concerns.
public enum TileArchiveError: Error, Equatable, CustomStringConvertible {
    /// A write was given no tile.
    case noTiles(path: String)
    /// A write was given a tile address outside the XYZ pyramid.
    case invalidAddress(TileAddress, path: String)
    /// A folder export's extra file name is not a plain file name of its own.
    case invalidFileName(String, path: String)
    /// The destination exists and is not an earlier export, so it is left as it is.
    case wouldReplaceUnrelated(path: String, reason: String)
    /// The file system refused an operation.
    case fileSystem(path: String, operation: String, message: String)
    /// The archive (or a file it needs) is not there.
    case notFound(path: String)
    /// The archive ends before a part it points to: `what` at `offset` for `length` bytes.
    case truncated(path: String, what: String, offset: UInt64, length: UInt64, fileSize: UInt64)
    /// The archive holds something no valid archive holds.
    case corrupt(path: String, what: String, reason: String)
    /// The archive is valid but uses what we do not read (a compression, a version, a tile type).
    case unsupported(path: String, what: String)

    public var description: String {
        switch self {
        case .noTiles(let path): return "\(path): no tile to write"
        case .invalidAddress(let t, let path): return "\(path): tile \(t) is outside the XYZ pyramid"
        case .invalidFileName(let name, let path):
            return "\(path): \"\(name)\" is not a file name an export can hold (no slash, not a number, not . or ..)"
        case .wouldReplaceUnrelated(let path, let reason): return "\(path): not replaced, \(reason)"
        case .fileSystem(let path, let operation, let message): return "\(path): cannot \(operation): \(message)"
        case .notFound(let path): return "\(path): no such file or folder"
        case .truncated(let path, let what, let offset, let length, let size):
            return "\(path): truncated: \(what) is at bytes \(offset) to \(offset &+ length) but the file has \(size)"
        case .corrupt(let path, let what, let reason): return "\(path): corrupt \(what): \(reason)"
        case .unsupported(let path, let what): return "\(path): not supported: \(what)"
        }
    }
}

extension TileSetInfo {
    /// The info a TileJSON-like object records (TileJSON itself, PMTiles metadata, MBTiles
    /// `json`), with `fallback` for what it leaves out. `what` names the object in errors.
    static func reading(_ o: JSONObject, fallback: TileSetInfo, path: String, what: String) throws -> TileSetInfo {
        var info = fallback
        func string(_ key: String) throws -> String? {
            guard let v = o[key] else { return nil }
            guard let s = v.stringValue else { throw TileArchiveError.corrupt(path: path, what: what, reason: "\"\(key)\" is \(v.kindName), not a string") }
            return s
        }
        func zoom(_ key: String) throws -> Int? {
            guard let v = o[key] else { return nil }
            guard let z = v.intValue, (0...30).contains(z) else { throw TileArchiveError.corrupt(path: path, what: what, reason: "\"\(key)\" is not a zoom from 0 to 30") }
            return z
        }
        if let s = try string("name") { info.name = s }
        if let s = try string("description") { info.description = s }
        if let s = try string("attribution") { info.attribution = s }
        if let s = try string("as_of") { info.asOf = s }
        if let z = try zoom("minzoom") { info.minZoom = z }
        if let z = try zoom("maxzoom") { info.maxZoom = z }
        if let v = o["bounds"] {
            guard let a = v.arrayValue, a.count == 4, case let n = a.compactMap(\.numberValue), n.count == 4 else {
                throw TileArchiveError.corrupt(path: path, what: what, reason: "\"bounds\" is not four numbers")
            }
            info.bounds = BoundingBox(minX: n[0], minY: n[1], maxX: n[2], maxY: n[3])
        }
        if let v = o["vector_layers"] {
            guard v.arrayValue != nil else { throw TileArchiveError.corrupt(path: path, what: what, reason: "\"vector_layers\" is \(v.kindName), not an array") }
            info.vectorLayers = v
        }
        return info
    }

    /// What a reader reports for what an archive leaves out: MBTiles 1.3's default bounds (the
    /// whole Web Mercator world) and no layers.
    static func unnamed(minZoom: Int = 0, maxZoom: Int = 0) -> TileSetInfo {
        TileSetInfo(name: "", description: "", attribution: "", minZoom: minZoom, maxZoom: maxZoom,
                    bounds: BoundingBox(minX: -180, minY: -WebMercator.maxLatitude, maxX: 180, maxY: WebMercator.maxLatitude), vectorLayers: [])
    }
}

/// The MVT bytes of a stored tile: gunzipped when it starts as a gzip or zlib stream does (an
/// MVT tile cannot: its first byte is a field key, 0x1A for layers).
func uncompressedTile(_ stored: [UInt8], path: String, address: TileAddress) throws -> [UInt8] {
    guard stored.count >= 2 else { return stored }
    let isGzip = stored[0] == 0x1F && stored[1] == 0x8B
    let isZlib = stored[0] & 0x0F == 8 && (UInt16(stored[0]) << 8 | UInt16(stored[1])) % 31 == 0
    guard isGzip || isZlib else { return stored }
    do {
        return try Gzip.decompress(stored)
    } catch let e as Gzip.Failure {
        throw TileArchiveError.corrupt(path: path, what: "tile \(address)", reason: e.description)
    }
}
