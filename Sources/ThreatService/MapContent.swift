import AlertIngest
import Atlas
import Foundation
import Geo
import ThreatLayers
import ThreatModel
import ThreatStore
import VectorTiles

/// The map as of a moment: the five layers computed from a store, and their tile sources. The same
/// code makes the exported files (`threatmap export`) and what `threatmap serve` answers, so that the
/// two agree.
public struct MapContent: Sendable {
    public let moment: Date
    /// The first moment of the incidents shown: 30 days before `moment` unless said otherwise.
    public let since: Date
    public let layers: [LayerName: FeatureCollection]
    /// Every layer for the tiler, in `LayerName` order, and the box around them: made once, as
    /// the tiles, the TileJSON and the layer list all need them.
    public let tileSources: [TileLayerSource]
    public let bounds: BoundingBox

    init(moment: Date, since: Date, layers: [LayerName: FeatureCollection]) {
        self.moment = moment
        self.since = since
        self.layers = layers
        tileSources = LayerName.allCases.map { Self.tileSource($0, layers[$0] ?? FeatureCollection()) }
        bounds = Self.bounds(tileSources)
    }

    /// The layers of `store` (none: no alerts, every area level 1) as of `moment`, with `builder`.
    public static func make(store: ThreatStore?, builder: LayerBuilder, at moment: Date, since: Date? = nil) throws -> MapContent {
        let from = since ?? moment.addingTimeInterval(-30 * 86_400)
        let alerts = try store?.alerts().map(\.alert) ?? []
        let snapshot = builder.snapshot(alerts: alerts, at: moment, since: from)
        var layers: [LayerName: FeatureCollection] = [:]
        for name in LayerName.allCases where name != .incidents {
            layers[name] = try builder.layer(name, snapshot, incidents: [])
        }
        layers[.incidents] = try incidentsLayer(store, from: from, through: moment)
        return MapContent(moment: moment, since: from, layers: layers)
    }

    /// The incidents layer, read from the store: the events dated from the day of `from` through
    /// `through`, without the columns a map does not show.
    public static func incidentsLayer(_ store: ThreatStore?, from: Date, through: Date) throws -> FeatureCollection {
        let rows = try store?.sourcedIncidents(from: from, through: through, details: false) ?? []
        return LayerBuilder.incidents(rows.map { SourcedIncident(incident: $0.incident, source: $0.source) }, from: from, through: through)
    }

    /// A layer's features for the tiler: flat properties as tile values, a rank for thinning points
    /// (level, then fatalities).
    public static func tileSource(_ name: LayerName, _ fc: FeatureCollection) -> TileLayerSource {
        let features = fc.features.compactMap { f -> TileFeature? in
            guard let g = f.geometry else { return nil }
            var props: [(String, TileValue)] = []
            for (k, v) in f.properties where k != "id" {
                switch v {
                case .string(let s): props.append((k, .string(s)))
                case .int(let i): props.append((k, .int(Int64(i))))
                case .double(let d): props.append((k, .double(d)))
                case .bool(let b): props.append((k, .bool(b)))
                default: continue
                }
            }
            let rank = Double(f.properties["level"]?.intValue ?? 0) * 1_000_000 + Double(f.properties["fatalities"]?.intValue ?? 0)
            return TileFeature(id: f.id?.description ?? "", geometry: g, properties: props, rank: rank)
        }
        return TileLayerSource(name: name.rawValue, features: features, isCoverage: name == .regions || name == .zones)
    }

    /// What each layer holds, for TileJSON and the service's layer list.
    public static let descriptions: [String: String] = [
        "regions": "Mali's regions with their threat level",
        "zones": "Threat zones: northern, central, Bamako and surrounding area, southern",
        "alert_areas": "Footprints of the alerts active as of the date",
        "incidents": "Incidents from 30 days before the date",
        "labels": "A label point inside each region and zone",
    ]

    /// The box around every feature (lon/lat), or the world's when there are none.
    static func bounds(_ sources: [TileLayerSource]) -> BoundingBox {
        sources.flatMap(\.features).compactMap(\.geometry.boundingBox)
            .reduce(into: BoundingBox?.none) { acc, b in if acc == nil { acc = b } else { acc!.extend(b) } }
            ?? BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85)
    }

    /// The TileJSON document of these layers' tiles at `tileURL`.
    public func tileJSON(tileURL: String, minZoom: Int, maxZoom: Int) -> JSONValue {
        TileJSON.document(layers: tileSources, tileURL: tileURL, minZoom: minZoom, maxZoom: maxZoom,
                          bounds: bounds, description: Self.descriptions)
    }
}

extension LayerBuilder {
    /// A builder over `atlas` with the lexicon's default alert lifetimes and place radii.
    public convenience init(atlas: Atlas, lexicon: Lexicon) throws {
        try self.init(atlas: atlas, settings: LayerSettings(defaultLifetimeDays: lexicon.defaultLifetimeDays,
                                                            placeRadiusKilometres: lexicon.placeRadiusKilometres))
    }
}
