import Geo

/// A TileJSON 3.0.0 document describing a tile set: where the tiles are, their zooms and bounds,
/// and each vector layer with its fields (the `vector_layers` MapLibre and others read).
public enum TileJSON {
    /// The field types TileJSON names: "String", "Number" or "Boolean", from the values seen, and
    /// `point_count` for a clustered point layer.
    static func fields(_ layer: TileLayerSource) -> JSONObject {
        var types: [String: String] = ["id": "String"]
        var order = ["id"]
        for f in layer.features {
            for (k, v) in f.properties where types[k] == nil {
                order.append(k)
                switch v {
                case .string: types[k] = "String"
                case .double, .int: types[k] = "Number"
                case .bool: types[k] = "Boolean"
                }
            }
        }
        // Clustered below the maximum zoom: a point standing for others counts them.
        if layer.policy.droppable, types["point_count"] == nil, layer.features.contains(where: { $0.geometry.isPuntal }) {
            order.append("point_count")
            types["point_count"] = "Number"
        }
        return JSONObject(order.map { ($0, .string(types[$0]!)) })
    }

    /// The document for `layers` tiled from `minZoom` to `maxZoom` over `bounds` (lon/lat).
    /// `asOf`, an ISO 8601 UTC time, is the moment the map shows, written as an `as_of` member
    /// (TileJSON 3.0.0 section 3 lets a document carry members of its own).
    public static func document(layers: [TileLayerSource], tileURL: String, minZoom: Int, maxZoom: Int, bounds: BoundingBox,
                                name: String = "ThreatMap", description: [String: String] = [:], asOf: String? = nil,
                                members: JSONObject = [:]) -> JSONValue {
        let centre = bounds.center
        var o: JSONObject = [
            "tilejson": "3.0.0",
            "name": .string(name),
            "description": "Security threat levels in Mali by region and zone, alert footprints, incidents and labels.",
            "version": "1.0.0",
            "attribution": "ThreatMap; boundaries Natural Earth; places GeoNames (CC BY 4.0)",
            "scheme": "xyz",
            "tiles": [.string(tileURL)],
            "minzoom": .int(minZoom),
            "maxzoom": .int(maxZoom),
            "bounds": [.double(bounds.minX), .double(bounds.minY), .double(bounds.maxX), .double(bounds.maxY)],
            "center": [.double(centre.x), .double(centre.y), .int(max(minZoom, min(maxZoom, 5)))],
            "vector_layers": .array(layers.map { l in
                [
                    "id": .string(l.name), "fields": .object(fields(l)), "minzoom": .int(minZoom), "maxzoom": .int(maxZoom),
                    "description": .string(description[l.name] ?? l.name),
                ]
            }),
        ]
        if let asOf { o["as_of"] = .string(asOf) }
        for (k, v) in members where o[k] == nil { o[k] = v }
        return .object(o)
    }
}
