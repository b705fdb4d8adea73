import Foundation
import GRDB
import Geo

/// An MBTiles 1.3 file opened read-only: info from its `metadata` table (and the vector layers
/// from its `json` row), tiles from `tiles` with rows turned back from TMS to XYZ.
public final class MBTilesReader: TileArchiveReader {
    public let path: String
    public let info: TileSetInfo
    let db: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw TileArchiveError.notFound(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        let db = try Self.sqlite(path, "open") { try DatabaseQueue(path: path, configuration: configuration) }
        self.db = db
        let rows = try Self.sqlite(path, "read the metadata table") {
            try db.read { db in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") }
        }
        var metadata: [String: String] = [:]
        for row in rows {
            guard case .string(let name) = (row[0] as DatabaseValue).storage, case .string(let value) = (row[1] as DatabaseValue).storage else {
                throw TileArchiveError.corrupt(path: path, what: "MBTiles metadata", reason: "a row whose name or value is not text")
            }
            metadata[name] = value
        }
        if let format = metadata["format"], format != "pbf" {
            throw TileArchiveError.unsupported(path: path, what: "MBTiles format \"\(format)\" (only pbf, vector tiles, is read)")
        }
        info = try Self.info(metadata, db: db, path: path)
    }

    /// MBTiles 1.3 "Content": the zooms when metadata leaves them out are those of the tiles.
    static func info(_ metadata: [String: String], db: DatabaseQueue, path: String) throws -> TileSetInfo {
        func corrupt(_ reason: String) -> TileArchiveError { .corrupt(path: path, what: "MBTiles metadata", reason: reason) }
        func zoom(_ key: String) throws -> Int? {
            guard let s = metadata[key] else { return nil }
            guard let z = Int(s.trimmingCharacters(in: .whitespaces)), (0...30).contains(z) else { throw corrupt("\(key) \"\(s)\" is not a zoom from 0 to 30") }
            return z
        }
        var info = TileSetInfo.unnamed()
        if let s = metadata["name"] { info.name = s }
        if let s = metadata["description"] { info.description = s }
        if let s = metadata["attribution"] { info.attribution = s }
        if let s = metadata["bounds"] {
            let n = s.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard n.count == 4, s.split(separator: ",").count == 4 else { throw corrupt("bounds \"\(s)\" is not four numbers") }
            info.bounds = BoundingBox(minX: n[0], minY: n[1], maxX: n[2], maxY: n[3])
        }
        if let s = metadata["json"] {
            let value: JSONValue
            do { value = try JSONParser.parse(s) } catch { throw corrupt("json: \(error.description)") }
            guard let o = value.objectValue else { throw corrupt("json is \(value.kindName), not an object") }
            info = try TileSetInfo.reading(o, fallback: info, path: path, what: "MBTiles metadata json")
        }
        // The as_of row is what MBTiles readers that know no `json` see; it wins.
        if let s = metadata["as_of"] { info.asOf = s }
        let minZoom = try zoom("minzoom"), maxZoom = try zoom("maxzoom")
        if let minZoom, let maxZoom {
            info.minZoom = minZoom
            info.maxZoom = maxZoom
        } else {
            let row = try sqlite(path, "read the tiles table") {
                try db.read { db in try Row.fetchOne(db, sql: "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles") }
            }
            func int(_ v: DatabaseValue?) -> Int? {
                if case .int64(let i) = v?.storage, (0...30).contains(i) { return Int(i) }
                return nil
            }
            info.minZoom = minZoom ?? int(row?[0]) ?? 0
            info.maxZoom = maxZoom ?? int(row?[1]) ?? info.minZoom
        }
        return info
    }

    public func tile(_ t: TileAddress) throws -> [UInt8]? {
        guard t.isValid else { return nil }
        let value = try Self.sqlite(path, "read tile \(t)") {
            try db.read { db in
                try DatabaseValue.fetchOne(
                    db, sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    arguments: [t.z, t.x, (1 << t.z) - 1 - t.y])
            }
        }
        guard let value else { return nil }
        guard case .blob(let data) = value.storage else {
            throw TileArchiveError.corrupt(path: path, what: "tile \(t)", reason: "tile_data is not a blob")
        }
        return try uncompressedTile([UInt8](data), path: path, address: t)
    }

    public func addresses() throws -> [TileAddress] {
        let rows = try Self.sqlite(path, "read the tiles table") {
            try db.read { db in try Row.fetchAll(db, sql: "SELECT zoom_level, tile_column, tile_row FROM tiles") }
        }
        var out: [TileAddress] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            guard case .int64(let z) = (row[0] as DatabaseValue).storage, case .int64(let x) = (row[1] as DatabaseValue).storage,
                case .int64(let tmsRow) = (row[2] as DatabaseValue).storage, (0...30).contains(z), (0..<(Int64(1) << z)).contains(tmsRow)
            else {
                throw TileArchiveError.corrupt(path: path, what: "MBTiles tiles", reason: "a row whose zoom_level, tile_column or tile_row is not a tile of zooms 0 to 30: \(row)")
            }
            let t = TileAddress(z: Int(z), x: Int(truncatingIfNeeded: x), y: Int((Int64(1) << z) - 1 - tmsRow))
            guard t.isValid, Int64(t.x) == x else {
                throw TileArchiveError.corrupt(path: path, what: "MBTiles tiles", reason: "tile_column \(x) is outside zoom \(z)")
            }
            out.append(t)
        }
        return out.sorted()
    }

    /// `body`, SQLite's error turned into one naming the file: a file that is not SQLite, or is
    /// damaged, fails here ("file is not a database", "database disk image is malformed").
    static func sqlite<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as DatabaseError {
            throw TileArchiveError.corrupt(path: path, what: "MBTiles", reason: "cannot \(operation): \(e.message ?? e.description)")
        }
    }
}
