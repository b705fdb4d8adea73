import ArgumentParser
import Atlas
import Foundation
import Geo

struct GeoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geodata",
        abstract: "Build and check Mali's boundaries, zones and gazetteer.",
        subcommands: [GeoDataBuild.self, GeoDataCheck.self]
    )
}

struct GeoDataBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Rebuild regions.geojson and gazetteer.csv from their sources.",
        discussion: """
            Polygonizes boundary lines (Natural Earth 10m admin-0 and admin-1 lines as GeoJSON) \
            into regions, names each face by the region seat in regions.csv that it holds, then \
            places every GeoNames and curated place in its region. Scripts/rebuild-geodata.sh \
            fetches the sources and runs this.
            """
    )

    @Option(name: .customLong("lines"), parsing: .upToNextOption, help: ArgumentHelp("GeoJSON files of boundary lines.", valueName: "file"))
    var lines: [String]

    @Option(help: ArgumentHelp("GeoNames places in Mali as CSV (geonameid,name,latitude,longitude,admin1code,population,alternatenames).", valueName: "file"))
    var geonames: String

    @Option(help: ArgumentHelp("The folder to write (GeoData/mali); regions.csv and places-curated.csv are read from it.", valueName: "dir"))
    var out: String

    func run() async throws {
        let dir = URL(fileURLWithPath: out)
        let table = try RegionTable.load(dir.appendingPathComponent("regions.csv"))
        var geometries: [Geometry] = []
        for path in lines {
            let doc = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            geometries += doc.featureCollection.features.compactMap(\.geometry)
        }
        note("polygonizing \(geometries.count) boundary lines")
        let regions = try BoundaryBuild(table: table).regions(from: geometries)
        try emit(GeoJSONWriter(precision: 7, name: "regions").write(regions), to: dir.appendingPathComponent("regions.geojson").path)
        note("wrote \(regions.features.count) regions")

        let areas = try Atlas.loadRegions(dir.appendingPathComponent("regions.geojson"))
        let geonamesTable = try CSVTable(parsing: String(contentsOfFile: geonames, encoding: .utf8))
        let curated = try CSVTable(parsing: String(contentsOf: dir.appendingPathComponent("places-curated.csv"), encoding: .utf8))
        let result = try GazetteerBuild(geonames: geonamesTable, curated: curated, table: table).build(regions: areas)
        let text = CSVTable.format(header: result.header, rows: result.rows)
        try emit(Array(text.utf8), to: dir.appendingPathComponent("gazetteer.csv").path)
        for n in result.notes { note("  " + n) }
        note("wrote \(result.rows.count) places")
    }
}

struct GeoDataCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load GeoData, check it, and print its figures.",
        discussion: """
            Checks that the regions are valid and do not overlap, that their union is one polygon \
            without holes (no gaps), that zones cover every region once, and that every place lies \
            in its region; prints counts, areas and the places whose region differs from their \
            source's. Exits non-zero on any fault.
            """
    )

    @OptionGroup var geodata: GeoDataOptions

    func run() async throws {
        let atlas = try geodata.atlas()
        let report = try AtlasCheck(atlas: atlas).run()
        print(report.text)
        if !report.faults.isEmpty {
            for f in report.faults { note("fault: \(f)") }
            throw ExitCode.failure
        }
    }
}
