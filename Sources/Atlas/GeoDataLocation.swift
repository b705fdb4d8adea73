import Foundation

/// Where the GeoData folder is: named by `THREATMAP_GEODATA`, else found beside the running
/// executable or above it (a build inside the repository), else the repository this was built from.
public enum GeoDataLocation {
    public static let environmentVariable = "THREATMAP_GEODATA"

    /// The `GeoData` folder (holding `mali/`), or nil.
    public static func find(explicit: String? = nil) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("GeoData"))
            candidates.append(dir.appendingPathComponent("share/threatmap/GeoData"))
            dir = dir.deletingLastPathComponent()
        }
        // Sources/Atlas/GeoDataLocation.swift → the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent("GeoData"))
        return candidates.first { FileManager.default.fileExists(atPath: maliFolder($0).appendingPathComponent("regions.geojson").path) }
    }

    /// Where each part lies inside a GeoData folder: the only place that knows the layout.
    public static func maliFolder(_ root: URL) -> URL { root.appendingPathComponent("mali") }
    public static func lexiconFile(_ root: URL) -> URL { root.appendingPathComponent("lexicon/lexicon.json") }

    /// The `GeoData/mali` folder, or an error that says how to point at it.
    public static func maliDirectory(explicit: String? = nil) throws -> URL {
        guard let root = find(explicit: explicit) else {
            throw AtlasError(file: "GeoData", message: "cannot find the GeoData folder; set \(environmentVariable) or pass --geodata DIR")
        }
        return maliFolder(root)
    }
}
