import Geo

extension Atlas {
    /// The regions as GeoJSON features, ids stable (the region id): `id`, `name`, `aliases`
    /// (joined by `|`), `zone`, `area_km2` (on the WGS 84 ellipsoid) and the seat's name-free
    /// position. Properties are flat so that QGIS and MapLibre can style by them.
    public func regionFeatures() -> FeatureCollection {
        FeatureCollection(regions.map { r in
            var p: JSONObject = [
                "id": .string(r.region.id),
                "name": .string(r.region.name),
                "aliases": .string(r.region.aliases.joined(separator: "|")),
                "zone": zone(ofRegion: r.region.id).map { .string($0.id) } ?? .null,
                "area_km2": .double((Geodesic.wgs84.area(of: r.geometry) / 1e5).rounded() / 10),
            ]
            if let seat = r.seat {
                p["seat_lon"] = .double(seat.x)
                p["seat_lat"] = .double(seat.y)
            }
            return Feature(id: .string(r.region.id), geometry: r.geometry, properties: p)
        })
    }
}
