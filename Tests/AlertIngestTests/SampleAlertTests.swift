import AlertIngest
import Foundation
import Testing
import ThreatModel

/// Our own alerts in GeoData/alerts, each with what a careful analyst would say of it.
@Suite struct SampleAlertTests {
    @Test func ambushNearBandiagara() throws {
        let a = try readAlert(try sample("mopti-2024-06-bandiagara.txt"))
        #expect(a.regionIDs.contains("mopti"))
        #expect(a.zoneIDs == ["central"])
        #expect(regionLevel(a, "mopti", .terrorism) >= 4)  // IED, soldiers killed
        #expect(a.categoryLevels[.armedConflict] != nil)  // an ambush
        #expect(a.actors.contains("JNIM") && a.actors.contains("Katiba Macina") && a.actors.contains("FAMa"))
        #expect(a.tactics.contains("improvised explosive device"))
        // The event happened at Bandiagara and Sévaré.
        #expect(a.places.filter { $0.role == .event }.compactMap(\.name).contains("Sévaré"))
        #expect(!a.regionIDs.contains("bamako"))
    }

    @Test func kidnappingNearAnsongoUpdate() throws {
        let a = try readAlert(try sample("gao-2023-09-ansongo-kidnapping.txt"))
        #expect(a.messageType == .update)
        #expect(a.updateNumber == 2)
        #expect(a.references.count == 2)
        #expect(Set(a.regionIDs) == ["gao", "kidal", "menaka", "tombouctou"])
        #expect(a.zoneIDs == ["northern"])
        #expect(regionLevel(a, "gao", .kidnapping) == 5)  // "very high", Critical
        #expect(a.actors == ["ISSP"])
        // Niger is named and reported, but places nothing.
        #expect(a.places.contains { $0.kind == .outside && $0.name == "Niger" })
    }

    @Test func protestInBamako() throws {
        let a = try readAlert(try sample("bamako-2024-03-protests.txt"))
        #expect(a.regionIDs == ["bamako"])
        #expect(a.zoneIDs == ["bamako"])
        #expect(regionLevel(a, "bamako", .civilUnrest) == 3)  // Notice
        #expect(regionLevel(a, "bamako", .terrorism) == 0)
    }

    @Test func banditryOnTheKayesRoad() throws {
        let a = try readAlert(try sample("kayes-2024-11-road-banditry.txt"))
        #expect(a.regionIDs == ["kayes"])
        #expect(a.zoneIDs == ["southern"])
        #expect(Set(a.categoryLevels.keys) == [.crime])
        #expect(a.level == .moderate)  // "exercise increased caution"
    }

    @Test func nationwideCurfew() throws {
        let a = try readAlert(try sample("mali-2025-01-nationwide-curfew.txt"))
        #expect(a.regionIDs.count == 10)
        #expect(Set(a.zoneIDs) == ["northern", "central", "bamako", "southern"])
        #expect(a.categoryLevels[.civilUnrest] == .extreme)
        #expect(a.sources == ["US Embassy"])
    }

    @Test func anAlertAboutBurkinaFasoPlacesNothingInMali() throws {
        let a = try readAlert(try sample("burkina-2024-08-ouagadougou.txt"))
        #expect(a.regionIDs.isEmpty)
        #expect(a.zoneIDs.isEmpty)
        #expect(a.places.contains { $0.kind == .outside && $0.name == "Ouagadougou" })
    }

    @Test func jsonWithGivenPlacesAndLevels() throws {
        let a = try readAlert(try sample("sikasso-2025-02-json.json"))
        #expect(a.id == "tm-2025-02-sikasso-0001")
        #expect(a.regionIDs == ["sikasso"])
        #expect(a.zoneIDs == ["southern"])
        #expect(a.categoryLevels == [.terrorism: .high, .crime: .moderate])
        #expect(a.expires.map(DateParsing.format) == "2025-02-17T00:00:00Z")
        let disc = try #require(a.places.first { $0.kind == .area })
        #expect(disc.notes.contains { $0.contains("outside Mali") })  // the disc crosses into Côte d'Ivoire
    }

    @Test func jsonCancel() throws {
        let a = try readAlert(try sample("cancel-bandiagara.json"))
        #expect(a.messageType == .cancel)
        #expect(a.references == ["text-mali-suspected-militants-ambush-military-convoy-near-bandiagara-mopti-region-june-13"])
        #expect(a.regionIDs.isEmpty)
        #expect(a.assessments.isEmpty)
    }

    @Test func capWithTwoLanguagesAndTwoPolygons() throws {
        let a = try readAlert(try sample("cap-timbuktu-2024-05.xml"))
        #expect(a.id == "cap-TM-2024-05-TBK-001")
        #expect(a.regionIDs == ["tombouctou"])
        #expect(a.zoneIDs == ["northern"])
        // Severe, Likely; "have shelled" is shelling, in every inflection.
        #expect(a.categoryLevels == [.terrorism: .high, .armedConflict: .high])
        #expect(a.places.filter { $0.kind == .area }.count == 2)
        #expect(a.notes.contains { $0.contains("other languages") })
        #expect(a.expires.map(DateParsing.format) == "2024-05-26T08:00:00Z")
        #expect(a.sources.contains("ThreatMap Sahel desk"))
    }

    @Test func capUpdateOnOneLineWithTwoReferences() throws {
        let bytes = try sample("cap-timbuktu-2024-05-update.xml")
        #expect(!bytes.contains(0x0A))
        let a = try readAlert(bytes)
        #expect(a.messageType == .update)
        #expect(a.references == ["cap-TM-2024-05-TBK-001", "cap-TM-2024-05-TBK-000"])
        #expect(a.regionIDs == ["tombouctou"])  // "the centre of Timbuktu" is not central Mali
        #expect(a.categoryLevels[.terrorism] == .extreme)
        #expect(a.categoryLevels[.civilUnrest] == nil)  // "rockets strike" is no labour strike
    }

    @Test func capCancelWithoutInfo() throws {
        let a = try readAlert(try sample("cap-timbuktu-2024-05-cancel.xml"))
        #expect(a.messageType == .cancel)
        #expect(a.references == ["cap-TM-2024-05-TBK-002"])
        #expect(a.places.isEmpty && a.assessments.isEmpty)
    }

    @Test func capGeocodeForMenaka() throws {
        let a = try readAlert(try sample("cap-menaka-2024-07.xml"))
        #expect(a.regionIDs == ["menaka"])
        #expect(a.places.contains { $0.kind == .region && $0.provenance.text == "ML-9" })
        #expect(a.categoryLevels == [.armedConflict: .high])
    }

    @Test func capAreaOutsideMali() throws {
        let a = try readAlert(try sample("cap-niamey-2024-09.xml"))
        #expect(a.regionIDs.isEmpty)
        let area = try #require(a.places.first { $0.provenance.field.contains("circle") })
        #expect(area.kind == .outside)
        #expect(area.notes.contains { $0.hasPrefix("outside Mali") })
        #expect(a.notes.contains { $0.contains("outside Mali") })
    }

    @Test func acledSample() throws {
        let text = String(decoding: try sample("acled-2024-sample.csv"), as: UTF8.self)
        let t = try readEvents(text)
        let byID = Dictionary(uniqueKeysWithValues: t.incidents.map { ($0.id, $0) })
        #expect(t.merged == 1)  // MLI30001 is listed once per actor
        #expect(byID["MLI30001"]?.actors.count == 2)
        #expect(byID["MLI30001"]?.categories == [.terrorism])
        #expect(byID["MLI30002"]?.regionID == "menaka")  // admin1 Menaka
        #expect(byID["MLI30002"]?.level == .extreme)  // 12 killed
        #expect(byID["MLI30002"]?.categories.contains(.terrorism) == true)  // Islamic State (Sahel)
        #expect(byID["MLI30002"].map { DateParsing.formatDay($0.date) } == "2024-06-21")  // "21 June 2024"
        #expect(byID["MLI30003"]?.categories == [.civilUnrest])
        #expect(byID["MLI30004"]?.categories == [.kidnapping])
        // The source says Koulikoro; the point lies in our Bamako district: the geometry decides.
        #expect(byID["MLI30006"]?.regionID == "bamako")
        #expect(byID["MLI30006"]?.remarks.contains { $0.contains("admin1 is Koulikoro") } == true)
        // 832 m outside our boundary: the nearest region, with a note.
        #expect(byID["MLI30007"]?.regionID == "sikasso")
        #expect(byID["MLI30007"]?.remarks.contains { $0.contains("nearest region") } == true)
        // Far outside: kept and reported, never dropped.
        #expect(byID["MLI30008"] != nil && byID["MLI30008"]?.regionID == nil)
        #expect(byID["MLI30008"]?.remarks.contains { $0.hasPrefix("outside Mali") } == true)
        // Older ACLED event types.
        #expect(byID["MLI30009"]?.categories == [.armedConflict])
        #expect(byID["MLI30010"]?.categories == [.terrorism])
        #expect(t.errors.map(\.line) == [7, 13])
        #expect(t.errors[0].message.contains("no coordinates"))
        #expect(t.errors[1].message.contains("2024-13-40"))
        #expect(t.incidents.count == 9)
    }
}
