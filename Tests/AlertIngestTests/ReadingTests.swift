import AlertIngest
import Foundation
import Geo
import Testing
import ThreatModel

/// Advisories and press items in the style of many publishers, in English and French
/// (`Reading/`, written here), each checked against the reading `Reading/expectations.json`
/// gives. Every run prints, for each, what was expected and what came out.
@Suite struct ReadingTests {
    struct Expectation {
        var file: String
        var publisher: String
        var pattern: String
        var language: String?
        var levels: [String: Int]
        var zones: [String]?
        var categories: [String]
        var withoutCategories: [String]
        /// Names the gazetteer lacks, which the reading must report.
        var unknownPlaces: [String]
        /// How many areas drawn by geography the reading must find.
        var areas: Int?
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reading")

    static func expectations() throws -> [Expectation] {
        let root = try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent("expectations.json"))))
        return (root.objectValue?["readings"]?.arrayValue ?? []).compactMap { v -> Expectation? in
            guard let o = v.objectValue, let file = o["file"]?.stringValue else { return nil }
            func strings(_ k: String) -> [String] { o[k]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            var levels: [String: Int] = [:]
            for (k, l) in o["levels"]?.objectValue ?? [:] { levels[k] = l.intValue }
            return Expectation(file: file, publisher: o["publisher"]?.stringValue ?? "", pattern: o["pattern"]?.stringValue ?? "",
                               language: o["language"]?.stringValue, levels: levels, zones: o["zones"].map { _ in strings("zones") },
                               categories: strings("categories"), withoutCategories: strings("without_categories"),
                               unknownPlaces: strings("unknown_places"), areas: o["areas"]?.intValue)
        }
    }

    static func describe(_ levels: [String: Int]) -> String {
        levels.keys.sorted().map { "\($0) \(levels[$0]!)" }.joined(separator: ", ")
    }

    /// "areas north of the latitude of Nioro": a footprint that lies north of Nioro's latitude,
    /// inside Mali, valid, and written out as GeoJSON that reads back the same.
    @Test func aFootprintNorthOfTheLatitudeOfNioro() throws {
        let context = try makeContext()
        let alert = try readAlert(Array(try Data(contentsOf: Self.folder.appendingPathComponent("uk-fcdo-areas.txt"))), context: context)
        let area = try #require(alert.places.first { $0.kind == .area && $0.text.contains("latitude of Nioro") })
        let nioro = try #require(context.atlas.places.first { $0.name == "Nioro" })
        let geometry = try #require(area.geometry)
        let text = GeoJSONWriter(name: "footprint").write(FeatureCollection([Feature(id: .string("north-of-nioro"), geometry: geometry, properties: [:])]))
        let back = try #require(try GeoJSONReader().read(text).featureCollection.features.first?.geometry)
        let positions = back.polygons.flatMap { $0.rings.flatMap { $0 } }
        #expect(!positions.isEmpty)
        #expect(positions.allSatisfy { $0.y >= nioro.position.y - 1e-6 }, "every vertex north of Nioro's latitude \(nioro.position.y)")
        let shape = try GEOSObject(back, context: context.regions.context)
        #expect(try shape.isValid())
        #expect(try context.outline().buffer(1e-6).covers(shape), "inside Mali")
        // Kidal and Tombouctou lie wholly north of it, though the text names neither.
        #expect(area.regionIDs.contains("kidal") && area.regionIDs.contains("tombouctou"))
        #expect(!area.regionIDs.contains("sikasso") && !area.regionIDs.contains("bamako"))
        #expect(area.notes.contains("covers 100% of Kidal"))
    }

    @Test func everyFixtureHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0 != "expectations.json" }
        #expect(Set(files) == Set(try Self.expectations().map(\.file)))
    }

    @Test func eachReadsAsAnAnalystWould() throws {
        let context = try makeContext()
        var report: [String] = []
        var failures = 0
        for e in try Self.expectations() {
            let alert = try readAlert(Array(try Data(contentsOf: Self.folder.appendingPathComponent(e.file))), context: context)
            let levels = AlertOutput.regionLevels(alert).mapValues { $0.values.max()!.rawValue }
            let categories = Set(alert.categoryLevels.keys.map(\.rawValue))
            var wrong: [String] = []
            if levels != e.levels { wrong.append("levels") }
            if let z = e.zones, Set(z) != Set(alert.zoneIDs) { wrong.append("zones") }
            if !Set(e.categories).isSubset(of: categories) || !Set(e.withoutCategories).isDisjoint(with: categories) { wrong.append("categories") }
            if let l = e.language, l != alert.language { wrong.append("language") }
            let reported = e.unknownPlaces.filter { name in alert.notes.contains { $0.hasPrefix("unknown place \"\(name)\"") } }
            if reported != e.unknownPlaces { wrong.append("unknown places") }
            let areas = alert.places.filter { $0.kind == .area && $0.role != .context }.count
            if let n = e.areas, n != areas { wrong.append("areas") }
            failures += wrong.isEmpty ? 0 : 1
            report.append("""
                \(wrong.isEmpty ? "ok  " : "FAIL") \(e.file) (\(e.publisher); \(e.pattern))
                       expected: \(Self.describe(e.levels)); zones \(e.zones?.joined(separator: ",") ?? "any"); categories \(e.categories.joined(separator: ",")) without \(e.withoutCategories.joined(separator: ",")); language \(e.language ?? "any")\(e.unknownPlaces.isEmpty ? "" : "; unknown " + e.unknownPlaces.joined(separator: ","))\(e.areas.map { "; \($0) areas" } ?? "")
                       found:    \(Self.describe(levels)); zones \(alert.zoneIDs.joined(separator: ",")); categories \(categories.sorted().joined(separator: ",")); language \(alert.language ?? "none")\(reported.isEmpty ? "" : "; unknown " + reported.joined(separator: ","))\(areas == 0 ? "" : "; \(areas) areas")\(wrong.isEmpty ? "" : "\n       wrong:    " + wrong.joined(separator: ", "))
                """)
        }
        print("Readings (\(report.count), \(failures) wrong):\n" + report.joined(separator: "\n"))
        #expect(failures == 0, "see the readings printed above")
    }
}
