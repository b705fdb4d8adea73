import ArgumentParser
import Atlas
import Geo

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export map layers.",
        subcommands: [ExportGeoJSON.self]
    )
}

/// The layers `export geojson` can write so far.
enum LayerName: String, CaseIterable, ExpressibleByArgument {
    case regions
}

struct ExportGeoJSON: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geojson",
        abstract: "Write a layer as RFC 7946 GeoJSON.",
        discussion: """
            The output is a FeatureCollection in WGS 84 longitude, latitude with a bbox, exterior \
            rings counter-clockwise and holes clockwise, one feature per line. The same GeoData \
            gives byte-identical output.

            Layers: regions (Mali's first-level regions: id, name, aliases, zone, area_km2).
            """
    )

    @Option(help: "The layer to write.")
    var layer: LayerName

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Decimal places of coordinates (6 is about 0.1 m).")
    var precision: Int = 6

    @OptionGroup var geodata: GeoDataOptions

    func validate() throws {
        guard (0...15).contains(precision) else { throw ValidationError("--precision must be between 0 and 15") }
    }

    func run() async throws {
        let atlas = try geodata.atlas()
        let features: FeatureCollection
        switch layer {
        case .regions: features = atlas.regionFeatures()
        }
        let writer = GeoJSONWriter(precision: precision, name: layer.rawValue)
        try emit(writer.write(features), to: output)
        if let output { note("wrote \(features.features.count) \(layer.rawValue) features to \(output)") }
    }
}
