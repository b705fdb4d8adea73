import Foundation
import Geo
import ThreatModel

/// What advisories draw areas by besides regions (`mali/landmarks.json` and
/// `mali/neighbours.geojson`): Mali's neighbours and rivers.
public struct Landmarks: Sendable {
    public struct Neighbour: Sendable {
        /// ISO 3166-1 alpha-2, as Natural Earth gives it.
        public var code: String
        public var names: [String]
        /// The neighbour's outline (Natural Earth 1:110m).
        public var geometry: Geometry
    }

    public struct River: Sendable {
        public var id: String
        public var names: [String]
        /// The gazetteer places the line runs through, downstream.
        public var through: [Position]
    }

    public var neighbours: [Neighbour]
    public var rivers: [River]
    /// How wide a "border area" is when the text gives no width.
    public var borderStripKilometres: Double
    /// How near a neighbour's outline our outline runs where it borders that neighbour.
    public var borderMatchDegrees: Double

    /// Loads the two files from a GeoData `mali` folder, or nil where `landmarks.json` is absent
    /// (areas drawn by borders and rivers are then not read).
    public static func load(from directory: URL, places: [Place]) throws -> Landmarks? {
        let url = directory.appendingPathComponent("landmarks.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        func fail(_ message: String) -> AtlasError { AtlasError(file: url.path, message: message) }
        let root: JSONObject
        do {
            guard let o = try JSONParser.parse(Array(try Data(contentsOf: url))).objectValue else { throw fail("expected an object") }
            root = o
        } catch let e as JSONSyntaxError {
            throw fail(e.description)
        }
        guard let km = root["border_strip_km"]?.numberValue, km > 0 else { throw fail("border_strip_km: expected kilometres > 0") }
        guard let match = root["border_match_degrees"]?.numberValue, match > 0 else { throw fail("border_match_degrees: expected degrees > 0") }
        guard let names = root["neighbours"]?.objectValue else { throw fail("neighbours: expected an object of ISO codes to names") }
        let shapesURL = directory.appendingPathComponent("neighbours.geojson")
        let shapes: GeoJSONObject
        do {
            shapes = try GeoJSONReader().read(Array(try Data(contentsOf: shapesURL)))
        } catch let e as GeoJSONError {
            throw AtlasError(file: shapesURL.path, message: e.description)
        }
        var neighbours: [Neighbour] = []
        for (i, f) in shapes.featureCollection.features.enumerated() {
            guard let code = f.properties["iso"]?.stringValue, let g = f.geometry, !g.polygons.isEmpty else {
                throw AtlasError(file: shapesURL.path, message: "feature \(i): expected a polygon with a property \"iso\"")
            }
            guard let list = names[code]?.arrayValue?.compactMap(\.stringValue), !list.isEmpty else {
                throw fail("neighbours: no names for \(code), which neighbours.geojson draws")
            }
            neighbours.append(Neighbour(code: code, names: list, geometry: g))
        }
        var rivers: [River] = []
        for (i, r) in (root["rivers"]?.arrayValue ?? []).enumerated() {
            guard let o = r.objectValue, let id = o["id"]?.stringValue, let list = o["names"]?.arrayValue?.compactMap(\.stringValue),
                  let through = o["through"]?.arrayValue?.compactMap(\.stringValue), through.count >= 2 else {
                throw fail("rivers[\(i)]: expected {\"id\", \"names\", \"through\": two or more places}")
            }
            let positions = try through.map { name -> Position in
                let folded = NameFolding.fold(name)
                guard let p = places.first(where: { $0.allNames.contains { NameFolding.fold($0) == folded } }) else {
                    throw fail("rivers[\(i)] (\(id)): \"\(name)\" is not in the gazetteer")
                }
                return p.position
            }
            rivers.append(River(id: id, names: list, through: positions))
        }
        return Landmarks(neighbours: neighbours, rivers: rivers, borderStripKilometres: km, borderMatchDegrees: match)
    }
}
