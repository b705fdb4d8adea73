import AlertIngest
import ArgumentParser
import Foundation
import Geo
import ThreatLayers
import ThreatMapCore
import ThreatModel

extension AlertFormat: ExpressibleByArgument {}

/// Options of the commands that read alerts.
struct ReadOptions: ParsableArguments {
    @Option(help: "The input format: text, json, cap or csv (detected from the content by default).")
    var format: AlertFormat?

    @Option(name: .customLong("tolerance-km"), help: "A point this close outside Mali as our boundary draws it goes to the nearest region.")
    var toleranceKilometres: Double = 5

    func validate() throws {
        guard toleranceKilometres >= 0, toleranceKilometres <= 100 else { throw ValidationError("--tolerance-km must be between 0 and 100") }
    }
}

/// Reads a file, naming it in the error.
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" {
        // read(2) itself, retried on EINTR: Foundation's readDataToEndOfFile traps on any error.
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n > 0 { bytes += buffer[..<n] } else if n == 0 { return bytes } else if errno != EINTR {
                throw InputError(path: "standard input", message: "cannot read: \(String(cString: strerror(errno)))")
            }
        }
    }
    guard FileManager.default.fileExists(atPath: path) else { throw InputError(path: path, message: "no such file") }
    do {
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        throw InputError(path: path, message: "cannot read: \(error.localizedDescription)")
    }
}

struct InputError: Error, CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message)" }
}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse one alert and map it to regions and zones, without storing it; JSON on stdout.",
        discussion: """
            Prints {"regions", "zones", "categories", "level", ...} for an alert: regions and zones where its \
            event happened or its threat applies, each category's highest level, and the places found with \
            their roles and provenance. For an event table (CSV) prints {"incidents", "errors", "event_levels"}: \
            each incident, and the levels the table's events set on each region as of the end of its latest \
            event's day, over the thresholds file's window (GeoData indicators/event-levels.json), with the \
            indicators and reasons behind them. Errors go to standard error with a non-zero exit status.
            """
    )

    @Argument(help: ArgumentHelp("The alert file (advisory text, JSON, CAP XML or event CSV); - for standard input.", valueName: "file"))
    var file: String

    @OptionGroup var read: ReadOptions
    @OptionGroup var geodata: GeoDataOptions

    func run() async throws {
        let bytes = try readInput(file)
        let folder = try geodata.folder()
        let context = try folder.resolutionContext(toleranceKilometres: read.toleranceKilometres)
        let outcome: ReadOutcome
        do {
            outcome = try AlertReader(context: context).read(bytes, format: read.format)
        } catch let e as AlertParseError {
            throw InputError(path: file, message: e.description)
        }
        var w = JSONWriter()
        switch outcome {
        case .alerts(let alerts):
            w.value(alerts.count == 1 ? AlertOutput.json(alerts[0]) : ["alerts": .array(alerts.map(AlertOutput.json))])
            w.raw(0x0A)
            FileHandle.standardOutput.write(Data(w.bytes))
        case .events(let table):
            w.value([
                "incidents": .array(table.incidents.map(AlertOutput.json)),
                "errors": .array(table.errors.map { ["line": .int($0.line), "message": .string($0.message)] }),
                "merged_rows": .int(table.merged),
                "event_levels": try Self.eventLevels(table.incidents, folder: folder),
            ])
            w.raw(0x0A)
            FileHandle.standardOutput.write(Data(w.bytes))
            for e in table.errors { note("\(file): \(e)") }
            if !table.errors.isEmpty { throw ExitCode.failure }
        }
    }

    /// The levels the events set on each region as of the end of the latest event's day, set by
    /// the events alone: `{"as_of", "window", "window_days", "set_by", "regions": {id: ...}}`.
    static func eventLevels(_ incidents: [Incident], folder: GeoDataFolder) throws -> JSONValue {
        guard let last = incidents.map(\.date).max() else { return .null }
        let moment = UTCDate.startOfDay(last).addingTimeInterval(86_399)
        let builder = try folder.layerBuilder()
        let window = builder.eventRules.windowDays
        let snapshot = try builder.snapshot(alerts: [], at: moment, incidents: incidents, basis: .events)
        var regions = JSONObject()
        for id in snapshot.regionThreats.keys.sorted() {
            guard let e = snapshot.regionThreats[id]?.events, e.total.events > 0 else { continue }
            regions[id] = .object([
                "level": .int(e.level.rawValue), "level_label": .string(e.level.label),
                "categories": AlertOutput.categories(e.levels.filter { $0.value > .minimal }),
                "events": .int(e.total.events), "fatalities": .int(e.total.fatalities),
                "civilian_events": .int(e.total.civilianEvents),
                "diffusion": .double((e.total.diffusion * 10_000).rounded() / 10_000),
                "reason": e.topReason.map { .string($0) } ?? .null,
            ])
        }
        return .object([
            "as_of": .string(UTCDate.format(moment)),
            "window": .string(UTCDate.format(UTCDate.windowStart(endingWith: moment, days: window)) + "/" + UTCDate.format(moment)),
            "window_days": .int(window), "set_by": .string("events"), "regions": .object(regions),
        ])
    }
}
