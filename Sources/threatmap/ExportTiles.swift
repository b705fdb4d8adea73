import ArgumentParser
import Foundation
import Geo
import ThreatLayers
import ThreatMapCore
import ThreatModel
import VectorTiles

enum TileFormat: String, CaseIterable, ExpressibleByArgument {
    case dir, mbtiles, pmtiles
}

struct ExportTiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles",
        abstract: "Write the layers as Mapbox Vector Tiles, as of a date: a z/x/y.mvt folder, MBTiles or PMTiles.",
        discussion: """
            One MVT layer per ThreatMap layer, extent 4096, in the Web Mercator XYZ scheme. Per zoom, shapes are \
            simplified to about a tile unit (regions and zones with their shared borders kept identical), clipped \
            with a buffer, snapped to the tile grid and kept valid. At the maximum zoom every incident is kept with every \
            property; below it, incidents are clustered to one per 256×256 tile units, the most severe standing for \
            the others with point_count, keeping level, category, fatalities, date and event_type. Alert areas and \
            incidents carry no MVT feature id (their id property names them). Only tiles with content are written.

            dir: PATH/z/x/y.mvt (uncompressed), PATH/tiles.json and PATH/style.json (a MapLibre style). mbtiles: MBTiles 1.3 (TMS rows, gzip tiles, each distinct tile once under a tiles view, \
            metadata json with the vector layers). pmtiles: PMTiles v3 (Hilbert order, gzip, duplicate tiles once). \
            Every archive is written under a temporary name and renamed, so a failure leaves no partial archive; \
            a folder that is not an earlier tile export is never replaced. tiles.json and the archives' metadata \
            carry as_of (the moment the tiles show), window (the event window, an ISO 8601 interval), window_days \
            and levels (what set them; --levels, as for export geojson).
            """
    )

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The folder (dir) or file (mbtiles, pmtiles) to write.", valueName: "path"))
    var output: String

    @Option(help: "The archive format: dir, mbtiles or pmtiles.")
    var format: TileFormat = .dir

    @Option(help: "The lowest zoom.")
    var minzoom = 0

    @Option(help: "The highest zoom.")
    var maxzoom = 12

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The moment to map, as for export geojson. Default: now.", valueName: "date"))
    var asOf: Moment?

    @Option(name: .customLong("tile-url"), help: ArgumentHelp("The tile URL template written into tiles.json (relative to it by default).", valueName: "url"))
    var tileURL = "{z}/{x}/{y}.mvt"

    @Option(name: .customLong("style-source-url"), help: ArgumentHelp("The TileJSON URL written into style.json; MapLibre needs it absolute, e.g. https://tiles.example.org/tiles.json.", valueName: "url"))
    var styleSourceURL = "tiles.json"

    @OptionGroup var levelOptions: LevelOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    func validate() throws {
        guard (0...16).contains(minzoom), (0...16).contains(maxzoom), minzoom <= maxzoom else {
            throw ValidationError("zooms must satisfy 0 <= --minzoom <= --maxzoom <= 16")
        }
    }

    func run() async throws {
        let store = try existingStore(storeOptions)
        let map = try MapContent.make(store: store, builder: try geodata.folder().layerBuilder(), at: (asOf ?? .now).date(),
                                      basis: levelOptions.levels, windowDays: levelOptions.window).tiled()
        var options = TilerOptions()
        options.minZoom = minzoom
        options.maxZoom = maxzoom
        let progress = ProgressLine(total: options.workers * (maxzoom - minzoom + 1))
        let report: (@Sendable (Int) -> Void)? = progress.map { line in { @Sendable n in line.advance(tiles: n) } }
        let tiles = try await Tiler(options: options).tiles(map.sources, progress: report)
        progress?.finish()
        let tilejson = map.tileJSON(tileURL: tileURL, minZoom: minzoom, maxZoom: maxzoom)
        let bytes = tiles.values.reduce(0) { $0 + $1.count }
        switch format {
        case .dir:
            var w = JSONWriter()
            w.value(tilejson)
            var style = JSONWriter()
            style.value(MapStyle.document(tileJSONURL: styleSourceURL))
            try DirectoryArchive.write(tiles, files: ["tiles.json": w.bytes, "style.json": style.bytes], to: output)
        case .mbtiles, .pmtiles:
            var info = TileSetInfo(name: "ThreatMap", description: tilejson.objectValue?["description"]?.stringValue ?? "",
                                   attribution: tilejson.objectValue?["attribution"]?.stringValue ?? "", minZoom: minzoom, maxZoom: maxzoom,
                                   bounds: map.bounds, vectorLayers: tilejson.objectValue?["vector_layers"] ?? [],
                                   asOf: UTCDate.format(map.content.moment))
            info.members = map.content.stamp
            if format == .mbtiles { try MBTilesArchive.write(tiles, info: info, to: output) } else { try PMTilesArchive.write(tiles, info: info, to: output) }
        }
        note("wrote \(tiles.count) tiles (\(bytes) bytes before compression) to \(output) as \(format.rawValue)")
    }
}

/// A progress line on standard error while tiles are made, only when it is a terminal: a batch
/// script's log gets none.
/// `@unchecked Sendable`: the counters change only with `lock` held (workers report from many tasks).
final class ProgressLine: @unchecked Sendable {
    let lock = NSLock()
    let total: Int
    var done = 0
    var tiles = 0

    init?(total: Int) {
        guard isatty(2) == 1 else { return nil }
        self.total = total
    }

    /// One worker finished one zoom, with this many tiles.
    func advance(tiles n: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        tiles += n
        let width = 30
        let filled = width * done / max(total, 1)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done * 100 / max(total, 1))%  \(tiles) tiles".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
