import AlertIngest
import Foundation
import Geo
import Testing
import ThreatLayers
import ThreatModel

/// The layers' fixed schemas (what a GeoPackage table is made with) say what the layers hold:
/// every property of every feature of the sample map is in its layer's schema with the schema's
/// type, and every field of the schema is in every feature.
@Suite struct LayerSchemaTests {
    @Test func everyFeatureOfTheSampleMapHasExactlyItsSchemasFields() throws {
        let f = try Fixture()
        let files = try FileManager.default.contentsOfDirectory(at: geodata.appendingPathComponent("alerts"), includingPropertiesForKeys: nil)
        let alerts = try f.alerts(files.filter { $0.pathExtension != "csv" })
        guard case .events(let table) = try AlertReader(context: f.context).read(Array(try Data(contentsOf: geodata.appendingPathComponent("alerts/acled-2024-sample.csv")))) else {
            Issue.record("not a table")
            return
        }
        var seen = 0
        for day in ["2024-05-16", "2024-07-05", "2025-02-04"] {
            let s = try f.builder.snapshot(alerts: alerts, at: Fixture.endOf(day), incidents: table.incidents)
            for name in f.builder.layerNames {
                let schema = LayerSchema.of(name)
                let sourced = table.incidents.map { SourcedIncident(incident: $0, source: "acled-2024-sample.csv") }
                for feature in try f.builder.layer(name, s, incidents: sourced).features {
                    seen += 1
                    let keys = Set(feature.properties.members.map(\.key))
                    #expect(keys == Set(schema.fields.map(\.name)), "\(name) \(day): \(keys.symmetricDifference(schema.fields.map(\.name)))")
                    for m in feature.properties.members {
                        guard let type = schema.type(of: m.key) else { continue }
                        #expect(Self.fits(m.value, type), "\(name).\(m.key) = \(m.value) is not \(type)")
                    }
                    switch (schema.geometry, feature.geometry) {
                    case (.multiPolygon, .polygon?), (.multiPolygon, .multiPolygon?), (.point, .point?): break
                    default: Issue.record("\(name): geometry \(String(describing: feature.geometry)) is not \(schema.geometry)")
                    }
                }
            }
        }
        #expect(seen > 60)
    }

    static func fits(_ v: JSONValue, _ type: FeatureSchema.FieldType) -> Bool {
        switch (v, type) {
        case (.null, _), (.int, .integer), (.double, .real), (.bool, .boolean), (.string, .string): return true
        case (.string(let s), .date): return s.count == 10 && DateParsing.day(s) != nil
        case (.string(let s), .dateTime): return s.count == 20 && s.hasSuffix("Z")
        default: return false
        }
    }
}
