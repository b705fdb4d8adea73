import Foundation
import Geo
import ThreatLayers
import ThreatModel
import ThreatStore
import VectorTiles

/// The map as of a moment: the layers computed from a store. The only way either shell computes
/// layers, so that `threatmap export` and `threatmap serve` agree.
public struct MapContent: Sendable {
    public let moment: Date
    /// The first moment of the incidents shown.
    public let since: Date
    public let layers: [LayerName: FeatureCollection]

    /// The `layers` of `store` (none: no alerts, every area level 1) as of `moment`, incidents
    /// from `since` (a day: its start; default `Moment.incidentWindowDays` before). Incidents need
    /// no GEOS: they are read and laid out on another thread while the areas are computed here.
    public static func make(store: ThreatStore?, builder: LayerBuilder, at moment: Date, since: Date? = nil,
                            layers requested: [LayerName]? = nil) throws -> MapContent {
        let names = requested ?? builder.layerNames
        let from = Moment.incidentsStart(at: moment, since: since)
        let incidents = names.contains(.incidents) ? Background { try incidentsLayer(store, from: from, through: moment) } : nil
        var layers: [LayerName: FeatureCollection] = [:]
        let areas = names.filter { $0 != .incidents }
        if !areas.isEmpty {
            let alerts = try store?.alerts().map(\.alert) ?? []
            let snapshot = builder.snapshot(alerts: alerts, at: moment, since: from)
            for name in areas { layers[name] = try builder.layer(name, snapshot, incidents: []) }
        }
        if let incidents { layers[.incidents] = try incidents.value() }
        return MapContent(moment: moment, since: from, layers: layers)
    }

    /// The incidents layer: the events dated from the day of `from` through `through`, without
    /// the columns a map does not show.
    static func incidentsLayer(_ store: ThreatStore?, from: Date, through: Date) throws -> FeatureCollection {
        let rows = try store?.sourcedIncidents(from: from, through: through, details: false) ?? []
        return LayerBuilder.incidents(rows.map { SourcedIncident(incident: $0.incident, source: $0.source) }, from: from, through: through)
    }

    /// What each layer holds, for TileJSON and the service's layer list.
    public static let descriptions: [String: String] = [
        "regions": "Mali's regions with their threat level",
        "cercles": "Mali's cercles (admin-2 units) with their threat level",
        "zones": "Threat zones: northern, central, Bamako and surrounding area, southern",
        "alert_areas": "Footprints of the alerts active as of the date",
        "incidents": "Incidents from 30 days before the date",
        "labels": "A label point inside each region and zone",
    ]

    /// The layers ready for the tiler, with their box: made once per map, as the tiles, the
    /// TileJSON and the layer list all need them.
    public func tiled() -> TiledMap { TiledMap(self) }
}

extension LayerName {
    /// How the layer is tiled: regions and zones share borders; labels are never dropped; alert
    /// areas and incidents give way, lowest ranked first, in a tile over its limits.
    public var tilePolicy: TilePolicy {
        switch self {
        case .regions, .cercles, .zones: return .coverage
        case .labels: return .whole
        case .alertAreas, .incidents: return .ranked
        }
    }
}

/// A map's layers as tile sources, in `LayerName` order, and the box around them.
public struct TiledMap: Sendable {
    public let content: MapContent
    public let sources: [TileLayerSource]
    public let bounds: BoundingBox

    init(_ content: MapContent) {
        self.content = content
        sources = LayerName.allCases.filter { content.layers[$0] != nil }.map { Self.source($0, content.layers[$0]!) }
        bounds = sources.flatMap(\.features).compactMap(\.geometry.boundingBox)
            .reduce(into: BoundingBox?.none) { acc, b in if acc == nil { acc = b } else { acc!.extend(b) } }
            ?? BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85)
    }

    /// A layer's features for the tiler: flat properties as tile values, the layer's own `id`
    /// property (a label's region or zone slug) kept, a rank for thinning (level, then fatalities).
    static func source(_ name: LayerName, _ fc: FeatureCollection) -> TileLayerSource {
        let features = fc.features.compactMap { f -> TileFeature? in
            guard let g = f.geometry else { return nil }
            var props: [(String, TileValue)] = []
            var idProperty: String?
            for (k, v) in f.properties {
                switch v {
                case .string(let s) where k == "id": idProperty = s
                case _ where k == "id": continue
                case .string(let s): props.append((k, .string(s)))
                case .int(let i): props.append((k, .int(Int64(i))))
                case .double(let d): props.append((k, .double(d)))
                case .bool(let b): props.append((k, .bool(b)))
                default: continue
                }
            }
            let rank = Double(f.properties["level"]?.intValue ?? 0) * 1_000_000 + Double(f.properties["fatalities"]?.intValue ?? 0)
            return TileFeature(id: f.id?.description ?? "", idProperty: idProperty, geometry: g, properties: props, rank: rank)
        }
        return TileLayerSource(name: name.rawValue, features: features, policy: name.tilePolicy)
    }

    /// The TileJSON document of these layers' tiles at `tileURL`, stamped with the moment shown.
    public func tileJSON(tileURL: String, minZoom: Int, maxZoom: Int) -> JSONValue {
        TileJSON.document(layers: sources, tileURL: tileURL, minZoom: minZoom, maxZoom: maxZoom,
                          bounds: bounds, description: MapContent.descriptions, asOf: UTCDate.format(content.moment))
    }
}

/// Work started on a thread of its own, its result waited for once.
final class Background<T: Sendable>: @unchecked Sendable {
    // Guarded by `done`: written once by the worker before it signals, read after the wait.
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    func value() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
