import Foundation
import Geo
import Testing
import VectorTiles

/// Golden files: what the built binary makes of the sample alerts (`GeoData/alerts`), kept under
/// `Tests/Golden` so that a change in output is a diff a person reviews, not only a failed
/// assertion. `Scripts/regenerate-goldens.sh` writes them anew (say why in the commit message).
@Suite(.serialized) struct GoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Tests/Golden")
    static let recording = ProcessInfo.processInfo.environment["THREATMAP_RECORD_GOLDENS"] == "1"
    /// Two moments with different alerts active: the Timbuktu CAP series (May 2024) and the
    /// Ménaka CAP alert with the Bandiagara advisory (July 2024).
    static let days = ["2024-05-16", "2024-07-05"]

    static var samples: [URL] {
        (try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("GeoData/alerts"), includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }) ?? []
    }

    /// Compares `bytes` with the golden file at `path` (relative to Tests/Golden), or writes it
    /// when recording.
    static func check(_ bytes: [UInt8], _ path: String) throws {
        let url = golden.appendingPathComponent(path)
        if recording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record("no golden file \(path): run Scripts/regenerate-goldens.sh")
            return
        }
        if [UInt8](expected) != bytes {
            let got = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("golden-" + path.replacingOccurrences(of: "/", with: "_"))
            try Data(bytes).write(to: got)
            Issue.record("\(path) differs from its golden file: diff \(url.path) \(got.path)")
        }
    }

    static func store() throws -> (URL, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = dir.appendingPathComponent("store.sqlite").path
        // The sample event table has two bad rows on purpose (reported, the rest stored), so
        // ingest exits non-zero; anything else failing is a fault.
        let r = try CLI.run(["ingest", "--store", store] + samples.map(\.path))
        #expect(r.stderr.contains("1 of \(samples.count) input(s) failed") && r.stderr.contains("acled-2024-sample.csv: line 13"), "\(r.stderr)")
        return (dir, store)
    }

    @Test func resolveOfEachSample() throws {
        for file in Self.samples {
            let r = try CLI.run(["resolve", file.path])
            #expect(r.status == 0 || file.pathExtension == "csv", "\(file.lastPathComponent): \(r.stderr)")
            try Self.check([UInt8](r.stdout), "resolve/\(file.lastPathComponent).json")
        }
    }

    @Test func everyLayerAsOfTwoDays() throws {
        let (dir, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        for day in Self.days {
            let out = dir.appendingPathComponent(day)
            let r = try CLI.run(["export", "geojson", "--all", "-o", out.path, "--as-of", day, "--store", store])
            #expect(r.status == 0, "\(r.stderr)")
            for name in ["regions", "zones", "alert_areas", "incidents", "labels"] {
                let bytes = FileManager.default.contents(atPath: out.appendingPathComponent("\(name).geojson").path) ?? Data()
                try Self.check([UInt8](bytes), "layers/\(day)/\(name).geojson")
            }
        }
    }

    /// A z0-6 pyramid, each tile decoded to JSON on a line of its own (z, x, y order), with its
    /// tiles.json and style.json.
    @Test func pyramidDecoded() throws {
        let (dir, store) = try Self.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        let day = Self.days[1]
        let out = dir.appendingPathComponent("tiles")
        let r = try CLI.run(["export", "tiles", "-o", out.path, "--maxzoom", "6", "--as-of", day, "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        var addresses: [(Int, Int, Int)] = []
        let fm = FileManager.default
        for z in (try? fm.contentsOfDirectory(atPath: out.path)) ?? [] {
            guard let zi = Int(z) else { continue }
            for x in (try? fm.contentsOfDirectory(atPath: out.appendingPathComponent(z).path)) ?? [] {
                guard let xi = Int(x) else { continue }
                for y in (try? fm.contentsOfDirectory(atPath: out.appendingPathComponent("\(z)/\(x)").path)) ?? [] where y.hasSuffix(".mvt") {
                    if let yi = Int(y.dropLast(4)) { addresses.append((zi, xi, yi)) }
                }
            }
        }
        addresses.sort { $0 < $1 }
        #expect(!addresses.isEmpty)
        var lines: [UInt8] = []
        for (z, x, y) in addresses {
            let bytes = [UInt8](fm.contents(atPath: out.appendingPathComponent("\(z)/\(x)/\(y).mvt").path) ?? Data())
            guard case .object(var o) = try MVTDecoder.json(bytes) else { continue }
            o = JSONObject([("tile", .string("\(z)/\(x)/\(y)"))] + o.members.map { ($0.key, $0.value) })
            var w = JSONWriter()
            w.value(.object(o))
            lines += w.bytes + [0x0A]
        }
        try Self.check(lines, "tiles/\(day)-z0-6.jsonl")
        for name in ["tiles.json", "style.json"] {
            try Self.check([UInt8](fm.contents(atPath: out.appendingPathComponent(name).path) ?? Data()), "tiles/\(name)")
        }
    }
}
