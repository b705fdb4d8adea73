import Foundation
import Testing

/// `threatmap export gpkg` end to end, read back by GDAL's own ogrinfo.
@Suite struct GeoPackageCLITests {
    let work: ScratchFolder

    init() throws { work = try ScratchFolder("gpkg") }

    /// ogrinfo's summary of `arguments`, and its exit status.
    func ogrinfo(_ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ogrinfo", "-ro"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: CLI.readAll(out.fileHandleForReading), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    @Test func everyLayerIsATypedTableWithTheMomentInItsMetadata() throws {
        let store = work.path("store.sqlite")
        _ = try CLI.run(["ingest", "--store", store] + GoldenTests.samples.map(\.path))  // the sample table has bad rows on purpose
        let file = work.path("map.gpkg")
        let r = try CLI.run(["export", "gpkg", "-o", file, "--as-of", "2024-07-05", "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        let (status, summary) = try ogrinfo(["-so", file])
        #expect(status == 0)
        for layer in ["regions (Multi Polygon)", "zones (Multi Polygon)", "alert_areas (Multi Polygon)", "incidents (Point)", "labels (Point)"] {
            #expect(summary.contains(layer), "\(layer): \(summary)")
        }
        #expect(summary.contains("as_of=2024-07-05T23:59:59Z") && summary.contains("window=2024-06-06T00:00:00Z/2024-07-05T23:59:59Z"), "\(summary)")
        let (_, regions) = try ogrinfo(["-so", file, "regions"])
        for field in ["level: Integer64", "diffusion: Real", "latest_update: DateTime", "level_source: String", "Feature Count: 10"] {
            #expect(regions.contains(field), "\(field): \(regions)")
        }
        let (_, menaka) = try ogrinfo([file, "incidents", "-where", "event_id = 'MLI30002'"])
        #expect(menaka.contains("date (Date) = 2024/06/21") && menaka.contains("fatalities (Integer64) = 12") && menaka.contains("POINT (2.4022 15.9182)"), "\(menaka)")
    }

    @Test func emptyLayersKeepTheirColumnsAndAFailureLeavesNoFile() throws {
        // No store: no alert, no incident; the tables are there with their fields all the same.
        let file = work.path("empty.gpkg")
        let r = try CLI.run(["export", "gpkg", "-o", file, "--store", work.path("none.sqlite")])
        #expect(r.status == 0, "\(r.stderr)")
        let (_, areas) = try ogrinfo(["-so", file, "alert_areas"])
        #expect(areas.contains("Geometry: Multi Polygon") && areas.contains("Feature Count: 0") && areas.contains("expires_given: Integer(Boolean)")
            && areas.contains("published: DateTime"), "\(areas)")
        let (_, incidents) = try ogrinfo(["-so", file, "incidents"])
        #expect(incidents.contains("Geometry: Point") && incidents.contains("date: Date") && incidents.contains("fatalities: Integer64"), "\(incidents)")

        // A folder that does not exist: a clear error, and nothing left behind.
        let bad = try CLI.run(["export", "gpkg", "-o", work.path("missing/map.gpkg"), "--store", work.path("none.sqlite")])
        #expect(bad.status != 0 && bad.stderr.contains("missing/map.gpkg"), "\(bad.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == ["empty.gpkg"])
    }
}
