import Foundation
import Geo
import ThreatModel

/// A region with its boundary.
public struct RegionArea: Sendable {
    public var region: Region
    public var geometry: Geometry
    /// The region's seat (chief town), which the data build used to name the face.
    public var seat: Position?

    public init(region: Region, geometry: Geometry, seat: Position? = nil) {
        self.region = region
        self.geometry = geometry
        self.seat = seat
    }
}

/// A cercle (admin-2 unit) with its boundary and the region it lies in, from `cercles.geojson`
/// where an imported GeoData folder has one.
public struct CercleArea: Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var regionID: String
    public var geometry: Geometry

    public init(id: String, name: String, aliases: [String] = [], regionID: String, geometry: Geometry) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.regionID = regionID
        self.geometry = geometry
    }

    /// The cercle as an area a `RegionLocator` can search.
    public var area: RegionArea { RegionArea(region: Region(id: id, name: name, aliases: aliases), geometry: geometry, seat: nil) }
}

/// A named place of the gazetteer.
public struct Place: Sendable, Hashable {
    public var name: String
    /// Other spellings: without accents, in English or French, older names.
    public var aliases: [String]
    /// `capital`, `city`, `town` or `village`: how big a footprint the place gets.
    public var kind: String
    public var position: Position
    /// The region it lies in, by point-in-polygon on our boundaries.
    public var regionID: String
    /// Where the row came from: `geonames` or `curated`.
    public var source: String
    /// The source's own id (a GeoNames id), if any.
    public var sourceID: String
    /// The region the source itself names for the place, mapped to our ids; empty if none.
    public var sourceRegionID: String
    /// The cercle it lies in, by point-in-polygon, where the GeoData has cercles; else empty.
    public var cercleID = ""

    public var allNames: [String] { [name] + aliases }
}

/// Mali as ThreatMap knows it: its regions with their boundaries, the zones they form, and
/// the gazetteer of places. Loaded from the `GeoData/mali` folder and checked as it loads.
public struct Atlas: Sendable {
    public var regions: [RegionArea]
    public var zones: [Zone]
    public var places: [Place]
    /// Regions that the boundary data does not draw, by id, with the drawn region holding them
    /// (Ménaka in Gao, Taoudénit in Tombouctou in Natural Earth's older division).
    public var undrawnRegions: [String: String]
    /// `regions.csv`: every region's names, codes and seat, drawn or not.
    public var table: RegionTable
    /// Neighbours and rivers, where the folder has them (`landmarks.json`).
    public var landmarks: Landmarks?
    /// The cercles, where the folder has them (`cercles.geojson`, written by `geodata import
    /// --cercles`); empty otherwise, and every layer and reader works without them.
    public var cercles: [CercleArea] = []

    public func region(_ id: String) -> RegionArea? { regions.first { $0.region.id == id } }

    /// The zone a region belongs to.
    public func zone(ofRegion id: String) -> Zone? { zones.first { $0.regionIDs.contains(id) } }

    public func cercle(_ id: String) -> CercleArea? { cercles.first { $0.id == id } }

    /// Loads and checks `regions.geojson`, `zones.json`, `gazetteer.csv` (and the `regions.csv`
    /// they derive from) in `directory`.
    public static func load(from directory: URL) throws -> Atlas {
        let table = try RegionTable.load(directory.appendingPathComponent("regions.csv"))
        let regions = try loadRegions(directory.appendingPathComponent("regions.geojson"))
        let known = Set(regions.map(\.region.id))
        var undrawn: [String: String] = [:]
        for row in table.rows where !row.partOf.isEmpty { undrawn[row.id] = row.partOf }
        let zones = try loadZones(directory.appendingPathComponent("zones.json"), drawn: known, undrawn: undrawn)
        let cerclesFile = directory.appendingPathComponent("cercles.geojson")
        let cercles = FileManager.default.fileExists(atPath: cerclesFile.path) ? try loadCercles(cerclesFile, regions: known) : []
        let places = try loadGazetteer(directory.appendingPathComponent("gazetteer.csv"), regions: known,
                                       cercles: Set(cercles.map(\.id)))
        var atlas = Atlas(regions: regions, zones: zones, places: places, undrawnRegions: undrawn, table: table)
        atlas.cercles = cercles
        atlas.landmarks = try Landmarks.load(from: directory, places: places)
        return atlas
    }

    static func readFile(_ url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw AtlasError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
    }

    public static func loadRegions(_ url: URL) throws -> [RegionArea] {
        let doc: GeoJSONObject
        do {
            doc = try GeoJSONReader().read(readFile(url))
        } catch let e as GeoJSONError {
            throw AtlasError(file: url.path, message: e.description)
        }
        var out: [RegionArea] = []
        let context = GEOSContext()
        for (i, f) in doc.featureCollection.features.enumerated() {
            let at = "feature \(i)"
            guard let id = f.properties["id"]?.stringValue, !id.isEmpty else {
                throw AtlasError(file: url.path, message: "\(at) has no string property \"id\"")
            }
            guard id == NameFolding.slug(id) else {
                throw AtlasError(file: url.path, message: "\(at): id \"\(id)\" is not a lower-case ASCII slug")
            }
            guard out.allSatisfy({ $0.region.id != id }) else {
                throw AtlasError(file: url.path, message: "\(at): region id \"\(id)\" appears twice")
            }
            guard let name = f.properties["name"]?.stringValue else {
                throw AtlasError(file: url.path, message: "\(at) (\(id)) has no string property \"name\"")
            }
            guard let g = f.geometry, !g.polygons.isEmpty else {
                throw AtlasError(file: url.path, message: "\(at) (\(id)) is not a polygon or multipolygon")
            }
            let object = try GEOSObject(g, context: context)
            guard try object.isValid() else {
                throw AtlasError(file: url.path, message: "\(at) (\(id)) is not a valid polygon: \(try object.validityReason())")
            }
            let aliases = (f.properties["aliases"]?.stringValue ?? "").split(separator: "|").map { String($0) }
            var seat: Position?
            if let lon = f.properties["seat_lon"]?.numberValue, let lat = f.properties["seat_lat"]?.numberValue {
                seat = Position(lon, lat)
            }
            out.append(RegionArea(region: Region(id: id, name: name, aliases: aliases), geometry: g, seat: seat))
        }
        if out.isEmpty { throw AtlasError(file: url.path, message: "no regions") }
        return out
    }

    /// `zones.json` as written: every zone with the ids it lists, drawn or not, its radius
    /// checked. `loadZones` checks the ids against the regions; `geodata import` rewrites them.
    /// Reads `cercles.geojson`: features with `id`, `name`, `region` (a drawn region's id) and
    /// optional `aliases`, with polygons.
    public static func loadCercles(_ url: URL, regions: Set<String>) throws -> [CercleArea] {
        let doc: GeoJSONObject
        do {
            doc = try GeoJSONReader().read(readFile(url))
        } catch let e as GeoJSONError {
            throw AtlasError(file: url.path, message: e.description)
        }
        var out: [CercleArea] = []
        var seen = Set<String>()
        for (i, f) in doc.featureCollection.features.enumerated() {
            let at = "feature \(i)"
            guard let id = f.properties["id"]?.stringValue, !id.isEmpty, let name = f.properties["name"]?.stringValue,
                  let region = f.properties["region"]?.stringValue else {
                throw AtlasError(file: url.path, message: "\(at): needs string properties id, name and region")
            }
            guard seen.insert(id).inserted else { throw AtlasError(file: url.path, message: "\(at): cercle id \"\(id)\" is used twice") }
            guard regions.contains(region) else {
                throw AtlasError(file: url.path, message: "\(at) (\(id)): region \"\(region)\" is not a drawn region")
            }
            guard let g = f.geometry, !g.polygons.isEmpty else { throw AtlasError(file: url.path, message: "\(at) (\(id)): no polygon") }
            let aliases = (f.properties["aliases"]?.stringValue ?? "").split(separator: "|").map { String($0) }
            out.append(CercleArea(id: id, name: name, aliases: aliases, regionID: region, geometry: g))
        }
        return out
    }

    public static func zonesAsWritten(_ url: URL) throws -> [Zone] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(readFile(url))
        } catch let e as JSONSyntaxError {
            throw AtlasError(file: url.path, message: e.description)
        }
        guard let list = value.objectValue?["zones"]?.arrayValue else {
            throw AtlasError(file: url.path, message: "expected an object with a \"zones\" array")
        }
        return try list.enumerated().map { i, z in
            let at = "$.zones[\(i)]"
            guard let o = z.objectValue, let id = o["id"]?.stringValue, let name = o["name"]?.stringValue,
                let ids = o["regions"]?.arrayValue?.compactMap(\.stringValue)
            else { throw AtlasError(file: url.path, message: "\(at): a zone needs \"id\", \"name\" and \"regions\" (an array of region ids)") }
            var radius: Double?
            if let r = o["surrounding_radius_km"] {
                guard let km = r.numberValue, km > 0, km <= 500 else {
                    throw AtlasError(file: url.path, message: "\(at).surrounding_radius_km: expected a number of kilometres in (0, 500]")
                }
                radius = km
            }
            return Zone(id: id, name: name, regionIDs: ids, surroundingRadiusKilometres: radius)
        }
    }

    static func loadZones(_ url: URL, drawn: Set<String>, undrawn: [String: String]) throws -> [Zone] {
        var zones = try zonesAsWritten(url)
        var owner: [String: String] = [:]
        for (i, z) in zones.enumerated() {
            let at = "$.zones[\(i)]"
            for r in z.regionIDs {
                guard drawn.contains(r) || undrawn[r] != nil else {
                    throw AtlasError(file: url.path, message: "\(at) (\(z.id)): unknown region id \"\(r)\"")
                }
                if let other = owner[r] {
                    throw AtlasError(file: url.path, message: "\(at): region \"\(r)\" is in zones \"\(other)\" and \"\(z.id)\"")
                }
                owner[r] = z.id
            }
            zones[i].regionIDs = z.regionIDs.filter { drawn.contains($0) }
        }
        for r in drawn.sorted() where owner[r] == nil {
            throw AtlasError(file: url.path, message: "region \"\(r)\" belongs to no zone: every region must be in exactly one")
        }
        return zones
    }

    static let gazetteerHeader = ["name", "aliases", "kind", "lon", "lat", "region", "source", "source_id", "source_region"]
    /// Written where the GeoData has cercles.
    static let gazetteerCercleColumn = "cercle"
    static let placeKinds: Set<String> = ["capital", "city", "town", "village", "commune"]

    static func loadGazetteer(_ url: URL, regions: Set<String>, cercles: Set<String> = []) throws -> [Place] {
        let csv = try GeoDataCSV(url, columns: gazetteerHeader, optional: [gazetteerCercleColumn])
        var out: [Place] = []
        for row in csv.table.rows {
            func field(_ name: String) -> String { csv.field(row, name) }
            let at = "line \(row.line)"
            guard !field("name").isEmpty else { throw AtlasError(file: url.path, message: "\(at): empty name") }
            guard let lon = Double(field("lon")), let lat = Double(field("lat")), abs(lon) <= 180, abs(lat) <= 90 else {
                throw AtlasError(file: url.path, message: "\(at): lon and lat must be decimal degrees")
            }
            guard regions.contains(field("region")) else {
                throw AtlasError(file: url.path, message: "\(at): unknown region \"\(field("region"))\"")
            }
            guard placeKinds.contains(field("kind")) else {
                throw AtlasError(file: url.path, message: "\(at): kind must be one of \(placeKinds.sorted().joined(separator: ", "))")
            }
            let cercle = field(gazetteerCercleColumn)
            guard cercle.isEmpty || cercles.contains(cercle) else {
                throw AtlasError(file: url.path, message: "\(at): unknown cercle \"\(cercle)\"")
            }
            out.append(Place(
                name: field("name"), aliases: field("aliases").split(separator: "|").map { String($0) },
                kind: field("kind"), position: Position(lon, lat), regionID: field("region"),
                source: field("source"), sourceID: field("source_id"), sourceRegionID: field("source_region"), cercleID: cercle))
        }
        return out
    }
}

/// A fault in a GeoData file, naming the file.
public struct AtlasError: Error, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}
