import AlertIngest
import Foundation
import Testing
import ThreatModel

/// The seed advisory is a third party's text, kept outside the repository in ../shared/seeds.
let seedURL = geodataRoot.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds/bamako-2021-03.txt")

@Suite struct SeedTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: seedURL.path), "../shared/seeds is absent: the seed check is skipped"))
    func theSeedAdvisory() throws {
        let alert = try readAlert(Array(try Data(contentsOf: seedURL)), format: nil)
        #expect(alert.format == .text)
        #expect(Set(alert.zoneIDs) == ["bamako", "northern", "central"])
        #expect(Set(alert.regionIDs).isSuperset(of: ["bamako", "tombouctou", "gao", "kidal", "mopti", "segou"]))
        // Kidnapping is placed in Bamako, not in the north.
        #expect(regionLevel(alert, "bamako", .kidnapping) >= 4)
        for north in ["tombouctou", "gao", "kidal"] {
            #expect(regionLevel(alert, north, .kidnapping) < regionLevel(alert, "bamako", .kidnapping))
            #expect(regionLevel(alert, north, .terrorism) >= 4)
        }
        // "an attack in Bamako may be imminent".
        #expect(regionLevel(alert, "bamako", .terrorism) >= 4)
        #expect(alert.sources.contains("French Ministry of Europe and Foreign Affairs"))
        #expect(alert.sources.contains("US Embassy"))
        #expect(alert.actors.contains("JNIM") && alert.actors.contains("AQIM"))
        #expect(alert.severityWord == "Warning")
        #expect(alert.updateNumber == 1)
        #expect(alert.messageType == .update)
        #expect(alert.title.hasPrefix("Mali: French and US officials"))
        #expect(!alert.title.contains("/update"))
        #expect(alert.published.map(DateParsing.format) == "2021-03-21T09:09:00Z")
        // Page noise is not part of the alert.
        #expect(!alert.places.contains { $0.provenance.text.contains("Skip to main content") })
        // A context mention weighs less than the event's own place.
        let bamakoEvent = try #require(alert.places.first { $0.role == .event && $0.regionIDs == ["bamako"] })
        let north = try #require(alert.places.first { $0.zoneIDs == ["northern"] })
        #expect(north.weight < bamakoEvent.weight)
        #expect(north.provenance.field.hasPrefix("Context"))
    }
}
