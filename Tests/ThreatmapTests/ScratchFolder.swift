import Foundation
import Testing

/// A new folder under the temporary directory for one test's files, and GDAL's ogr2ogr to
/// write boundary files into it.
struct ScratchFolder {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Runs ogr2ogr; a failure is recorded as the test's.
    func ogr2ogr(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ogr2ogr"] + arguments
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "ogr2ogr \(arguments.joined(separator: " "))")
    }
}
