import Geo
import ThreatModel

/// A MapLibre GL style (style spec version 8) for ThreatMap's tiles: regions and zones filled and
/// outlined by level with the scale's colours, alert footprints outlined, incidents as circles
/// coloured by level, and labels. Every colour comes from `ThreatLevel.colour`.
public enum MapStyle {
    /// A `match` expression from the integer `level` property to the level's colour. Each label is
    /// an array of one (`[1]`): MapLibre reads both forms, QGIS 3.22's style converter only this one
    /// (bare numbers become an empty `level IN ()` rule, everything grey).
    static func levelColour() -> JSONValue {
        var e: [JSONValue] = ["match", ["get", "level"]]
        for l in ThreatLevel.allCases {
            e.append([.int(l.rawValue)])
            e.append(.string(l.colour))
        }
        e.append("#cccccc")
        return .array(e)
    }

    static let water = "#cfe0ea"
    static let land = "#f4f1ea"

    /// The style for the TileJSON at `tileJSONURL` (absolute for MapLibre in a browser), over the
    /// basemap at `basemapURL` where there is one (land, lakes and borders under the levels; coast,
    /// rivers and towns over them; towns by size from zoom 3, 4 and 7). Without `glyphs` (a font
    /// server) the style has no text layer: the client draws labels itself.
    public static func document(tileJSONURL: String, basemapURL: String? = nil,
                                glyphs: String? = "https://demotiles.maplibre.org/font/{fontstack}/{range}.pbf") -> JSONValue {
        let source = "threatmap"
        func layer(_ id: String, _ type: String, _ sourceLayer: String?, paint: JSONObject = [:], layout: JSONObject = [:], filter: JSONValue? = nil,
                   from: String = source, minZoom: Int? = nil) -> JSONValue {
            var o: JSONObject = ["id": .string(id), "type": .string(type)]
            if let sourceLayer {
                o["source"] = .string(from)
                o["source-layer"] = .string(sourceLayer)
            }
            if let minZoom { o["minzoom"] = .int(minZoom) }
            if let filter { o["filter"] = filter }
            if !layout.isEmpty { o["layout"] = .object(layout) }
            if !paint.isEmpty { o["paint"] = .object(paint) }
            return .object(o)
        }
        var style: JSONObject = [
            "version": 8,
            "name": "ThreatMap",
            // Alert areas and incidents carry no MVT feature id; their `id` property names them.
            "sources": [source: ["type": "vector", "url": .string(tileJSONURL), "promoteId": ["alert_areas": "id", "incidents": "id"]]],
            "layers": [
                layer("background", "background", nil, paint: ["background-color": "#f4f1ea"]),
                layer("regions-fill", "fill", "regions", paint: ["fill-color": levelColour(), "fill-opacity": 0.65]),
                layer("regions-outline", "line", "regions", paint: ["line-color": "#5b5b5b", "line-width": 0.8]),
                layer("zones-outline", "line", "zones", paint: ["line-color": levelColour(), "line-width": 3, "line-opacity": 0.9]),
                layer("alert-areas-outline", "line", "alert_areas",
                      paint: ["line-color": levelColour(), "line-width": 1.5, "line-dasharray": [2, 1]]),
                layer("incidents", "circle", "incidents", paint: [
                    "circle-color": levelColour(), "circle-stroke-color": "#333333", "circle-stroke-width": 0.5,
                    "circle-radius": ["interpolate", ["linear"], ["zoom"], 4, 2, 10, 5],
                ]),
            ],
        ]
        if let basemapURL, case .array(var layers) = style["layers"], case .object(var sources) = style["sources"] {
            sources["basemap"] = ["type": "vector", "url": .string(basemapURL)]
            style["sources"] = .object(sources)
            func base(_ id: String, _ type: String, _ kind: String, _ paint: JSONObject, minZoom: Int? = nil, rank: Int? = nil) -> JSONValue {
                var filter: JSONValue = ["==", ["get", "kind"], .string(kind)]
                if let rank { filter = ["all", filter, ["==", ["get", "rank"], .int(rank)]] }
                return layer(id, type, "basemap", paint: paint, filter: filter, from: "basemap", minZoom: minZoom)
            }
            layers[0] = layer("background", "background", nil, paint: ["background-color": .string(water)])
            layers.insert(contentsOf: [
                base("basemap-land", "fill", "land", ["fill-color": .string(land)]),
                base("basemap-lakes", "fill", "lake", ["fill-color": .string(water)]),
                base("basemap-borders", "line", "border", ["line-color": "#8c8c8c", "line-width": 0.8, "line-dasharray": [3, 2]]),
            ], at: 1)
            layers += [
                base("basemap-coast", "line", "coast", ["line-color": "#7fa6bf", "line-width": 0.6]),
                base("basemap-rivers", "line", "river", ["line-color": "#5b93c7", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 1.2, 10, 3]]),
            ]
            for (rank, zoom) in [(1, 3), (2, 4), (3, 7)] {
                layers.append(base("basemap-towns-\(rank)", "circle", "town", [
                    "circle-color": "#333333", "circle-radius": .double(3.5 - Double(rank) * 0.5), "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
                ], minZoom: zoom, rank: rank))
            }
            style["layers"] = .array(layers)
        }
        if let glyphs, case .array(var layers) = style["layers"] {
            style["glyphs"] = .string(glyphs)
            // Zone names first (larger, up to zoom 6), then region names; neither overlaps another.
            layers.append(layer("zone-labels", "symbol", "labels", layout: [
                "text-field": ["get", "name"], "text-font": ["Open Sans Regular"], "text-size": 15,
                "text-transform": "uppercase", "text-letter-spacing": 0.1, "text-allow-overlap": false,
            ], filter: ["==", ["get", "kind"], "zone"]))
            layers.append(layer("region-labels", "symbol", "labels", layout: [
                "text-field": ["get", "label"], "text-font": ["Open Sans Regular"], "text-size": 12,
                "text-allow-overlap": false,
            ], filter: ["==", ["get", "kind"], "region"]))
            if basemapURL != nil {
                layers.append(layer("basemap-country-labels", "symbol", "basemap", layout: [
                    "text-field": ["get", "name"], "text-font": ["Open Sans Regular"], "text-size": 13, "text-transform": "uppercase",
                ], filter: ["==", ["get", "kind"], "country"], from: "basemap"))
                for (rank, zoom) in [(1, 3), (2, 4), (3, 7)] {
                    layers.append(layer("basemap-town-labels-\(rank)", "symbol", "basemap", layout: [
                        "text-field": ["get", "name"], "text-font": ["Open Sans Regular"], "text-size": .int(13 - rank),
                        "text-anchor": "left", "text-offset": [0.5, 0],
                    ], filter: ["all", ["==", ["get", "kind"], "town"], ["==", ["get", "rank"], .int(rank)]], from: "basemap", minZoom: zoom))
                }
            }
            style["layers"] = .array(layers)
            style["metadata"] = ["threatmap:labels": .string("zone and region names from the labels layer, drawn with the glyphs at \(glyphs)")]
        } else {
            style["metadata"] = ["threatmap:labels": "no text layers: the style names no glyphs server (serve --glyphs-url gives one), so ThreatMap's viewer draws the labels layer's points as HTML markers; other clients can label the labels layer with their own fonts"]
        }
        return .object(style)
    }
}
