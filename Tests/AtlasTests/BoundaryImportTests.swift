import Foundation
import Geo
import Testing
import ThreatModel
@testable import Atlas

/// `BoundaryImport` on units made here from the shipped regions: renamed, moved, broken,
/// carved, the way analysts' boundary files differ from ours.
@Suite struct BoundaryImportTests {
    let atlas = repositoryAtlas
    let context = GEOSContext()

    func job() throws -> BoundaryImport {
        let zones = try Atlas.zonesAsWritten(try GeoDataLocation.maliDirectory().appendingPathComponent("zones.json"))
        let outline = try context.collection(atlas.regions.map { try GEOSObject($0.geometry, context: context) }).unaryUnion().geometry()
        return BoundaryImport(table: atlas.table, zones: zones, outline: outline)
    }

    /// Our regions as units, each named by `name(id)`.
    func units(_ name: (String) -> String = { $0 }) -> [BoundaryUnit] {
        atlas.regions.enumerated().map { i, r in BoundaryUnit(name: name(r.region.id), geometry: r.geometry, origin: "feature \(i)") }
    }

    func shape(_ result: BoundaryImport.Result, _ id: String) throws -> GEOSObject {
        try GEOSObject(#require(result.regions.features.first { $0.properties["id"] == .string(id) }?.geometry), context: context)
    }

    @Test func namesMatchIgnoringCaseAccentsAndTheWordsAroundThem() throws {
        let spelled = ["kayes": "KAYES", "koulikoro": "Région de Koulikoro", "sikasso": "Sikasso Region", "segou": "Segou",
                       "mopti": "mopti", "tombouctou": "Timbuktu", "gao": "Gao", "kidal": "Kidal", "bamako": "District de Bamako",
                       "menaka": "MENAKA"]
        let result = try job().run(units { spelled[$0]! })
        #expect(result.regions.features.map { $0.properties["id"]?.stringValue ?? "" }.sorted() == atlas.regions.map(\.region.id).sorted())
        // Regions the file does not draw stand in the region holding their seat.
        #expect(result.table.rows.first { $0.id == "taoudenit" }?.partOf == "tombouctou")
        #expect(result.table.rows.first { $0.id == "menaka" }?.partOf == "")
        // Codes where the name says nothing: ISO 3166-2 or P-code.
        var coded = units()
        coded[0].name = ""
        coded[0].code = "ML-1"
        coded[1].name = "?"
        coded[1].code = "ML02"
        #expect(try job().run(coded).regions.features.count == 10)
    }

    @Test func anUnknownNameNeedsAZone() throws {
        var list = units()
        list[0].name = "Nioro"
        #expect {
            try job().run(list)
        } throws: { e in
            "\(e)".contains("\"Nioro\" is no region we know") && "\(e)".contains("--zone nioro=ZONE")
        }
        var j = try job()
        j.zoneOf["nioro"] = "southern"
        let result = try j.run(list)
        #expect(result.table.rows.contains { $0.id == "nioro" && $0.partOf.isEmpty })
        #expect(result.zones.first { $0.id == "southern" }?.regionIDs.contains("nioro") == true)
        // Kayes is now drawn by no feature: it stands in the region holding its seat.
        #expect(result.table.rows.first { $0.id == "kayes" }?.partOf == "nioro")
        j.zoneOf["nioro"] = "western"
        #expect(throws: BoundaryImportError.self) { try j.run(list) }
    }

    @Test func aSelfIntersectingPolygonIsRepaired() throws {
        var list = units()
        let kidal = list.firstIndex { $0.name == "kidal" }!
        // Kidal's ring with a bow tie of about 100 m at one of its vertices.
        guard case .polygon(var p) = atlas.region("kidal")!.geometry else { Issue.record("Kidal is not one polygon"); return }
        let a = p.rings[0][10], d = 0.001
        p.rings[0].insert(contentsOf: [Position(a.x + d, a.y + d), Position(a.x + d, a.y), Position(a.x, a.y + d), a], at: 11)
        list[kidal].geometry = .polygon(p)
        #expect(try !GEOSObject(list[kidal].geometry, context: context).isValid())
        let result = try job().run(list)
        #expect(result.report.contains { $0.contains("kidal") && $0.contains("repaired with GEOS MakeValid") })
        #expect(try shape(result, "kidal").isValid())
    }

    @Test func slightOverlapsAndGapsAreClosedAndLargeOnesNamed() throws {
        var list = units()
        let kayes = list.firstIndex { $0.name == "kayes" }!
        let bamako = list.firstIndex { $0.name == "bamako" }!
        // Kayes grown by about 10 m: slivers of overlap along its borders.
        list[kayes].geometry = try GEOSObject(list[kayes].geometry, context: context).buffer(0.0001).geometry()
        // Bamako shrunk by about 10 m: a thin gap around it.
        list[bamako].geometry = try GEOSObject(list[bamako].geometry, context: context).buffer(-0.0001).geometry()
        let result = try job().run(list)
        #expect(result.report.contains { $0.contains("closed") && $0.contains("overlap") })
        // Exact coverage: no interiors meet, and the union is one polygon without holes.
        let shapes = try result.regions.features.map { try GEOSObject(#require($0.geometry), context: context) }
        for i in shapes.indices { for j in shapes.indices where j > i { #expect(try !shapes[i].relate(shapes[j], pattern: "T********")) } }
        let union = try context.collection(shapes).coverageUnion().geometry()
        #expect(union.polygons.count == 1 && union.polygons[0].holes.isEmpty)

        // Bamako moved 5 km east: overlaps of tens of km² stop the import, named with area and place.
        var moved = units()
        moved[bamako].geometry = try GEOSObject(moved[bamako].geometry, context: context).scaled(sx: 1, sy: 1, tx: 0.05, ty: 0).geometry()
        #expect {
            try job().run(moved)
        } throws: { e in
            "\(e)".contains("overlap by") && "\(e)".contains("km²") && "\(e)".contains("(lon, lat)")
        }
    }

    @Test func aFileOfAnotherCountryIsRefused() throws {
        let elsewhere = try units().map { u in
            var u = u
            u.geometry = try GEOSObject(u.geometry, context: context).scaled(sx: 1, sy: 1, tx: 25, ty: 20).geometry()
            return u
        }
        #expect {
            try job().run(elsewhere)
        } throws: { e in "\(e)".contains("covers 0.0% of Mali's outline") }
    }

    @Test func aPre2016FileHasMenakaInGao() throws {
        // Gao and Ménaka as one unit named Gao, as Natural Earth and older national files draw them.
        var list = units()
        let gao = list.firstIndex { $0.name == "gao" }!, menaka = list.firstIndex { $0.name == "menaka" }!
        list[gao].geometry = try GEOSObject(list[gao].geometry, context: context).union(GEOSObject(list[menaka].geometry, context: context)).geometry()
        list.remove(at: menaka)
        let result = try job().run(list)
        #expect(result.regions.features.count == 9)
        #expect(result.table.rows.first { $0.id == "menaka" }?.partOf == "gao")
        #expect(result.zones.first { $0.id == "northern" }?.regionIDs.contains("gao") == true)
        // Places are re-placed: Ménaka town is now in Gao.
        let regions = try result.regions.features.map { f in
            RegionArea(region: Region(id: f.properties["id"]?.stringValue ?? "", name: "", aliases: []), geometry: try #require(f.geometry), seat: nil)
        }
        let (csv, _) = try BoundaryImport.replace(atlas.places, in: regions, toleranceMetres: 5_000)
        #expect(csv.split(separator: "\n").contains { $0.hasPrefix("Ménaka,") && $0.contains(",gao,") })
    }
}
