import AlertIngest
import ArgumentParser
import Foundation
import Geo
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
    if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
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
            their roles and provenance. For an event table (CSV) prints {"incidents", "errors"}. Errors go to \
            standard error with a non-zero exit status.
            """
    )

    @Argument(help: ArgumentHelp("The alert file (advisory text, JSON, CAP XML or event CSV); - for standard input.", valueName: "file"))
    var file: String

    @OptionGroup var read: ReadOptions
    @OptionGroup var geodata: GeoDataOptions

    func run() async throws {
        let bytes = try readInput(file)
        let context = try geodata.resolutionContext(toleranceKilometres: read.toleranceKilometres)
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
            ])
            w.raw(0x0A)
            FileHandle.standardOutput.write(Data(w.bytes))
            for e in table.errors { note("\(file): \(e)") }
            if !table.errors.isEmpty { throw ExitCode.failure }
        }
    }
}
