import ArgumentParser
import Foundation
import Geo
import ThreatLayers
import ThreatMapCore
import ThreatModel
import VectorFiles

struct ExportGeoPackage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpkg",
        abstract: "Write every layer, as of a date, into one GeoPackage (OGC GeoPackage 1.x, through GDAL).",
        discussion: """
            One table per layer (regions, zones, alert_areas, incidents, labels, and cercles where the GeoData has \
            them), in WGS 84 (EPSG:4326), with the same fields as the GeoJSON export (threatmap export geojson \
            --help lists them), typed: integers, reals, text, booleans, dates and times. Every table has its \
            columns and geometry type even when it holds no feature (no active alert, no incident), so a QGIS \
            project or a script built on the file keeps working on a quiet day. The moment is in the file's \
            metadata (gpkg_metadata, which ogrinfo -so FILE prints): as_of, window, \
            window_days and levels. The file is written under a temporary name and renamed: a failure never \
            leaves half a file, and an existing file at -o is replaced only once the new one is complete.
            """
    )

    @OptionGroup var moment: MomentOptions
    @OptionGroup var levelOptions: LevelOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The GeoPackage to write (FILE.gpkg).", valueName: "file"))
    var output: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    func validate() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("-o \(output) is a folder; give the GeoPackage file to write")
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("-o \(output): its folder \(folder) does not exist")
        }
    }

    func run() async throws {
        let builder = try geodata.folder().layerBuilder()
        let content = try MapContent.make(store: try existingStore(storeOptions), builder: builder, at: moment.date,
                                          since: moment.since?.date(), basis: levelOptions.levels, windowDays: levelOptions.window)
        let cercles = builder.layerNames.contains(.cercles)
        let layers = builder.layerNames.map { name in
            GeoPackageLayer(name: name.rawValue, description: MapContent.descriptions[name.rawValue] ?? name.rawValue,
                            schema: LayerSchema.of(name, cercles: cercles), features: content.layers[name]?.features ?? [])
        }
        let metadata = content.stamp.members.map { (key: $0.key, value: $0.value.stringValue ?? $0.value.jsonText) }
        try GeoPackage.write(layers, metadata: metadata, to: output)
        note("wrote \(layers.map { "\($0.features.count) \($0.name)" }.joined(separator: ", ")) to \(output)")
    }
}
