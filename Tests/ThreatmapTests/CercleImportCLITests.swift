import Foundation
import Geo
import Testing

/// `threatmap geodata import --cercles` end to end: Mopti cut in two cercles, written as a
/// Shapefile in Web Mercator by ogr2ogr, imported beside the current regions; the folder then
/// checked, read, ingested and exported by the built binary.
@Suite struct CercleImportCLITests {
    let work: ScratchFolder

    init() throws { work = try ScratchFolder("cercles") }

    func path(_ name: String) -> String { work.path(name) }
    func ogr2ogr(_ arguments: [String]) throws { try work.ogr2ogr(arguments) }

    /// Mopti as two cercles split at 3.2°W (Bandiagara east of it, Djenné west), each grown by
    /// about 10 m so that they overlap each other and their neighbours slightly, as real files do.
    func cercleFile() throws -> String {
        let r = try CLI.run(["export", "geojson", "--layer", "regions", "-o", path("regions.geojson")])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path("regions.geojson")))))
        let context = GEOSContext()
        let mopti = try GEOSObject(#require(doc.featureCollection.features.first { $0.properties["id"] == .string("mopti") }?.geometry), context: context)
        let east = try GEOSObject(.polygon(BoundingBox(minX: -3.2, minY: 10, maxX: 0, maxY: 20).polygon), context: context)
        let west = try GEOSObject(.polygon(BoundingBox(minX: -7, minY: 10, maxX: -3.2, maxY: 20).polygon), context: context)
        let features = [
            Feature(geometry: try mopti.intersection(east).buffer(0.0001).geometry(), properties: ["NOM": .string("Bandiagara"), "REGION": .string("Mopti")]),
            Feature(geometry: try mopti.intersection(west).buffer(0.0001).geometry(), properties: ["NOM": .string("Djenné"), "REGION": .string("")]),
        ]
        try Data(GeoJSONWriter(precision: 7).write(FeatureCollection(features))).write(to: URL(fileURLWithPath: path("cercles.geojson")))
        try ogr2ogr(["-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", "-lco", "ENCODING=UTF-8", path("cercles.shp"), path("cercles.geojson")])
        return path("cercles.shp")
    }

    @Test func cerclesImportedReadAndExported() throws {
        let out = path("geodata")
        let r = try CLI.run(["geodata", "import", "--cercles", try cercleFile(), "--cercle-name-field", "NOM",
                             "--cercle-region-field", "REGION", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let check = try CLI.run(["geodata", "check", "--geodata", out])
        #expect(check.status == 0 && check.text.contains("no faults") && check.text.contains("cercles: 2"), "\(check.text) \(check.stderr)")

        // A text naming the cercle is placed in it.
        let text = """
            Security alert, 14 June 2024

            Armed men attacked a village in the cercle de Bandiagara on 13 June; several civilians were killed. \
            Avoid all travel to the area.
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path("bandiagara.txt")))
        let resolved = try CLI.run(["resolve", "--geodata", out, path("bandiagara.txt")])
        #expect(resolved.status == 0 && resolved.text.contains("\"cercles\":[\"bandiagara\"]"), "\(resolved.text.prefix(600)) \(resolved.stderr)")

        // Its footprint is the cercle, not Mopti; the cercles layer has both.
        let store = path("store.db")
        let ingest = try CLI.run(["ingest", "--geodata", out, "--store", store, path("bandiagara.txt")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let cercles = try CLI.run(["export", "geojson", "--geodata", out, "--store", store, "--layer", "cercles", "--as-of", "2024-06-15T00:00:00Z",
                                   "-o", path("cercles-out.geojson")])
        #expect(cercles.status == 0, "\(cercles.stderr)")
        let layer = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path("cercles-out.geojson"))))).featureCollection
        #expect(Set(layer.features.compactMap { $0.properties["id"]?.stringValue }) == ["bandiagara", "djenne"])
        #expect(layer.features.allSatisfy { $0.properties["region"] == .string("mopti") })
        let areas = try CLI.run(["export", "geojson", "--geodata", out, "--store", store, "--layer", "alert_areas", "--as-of", "2024-06-15T00:00:00Z",
                                 "-o", path("areas.geojson")])
        #expect(areas.status == 0, "\(areas.stderr)")
        let footprints = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path("areas.geojson"))))).featureCollection
        let footprint = try #require(footprints.features.first?.geometry)
        let box = try #require(footprint.boundingBox)
        #expect(box.minX > -3.21, "the footprint reaches \(box.minX)°: more than the cercle")

        // Events are measured per cercle too: a deadly attack east of 3.2°W raises Bandiagara
        // alone, with its indicators, as of the next day.
        let table = """
            event_id_cnty,event_date,event_type,sub_event_type,actor1,civilian_targeting,admin1,admin2,location,latitude,longitude,fatalities,notes
            MLI90001,2024-06-20,Violence against civilians,Attack,Unidentified Armed Group (Mali),Civilian targeting,Mopti,Bandiagara,Ségué,14.2000,-3.0000,14,"Fourteen villagers killed."
            """
        try Data(table.utf8).write(to: URL(fileURLWithPath: path("events.csv")))
        #expect(try CLI.run(["ingest", "--geodata", out, "--store", store, path("events.csv")]).status == 0)
        let after = try CLI.run(["export", "geojson", "--geodata", out, "--store", store, "--layer", "cercles", "--as-of", "2024-06-21"])
        #expect(after.status == 0, "\(after.stderr)")
        let byID = Dictionary(uniqueKeysWithValues: try GeoJSONReader().read(Array(after.stdout)).featureCollection.features.map {
            ($0.properties["id"]?.stringValue ?? "", $0.properties)
        })
        #expect(byID["bandiagara"]?["event_level"] == .int(4), "\(byID["bandiagara"].map { "\($0)" } ?? "")")
        #expect(byID["bandiagara"]?["event_reason"]?.stringValue?.contains("14 fatalities in 1 event (1 against civilians)") == true)
        #expect(byID["bandiagara"]?["fatalities"] == .int(14) && byID["bandiagara"]?["civilian_events"] == .int(1))
        #expect((byID["bandiagara"]?["diffusion"]?.numberValue ?? 0) > 0)
        #expect(byID["djenne"]?["event_level"] == .int(1) && byID["djenne"]?["events"] == .int(0))

        // Without cercle data there is no such layer.
        let none = try CLI.run(["export", "geojson", "--store", store, "--layer", "cercles", "-o", path("none.geojson")])
        #expect(none.status != 0 && none.stderr.contains("cercles"), "\(none.stderr)")
    }
}
