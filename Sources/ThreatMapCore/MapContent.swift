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
    /// The days of the event window, ending with the moment's day.
    public let windowDays: Int
    /// What set the levels: alerts, events or both.
    public let basis: LevelBasis
    public let layers: [LayerName: FeatureCollection]

    /// The `layers` of `store` (none: no alerts, every area level 1) as of `moment`: levels from
    /// the active alerts and the events of the window (`windowDays`, by default the thresholds
    /// file's) as `basis` says; incidents from `since` (a day: its start; default the window's
    /// start). The events are read on another thread while the alerts are read and their areas
    /// laid out, and the incidents layer, which needs no GEOS, is laid out there while the other
    /// areas are computed here.
    public static func make(store: (any ThreatStore)?, builder: LayerBuilder, at moment: Date, since: Date? = nil,
                            layers requested: [LayerName]? = nil, basis: LevelBasis = .both, windowDays: Int? = nil) throws -> MapContent {
        let names = requested ?? builder.layerNames
        let window = windowDays ?? builder.eventRules.windowDays
        let windowStart = UTCDate.windowStart(endingWith: moment, days: window)
        let from = since.map(UTCDate.startOfDay) ?? windowStart
        let areas = names.filter { $0 != .incidents }
        // One read covers both the window (for levels) and the incidents layer.
        let readFrom = areas.isEmpty ? from : min(from, windowStart)
        var rows: Background<[(incident: Incident, source: String)]>?
        if names.contains(.incidents) || (!areas.isEmpty && basis != .alerts) {
            rows = Background { try store?.sourcedIncidents(from: readFrom, through: moment, details: false) ?? [] }
        }
        var incidents: Background<FeatureCollection>?
        if names.contains(.incidents), let rows {
            incidents = Background {
                LayerBuilder.incidents(try rows.value().map { SourcedIncident(incident: $0.incident, source: $0.source) }, from: from, through: moment)
            }
        }
        var layers: [LayerName: FeatureCollection] = [:]
        if !areas.isEmpty {
            let alerts = try store?.alerts().map(\.alert) ?? []
            var snapshot = builder.alertSnapshot(alerts: alerts, at: moment, since: from, basis: basis, windowDays: window)
            // Alert areas need no event: laid out while the events are still being read.
            for name in areas where name == .alertAreas { layers[name] = try builder.layer(name, snapshot, incidents: []) }
            if basis != .alerts { try builder.addEvents(try rows?.value().map(\.incident) ?? [], to: &snapshot) }
            for name in areas where name != .alertAreas { layers[name] = try builder.layer(name, snapshot, incidents: []) }
        }
        if let incidents { layers[.incidents] = try incidents.value() }
        return MapContent(moment: moment, since: from, windowDays: window, basis: basis, layers: layers)
    }

    /// What every file made from this map says of its moment: `as_of`, the event `window` as an
    /// ISO 8601 interval (its first moment / the map's moment), `window_days`, and `levels`
    /// (what set them: alerts, events or both).
    public var stamp: JSONObject {
        ["as_of": .string(UTCDate.format(moment)),
         "window": .string(UTCDate.format(UTCDate.windowStart(endingWith: moment, days: windowDays)) + "/" + UTCDate.format(moment)),
         "window_days": .int(windowDays), "levels": .string(basis.rawValue)]
    }

    /// What each layer holds, for TileJSON and the service's layer list.
    public static let descriptions: [String: String] = [
        "regions": "Mali's regions with their threat level",
        "cercles": "Mali's cercles (admin-2 units) with their threat level",
        "zones": "Threat zones: northern, central, Bamako and surrounding area, southern",
        "alert_areas": "Footprints of the alerts active as of the date",
        "incidents": "Incidents of the window before the date (30 days unless said otherwise)",
        "labels": "A label point inside each region and zone",
    ]

    /// The layers ready for the tiler, with their box: made once per map, as the tiles, the
    /// TileJSON and the layer list all need them.
    public func tiled() -> TiledMap { TiledMap(self) }
}

extension LayerName {
    /// How the layer is tiled: regions and zones share borders; labels are never dropped; alert
    /// areas and incidents give way, lowest ranked first, in a tile over its limits. Below the
    /// maximum zoom incidents are clustered and keep only what a map styles and filters them by:
    /// level, category, fatalities, date and event type (and `point_count`).
    public var tilePolicy: TilePolicy {
        switch self {
        case .regions, .cercles, .zones: return .coverage
        case .labels: return .whole
        case .alertAreas: return .ranked
        case .incidents: return .ranked(summary: LayerName.incidentSummary)
        }
    }

    /// What an incident keeps in tiles below the maximum zoom.
    public static let incidentSummary = ["level", "category", "fatalities", "date", "event_type"]
}

/// A map's layers as tile sources, in `LayerName` order, and the box around them.
public struct TiledMap: Sendable {
    public let content: MapContent
    public let sources: [TileLayerSource]
    public let bounds: BoundingBox

    init(_ content: MapContent) {
        self.content = content
        sources = LayerName.allCases.filter { content.layers[$0] != nil }.map { Self.source($0, content.layers[$0]!) }
        bounds = Self.bounds(sources)
    }

    /// The box around the sources' features; the Web Mercator world when they have none.
    static func bounds(_ sources: [TileLayerSource]) -> BoundingBox {
        sources.flatMap(\.features).compactMap(\.geometry.boundingBox)
            .reduce(into: BoundingBox?.none) { acc, b in if acc == nil { acc = b } else { acc!.extend(b) } }
            ?? BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85)
    }

    /// A flat property as a tile value; nil for what a tile cannot hold (null, arrays, objects).
    static func tileValue(_ v: JSONValue) -> TileValue? {
        switch v {
        case .string(let s): return .string(s)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        default: return nil
        }
    }

    /// A layer's features for the tiler: flat properties as tile values, the layer's own `id`
    /// property (a label's region or zone slug) kept, a rank for thinning (level, then fatalities).
    static func source(_ name: LayerName, _ fc: FeatureCollection) -> TileLayerSource {
        let features = fc.features.compactMap { f -> TileFeature? in
            guard let g = f.geometry else { return nil }
            var props: [(String, TileValue)] = []
            var idProperty: String?
            for (k, v) in f.properties {
                if k == "id" {
                    idProperty = v.stringValue
                } else if let value = tileValue(v) {
                    props.append((k, value))
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
                          bounds: bounds, description: MapContent.descriptions, asOf: UTCDate.format(content.moment),
                          members: content.stamp)
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
