import AlertIngest
import Atlas
import Foundation
import Geo
import Testing
import ThreatLayers
import ThreatModel

let geodata: URL = try! GeoDataLocation.maliDirectory().deletingLastPathComponent()
let seed = geodata.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds/bamako-2021-03.txt")

/// Alerts read from files, and a layer builder: each test has its own (GEOS stays on one task).
struct Fixture {
    let context: ResolutionContext
    let builder: LayerBuilder

    init() throws {
        context = try ResolutionContext.load(geodata: geodata)
        let lexicon = context.lexicon
        builder = try Self.builder(context, rules: try EventLevelRules.load(from: EventLevelRules.file(in: geodata)))
    }

    /// A builder over the shipped atlas with `rules` for the event record.
    static func builder(_ context: ResolutionContext, rules: EventLevelRules) throws -> LayerBuilder {
        try LayerBuilder(atlas: context.atlas, settings: LayerSettings(defaultLifetimeDays: context.lexicon.defaultLifetimeDays,
                                                                      placeRadiusKilometres: context.lexicon.placeRadiusKilometres),
                         eventRules: rules)
    }

    func alerts(_ files: [URL]) throws -> [Alert] {
        try files.flatMap { url -> [Alert] in
            guard case .alerts(let a) = try AlertReader(context: context).read(Array(try Data(contentsOf: url))) else { return [] }
            return a
        }
    }

    func samples(_ names: String...) throws -> [Alert] {
        try alerts(names.map { geodata.appendingPathComponent("alerts/\($0)") })
    }

    /// Region id → (overall level, category levels) from the regions layer.
    func regions(_ alerts: [Alert], at day: String) throws -> [String: JSONObject] {
        let s = try builder.snapshot(alerts: alerts, at: Self.endOf(day))
        let fc = try builder.layer(.regions, s, incidents: [])
        return Dictionary(uniqueKeysWithValues: fc.features.map { ($0.properties["id"]!.stringValue!, $0.properties) })
    }

    static func endOf(_ day: String) -> Date { DateParsing.day(day)!.addingTimeInterval(86_399) }
}

func level(_ p: JSONObject?, _ key: String = "level") -> Int { p?[key]?.intValue ?? 0 }

@Suite struct SeedLayerTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: seed.path), "../shared/seeds is absent: the seed check is skipped"))
    func theSeedOnItsDay() throws {
        let f = try Fixture()
        let alerts = try f.alerts([seed])
        let r = try f.regions(alerts, at: "2021-03-21")
        let north = ["tombouctou", "gao", "kidal"]
        for n in north {
            #expect(level(r["bamako"], "level_kidnapping") > level(r[n], "level_kidnapping"), "\(n)")
            #expect(level(r[n], "level_terrorism") >= 4, "\(n)")
        }
        #expect(level(r["kayes"]) < level(r["mopti"]))
        #expect(level(r["sikasso"]) < level(r["mopti"]))
        #expect(r["bamako"]?["reason"]?.stringValue?.contains("terrorism 5") == true)
        let before = try f.regions(alerts, at: "2020-01-01")
        #expect(before.values.allSatisfy { level($0) == 1 && $0["alert_count"] == 0 })
    }
}

@Suite struct ScoringTests {
    @Test func aKidnappingAlertLivesItsDefaultLifetime() throws {
        let f = try Fixture()
        let alerts = try f.samples("gao-2023-09-ansongo-kidnapping.txt")
        let during = try f.regions(alerts, at: "2023-09-25")
        #expect(level(during["gao"], "level_kidnapping") == 5)
        #expect(level(during["kidal"], "level_kidnapping") == 5)
        #expect(level(during["kayes"]) == 1)
        #expect(during["gao"]?["alert_count"] == 1)
        // Critical (5): 30 days without an expiry of its own.
        #expect(level(try f.regions(alerts, at: "2023-10-21")["gao"]) == 5)
        #expect(level(try f.regions(alerts, at: "2023-10-23")["gao"]) == 1)
    }

    @Test func updatesReplaceAndCancelsEnd() throws {
        let f = try Fixture()
        let alerts = try f.samples("cap-timbuktu-2024-05.xml", "cap-timbuktu-2024-05-update.xml", "cap-timbuktu-2024-05-cancel.xml")
        #expect(level(try f.regions(alerts, at: "2024-05-11")["tombouctou"]) == 1)  // not yet
        let first = try f.regions(alerts, at: "2024-05-13")
        #expect(level(first["tombouctou"], "level_terrorism") == 4)
        #expect(first["tombouctou"]?["alert_count"] == 1)
        let updated = try f.regions(alerts, at: "2024-05-16")
        #expect(level(updated["tombouctou"], "level_terrorism") == 5)
        #expect(updated["tombouctou"]?["alert_count"] == 1)  // the update replaced the first
        #expect(level(try f.regions(alerts, at: "2024-05-31")["tombouctou"]) == 1)  // cancelled
    }

    @Test func protestAndRoadCrimeStayWhereTheyHappened() throws {
        let f = try Fixture()
        let alerts = try f.samples("bamako-2024-03-protests.txt", "kayes-2024-11-road-banditry.txt")
        let march = try f.regions(alerts, at: "2024-03-06")
        #expect(level(march["bamako"], "level_civil_unrest") == 3)
        #expect(level(march["koulikoro"]) == 1)
        let november = try f.regions(alerts, at: "2024-11-20")
        #expect(level(november["kayes"], "level_crime") == 3)
        #expect(level(november["bamako"]) == 1)  // the protest alert (Notice, 14 days) has ended
    }

    @Test func nationwideReachesEveryRegionAndExercisesDoNot() throws {
        let f = try Fixture()
        let r = try f.regions(try f.samples("mali-2025-01-nationwide-curfew.txt"), at: "2025-01-11")
        #expect(r.values.allSatisfy { level($0, "level_civil_unrest") == 5 })
        var exercise = try f.samples("cap-menaka-2024-07.xml")
        exercise[0].status = "Exercise"
        #expect(level(try f.regions(exercise, at: "2024-07-03")["gao"]) == 1)
    }
}

@Suite struct GeometryTests {
    @Test func zonesCoverMaliWithoutOverlapOrGap() throws {
        let f = try Fixture()
        let s = try f.builder.snapshot(alerts: [], at: Date())
        let zones = try f.builder.layer(.zones, s, incidents: [])
        let regions = try f.builder.layer(.regions, s, incidents: [])
        let ctx = GEOSContext()
        let z = try zones.features.map { try GEOSObject($0.geometry!, context: ctx) }
        for i in z.indices {
            #expect(try z[i].isValid())
            for j in z.indices where j > i { #expect(try !z[i].relate(z[j], pattern: "T********")) }
        }
        let mali = Geodesic.wgs84.area(of: .geometryCollection(regions.features.map { $0.geometry! }))
        let sum = zones.features.reduce(0.0) { $0 + Geodesic.wgs84.area(of: $1.geometry!) }
        #expect(abs(sum - mali) / mali < 0.001)
        #expect(zones.features.map { $0.properties["id"]!.stringValue! } == ["northern", "central", "bamako", "southern"])
        let bamakoZone = try #require(z.first { _ in true }.map { _ in z[2] })
        let kati = try GEOSObject(.point(Position(-8.07257, 12.74409)), context: ctx)
        #expect(try bamakoZone.contains(kati))
        let district = try GEOSObject(f.context.atlas.region("bamako")!.geometry, context: ctx)
        #expect(try bamakoZone.covers(district))
        #expect(try !z[3].contains(kati))  // not also southern
    }

    /// The CAP alert draws "30 km around Ménaka" as a circle and names the region by its ISO
    /// code: the footprint is the circle, the region still gets the level.
    @Test func aCAPCircleIsItsAlertsFootprintNotTheRegionHoldingIt() throws {
        let f = try Fixture()
        let alerts = try f.samples("cap-menaka-2024-07.xml")
        let s = try f.builder.snapshot(alerts: alerts, at: Fixture.endOf("2024-07-05"))
        let areas = try f.builder.layer(.alertAreas, s, incidents: [])
        let footprint = try #require(areas.features.first?.geometry)
        let km2 = Geodesic.wgs84.area(of: footprint) / 1e6
        // A 30 km disc is 2,827 km² (a little less as a polygon); Ménaka region is some 80,000.
        #expect(km2 > 2_500 && km2 < 2_900, "\(km2) km²")
        let regions = try f.builder.layer(.regions, s, incidents: [])
        let menaka = regions.features.first { $0.properties["id"] == "menaka" }?.properties
        #expect(menaka?["alert_level"] == .int(4))
        // Its reason reads as words: the alert's title and day, what the area draws; no document path.
        let reason = menaka?["alert_reason"]?.stringValue ?? ""
        #expect(reason.contains("'Fighting between armed groups around Ménaka'") && reason.contains("2024-07-02")
            && reason.contains("a circle of 30 km around 15.9182°N, 2.4022°E") && !reason.contains("alert/info"), "\(reason)")
    }

    @Test func alertAreasAreClippedToMali() throws {
        let f = try Fixture()
        let alerts = try f.samples("sikasso-2025-02-json.json", "cap-menaka-2024-07.xml", "burkina-2024-08-ouagadougou.txt")
        let s = try f.builder.snapshot(alerts: alerts, at: Fixture.endOf("2025-02-04"))
        let areas = try f.builder.layer(.alertAreas, s, incidents: [])
        // Only the Sikasso alert is active then, and Burkina's never has a footprint in Mali.
        #expect(areas.features.map { $0.properties["id"]!.stringValue! } == ["tm-2025-02-sikasso-0001"])
        let ctx = GEOSContext()
        let area = try GEOSObject(areas.features[0].geometry!, context: ctx)
        let country = try ctx.collection(f.context.atlas.regions.map { try GEOSObject($0.geometry, context: ctx) }).coverageUnion()
        #expect(try area.isValid())
        #expect(try country.buffer(1e-9).covers(area))
        // The 20 km disc around Zégoua crosses into Côte d'Ivoire: the part outside is cut.
        let disc = try GEOSObject(.point(Position(-5.64943, 10.48804)), context: ctx).bufferKilometres(20)
        #expect(try area.area() < disc.area())
        #expect(areas.features[0].properties["level_terrorism"] == 4)
    }

    @Test func incidentsWithinTheWindow() throws {
        let f = try Fixture()
        guard case .events(let table) = try AlertReader(context: f.context).read(Array(try Data(contentsOf: geodata.appendingPathComponent("alerts/acled-2024-sample.csv")))) else {
            Issue.record("not a table")
            return
        }
        let incidents = table.incidents.map { SourcedIncident(incident: $0, source: "acled-2024-sample.csv") }
        let s = try f.builder.snapshot(alerts: [], at: Fixture.endOf("2024-07-05"), since: DateParsing.day("2024-07-01"))
        let layer = try f.builder.layer(.incidents, s, incidents: incidents)
        #expect(layer.features.map { $0.properties["event_id"]!.stringValue! } == ["MLI30003", "MLI30004", "MLI30006"])
        let p = layer.features[0].properties
        #expect(p["region"] == "bamako" && p["zone"] == "bamako" && p["category"] == "civil_unrest" && p["date"] == "2024-07-02")
        #expect(p["source_alert"] == "acled-2024-sample.csv")
        // By default the 30 days before.
        let d = try f.builder.snapshot(alerts: [], at: Fixture.endOf("2024-07-09"))
        #expect(try f.builder.layer(.incidents, d, incidents: incidents).features.count == 9)
    }

    @Test func labelsLieInsideTheirAreas() throws {
        let f = try Fixture()
        let s = try f.builder.snapshot(alerts: [], at: Date())
        let labels = try f.builder.layer(.labels, s, incidents: [])
        #expect(labels.features.count == 14)
        let ctx = GEOSContext()
        let regions = try f.builder.layer(.regions, s, incidents: [])
        let zones = try f.builder.layer(.zones, s, incidents: [])
        for l in labels.features {
            let id = l.properties["id"]!.stringValue!
            let shape = (l.properties["kind"] == "region" ? regions : zones).features.first { $0.properties["id"]!.stringValue == id }!
            #expect(try GEOSObject(shape.geometry!, context: ctx).contains(GEOSObject(l.geometry!, context: ctx)), "\(id)")
            #expect(l.properties["level"] == 1)
        }
    }

    @Test func theSameInputGivesTheSameBytes() throws {
        let f = try Fixture()
        let alerts = try f.samples("mopti-2024-06-bandiagara.txt", "sikasso-2025-02-json.json")
        var outputs: [[UInt8]] = []
        for _ in 0..<2 {
            let s = try f.builder.snapshot(alerts: alerts.shuffled(), at: Fixture.endOf("2024-06-15"))
            var bytes: [UInt8] = []
            for name in LayerName.allCases { bytes += GeoJSONWriter().write(try f.builder.layer(name, s, incidents: [])) }
            outputs.append(bytes)
        }
        #expect(outputs[0] == outputs[1])
    }
}
