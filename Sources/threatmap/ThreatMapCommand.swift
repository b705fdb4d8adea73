import AlertIngest
import ArgumentParser
import Atlas
import Foundation
import ThreatMapCore

@main
struct ThreatMapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "threatmap",
        abstract: "Turn security alerts about Mali into map layers: GeoJSON and vector tiles.",
        discussion: """
            ThreatMap reads Mali's administrative regions, threat zones and gazetteer from its \
            GeoData folder (found beside the binary or in the source tree; set THREATMAP_GEODATA \
            or pass --geodata to choose another).

            Examples:
              threatmap export geojson --layer regions -o regions.geojson
              threatmap geodata check
            """,
        subcommands: [Ingest.self, Resolve.self, Reresolve.self, Export.self, Serve.self, GeoDataCommand.self, DatabaseCommand.self]
    )
}

/// Options every command that reads GeoData takes.
struct GeoDataOptions: ParsableArguments {
    @Option(name: .customLong("geodata"), help: ArgumentHelp("The GeoData folder (holding mali/).", valueName: "dir"))
    var directory: String?

    func atlas() throws -> Atlas {
        try Atlas.load(from: try GeoDataLocation.maliDirectory(explicit: directory))
    }

    /// The atlas and lexicon, loaded once.
    func folder() throws -> GeoDataFolder { try GeoDataFolder(explicit: directory) }

    /// The atlas and lexicon, ready to resolve alerts.
    func resolutionContext(toleranceKilometres: Double) throws -> ResolutionContext {
        try folder().resolutionContext(toleranceKilometres: toleranceKilometres)
    }
}

/// Writes bytes to a file atomically (a temporary file renamed over the target, so a failure
/// never leaves half a file), or to standard output for "-" or nil.
func emit(_ bytes: [UInt8], to path: String?) throws {
    guard let path, path != "-" else {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    let url = URL(fileURLWithPath: path)
    try Data(bytes).write(to: url, options: .atomic)
}

/// A message for a person watching, on standard error so that standard output stays data.
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
