import Foundation
import XML

/// CAP is read through our libxml2 reader (`XML`), never Foundation's XMLParser, which traps on
/// some malformed names: a corrupt document is an error with its line and column.
typealias XMLElement = XML.XMLElement

extension XML.XMLElement {
    func value(_ name: String) -> String? {
        first(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        do {
            return try XMLReader.parse(bytes)
        } catch {
            throw AlertParseError("line \(error.line), column \(error.column)", "malformed XML: \(error.message)")
        }
    }
}
