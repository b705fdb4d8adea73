import Foundation
import Geo
import Testing

/// End-to-end tests: they run the built `threatmap` binary as a user would.
struct CLI {
    /// The binary beside the test bundle (`swift build` puts both in the same folder), or the
    /// one named by THREATMAP_BIN.
    static let executable: URL = {
        if let path = ProcessInfo.processInfo.environment["THREATMAP_BIN"] { return URL(fileURLWithPath: path) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("threatmap")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return me.deletingLastPathComponent().appendingPathComponent("threatmap")
    }()

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Drain standard error on another thread while reading standard output, so that neither
        // pipe can fill and block the child.
        nonisolated(unsafe) var stderrData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderrData = readAll(err.fileHandleForReading) }
        let stdoutData = readAll(out.fileHandleForReading)
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: stdoutData, stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Everything until end of file, with read(2) retried when a signal interrupts it (Foundation's
    /// readDataToEndOfFile traps on EINTR, which a child's SIGCHLD can cause while tests run in
    /// parallel).
    static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: buffer[..<n]) } else if n == 0 || errno != EINTR { return data }
        }
    }
}

@Suite struct CLITests {
    @Test func helpExplainsTheTool() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.text.contains("export"))
        #expect(r.text.contains("geodata"))
        let serve = try CLI.run(["serve", "--help"])
        #expect(serve.text.contains("THREATMAP_TOKEN") && serve.text.contains("--maplibre-url") && serve.text.contains("/openapi.json"))
        let badPort = try CLI.run(["serve", "--port", "70000"])
        #expect(badPort.status != 0 && badPort.stderr.contains("--port"))
        let sub = try CLI.run(["export", "geojson", "--help"])
        #expect(sub.text.contains("--layer"))
        #expect(sub.text.contains("RFC 7946"))
    }

    @Test func exportsTheRegionsAsRFC7946GeoJSON() throws {
        let r = try CLI.run(["export", "geojson", "--layer", "regions"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try GeoJSONReader().read(Array(r.stdout))
        let features = doc.featureCollection.features
        #expect(features.count == 10)
        #expect(Set(features.compactMap { $0.properties["id"]?.stringValue }) ==
            ["bamako", "gao", "kayes", "kidal", "koulikoro", "menaka", "mopti", "segou", "sikasso", "tombouctou"])
        #expect(features.allSatisfy { $0.id == .string($0.properties["id"]!.stringValue!) })
        for f in features {
            for p in f.geometry!.polygons {
                #expect(RingOrientation.isCounterClockwise(p.exterior), "\(f.id!)")
                #expect(p.holes.allSatisfy { !RingOrientation.isCounterClockwise(Array($0)) }, "\(f.id!)")
            }
            #expect(f.properties["zone"]?.stringValue != nil)
            #expect((f.properties["area_km2"]?.numberValue ?? 0) > 100)
        }
        let root = try #require(try JSONParser.parse(Array(r.stdout)).objectValue)
        #expect(root["bbox"]?.arrayValue?.count == 4)
        #expect(root["crs"] == nil)
    }

    @Test func outputIsByteIdenticalRunToRun() throws {
        // The same date: a file says its moment (as_of), so two runs "now" differ in it.
        let a = try CLI.run(["export", "geojson", "--layer", "regions", "--as-of", "2024-06-22"])
        let b = try CLI.run(["export", "geojson", "--layer", "regions", "--as-of", "2024-06-22"])
        #expect(a.stdout == b.stdout)
        #expect(!a.stdout.isEmpty)
    }

    @Test func writesAFileWithOutputAndPrecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("regions.geojson")
        let r = try CLI.run(["export", "geojson", "--layer", "regions", "--precision", "3", "-o", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOf: file, encoding: .utf8)
        let features = try GeoJSONReader().read(text).featureCollection.features
        #expect(features.count == 10)
        // No coordinate has more than three decimals.
        for f in features {
            f.geometry?.forEachPosition { p in
                #expect(abs(p.x * 1000 - (p.x * 1000).rounded()) < 1e-6 && abs(p.y * 1000 - (p.y * 1000).rounded()) < 1e-6)
            }
        }
    }

    /// One strict rule for the moment: a free-text date or a time without its zone is refused
    /// (it used to be read as the start of the day, or as midnight).
    @Test func aMomentIsNowADayOrAnRFC3339Time() throws {
        for bad in ["March 21, 2021", "2024-01-01Tjunk", "2021-03-21T09:00:00"] {
            let r = try CLI.run(["export", "geojson", "--layer", "regions", "--as-of", bad])
            #expect(r.status != 0 && r.stderr.contains("--as-of"), "\(bad): \(r.stderr)")
        }
        let good = try CLI.run(["export", "geojson", "--layer", "regions", "--as-of", "2021-03-21T10:00:00+01:00"])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test func anUnknownLayerIsAClearError() throws {
        let r = try CLI.run(["export", "geojson", "--layer", "rivers"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("rivers"))
        #expect(r.stderr.contains("regions"))
    }

    @Test func aMissingGeoDataFolderIsAClearError() throws {
        let r = try CLI.run(["export", "geojson", "--layer", "regions", "--geodata", "/nonexistent/GeoData"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/GeoData/mali/regions.csv"))
        #expect(r.stdout.isEmpty)
    }

    @Test func geodataCheckPassesAndPrintsFigures() throws {
        let r = try CLI.run(["geodata", "check"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("regions: 10"))
        #expect(r.text.contains("no faults"))
    }
}
