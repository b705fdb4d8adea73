import Foundation
import Geo
import Testing
import ThreatModel
@testable import Atlas

/// The atlas in the repository's GeoData, loaded once.
let repositoryAtlas: Atlas = {
    let dir = try! GeoDataLocation.maliDirectory()
    return try! Atlas.load(from: dir)
}()

@Suite struct RegionTests {
    let atlas = repositoryAtlas

    @Test func theTenRegionsOfTheBoundaryDataWithMenakaAsItsOwn() throws {
        #expect(atlas.regions.map(\.region.id).sorted() ==
            ["bamako", "gao", "kayes", "kidal", "koulikoro", "menaka", "mopti", "segou", "sikasso", "tombouctou"])
        #expect(atlas.undrawnRegions == ["taoudenit": "tombouctou"])
        // Ménaka carved out of Gao: about OCHA's 81,040 km² (our outline is Natural Earth's), one polygon.
        let menaka = try #require(atlas.region("menaka"))
        #expect(menaka.geometry.polygons.count == 1)
        let km2 = Geodesic.wgs84.area(of: menaka.geometry) / 1e6
        #expect(km2 > 70_000 && km2 < 85_000, "\(km2)")
    }

    @Test func regionsAreValidAndDoNotOverlap() throws {
        let ctx = GEOSContext()
        let objects = try atlas.regions.map { try GEOSObject($0.geometry, context: ctx) }
        for (r, o) in zip(atlas.regions, objects) {
            let reason = try o.validityReason()
            #expect(try o.isValid(), "\(r.region.id): \(reason)")
        }
        for i in objects.indices {
            for j in objects.indices where j > i {
                let a = atlas.regions[i].region.id, b = atlas.regions[j].region.id
                #expect(try !objects[i].relate(objects[j], pattern: "T********"), "\(a) and \(b) overlap")
                #expect(try objects[i].intersection(objects[j]).area() == 0, "\(a) ∩ \(b) has area")
            }
        }
    }

    @Test func regionsTileTheCountryWithoutGaps() throws {
        let ctx = GEOSContext()
        let objects = try atlas.regions.map { try GEOSObject($0.geometry, context: ctx) }
        let union = try ctx.collection(objects).unaryUnion()
        guard case .polygon(let outline) = try union.geometry() else {
            Issue.record("the union of the regions is not one polygon: a gap or an island")
            return
        }
        #expect(outline.holes.isEmpty, "a gap inside the country")
        let sum = try objects.reduce(0.0) { $0 + (try $1.area()) }
        #expect(abs(try union.area() - sum) < 1e-9 * sum)
        // Natural Earth's Mali is within 2% of the official 1,240,192 km².
        let km2 = Geodesic.wgs84.area(of: .polygon(outline)) / 1e6
        #expect(abs(km2 - AtlasCheck.referenceAreaKm2) / AtlasCheck.referenceAreaKm2 < 0.02)
    }

    @Test func neighboursShareTheirBorderExactly() throws {
        // Koulikoro surrounds the Bamako district: the district is exactly Koulikoro's hole.
        let koulikoro = try #require(atlas.region("koulikoro")?.geometry.polygons.first)
        let bamako = try #require(atlas.region("bamako")?.geometry.polygons.first)
        #expect(koulikoro.holes.count == 1)
        #expect(Set(koulikoro.rings[1].map { [$0.x, $0.y] }) == Set(bamako.exterior.map { [$0.x, $0.y] }))
    }

    @Test(arguments: [("Bamako", "bamako"), ("Timbuktu", "tombouctou"), ("Kidal", "kidal"), ("Kati", "koulikoro"),
                      ("Sévaré", "mopti"), ("Ségou", "segou"), ("Gao", "gao"), ("Ménaka", "menaka"),
                      ("Anderamboukane", "menaka"), ("Ansongo", "gao"), ("Kayes", "kayes")])
    func knownTownsLieInTheirRegions(name: String, region: String) throws {
        let place = try #require(atlas.places.first { $0.allNames.contains(name) }, "\(name) not in the gazetteer")
        let locator = try RegionLocator(atlas.regions)
        #expect(try locator.regions(covering: place.position) == [region])
        #expect(place.regionID == region)
    }

    @Test func seatsLieInTheirRegions() throws {
        let locator = try RegionLocator(atlas.regions)
        for r in atlas.regions {
            let seat = try #require(r.seat)
            #expect(try locator.regions(covering: seat) == [r.region.id])
        }
    }

    @Test func locatorReportsPointsOutsideMali() throws {
        let locator = try RegionLocator(atlas.regions)
        // Ouagadougou, Burkina Faso.
        let ouaga = Position(-1.5197, 12.3714)
        #expect(try locator.regions(covering: ouaga).isEmpty)
        let (_, metres) = try locator.nearest(to: ouaga)
        #expect(metres > 100_000)
    }
}

@Suite struct GazetteerTests {
    let atlas = repositoryAtlas

    @Test func everyPlaceLiesInExactlyOneRegionTheOneItNames() throws {
        let locator = try RegionLocator(atlas.regions)
        #expect(atlas.places.count > 100)
        for p in atlas.places {
            #expect(try locator.regions(covering: p.position) == [p.regionID], "\(p.name) \(p.position)")
        }
    }

    @Test func atLeast95PercentAgreeWithTheirSource() {
        let compared = atlas.places.filter { !$0.sourceRegionID.isEmpty }
        // GeoNames still has Ménaka's towns in Gao, as before 2016.
        let agree = compared.filter { $0.sourceRegionID == $0.regionID || ($0.sourceRegionID, $0.regionID) == ("gao", "menaka") }
        let share = Double(agree.count) / Double(compared.count)
        #expect(compared.count >= 100)
        #expect(share >= 0.95, "\(agree.count) of \(compared.count)")
    }

    @Test func aliasesCoverAccentsAndLanguages() throws {
        func names(_ n: String) -> [String] { atlas.places.first { $0.name == n }?.allNames ?? [] }
        #expect(names("Timbuktu").contains("Tombouctou"))
        #expect(names("Ségou").contains("Segou"))
        #expect(names("Sévaré").contains("Sevare"))
        #expect(names("Nioro").contains("Nioro du Sahel"))
        // Romanisations of other scripts and airport codes are not aliases.
        #expect(!names("Bamako").contains("BKO"))
        #expect(!names("Bamako").contains("ba ma ke"))
    }
}

@Suite struct ZoneTests {
    let atlas = repositoryAtlas

    @Test func everyRegionIsInExactlyOneZone() {
        for r in atlas.regions {
            #expect(atlas.zones.filter { $0.regionIDs.contains(r.region.id) }.count == 1, "\(r.region.id)")
        }
        #expect(atlas.zones.map(\.id) == ["northern", "central", "bamako", "southern"])
        #expect(atlas.zone(ofRegion: "kidal")?.id == "northern")
        #expect(atlas.zone(ofRegion: "mopti")?.id == "central")
        #expect(atlas.zone(ofRegion: "bamako")?.surroundingRadiusKilometres == 50)
    }
}

@Suite struct AtlasLoadingTests {
    /// A copy of the repository's GeoData/mali in a temporary folder, for breaking.
    func copy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: try GeoDataLocation.maliDirectory(), to: dir)
        return dir
    }

    @Test func aZoneNamingAnUnknownRegionIsRefused() throws {
        let dir = try copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("zones.json")
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"segou\"", with: "\"segu\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Atlas.load(from: dir)
            Issue.record("loaded a zones.json with an unknown region")
        } catch {
            #expect("\(error)".contains("zones.json"))
            #expect("\(error)".contains("unknown region id \"segu\""))
        }
    }

    @Test func aBrokenRegionsFileNamesTheFault() throws {
        let dir = try copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("regions.geojson")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"type\":\"Polygon\"", with: "\"type\":\"Polygone\"")
        try text.write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Atlas.load(from: dir)
            Issue.record("loaded a broken regions.geojson")
        } catch {
            #expect("\(error)".contains("$.features[0].geometry.type"), "\(error)")
        }
    }

    @Test func aPlaceWithAnUnknownRegionIsRefusedWithItsLine() throws {
        let dir = try copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("gazetteer.csv")
        let text = try String(contentsOf: url, encoding: .utf8) + "Nowhere,,town,-5,14,atlantis,curated,,\n"
        try text.write(to: url, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n").count
        do {
            _ = try Atlas.load(from: dir)
            Issue.record("loaded a gazetteer with an unknown region")
        } catch {
            #expect("\(error)".contains("line \(lines): unknown region \"atlantis\""), "\(error)")
        }
    }
}

@Suite struct BoundaryBuildTests {
    @Test func polygonizesLinesThatMissEachOtherByAHair() throws {
        // Two regions split by a border whose ends stop 1e-10 short of the frame and each other.
        let table = RegionTable(rows: [
            .init(id: "west", name: "West", aliases: [], seat: Position(-5, 15), geonamesAdmin1: "", partOf: ""),
            .init(id: "east", name: "East", aliases: [], seat: Position(3, 15), geonamesAdmin1: "", partOf: ""),
        ])
        var build = BoundaryBuild(table: table)
        build.frame = BoundingBox(minX: -14, minY: 8, maxX: 6, maxY: 27)
        let outline: Geometry = .lineString([Position(-10, 10), Position(4, 10), Position(4, 20), Position(-10, 20), Position(-10, 10)])
        let border: Geometry = .lineString([Position(0, 10 + 1e-10), Position(0.5, 15), Position(0 + 1e-10, 20)])
        let regions = try build.regions(from: [outline, border])
        #expect(regions.features.map(\.id) == [.string("west"), .string("east")])
        let ctx = GEOSContext()
        let west = try GEOSObject(regions.features[0].geometry!, context: ctx)
        let east = try GEOSObject(regions.features[1].geometry!, context: ctx)
        #expect(try !west.relate(east, pattern: "T********"))
        #expect(abs(try west.union(east).area() - 140) < 1e-6)
    }

    @Test func twoSeatsInOneFaceIsAnError() {
        let table = RegionTable(rows: [
            .init(id: "a", name: "A", aliases: [], seat: Position(-5, 15), geonamesAdmin1: "", partOf: ""),
            .init(id: "b", name: "B", aliases: [], seat: Position(-4, 15), geonamesAdmin1: "", partOf: ""),
        ])
        let outline: Geometry = .lineString([Position(-10, 10), Position(4, 10), Position(4, 20), Position(-10, 20), Position(-10, 10)])
        #expect(throws: AtlasError.self) { try BoundaryBuild(table: table).regions(from: [outline]) }
    }
}

@Suite struct CSVTests {
    @Test func readsQuotedFieldsAcrossLines() throws {
        let t = try CSVTable(parsing: "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\n2,\"two\nlines\",\n3,,last")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows.map(\.fields) == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", "last"]])
        #expect(t.rows.map(\.line) == [2, 4, 6])
    }

    @Test func anUnclosedQuoteNamesItsLine() {
        do {
            _ = try CSVTable(parsing: "a,b\n1,2\n3,\"open\n4,5\n")
            Issue.record("accepted an unclosed quote")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test func formatsWhatItReads() throws {
        let text = CSVTable.format(header: ["n", "v"], rows: [["a,b", "say \"x\""], ["plain", ""]])
        let back = try CSVTable(parsing: text)
        #expect(back.rows.map(\.fields) == [["a,b", "say \"x\""], ["plain", ""]])
    }
}
