import Atlas
import Foundation
import Geo
import VectorTiles

/// The map around the threat layers, served as ThreatMap's own tiles so that the viewer needs no
/// outside tile server: one layer `basemap` whose features each have a `kind`:
/// - `land`, `lake`, `coast`, `border`: Natural Earth 1:10m, from `mali/basemap.geojson`;
/// - `country`: a label point in each neighbour (its `name`), from `neighbours.geojson`;
/// - `river`: the rivers of `landmarks.json`, as lines through their riverside places;
/// - `town`: the gazetteer's capital, cities and towns, with `rank` (1 capital, 2 city, 3 town)
///   and `minzoom`, the first zoom at which a client should show it (3, 4, 7).
/// The same whatever the date, so its tiles are made once and kept.
public enum Basemap {
    public static let layerName = "basemap"

    /// Town kinds of the gazetteer drawn on the basemap, with their rank and first zoom.
    static let towns: [String: (rank: Int, minZoom: Int)] = ["capital": (1, 3), "city": (2, 4), "town": (3, 7)]

    /// The basemap's features from a GeoData folder; a folder without `basemap.geojson` gives
    /// only the neighbours' names, the rivers and the towns.
    public static func features(_ geodata: GeoDataFolder) throws -> [Feature] {
        var out: [Feature] = []
        let file = geodata.root.appendingPathComponent("mali/basemap.geojson")
        if FileManager.default.fileExists(atPath: file.path) {
            let fc: FeatureCollection
            do {
                fc = try GeoJSONReader().read(Array(try Data(contentsOf: file))).featureCollection
            } catch let e as GeoJSONError {
                throw AtlasError(file: file.path, message: e.description)
            }
            for (i, f) in fc.features.enumerated() {
                guard let kind = f.properties["kind"]?.stringValue, ["land", "lake", "coast", "border"].contains(kind), let g = f.geometry else {
                    throw AtlasError(file: file.path, message: "feature \(i): expected a geometry and a kind of land, lake, coast or border")
                }
                out.append(Feature(id: .string("\(kind)-\(i)"), geometry: g, properties: ["kind": .string(kind)]))
            }
        }
        let ctx = GEOSContext()
        for n in geodata.atlas.landmarks?.neighbours ?? [] {
            let at = try GEOSObject(n.geometry, context: ctx).visualCenter(tolerance: 0.05)
            out.append(Feature(id: .string("country-\(n.code)"), geometry: .point(at),
                               properties: ["kind": "country", "name": .string(n.names.first ?? n.code), "iso": .string(n.code)]))
        }
        for r in geodata.atlas.landmarks?.rivers ?? [] where r.through.count >= 2 {
            out.append(Feature(id: .string("river-\(r.id)"), geometry: .lineString(r.through),
                               properties: ["kind": "river", "name": .string(r.names.first ?? r.id)]))
        }
        for (i, p) in geodata.atlas.places.enumerated() {
            guard let t = towns[p.kind] else { continue }
            out.append(Feature(id: .string("town-\(i)"), geometry: .point(p.position),
                               properties: ["kind": "town", "name": .string(p.name), "rank": .int(t.rank), "minzoom": .int(t.minZoom)]))
        }
        return out
    }

    /// The basemap as a tile layer: never thinned away, towns ranked by size.
    public static func tileSource(_ geodata: GeoDataFolder) throws -> TileLayerSource {
        let features = try features(geodata).map { f in
            let props = f.properties.compactMap { k, v in TiledMap.tileValue(v).map { (k, $0) } }
            let rank = 10 - Double(f.properties["rank"]?.intValue ?? 9)
            return TileFeature(id: f.id?.description ?? "", geometry: f.geometry!, properties: props, rank: rank)
        }
        return TileLayerSource(name: layerName, features: features, policy: .whole)
    }

    /// The TileJSON of the basemap's tiles at `tileURL`.
    public static func tileJSON(_ source: TileLayerSource, tileURL: String, minZoom: Int, maxZoom: Int) -> JSONValue {
        let bounds = TiledMap.bounds([source])
        guard case .object(var o) = TileJSON.document(
            layers: [source], tileURL: tileURL, minZoom: minZoom, maxZoom: maxZoom, bounds: bounds, name: "ThreatMap basemap",
            description: [layerName: "Land, lakes, coastline and borders (Natural Earth 1:10m), neighbours' names, rivers and towns"])
        else { preconditionFailure("TileJSON.document gives an object") }
        o["description"] = "The map around Mali: land, lakes, coastline, borders, neighbours, rivers and towns."
        o["attribution"] = "Natural Earth (public domain); places GeoNames (CC BY 4.0)"
        return .object(o)
    }
}
