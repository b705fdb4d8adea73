import AlertIngest
import Atlas
import Foundation
import Geo
import Testing
import ThreatModel

/// The repository's GeoData folder.
let geodataRoot: URL = try! GeoDataLocation.maliDirectory().deletingLastPathComponent()

/// A fresh resolution context: each test has its own, since GEOS contexts stay on one task.
func makeContext(toleranceMetres: Double = ResolutionContext.defaultToleranceMetres) throws -> ResolutionContext {
    try ResolutionContext.load(geodata: geodataRoot, toleranceMetres: toleranceMetres)
}

func sample(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: geodataRoot.appendingPathComponent("alerts").appendingPathComponent(name)))
}

func readAlert(_ bytes: [UInt8], format: AlertFormat? = nil, context: ResolutionContext? = nil) throws -> Alert {
    guard case .alerts(let alerts) = try AlertReader(context: context ?? makeContext()).read(bytes, format: format), alerts.count == 1 else {
        throw AlertParseError("", "expected one alert")
    }
    return alerts[0]
}

func readAlert(_ text: String, format: AlertFormat? = nil) throws -> Alert {
    try readAlert(Array(text.utf8), format: format)
}

func readEvents(_ text: String, context: ResolutionContext? = nil) throws -> EventTable {
    guard case .events(let t) = try AlertReader(context: context ?? makeContext()).read(Array(text.utf8), format: .csv) else {
        throw AlertParseError("", "expected an event table")
    }
    return t
}

/// The highest level of each category in each region, from where the event happened or the
/// threat applies.
func regionLevel(_ alert: Alert, _ region: String, _ category: ThreatCategory) -> Int {
    AlertOutput.regionLevels(alert)[region]?[category]?.rawValue ?? 0
}

/// Expects `body` to throw an AlertParseError whose text contains every fragment.
func expectParseError(_ fragments: [String], _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("no error; expected one mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch {
        let text = "\(error)"
        for f in fragments {
            #expect(text.contains(f), "\(text) lacks \(f)", sourceLocation: sourceLocation)
        }
    }
}
