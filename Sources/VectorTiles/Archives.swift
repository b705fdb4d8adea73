import Foundation
import GRDB
import Geo

/// What every archive records about a tile set besides its tiles.
public struct TileSetInfo: Sendable, Equatable {
    public var name: String
    public var description: String
    public var attribution: String
    public var minZoom: Int
    public var maxZoom: Int
    /// Lon/lat bounds of the data.
    public var bounds: BoundingBox
    /// The TileJSON `vector_layers` array.
    public var vectorLayers: JSONValue
    /// The moment the map shows, an ISO 8601 UTC time such as `2021-03-21T23:59:59Z`: metadata
    /// `as_of` in every archive; nil writes none.
    public var asOf: String?
    /// More members that say what the tiles show (`window`, `window_days`, `levels`): in the
    /// metadata JSON of both archives, and as MBTiles metadata rows (strings as they are, other
    /// values as JSON).
    public var members: JSONObject = [:]

    public init(name: String, description: String, attribution: String, minZoom: Int, maxZoom: Int, bounds: BoundingBox, vectorLayers: JSONValue,
                asOf: String? = nil) {
        self.name = name
        self.description = description
        self.attribution = attribution
        self.minZoom = minZoom
        self.maxZoom = maxZoom
        self.bounds = bounds
        self.vectorLayers = vectorLayers
        self.asOf = asOf
    }

    var centreZoom: Int { max(minZoom, min(maxZoom, 5)) }
}

/// MBTiles 1.3: a SQLite file with `metadata` (name, format `pbf`, bounds, center, zooms, and
/// `json` naming the vector layers and their fields) and `tiles`, rows in the TMS scheme (y
/// counted from the south) and tile data gzip-compressed, as the spec requires for `pbf`.
/// Visits `tiles` in `order`, each distinct content gzip-compressed once (the same bytes always
/// compress alike): `visit` gets the tile, the number of its content (0, 1, ... as first seen)
/// and, the first time that content is seen, its compressed bytes.
func forEachDistinctTile(_ tiles: [TileAddress: [UInt8]], in order: [TileAddress],
                         _ visit: (TileAddress, Int, [UInt8]?) throws -> Void) throws {
    var seen: [[UInt8]: Int] = [:]
    for t in order {
        let bytes = tiles[t]!
        if let content = seen[bytes] {
            try visit(t, content, nil)
        } else {
            let content = seen.count
            seen[bytes] = content
            try visit(t, content, try Gzip.compress(bytes))
        }
    }
}

public enum MBTilesArchive {
    public static func write(_ tiles: [TileAddress: [UInt8]], info: TileSetInfo, to path: String) throws {
        let temporary = path + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        let db = try DatabaseQueue(path: temporary)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE metadata (name TEXT, value TEXT);
                CREATE UNIQUE INDEX metadata_name ON metadata (name);
                CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);
                CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
                CREATE TABLE images (tile_id TEXT, tile_data BLOB);
                CREATE UNIQUE INDEX images_id ON images (tile_id);
                CREATE VIEW tiles AS
                    SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
                    FROM map JOIN images ON images.tile_id = map.tile_id;
                """)
            var jsonObject: JSONObject = ["vector_layers": info.vectorLayers]
            if let asOf = info.asOf { jsonObject["as_of"] = .string(asOf) }
            for (k, v) in info.members where jsonObject[k] == nil { jsonObject[k] = v }
            var json = JSONWriter()
            json.object(jsonObject)
            let b = info.bounds, c = b.center
            var metadata: [(String, String)] = [
                ("name", info.name), ("format", "pbf"), ("type", "overlay"), ("version", "1.0.0"),
                ("description", info.description), ("attribution", info.attribution),
                ("minzoom", String(info.minZoom)), ("maxzoom", String(info.maxZoom)),
                ("bounds", "\(b.minX),\(b.minY),\(b.maxX),\(b.maxY)"), ("center", "\(c.x),\(c.y),\(info.centreZoom)"),
                ("json", json.string),
            ]
            if let asOf = info.asOf { metadata.append(("as_of", asOf)) }
            for (k, v) in info.members where !metadata.contains(where: { $0.0 == k }) {
                if let s = v.stringValue {
                    metadata.append((k, s))
                } else {
                    var w = JSONWriter()
                    w.value(v)
                    metadata.append((k, w.string))
                }
            }
            for (k, v) in metadata { try db.execute(sql: "INSERT INTO metadata (name, value) VALUES (?, ?)", arguments: [k, v]) }
            // Each distinct tile stored (and compressed) once: at high zooms most tiles inside an
            // area are the same bytes.
            let place = try db.makeStatement(sql: "INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)")
            let image = try db.makeStatement(sql: "INSERT INTO images (tile_id, tile_data) VALUES (?, ?)")
            try forEachDistinctTile(tiles, in: tiles.keys.sorted()) { t, content, compressed in
                if let compressed { try image.execute(arguments: [String(content), Data(compressed)]) }
                try place.execute(arguments: [t.z, t.x, (1 << t.z) - 1 - t.y, String(content)])
            }
        }
        try db.close()
        // rename(2) replaces an earlier archive in one step, and refuses to replace a folder.
        try moveReplacing(temporary, to: path)
    }
}

/// PMTiles version 3: a 127-byte header, a root directory, JSON metadata, leaf directories when
/// the root would pass 16 KB, and the tile data in Hilbert order, each distinct tile stored once
/// (identical tiles share an offset; runs of them share an entry). Directories, metadata and tiles
/// are gzip-compressed.
public enum PMTilesArchive {
    /// The position of a tile on the series of Hilbert curves, one per zoom, from z0.
    public static func tileID(_ t: TileAddress) -> UInt64 {
        var acc = ((UInt64(1) << (2 * UInt64(t.z))) - 1) / 3
        var x = UInt64(t.x), y = UInt64(t.y)
        var a = t.z - 1
        while a >= 0 {
            let s = UInt64(1) << UInt64(a)
            let rx: UInt64 = (x & s) != 0 ? 1 : 0
            let ry: UInt64 = (y & s) != 0 ? 1 : 0
            acc += ((3 * rx) ^ ry) * s * s
            if ry == 0 {
                if rx == 1 {
                    x = s &- 1 &- x
                    y = s &- 1 &- y
                }
                swap(&x, &y)
            }
            a -= 1
        }
        return acc
    }

    struct Entry {
        var tileID: UInt64
        var offset: UInt64
        var length: UInt64
        var runLength: UInt64
    }

    static func serialize(_ entries: [Entry]) throws -> [UInt8] {
        var w = ProtobufWriter()
        w.varint(UInt64(entries.count))
        var last: UInt64 = 0
        for e in entries {
            w.varint(e.tileID - last)
            last = e.tileID
        }
        for e in entries { w.varint(e.runLength) }
        for e in entries { w.varint(e.length) }
        for (i, e) in entries.enumerated() {
            w.varint(i > 0 && e.offset == entries[i - 1].offset + entries[i - 1].length ? 0 : e.offset + 1)
        }
        return try Gzip.compress(w.bytes)
    }

    public static func write(_ tiles: [TileAddress: [UInt8]], info: TileSetInfo, to path: String) throws {
        // Tile data in tile-id order; a tile equal to one already written points at it.
        var data: [UInt8] = []
        var entries: [Entry] = []
        var stored: [(offset: UInt64, length: UInt64)] = []
        try forEachDistinctTile(tiles, in: tiles.keys.sorted { tileID($0) < tileID($1) }) { t, content, compressed in
            if let compressed {
                stored.append((UInt64(data.count), UInt64(compressed.count)))
                data += compressed
            }
            let id = tileID(t), (offset, length) = stored[content]
            if let last = entries.last, last.offset == offset, last.tileID + last.runLength == id {
                entries[entries.count - 1].runLength += 1
            } else {
                entries.append(Entry(tileID: id, offset: offset, length: length, runLength: 1))
            }
        }
        let contents = stored.count
        guard !entries.isEmpty else { throw TileArchiveError.noTiles(path: path) }

        // The root, or a root of leaves when the root alone would not fit in the first 16 KB.
        var root = try serialize(entries)
        var leaves: [UInt8] = []
        var leafSize = 4096
        while 127 + root.count > 16_384 {
            leaves = []
            var rootEntries: [Entry] = []
            for start in stride(from: 0, to: entries.count, by: leafSize) {
                let leaf = try serialize(Array(entries[start..<min(start + leafSize, entries.count)]))
                rootEntries.append(Entry(tileID: entries[start].tileID, offset: UInt64(leaves.count), length: UInt64(leaf.count), runLength: 0))
                leaves += leaf
            }
            root = try serialize(rootEntries)
            leafSize *= 2
        }
        var jsonObject: JSONObject = [
            "name": .string(info.name), "description": .string(info.description), "attribution": .string(info.attribution),
            "type": "overlay", "version": "1.0.0", "vector_layers": info.vectorLayers,
        ]
        if let asOf = info.asOf { jsonObject["as_of"] = .string(asOf) }
        for (k, v) in info.members where jsonObject[k] == nil { jsonObject[k] = v }
        var json = JSONWriter()
        json.object(jsonObject)
        let metadata = try Gzip.compress(json.bytes)

        var header: [UInt8] = Array("PMTiles".utf8) + [3]
        func u64(_ v: UInt64) { for i in 0..<8 { header.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
        func i32(_ v: Double) {
            let n = UInt32(bitPattern: Int32((v * 10_000_000).rounded()))
            for i in 0..<4 { header.append(UInt8((n >> (8 * UInt32(i))) & 0xFF)) }
        }
        let rootOffset: UInt64 = 127
        let metadataOffset = rootOffset + UInt64(root.count)
        let leavesOffset = metadataOffset + UInt64(metadata.count)
        let dataOffset = leavesOffset + UInt64(leaves.count)
        u64(rootOffset); u64(UInt64(root.count))
        u64(metadataOffset); u64(UInt64(metadata.count))
        u64(leavesOffset); u64(UInt64(leaves.count))
        u64(dataOffset); u64(UInt64(data.count))
        u64(UInt64(tiles.count)); u64(UInt64(entries.count)); u64(UInt64(contents))
        header += [1, 2, 2, 1, UInt8(info.minZoom), UInt8(info.maxZoom)]  // clustered, gzip, gzip, MVT
        let b = info.bounds
        i32(b.minX); i32(b.minY); i32(b.maxX); i32(b.maxY)
        header.append(UInt8(info.centreZoom))
        i32(b.center.x); i32(b.center.y)
        precondition(header.count == 127)
        let temporary = path + ".partial"
        try Data(header + root + metadata + leaves + data).write(to: URL(fileURLWithPath: temporary))
        try moveReplacing(temporary, to: path)
    }
}
