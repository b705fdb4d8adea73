import Foundation
import Geo

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PMTiles version 3 archive opened for reading. The header and root directory are read and
/// checked when it opens; a tile is found from the root through at most three levels of leaf
/// directories. Every offset and length in the file is checked against the file before it is read.
public final class PMTilesReader: TileArchiveReader {
    public let path: String
    public let info: TileSetInfo
    let file: ArchiveFile
    let header: Header
    let root: [Entry]

    /// The header fields we use (spec section 3), little-endian in the file.
    struct Header {
        var rootDirectory: Range<UInt64>
        var metadata: Range<UInt64>
        var leafDirectories: Range<UInt64>
        var tileData: Range<UInt64>
        var addressedTiles: UInt64
        var internalGzip: Bool
        var tileGzip: Bool
        var minZoom: Int
        var maxZoom: Int
        var bounds: BoundingBox
    }

    /// A directory entry (spec section 4): a run of `runLength` tiles from `tileID` sharing one
    /// content at `offset` in the tile data, or with run length 0, a leaf directory at `offset` in
    /// the leaf section.
    struct Entry {
        var tileID: UInt64
        var offset: UInt64
        var length: UInt64
        var runLength: UInt64
    }

    /// Directories nest at most this deep, root included; a deeper chain is corrupt (or a loop).
    static let maximumDepth = 4
    /// The most addresses `addresses()` lists, so a run length from a bad file cannot exhaust memory.
    static let maximumAddresses = 1 << 25

    public init(path: String) throws {
        self.path = path
        let file = try ArchiveFile(path: path)
        self.file = file
        let header = try Self.header(try file.read(0, 127, "the PMTiles header"), file: file)
        self.header = header
        let rootBytes = try file.read(header.rootDirectory, "the root directory")
        root = try Self.directory(rootBytes, gzip: header.internalGzip, path: path, what: "root directory")

        var fallback = TileSetInfo.unnamed(minZoom: header.minZoom, maxZoom: header.maxZoom)
        fallback.bounds = header.bounds
        var info = fallback
        if !header.metadata.isEmpty {
            var bytes = try file.read(header.metadata, "the JSON metadata")
            if header.internalGzip { bytes = try Self.gunzip(bytes, path: path, what: "JSON metadata") }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw TileArchiveError.corrupt(path: path, what: "JSON metadata", reason: error.description)
            }
            guard let o = value.objectValue else { throw TileArchiveError.corrupt(path: path, what: "JSON metadata", reason: "\(value.kindName), not an object") }
            info = try TileSetInfo.reading(o, fallback: fallback, path: path, what: "JSON metadata")
            // The header is the spec's word on zooms and bounds; metadata copies may be stale.
            info.minZoom = header.minZoom
            info.maxZoom = header.maxZoom
            info.bounds = header.bounds
        }
        self.info = info
    }

    static func header(_ b: [UInt8], file: ArchiveFile) throws -> Header {
        let path = file.path
        guard b.starts(with: Array("PMTiles".utf8)) else { throw TileArchiveError.corrupt(path: path, what: "PMTiles header", reason: "it does not start with \"PMTiles\"") }
        guard b[7] == 3 else { throw TileArchiveError.unsupported(path: path, what: "PMTiles version \(b[7]) (only version 3 is read)") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }
        func degrees(_ at: Int) -> Double {
            let n = (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) }
            return Double(Int32(bitPattern: n)) / 10_000_000
        }
        func section(_ at: Int, _ what: String) throws -> Range<UInt64> {
            let offset = u64(at), length = u64(at + 8)
            let (end, overflow) = offset.addingReportingOverflow(length)
            guard !overflow, end <= file.size else {
                throw TileArchiveError.truncated(path: path, what: what, offset: offset, length: length, fileSize: file.size)
            }
            return offset..<end
        }
        func compression(_ code: UInt8, _ what: String) throws -> Bool {
            switch code {
            case 1: return false
            case 2: return true
            case 3: throw TileArchiveError.unsupported(path: path, what: "\(what) compressed with brotli (gzip or none is read)")
            case 4: throw TileArchiveError.unsupported(path: path, what: "\(what) compressed with zstd (gzip or none is read)")
            default: throw TileArchiveError.unsupported(path: path, what: "\(what) compression \(code) (gzip or none is read)")
            }
        }
        let tileType = b[99]
        guard tileType == 1 || tileType == 0 else {
            throw TileArchiveError.unsupported(path: path, what: "PMTiles tile type \(tileType) (only 1, Mapbox Vector Tiles, is read)")
        }
        let minZoom = Int(b[100]), maxZoom = Int(b[101])
        guard minZoom <= maxZoom, maxZoom <= 30 else {
            throw TileArchiveError.corrupt(path: path, what: "PMTiles header", reason: "zooms \(minZoom) to \(maxZoom) are not 0 <= min <= max <= 30")
        }
        return Header(
            rootDirectory: try section(8, "the root directory"), metadata: try section(24, "the JSON metadata"),
            leafDirectories: try section(40, "the leaf directories"), tileData: try section(56, "the tile data"),
            addressedTiles: u64(72), internalGzip: try compression(b[97], "directories and metadata"),
            tileGzip: try compression(b[98], "tiles"), minZoom: minZoom, maxZoom: maxZoom,
            bounds: BoundingBox(minX: degrees(102), minY: degrees(106), maxX: degrees(110), maxY: degrees(114)))
    }

    /// A directory's entries (spec section 4.1): a count, then each column of varints (tile id
    /// deltas, run lengths, lengths, offsets with 0 meaning "right after the previous entry").
    static func directory(_ stored: [UInt8], gzip: Bool, path: String, what: String) throws -> [Entry] {
        let bytes = gzip ? try gunzip(stored, path: path, what: what) : stored
        func corrupt(_ reason: String) -> TileArchiveError { .corrupt(path: path, what: what, reason: reason) }
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 64, by: 7) {
                guard i < bytes.count else { throw corrupt("a number runs past the end of the directory") }
                let b = bytes[i]
                i += 1
                guard shift < 63 || b <= 1 else { throw corrupt("a number does not fit in 64 bits") }
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
            }
            throw corrupt("a number does not fit in 64 bits")
        }
        let count = try varint()
        // Each entry takes at least four bytes, one per column.
        guard count <= UInt64(bytes.count - i) / 4 else { throw corrupt("it claims \(count) entries in \(bytes.count) bytes") }
        var entries = [Entry](repeating: Entry(tileID: 0, offset: 0, length: 0, runLength: 0), count: Int(count))
        var last: UInt64 = 0
        for k in entries.indices {
            let delta = try varint()
            guard k == 0 || delta > 0 else { throw corrupt("tile ids are not increasing at entry \(k)") }
            let (id, overflow) = last.addingReportingOverflow(delta)
            guard !overflow else { throw corrupt("tile id overflows at entry \(k)") }
            entries[k].tileID = id
            last = id
        }
        for k in entries.indices { entries[k].runLength = try varint() }
        for k in entries.indices {
            entries[k].length = try varint()
            guard entries[k].length > 0 else { throw corrupt("entry \(k) has length 0") }
        }
        for k in entries.indices {
            let v = try varint()
            if v == 0 {
                guard k > 0 else { throw corrupt("the first entry's offset refers to a previous entry") }
                let (next, overflow) = entries[k - 1].offset.addingReportingOverflow(entries[k - 1].length)
                guard !overflow else { throw corrupt("offset overflows at entry \(k)") }
                entries[k].offset = next
            } else {
                entries[k].offset = v - 1
            }
        }
        return entries
    }

    static func gunzip(_ bytes: [UInt8], path: String, what: String) throws -> [UInt8] {
        do { return try Gzip.decompress(bytes) } catch let e as Gzip.Failure {
            throw TileArchiveError.corrupt(path: path, what: what, reason: e.description)
        }
    }

    /// The leaf directory an entry of run length 0 points to.
    func leaf(_ e: Entry, depth: Int) throws -> [Entry] {
        guard depth < Self.maximumDepth else {
            throw TileArchiveError.corrupt(path: path, what: "leaf directories", reason: "they nest deeper than \(Self.maximumDepth) levels")
        }
        let range = try file.within(header.leafDirectories, e.offset, e.length, "a leaf directory")
        return try Self.directory(try file.read(range, "a leaf directory"), gzip: header.internalGzip, path: path, what: "leaf directory at \(e.offset)")
    }

    public func tile(_ t: TileAddress) throws -> [UInt8]? {
        guard t.isValid else { return nil }
        let id = PMTilesArchive.tileID(t)
        var entries = root
        for depth in 1...Self.maximumDepth {
            // The last entry at or before `id` (entries are sorted: checked when read).
            var lo = 0, hi = entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if entries[mid].tileID <= id { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0 else { return nil }
            let e = entries[lo - 1]
            if e.runLength == 0 {
                entries = try leaf(e, depth: depth)
                continue
            }
            guard id - e.tileID < e.runLength else { return nil }
            let range = try file.within(header.tileData, e.offset, e.length, "tile \(t)")
            let stored = try file.read(range, "tile \(t)")
            guard header.tileGzip else { return stored }
            return try Self.gunzip(stored, path: path, what: "tile \(t)")
        }
        throw TileArchiveError.corrupt(path: path, what: "leaf directories", reason: "they nest deeper than \(Self.maximumDepth) levels")
    }

    public func addresses() throws -> [TileAddress] {
        var out: [TileAddress] = []
        let limit = min(Self.maximumAddresses, header.addressedTiles > 0 ? Int(clamping: header.addressedTiles) : Self.maximumAddresses)
        func walk(_ entries: [Entry], depth: Int) throws {
            for e in entries {
                if e.runLength == 0 {
                    try walk(try leaf(e, depth: depth), depth: depth + 1)
                    continue
                }
                guard e.runLength <= UInt64(limit - out.count) else {
                    throw TileArchiveError.corrupt(path: path, what: "directory", reason: "runs address more tiles than the \(limit) the archive can hold")
                }
                for k in 0..<e.runLength {
                    let (id, overflow) = e.tileID.addingReportingOverflow(k)
                    guard !overflow, let t = Self.address(id) else {
                        throw TileArchiveError.corrupt(path: path, what: "directory", reason: "tile id \(e.tileID) + \(k) is past zoom 30")
                    }
                    out.append(t)
                }
            }
        }
        try walk(root, depth: 1)
        return out.sorted()
    }

    /// The tile a PMTiles tile id stands for (spec section 4.2): the zoom whose range of ids holds
    /// it, then the position along that zoom's Hilbert curve turned back into x and y.
    static func address(_ id: UInt64) -> TileAddress? {
        var z = 0
        var first: UInt64 = 0  // the id of zoom z's first tile, (4^z - 1) / 3
        while z <= 30 {
            let count = UInt64(1) << UInt64(2 * z)
            if id - first < count {
                var d = id - first, x: UInt64 = 0, y: UInt64 = 0
                var s: UInt64 = 1
                while s < (UInt64(1) << UInt64(z)) {
                    let rx = 1 & (d / 2), ry = 1 & (d ^ rx)
                    if ry == 0 {
                        if rx == 1 {
                            x = s - 1 - x
                            y = s - 1 - y
                        }
                        swap(&x, &y)
                    }
                    x += s * rx
                    y += s * ry
                    d /= 4
                    s *= 2
                }
                return TileAddress(z: z, x: Int(x), y: Int(y))
            }
            first += count
            z += 1
        }
        return nil
    }
}

/// A file opened for reading at offsets (pread), which any thread may use at once. Owns its
/// descriptor and closes it.
final class ArchiveFile: Sendable {
    let path: String
    let descriptor: Int32
    let size: UInt64

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { throw TileArchiveError.notFound(path: path) }
            throw TileArchiveError.fileSystem(path: path, operation: "open", message: String(cString: strerror(errno)))
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw TileArchiveError.fileSystem(path: path, operation: "open", message: "not a regular file")
        }
        descriptor = fd
        size = UInt64(st.st_size)
    }

    deinit { close(descriptor) }

    /// The part of `section` at `offset` (relative to it) for `length` bytes, checked to lie in it.
    func within(_ section: Range<UInt64>, _ offset: UInt64, _ length: UInt64, _ what: String) throws -> Range<UInt64> {
        let (start, o1) = section.lowerBound.addingReportingOverflow(offset)
        let (end, o2) = start.addingReportingOverflow(length)
        guard !o1, !o2, end <= section.upperBound else {
            throw TileArchiveError.truncated(path: path, what: what, offset: start, length: length, fileSize: min(size, section.upperBound))
        }
        return start..<end
    }

    func read(_ offset: UInt64, _ length: UInt64, _ what: String) throws -> [UInt8] {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= size else { throw TileArchiveError.truncated(path: path, what: what, offset: offset, length: length, fileSize: size) }
        return try read(offset..<end, what)
    }

    /// The bytes of `range`, which the caller has checked lies in the file; a file that shrank
    /// since it was opened reads short and throws.
    func read(_ range: Range<UInt64>, _ what: String) throws -> [UInt8] {
        let length = range.upperBound - range.lowerBound
        guard range.upperBound <= size, length <= UInt64(Int.max), range.lowerBound <= UInt64(off_t.max) else {
            throw TileArchiveError.truncated(path: path, what: what, offset: range.lowerBound, length: length, fileSize: size)
        }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { b -> Int in
                guard let base = b.baseAddress else { return 0 }
                return pread(descriptor, base + done, b.count - done, off_t(range.lowerBound) + off_t(done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw TileArchiveError.truncated(path: path, what: what, offset: range.lowerBound, length: length, fileSize: UInt64(done) + range.lowerBound)
            }
            done += n
        }
        return bytes
    }
}
