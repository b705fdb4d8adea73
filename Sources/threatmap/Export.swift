import AlertIngest
import ArgumentParser
import Atlas
import Foundation
import Geo
import ThreatLayers
import ThreatModel
import ThreatService
import ThreatStore

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export map layers.",
        subcommands: [ExportGeoJSON.self, ExportTiles.self]
    )
}

extension LayerName: ExpressibleByArgument {}

/// A day or a moment on the command line: "2021-03-21" is the end of that day (UTC), so that
/// what was published that day counts; "2021-03-21T09:00:00Z" is that moment.
struct Moment: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        let t = argument.trimmingCharacters(in: .whitespaces)
        if t.count == 10, let day = DateParsing.day(t) {
            date = day.addingTimeInterval(86_399)
        } else if let d = DateParsing.iso8601(t), t.count > 10 {
            date = d
        } else {
            return nil
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// Loads the atlas and the lexicon's settings into a layer builder.
func layerBuilder(_ geodata: GeoDataOptions) throws -> LayerBuilder {
    let mali = try GeoDataLocation.maliDirectory(explicit: geodata.directory)
    let atlas = try Atlas.load(from: mali)
    let lexicon = try Lexicon.load(from: mali.deletingLastPathComponent().appendingPathComponent("lexicon/lexicon.json"))
    return try LayerBuilder(atlas: atlas, lexicon: lexicon)
}

/// The store, if there is one: layers of a missing store are computed from no alerts, and no
/// empty store file is left behind.
func existingStore(_ options: StoreOptions) throws -> ThreatStore? {
    guard FileManager.default.fileExists(atPath: options.path) else {
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
            from --since to --as-of), labels (a point inside each region and zone). Every area carries level \
            (1-5), level_label, colour, level_terrorism, level_kidnapping, level_armed_conflict, level_crime, \
            level_civil_unrest, alert_count, latest_update and reason.

            The output is a FeatureCollection in WGS 84 longitude, latitude with a bbox, exterior rings \
            counter-clockwise and holes clockwise, one feature per line, stable feature ids. The same store \
            and date give byte-identical files.
            """
    )

    @Option(help: "The layer to write: regions, zones, alert_areas, incidents or labels.")
    var layer: LayerName?

    @Flag(help: "Write every layer, as LAYER.geojson in the folder given by -o.")
    var all = false

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The moment to map: a day (its end, UTC) or an ISO 8601 time. Default: now.", valueName: "date"))
    var asOf: Moment?

    @Option(help: ArgumentHelp("The first day of incidents to include. Default: 30 days before --as-of.", valueName: "date"))
    var since: Moment?

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
        if let since, let asOf, since.date > asOf.date { throw ValidationError("--since is after --as-of") }
    }

    func run() async throws {
        let moment = asOf?.date ?? Date()
        let from = since.map { Date(timeIntervalSince1970: ($0.date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400) }
            ?? moment.addingTimeInterval(-30 * 86_400)
        let names = all ? LayerName.allCases : [layer!]
        if all { try FileManager.default.createDirectory(atPath: output!, withIntermediateDirectories: true) }
        func path(_ name: LayerName) -> String? {
            all ? URL(fileURLWithPath: output!).appendingPathComponent("\(name.rawValue).geojson").path : output
        }
        let store = try existingStore(storeOptions)
        let writer = GeoJSONWriter(precision: precision, name: nil)
        // Incidents need no GEOS: they are read, laid out and encoded on another task while the
        // areas are computed here.
        let incidentTask: Task<([UInt8], Int), any Error>? = names.contains(.incidents) ? Task.detached {
            let layer = try MapContent.incidentsLayer(store, from: from, through: moment)
            var w = writer
            w.name = LayerName.incidents.rawValue
            return (w.write(layer), layer.features.count)
        } : nil
        let builder = try layerBuilder(geodata)
        let alerts = try store?.alerts().map(\.alert) ?? []
        let snapshot = builder.snapshot(alerts: alerts, at: moment, since: from)
        for name in names where name != .incidents {
            let features = try builder.layer(name, snapshot, incidents: [])
            var w = writer
            w.name = name.rawValue
            try emit(w.write(features), to: path(name))
            if let p = path(name) { note("wrote \(features.features.count) \(name.rawValue) features to \(p)") }
        }
        if let incidentTask {
            let (bytes, count) = try await incidentTask.value
            try emit(bytes, to: path(.incidents))
            if let p = path(.incidents) { note("wrote \(count) incidents features to \(p)") }
        }
    }
}
