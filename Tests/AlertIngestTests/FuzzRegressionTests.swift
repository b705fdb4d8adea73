import AlertIngest
import Foundation
import Geo
import Testing
import ThreatModel

/// The inputs kept under Tests/FuzzRegressions, one folder per libFuzzer target
/// (Scripts/fuzz.sh): each goes through its reader again and must come out as a reading or an
/// error, never a crash. A finding of the fuzzer is added there as a file.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzRegressions")

    static func inputs(_ target: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder.appendingPathComponent(target), includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: ["text", "json", "cap", "csv"])
    func alertReadersAnswerEveryKeptInput(target: String) throws {
        let reader = AlertReader(context: try makeContext())
        let files = try Self.inputs(target)
        #expect(!files.isEmpty)
        for url in files {
            let bytes = Array(try Data(contentsOf: url))
            do {
                _ = try reader.read(bytes, format: AlertFormat(rawValue: target))
            } catch let e as AlertParseError {
                #expect(!e.description.isEmpty, "\(url.lastPathComponent)")
            } catch {
                #expect(!"\(error)".isEmpty, "\(url.lastPathComponent)")
            }
        }
    }

    @Test func theGeoJSONReaderAnswersEveryKeptInput() throws {
        let files = try Self.inputs("geojson")
        #expect(!files.isEmpty)
        for url in files {
            do {
                _ = try GeoJSONReader().read(Array(try Data(contentsOf: url)))
            } catch let e as GeoJSONError {
                #expect(!e.description.isEmpty, "\(url.lastPathComponent)")
            }
        }
    }
}
