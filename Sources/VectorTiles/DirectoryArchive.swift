import Foundation
import Geo

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of `z/x/y.mvt` files (uncompressed MVT, XYZ scheme) beside files such as
/// `tiles.json` and `style.json`: what a plain web server serves.
public enum DirectoryArchive {
    /// Writes `tiles` as `path/z/x/y.mvt` and each of `files` as `path/name`. The folder is built
    /// as `path.partial-<pid>` and renamed into place, so a failure leaves no half pyramid. An
    /// existing `path` is replaced only when empty or an earlier export (it holds `tiles.json`,
    /// or nothing but `.json` files and a `z/x/y.mvt` pyramid); anything else throws and stays
    /// untouched. Tile addresses and file names are checked before anything is written.
    public static func write(_ tiles: [TileAddress: [UInt8]], files: [String: [UInt8]], to path: String) throws {
        let path = withoutTrailingSlash(path)
        for t in tiles.keys where !t.isValid { throw TileArchiveError.invalidAddress(t, path: path) }
        for name in files.keys where !isPlainFileName(name) { throw TileArchiveError.invalidFileName(name, path: path) }
        let replacing = try checkReplaceable(path)

        let pid = getpid()
        let partial = path + ".partial-\(pid)"
        let fm = FileManager.default
        // A folder of this name is ours, left by an earlier run that had our pid.
        try? fm.removeItem(atPath: partial)
        do {
            try fileSystem(partial, "create the folder") { try fm.createDirectory(atPath: partial, withIntermediateDirectories: false) }
            var made = Set<String>()
            for (t, data) in tiles {
                let column = "\(partial)/\(t.z)/\(t.x)"
                if made.insert(column).inserted {
                    try fileSystem(column, "create the folder") { try fm.createDirectory(atPath: column, withIntermediateDirectories: true) }
                }
                let file = "\(column)/\(t.y).mvt"
                try fileSystem(file, "write") { try Data(data).write(to: URL(fileURLWithPath: file)) }
            }
            for (name, data) in files {
                let file = "\(partial)/\(name)"
                try fileSystem(file, "write") { try Data(data).write(to: URL(fileURLWithPath: file)) }
            }
            if replacing {
                // Old aside, new in, old gone: at every moment `path` is a whole export.
                let old = path + ".old-\(pid)"
                try? fm.removeItem(atPath: old)
                try moveReplacing(path, to: old)
                do {
                    try moveReplacing(partial, to: path)
                } catch {
                    try? moveReplacing(old, to: path)
                    throw error
                }
                // The new export is in place; an old one that will not go is only clutter.
                try? fm.removeItem(atPath: old)
            } else {
                try moveReplacing(partial, to: path)
            }
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
    }

    /// Whether `path` exists and may be replaced; throws when it holds what is not ours.
    static func checkReplaceable(_ path: String) throws -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return false }
            throw TileArchiveError.fileSystem(path: path, operation: "look at it", message: String(cString: strerror(errno)))
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            let kind = st.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "a file"
            throw TileArchiveError.wouldReplaceUnrelated(path: path, reason: "it is \(kind), not a folder of tiles")
        }
        let entries = try fileSystem(path, "list the folder") { try FileManager.default.contentsOfDirectory(atPath: path) }
        if entries.contains("tiles.json") { return true }
        // No tiles.json: a pyramid all the way down, or a folder of someone's "2019", "2020".
        let fm = FileManager.default
        func isNumber(_ s: Substring) -> Bool { !s.isEmpty && s.count <= 10 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        func isDirectory(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        func refuse(_ entry: String) -> TileArchiveError {
            .wouldReplaceUnrelated(path: path, reason: "it holds \"\(entry)\", which a tile export does not (it has no tiles.json, and an export's other entries are z/x/y.mvt and .json files)")
        }
        for name in entries.sorted() {
            let p = path + "/" + name
            if name.hasSuffix(".json") && !isDirectory(p) { continue }
            guard isNumber(name[...]), let z = Int(name), z <= 30, isDirectory(p) else { throw refuse(name) }
            for x in try fileSystem(p, "list the folder", { try fm.contentsOfDirectory(atPath: p) }).sorted() {
                guard isNumber(x[...]), isDirectory(p + "/" + x) else { throw refuse(name + "/" + x) }
                for y in try fileSystem(p + "/" + x, "list the folder", { try fm.contentsOfDirectory(atPath: p + "/" + x) }).sorted() {
                    guard y.hasSuffix(".mvt"), isNumber(y.dropLast(4)), !isDirectory(p + "/" + x + "/" + y) else { throw refuse(name + "/" + x + "/" + y) }
                }
            }
        }
        return true
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
            && !name.allSatisfy(\.isNumber) && !name.hasPrefix(".partial-") && !name.hasPrefix(".old-")
    }
}

/// The folder written by `DirectoryArchive`, read back: info from its `tiles.json`.
public struct DirectoryReader: TileArchiveReader {
    public let path: String
    public let info: TileSetInfo

    public init(path: String) throws {
        let path = withoutTrailingSlash(path)
        self.path = path
        let tileJSONPath = path + "/tiles.json"
        guard FileManager.default.fileExists(atPath: tileJSONPath) else { throw TileArchiveError.notFound(path: tileJSONPath) }
        let bytes = try fileSystem(tileJSONPath, "read") { [UInt8](try Data(contentsOf: URL(fileURLWithPath: tileJSONPath))) }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw TileArchiveError.corrupt(path: tileJSONPath, what: "TileJSON", reason: error.description)
        }
        guard let o = document.objectValue else { throw TileArchiveError.corrupt(path: tileJSONPath, what: "TileJSON", reason: "not an object") }
        info = try TileSetInfo.reading(o, fallback: .unnamed(), path: tileJSONPath, what: "TileJSON")
    }

    public func tile(_ t: TileAddress) throws -> [UInt8]? {
        guard t.isValid else { return nil }
        let file = "\(path)/\(t.z)/\(t.x)/\(t.y).mvt"
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try fileSystem(file, "read") { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }
    }

    /// The `z/x/y.mvt` files of the folder; other names are not tiles and are passed over.
    public func addresses() throws -> [TileAddress] {
        let fm = FileManager.default
        func numbers(_ dir: String, suffix: String = "") throws -> [Int] {
            try fileSystem(dir, "list the folder") { try fm.contentsOfDirectory(atPath: dir) }.compactMap { name in
                guard name.hasSuffix(suffix) else { return nil }
                let stem = name.dropLast(suffix.count)
                guard !stem.isEmpty, stem.count <= 10, stem.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                return Int(stem)
            }
        }
        var out: [TileAddress] = []
        for z in try numbers(path) where z <= 30 {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: "\(path)/\(z)", isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for x in try numbers("\(path)/\(z)") {
                guard fm.fileExists(atPath: "\(path)/\(z)/\(x)", isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                for y in try numbers("\(path)/\(z)/\(x)", suffix: ".mvt") {
                    let t = TileAddress(z: z, x: x, y: y)
                    if t.isValid { out.append(t) }
                }
            }
        }
        return out.sorted()
    }
}

func withoutTrailingSlash(_ path: String) -> String {
    var p = path
    while p.count > 1, p.hasSuffix("/") { p.removeLast() }
    return p
}

/// `body`, its Foundation error turned into one that names `path` and what was being done.
func fileSystem<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as TileArchiveError {
        throw e
    } catch {
        throw TileArchiveError.fileSystem(path: path, operation: operation, message: (error as NSError).localizedDescription)
    }
}

/// rename(2): atomic, and replaces an existing file (or an empty folder) at `destination`.
func moveReplacing(_ source: String, to destination: String) throws {
    guard rename(source, destination) == 0 else {
        throw TileArchiveError.fileSystem(path: destination, operation: "rename \(source) to it", message: String(cString: strerror(errno)))
    }
}
