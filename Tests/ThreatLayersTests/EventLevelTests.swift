import AlertIngest
import Foundation
import Geo
import Testing
import ThreatLayers
import ThreatModel

/// An incident at `position`, placed in its region as the event reader places it.
func incident(_ f: Fixture, _ id: String, on day: String, at position: Position, fatalities: Int = 0,
              categories: [ThreatCategory] = [.armedConflict], eventType: String = "Battles", location: String = "",
              civilian: Bool = false) throws -> Incident {
    let where_ = try f.context.locate(position)
    return Incident(id: id, date: DateParsing.day(day)!, position: position, regionID: where_.regionID, zoneID: where_.zoneID,
                    categories: categories, level: .moderate, fatalities: fatalities, eventType: eventType, subEventType: "",
                    actors: [], sourceAdmin1: "", location: location, notes: "", line: 0, remarks: [], civilianTargeting: civilian)
}

extension Fixture {
    /// The regions layer's properties by id, with `incidents` in the event record.
    func regions(_ alerts: [Alert], incidents: [Incident], at day: String, basis: LevelBasis = .both,
                 builder: LayerBuilder? = nil) throws -> [String: JSONObject] {
        let b = builder ?? self.builder
        let s = try b.snapshot(alerts: alerts, at: Self.endOf(day), incidents: incidents, basis: basis)
        let fc = try b.layer(.regions, s, incidents: [])
        return Dictionary(uniqueKeysWithValues: fc.features.map { ($0.properties["id"]!.stringValue!, $0.properties) })
    }
}

let ansongo = Position(0.5022, 15.6597)

@Suite struct EventLevelTests {
    @Test func aDeadlyEventRaisesItsRegionAndFallsBackWhenTheWindowPassesIt() throws {
        let f = try Fixture()
        let battle = try incident(f, "E1", on: "2024-06-21", at: ansongo, fatalities: 12, location: "Ansongo")
        #expect(battle.regionID == "gao")
        // fatalities ≥ 10 is level 4 by the shipped thresholds.
        let next = try f.regions([], incidents: [battle], at: "2024-06-22")
        #expect(level(next["gao"]) == 4)
        #expect(level(next["gao"], "level_armed_conflict") == 4 && level(next["gao"], "level_terrorism") == 1)
        #expect(level(next["gao"], "alert_level") == 1 && level(next["gao"], "event_level") == 4)
        #expect(next["gao"]?["level_source"] == "events")
        #expect(next["gao"]?["fatalities"] == 12 && next["gao"]?["events"] == 1)
        let reason = next["gao"]?["reason"]?.stringValue ?? ""
        #expect(reason.contains("12 fatalities in 1 event in the 30 days to 2024-06-22")
            && reason.contains("the latest 'Battles near Ansongo' on 2024-06-21") && reason.contains("fatalities 12 ≥ 10"), "\(reason)")
        #expect(level(next["kidal"]) == 1 && next["kidal"]?["level_source"] == "none")
        // The window is the 30 days ending with the map's day: 2024-06-21 is its first on 2024-07-20.
        #expect(level(try f.regions([], incidents: [battle], at: "2024-07-20")["gao"]) == 4)
        let after = try f.regions([], incidents: [battle], at: "2024-07-21")
        #expect(level(after["gao"]) == 1 && after["gao"]?["events"] == 0)
        // Not before it happened either.
        #expect(level(try f.regions([], incidents: [battle], at: "2024-06-20")["gao"]) == 1)
    }

    @Test func intensityWeighsRecentEventsMore() throws {
        let f = try Fixture()
        let a = try incident(f, "A", on: "2024-06-20", at: ansongo)
        let b = try incident(f, "B", on: "2024-06-13", at: ansongo)
        let r = try f.regions([], incidents: [a, b], at: "2024-06-20")
        // Ages 0.5 and 7.5 days from noon of their days, half-life 7 days.
        let expected = pow(0.5, 0.5 / 7) + pow(0.5, 7.5 / 7)
        let got = r["gao"]?["intensity_armed_conflict"]?.numberValue ?? 0
        #expect(abs(got - expected) < 1e-3, "\(got) vs \(expected)")
        // Two events, no deaths, intensity 1.43: level 2 (any event) as intensity ≥ 2 is not reached.
        #expect(level(r["gao"]) == 2)
    }

    @Test func diffusionIsNoneWithoutEventsAndWholeWithEventsInEveryCell() throws {
        let f = try Fixture()
        #expect(try f.regions([], incidents: [], at: "2024-06-22")["bamako"]?["diffusion"] == .double(0))
        // Bamako's district covered by a lattice of events 200 m apart: every 10 km cell has some.
        let box = try #require(f.context.atlas.region("bamako")?.geometry.boundingBox)
        var events: [Incident] = []
        var y = box.minY
        while y <= box.maxY {
            var x = box.minX
            while x <= box.maxX {
                let p = Position(x, y)
                if try f.context.locate(p).regionID == "bamako", try f.context.locate(p).note == nil {
                    events.append(try incident(f, "L\(events.count)", on: "2024-06-22", at: p, categories: [.civilUnrest], eventType: "Protests"))
                }
                x += 0.002
            }
            y += 0.002
        }
        let r = try f.regions([], incidents: events, at: "2024-06-22")
        let whole = r["bamako"]?["diffusion"]?.numberValue ?? 0
        #expect(whole > 0.999 && whole <= 1, "\(whole)")
        // One event covers one cell's share of the district: more than 0, far less than 1.
        let one = try f.regions([], incidents: [events[events.count / 2]], at: "2024-06-22")["bamako"]?["diffusion"]?.numberValue ?? 0
        #expect(one > 0.05 && one < 0.7, "\(one)")
        let mopti = try f.regions([], incidents: [try incident(f, "M", on: "2024-06-22", at: Position(-4.19, 14.49))], at: "2024-06-22")
        let share = mopti["mopti"]?["diffusion"]?.numberValue ?? 0
        // One 10 km cell of Mopti's 79,000 km²: about 100 / 79,000.
        #expect(share > 0.0005 && share < 0.002, "\(share)")
    }

    @Test func theThresholdsFileChangesTheResultAsDocumented() throws {
        let f = try Fixture()
        let battle = try incident(f, "E1", on: "2024-06-12", at: ansongo, fatalities: 12)
        #expect(level(try f.regions([], incidents: [battle], at: "2024-06-22")["gao"]) == 4)
        let stricter = try EventLevelRules(json: try JSONParser.parse(#"""
            {"window_days": 7, "half_life_days": 3, "cell_km": 20,
             "rules": [{"indicator": "fatalities", "levels": {"5": 5}}]}
            """#), file: "test")
        let b = try Fixture.builder(f.context, rules: stricter)
        // Ten days before is outside a 7-day window.
        #expect(level(try f.regions([], incidents: [battle], at: "2024-06-22", builder: b)["gao"]) == 1)
        let inside = try f.regions([], incidents: [battle], at: "2024-06-15", builder: b)
        #expect(level(inside["gao"]) == 5)
        #expect(inside["gao"]?["reason"]?.stringValue?.contains("in the 7 days to 2024-06-15") == true)
        // A rule limited to categories, with a minimum of events.
        let civil = try EventLevelRules(json: try JSONParser.parse(#"""
            {"window_days": 30, "half_life_days": 7, "cell_km": 10,
             "rules": [{"indicator": "civilian_events", "categories": ["kidnapping"], "min_events": 2, "levels": {"4": 2}}]}
            """#), file: "test")
        let c = try Fixture.builder(f.context, rules: civil)
        let k1 = try incident(f, "K1", on: "2024-06-20", at: ansongo, categories: [.kidnapping], civilian: true)
        let k2 = try incident(f, "K2", on: "2024-06-21", at: ansongo, categories: [.kidnapping], civilian: true)
        let a1 = try incident(f, "A1", on: "2024-06-21", at: ansongo, categories: [.armedConflict], civilian: true)
        #expect(level(try f.regions([], incidents: [k1, a1], at: "2024-06-22", builder: c)["gao"]) == 1)
        let two = try f.regions([], incidents: [k1, k2, a1], at: "2024-06-22", builder: c)
        #expect(level(two["gao"], "level_kidnapping") == 4 && level(two["gao"], "level_armed_conflict") == 1)
        #expect(two["gao"]?["civilian_events"] == 3 && two["gao"]?["civilian_share"] == .double(1))
    }

    @Test func aBadThresholdsFileNamesTheFault() throws {
        func fault(_ text: String) -> String {
            do {
                _ = try EventLevelRules(json: try JSONParser.parse(text), file: "event-levels.json")
                return ""
            } catch { return "\(error)" }
        }
        #expect(fault(#"{"window_days": 30, "half_life_days": 7, "cell_km": 10, "rules": [{"indicator": "deaths", "levels": {"3": 1}}]}"#)
            .contains("$.rules[0].indicator"))
        #expect(fault(#"{"window_days": 0, "half_life_days": 7, "cell_km": 10, "rules": []}"#).contains("$.window_days"))
        #expect(fault(#"{"window_days": 30, "half_life_days": 7, "cell_km": 10, "rules": [{"indicator": "events", "levels": {"1": 1}}]}"#)
            .contains("$.rules[0].levels.1"))
        #expect(fault(#"{"window_days": 30, "half_life_days": 7, "cell_km": 10, "rules": [{"indicator": "events", "levels": {"3": 1, "4": 0.5}}]}"#)
            .contains("level 4 asks for 0.5"))
        #expect(fault(#"{"window_days": 30, "half_life_days": 7, "cell_km": 10, "rules": [{"indicator": "events", "levels": {"3": 1}, "categories": ["weather"]}]}"#)
            .contains("$.rules[0].categories[0]"))
    }

    @Test func aRegionWithAnAdvisoryAndEventsShowsTheHigherWithBothProvenances() throws {
        let f = try Fixture()
        // The Ansongo kidnapping advisory: kidnapping 5 in Gao from 2023-09-20.
        let alerts = try f.samples("gao-2023-09-ansongo-kidnapping.txt")
        let battle = try incident(f, "E1", on: "2023-09-24", at: ansongo, fatalities: 12, location: "Ansongo")
        let r = try f.regions(alerts, incidents: [battle], at: "2023-09-25")
        let gao = try #require(r["gao"])
        #expect(level(gao) == 5 && gao["level_source"] == "alerts")
        #expect(level(gao, "level_kidnapping") == 5 && level(gao, "level_armed_conflict") == 4)
        #expect(level(gao, "alert_level") == 5 && level(gao, "event_level") == 4 && level(gao, "event_level_armed_conflict") == 4)
        #expect(gao["alert_reason"]?.stringValue?.contains("kidnapping 5") == true)
        #expect(gao["event_reason"]?.stringValue?.contains("12 fatalities") == true)
        #expect(gao["reason"] == gao["alert_reason"])
        // With an event record as strong as the advisory, both set it, and the reason says both.
        let massacre = try incident(f, "E2", on: "2023-09-24", at: ansongo, fatalities: 60, categories: [.kidnapping], location: "Ansongo")
        let both = try #require(try f.regions(alerts, incidents: [massacre], at: "2023-09-25")["gao"])
        #expect(level(both) == 5 && both["level_source"] == "both")
        #expect(both["reason"]?.stringValue?.contains("kidnapping 5") == true && both["reason"]?.stringValue?.contains("60 fatalities") == true)
        // --levels alerts and --levels events each leave the other out.
        let alertsOnly = try #require(try f.regions(alerts, incidents: [battle], at: "2023-09-25", basis: .alerts)["gao"])
        #expect(level(alertsOnly, "level_armed_conflict") == 1 && level(alertsOnly) == 5 && level(alertsOnly, "event_level") == 4)
        let eventsOnly = try #require(try f.regions(alerts, incidents: [battle], at: "2023-09-25", basis: .events)["gao"])
        #expect(level(eventsOnly) == 4 && level(eventsOnly, "level_kidnapping") == 1 && eventsOnly["level_source"] == "events")
    }

    @Test func zonesTakeTheHighestEventLevelOfTheirRegions() throws {
        let f = try Fixture()
        let battle = try incident(f, "E1", on: "2024-06-21", at: ansongo, fatalities: 12)
        let s = try f.builder.snapshot(alerts: [], at: Fixture.endOf("2024-06-22"), incidents: [battle])
        let zones = try f.builder.layer(.zones, s, incidents: [])
        let north = try #require(zones.features.first { $0.properties["id"] == "northern" })
        #expect(level(north.properties) == 4 && north.properties["level_source"] == "events")
        #expect(north.properties["reason"]?.stringValue?.hasPrefix("in Gao, ") == true)
        let labels = try f.builder.layer(.labels, s, incidents: [])
        #expect(labels.features.first { $0.properties["id"] == "gao" }?.properties["level"] == 4)
    }

    /// An analyst's check on ThreatMap's own ACLED sample: the region with the most fatalities in
    /// the window is at the top level.
    @Test func theSampleTableRanksTheDeadliestRegionFirst() throws {
        let f = try Fixture()
        guard case .events(let table) = try AlertReader(context: f.context).read(Array(try Data(contentsOf: geodata.appendingPathComponent("alerts/acled-2024-sample.csv")))) else {
            Issue.record("not a table")
            return
        }
        for day in ["2024-06-22", "2024-07-05", "2024-07-20"] {
            let r = try f.regions([], incidents: table.incidents, at: day)
            let deadliest = try #require(r.max { ($0.value["fatalities"]?.intValue ?? 0, $1.key) < ($1.value["fatalities"]?.intValue ?? 0, $0.key) })
            let top = r.values.map { level($0) }.max() ?? 0
            #expect(level(deadliest.value) == top, "\(day): \(deadliest.key)")
            if (deadliest.value["fatalities"]?.intValue ?? 0) > 0 { #expect(top > 1, "\(day)") }
        }
    }

    /// A month shaped like Mali's: daily protests in Bamako (many events, much of a small area, no
    /// deaths), attacks on civilians in Ségou, battles in Mopti with the most deaths. The shipped
    /// thresholds keep the deadliest region at the top level and protests alone at 3 or below.
    @Test func theDeadliestRegionOfAMonthIsAtTheTopLevelWhateverElseHappened() throws {
        let f = try Fixture()
        func near(_ p: Position, _ i: Int, step: Double = 0.03) -> Position { Position(p.x + Double(i % 5 - 2) * step, p.y + Double(i / 5 % 5 - 2) * step) }
        var events: [Incident] = []
        for i in 0..<20 {
            events.append(try incident(f, "P\(i)", on: "2024-06-\(16 + i % 7)", at: near(Position(-7.99, 12.63), i, step: 0.015),
                                       categories: [.civilUnrest], eventType: "Protests"))
        }
        for i in 0..<12 {
            events.append(try incident(f, "C\(i)", on: "2024-06-\(10 + i)", at: near(Position(-6.26, 13.43), i), fatalities: 1,
                                       categories: [.terrorism], eventType: "Violence against civilians", civilian: true))
        }
        for fatalities in [24, 60] {
            var month = events
            for i in 0..<8 {
                month.append(try incident(f, "B\(i)", on: "2024-06-\(10 + i)", at: near(Position(-4.19, 14.49), i), fatalities: fatalities / 8))
            }
            let r = try f.regions([], incidents: month, at: "2024-06-22")
            #expect(r["bamako"]?["events"] == 20 && (r["bamako"]?["diffusion"]?.numberValue ?? 0) > 0.1)
            #expect(level(r["bamako"]) <= 3, "protests without deaths: \(r["bamako"]?["reason"] ?? "")")
            #expect(r["segou"]?["civilian_events"] == 12 && level(r["segou"]) == 4)
            let top = r.values.map { level($0) }.max() ?? 0
            #expect(r["mopti"]?["fatalities"]?.intValue == fatalities / 8 * 8)
            #expect(level(r["mopti"]) == top && top == (fatalities >= 50 ? 5 : 4), "\(r["mopti"]?["reason"] ?? "")")
        }
    }
}
