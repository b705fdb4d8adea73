import Foundation
import ThreatModel

/// The CSV table of ThreatModel, named here too for the modules that read GeoData through Atlas.
public typealias CSVTable = ThreatModel.CSVTable
public typealias CSVError = ThreatModel.CSVError

/// A GeoData CSV file read strictly with the columns it must have; errors name the file and line.
struct GeoDataCSV {
    let url: URL
    let table: CSVTable
    let index: [String: Int]

    /// `optional` columns may be missing: their fields read as empty.
    init(_ url: URL, columns: [String], optional: [String] = []) throws {
        self.url = url
        do {
            table = try CSVTable(bytes: try Atlas.readFile(url), mode: .strict)
        } catch let e as CSVError {
            throw AtlasError(file: url.path, message: e.description)
        }
        var index: [String: Int] = [:]
        for name in columns {
            guard let i = table.column(name) else { throw AtlasError(file: url.path, message: "missing column \"\(name)\"") }
            index[name] = i
        }
        for name in optional { index[name] = table.column(name) ?? Int.max }
        self.index = index
    }

    /// A row's field in a named column, trimmed; empty where the row is short.
    func field(_ row: CSVTable.Row, _ name: String) -> String {
        guard let i = index[name] else { return "" }
        return i < row.fields.count ? row.fields[i].trimmingSpaces : ""
    }
}
