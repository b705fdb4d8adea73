import Foundation
import Geo
import Testing

/// `threatmap geodata import` end to end: boundary files written by GDAL's own ogr2ogr in three
/// formats and two coordinate systems, good and bad, imported by the built binary; the folders
/// it writes used by the other commands.
@Suite struct GeoDataImportCLITests {
    let work: ScratchFolder

    init() throws { work = try ScratchFolder("import") }

    func path(_ name: String) -> String { work.path(name) }
    func ogr2ogr(_ arguments: [String]) throws { try work.ogr2ogr(arguments) }

    /// Our regions as ogr2ogr writes them: GeoJSON in WGS 84, a GeoPackage, a Shapefile in Web Mercator.
    func files() throws -> [String] {
        let regions = try CLI.run(["export", "geojson", "--layer", "regions", "-o", path("regions.geojson")])
        #expect(regions.status == 0, "\(regions.stderr)")
        try ogr2ogr(["-f", "GPKG", path("regions.gpkg"), path("regions.geojson")])
        try ogr2ogr(["-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", path("regions3857.shp"), path("regions.geojson")])
        return [path("regions.geojson"), path("regions.gpkg"), path("regions3857.shp")]
    }

    /// Nothing half-written beside the folders the tests asked for.
    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains(".partial-") }
    }

    @Test func theSameRegionsFromGeoJSONGeoPackageAndAShapefileInWebMercator() throws {
        var outputs: [String] = []
        for (i, file) in try files().enumerated() {
            let out = path("geodata-\(i)")
            let r = try CLI.run(["geodata", "import", "--regions", file, "-o", out])
            #expect(r.status == 0, "\(file): \(r.stderr)")
            #expect(r.text.contains("wrote \(out): 10 regions"))
            let check = try CLI.run(["geodata", "check", "--geodata", out])
            #expect(check.status == 0 && check.text.contains("no faults"), "\(check.text) \(check.stderr)")
            outputs.append(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/mali/regions.csv")), as: UTF8.self))
            // Every command takes the folder.
            let resolved = try CLI.run(["resolve", "--geodata", out, "../../GeoData/alerts/cap-timbuktu-2024-05.xml"],
                                       in: URL(fileURLWithPath: #filePath).deletingLastPathComponent())
            #expect(resolved.status == 0 && resolved.text.contains("\"tombouctou\""), "\(resolved.stderr)")
        }
        #expect(Set(outputs).count == 1)
        #expect(try leftovers().isEmpty)
    }

    @Test func aPre2016FileUnaccentedInWebMercator() throws {
        _ = try files()
        // Ménaka within Gao, as before 2016, names without accents, a Shapefile in Web Mercator.
        let doc = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path("regions.geojson")))))
        let context = GEOSContext()
        var features: [Feature] = []
        var gao: [GEOSObject] = []
        for f in doc.featureCollection.features {
            let name = f.properties["name"]?.stringValue ?? ""
            guard let g = f.geometry else { continue }
            if name == "Gao" || name == "Ménaka" {
                gao.append(try GEOSObject(g, context: context))
            } else {
                let plain = name.folding(options: .diacriticInsensitive, locale: Locale(identifier: "en_US_POSIX"))
                features.append(Feature(geometry: g, properties: ["ADM1_FR": .string(plain)]))
            }
        }
        #expect(gao.count == 2)
        features.append(Feature(geometry: try gao[0].union(gao[1]).geometry(), properties: ["ADM1_FR": .string("Gao")]))
        try Data(GeoJSONWriter(precision: 7).write(FeatureCollection(features))).write(to: URL(fileURLWithPath: path("nine.geojson")))
        try ogr2ogr(["-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", path("nine.shp"), path("nine.geojson")])
        let out = path("nine")
        let r = try CLI.run(["geodata", "import", "--regions", path("nine.shp"), "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("9 regions") && r.stderr.contains("names from ADM1_FR") && r.stderr.contains("segou"))
        #expect(r.stderr.contains("menaka is not in the file: gao, which holds its seat, stands for it"), "\(r.stderr)")
        let resolved = try CLI.run(["resolve", "--geodata", out, "../../GeoData/alerts/cap-menaka-2024-07.xml"],
                                   in: URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        #expect(resolved.status == 0 && resolved.text.contains("\"regions\":[\"gao\"]"), "\(resolved.text.prefix(300)) \(resolved.stderr)")
    }

    @Test func badFilesAreRefusedAndLeaveNothingBehind() throws {
        let files = try self.files()
        try Data("not a boundary file\n".utf8).write(to: URL(fileURLWithPath: path("notes.txt")))
        let cases: [([String], String)] = [
            (["--regions", files[0], "--name-field", "ADM1_NAME"], "no field \"ADM1_NAME\""),
            (["--regions", path("notes.txt")], "not a vector file GDAL can read"),
            (["--regions", path("missing.gpkg")], "no such file"),
            (["--regions", files[1], "--zone", "nioro"], "expected REGION=ZONE"),
        ]
        for (arguments, message) in cases {
            let out = path("refused")
            let r = try CLI.run(["geodata", "import"] + arguments + ["-o", out])
            #expect(r.status != 0, "\(arguments)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments)")
        }
        // A Shapefile cut short: GDAL's own read errors are passed on.
        for ext in ["shx", "dbf", "prj"] {
            try FileManager.default.copyItem(atPath: path("regions3857.\(ext)"), toPath: path("broken.\(ext)"))
        }
        try Data(try Data(contentsOf: URL(fileURLWithPath: files[2])).prefix(3000)).write(to: URL(fileURLWithPath: path("broken.shp")))
        let broken = try CLI.run(["geodata", "import", "--regions", path("broken.shp"), "-o", path("refused")])
        #expect(broken.status != 0 && broken.stderr.contains("GDAL reported") && broken.stderr.contains("none of its 10 features is a polygon"), "\(broken.stderr)")
        // A file of another country: our regions moved to Niger's latitude and beyond.
        try ogr2ogr(["-f", "GeoJSON", "-dialect", "SQLite", "-sql", "SELECT name, ST_Translate(geometry, 20, 10, 0) AS geometry FROM regions",
                     path("elsewhere.geojson"), path("regions.geojson")])
        let r = try CLI.run(["geodata", "import", "--regions", path("elsewhere.geojson"), "-o", path("refused")])
        #expect(r.status != 0 && r.stderr.contains("it is not a division of Mali"), "\(r.stderr)")
        // A folder that is there already is not overwritten.
        try FileManager.default.createDirectory(atPath: path("taken/mali"), withIntermediateDirectories: true)
        let taken = try CLI.run(["geodata", "import", "--regions", files[0], "-o", path("taken")])
        #expect(taken.status != 0 && taken.stderr.contains("already exists and is not empty"))
        #expect(!FileManager.default.fileExists(atPath: path("refused")))
        #expect(try leftovers().isEmpty)
    }
}
