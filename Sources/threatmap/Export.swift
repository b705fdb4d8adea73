import AlertIngest
import ArgumentParser
import Atlas
import Foundation
import Geo
import ThreatLayers
import ThreatModel
import ThreatMapCore
import ThreatStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export map layers.",
        subcommands: [ExportGeoJSON.self, ExportTiles.self, ExportGeoPackage.self]
    )
}

extension LayerName: ExpressibleByArgument {}
extension LevelBasis: ExpressibleByArgument {}

/// What sets the levels, and the event window: export and serve take them alike.
struct LevelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("What sets each area's level: alerts (the active advisories), events (the event record of the window, by GeoData's indicators/event-levels.json) or both (the higher of the two).", valueName: "alerts|events|both"))
    var levels: LevelBasis = .both

    @Option(help: ArgumentHelp("The event window in days, ending with the day of --as-of: the events that set levels and the incidents shown. Default: the thresholds file's window_days (30).", valueName: "days"))
    var window: Int?

    func validate() throws {
        if let window, !(1...3_660).contains(window) { throw ValidationError("--window must be between 1 and 3660 days") }
    }
}

/// The moment a map shows and the first day of its incidents: the exports take them alike.
struct MomentOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The moment to map: now, a day (YYYY-MM-DD, its end in UTC) or an RFC 3339 time with a zone (2021-03-21T09:00:00Z). Default: now.", valueName: "date"))
    var asOf: Moment?

    @Option(help: ArgumentHelp("The first day of incidents to include (YYYY-MM-DD). Default: the first day of the --window.", valueName: "date"))
    var since: Moment?

    var date: Date { (asOf ?? .now).date() }

    func validate() throws {
        if let since, UTCDate.startOfDay(since.date()) > date { throw ValidationError("--since is after --as-of") }
    }
}

extension Moment: ExpressibleByArgument {
    public init?(argument: String) {
        guard let m = try? Moment(parsing: argument) else { return nil }
        self = m
    }

    public static var defaultCompletionKind: CompletionKind { .default }
}

/// The store, if there is one: layers of a missing store are computed from no alerts, and no
/// empty store file is left behind.
func existingStore(_ options: StoreOptions) throws -> (any ThreatStore)? {
    guard Stores.isPostgres(options.path) || FileManager.default.fileExists(atPath: options.path) else {
        note("no store at \(options.path): no alerts, every area is level 1 (ingest alerts first, or pass --store)")
        return nil
    }
    return try options.open()
}

struct ExportGeoJSON: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geojson",
        abstract: "Write a layer, or all of them, as RFC 7946 GeoJSON, as of a date.",
        discussion: """
            Layers: regions (Mali's regions with their threat level), zones (northern, central, Bamako and \
            surrounding area, southern), alert_areas (the footprint of each active alert), incidents (events \
            from --since to --as-of), labels (a point inside each region and zone), and cercles where the GeoData \
            has them. Every area carries level (1-5), level_label, colour, level_terrorism, level_kidnapping, \
            level_armed_conflict, level_crime, level_civil_unrest, alert_count, latest_update, alert_level, \
            event_level, event_level_CATEGORY, level_source (alerts, events, both or none: which set the level), \
            reason, alert_reason and event_reason; regions and cercles also carry the event indicators of the \
            window: events, fatalities, civilian_events, civilian_share, diffusion and intensity_CATEGORY (the \
            README gives their formulas). --levels chooses what sets the level; the thresholds are GeoData's \
            indicators/event-levels.json.

            The collection says its moment in foreign members (RFC 7946 section 6.1): as_of, window (an ISO 8601 \
            interval), window_days and levels.

            The output is a FeatureCollection in WGS 84 longitude, latitude with a bbox, exterior rings \
            counter-clockwise and holes clockwise, one feature per line, stable feature ids. The same store \
            and date give byte-identical files.
            """
    )

    @Option(help: "The layer to write: regions, zones, alert_areas, incidents or labels.")
    var layer: LayerName?

    @Flag(help: "Write every layer, as LAYER.geojson in the folder given by -o.")
    var all = false

    @OptionGroup var moment: MomentOptions
    @OptionGroup var levelOptions: LevelOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("A file (or with --all, a folder) to write instead of standard output.", valueName: "path"))
    var output: String?

    @Option(help: "Decimal places of coordinates (6 is about 0.1 m).")
    var precision: Int = 6

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    func validate() throws {
        guard (0...15).contains(precision) else { throw ValidationError("--precision must be between 0 and 15") }
        if all && layer != nil { throw ValidationError("give --layer NAME or --all, not both") }
        if !all && layer == nil { throw ValidationError("give --layer NAME (\(LayerName.allCases.map(\.rawValue).joined(separator: ", "))) or --all") }
        if all && output == nil { throw ValidationError("--all needs -o DIR, the folder to write the layers in") }
    }

    func run() async throws {
        let builder = try geodata.folder().layerBuilder()
        let names = all ? builder.layerNames : [layer!]
        if !builder.layerNames.contains(names[0]) {
            throw ValidationError("the GeoData has no \(names[0].rawValue); its layers are \(builder.layerNames.map(\.rawValue).joined(separator: ", ")) (cercles come with geodata import --cercles)")
        }
        if all { try FileManager.default.createDirectory(atPath: output!, withIntermediateDirectories: true) }
        func path(_ name: LayerName) -> String? {
            all ? URL(fileURLWithPath: output!).appendingPathComponent("\(name.rawValue).geojson").path : output
        }
        let content = try MapContent.make(store: try existingStore(storeOptions), builder: builder,
                                          at: moment.date, since: moment.since?.date(), layers: names,
                                          basis: levelOptions.levels, windowDays: levelOptions.window)
        for name in names {
            let features = content.layers[name] ?? FeatureCollection()
            try emit(GeoJSONWriter(precision: precision, name: name.rawValue, foreignMembers: content.stamp).write(features), to: path(name))
            if let p = path(name) { note("wrote \(features.features.count) \(name.rawValue) features to \(p)") }
        }
    }
}
