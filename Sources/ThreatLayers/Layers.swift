import Atlas
import Foundation
import Geo
import ThreatModel

/// The five layers of DESIGN.md, and the cercles where the GeoData has them.
public enum LayerName: String, CaseIterable, Sendable {
    case regions
    /// Admin-2 units, only where the GeoData has cercles (`geodata import --cercles`).
    case cercles
    case zones
    case alertAreas = "alert_areas"
    case incidents
    case labels
}

/// An incident with the name of the document it came from.
public struct SourcedIncident: Sendable {
    public var incident: Incident
    public var source: String

    public init(incident: Incident, source: String) {
        self.incident = incident
        self.source = source
    }
}

/// Computes the layers from alerts and incidents as of a moment, with GEOS. The shapes that do not
/// depend on the moment (regions, zones, the country, label points, place buffers) are made once
/// and kept in GEOS form. Owns a GEOS context: one task at a time.
public final class LayerBuilder {
    public let atlas: Atlas
    public let scoring: ThreatScoring
    /// How the event record sets levels.
    public let eventRules: EventLevelRules
    let context: GEOSContext
    let zoneShapes: ZoneShapes
    let regionObjects: [String: GEOSObject]
    let cercleObjects: [String: GEOSObject]
    let cerclesOfRegion: [String: [String]]
    let country: GEOSObject
    let preparedCountry: PreparedGeometry
    let buffering = MetricBuffering()
    var footprintCache: [String: GEOSObject] = [:]
    var labelCache: [String: Position] = [:]
    /// The equal-area grids of the regions and the cercles, made the first time events count.
    var regionGrid: EventGrid?
    var cercleGrid: EventGrid?

    public init(atlas: Atlas, settings: LayerSettings, eventRules: EventLevelRules = EventLevelRules()) throws {
        self.atlas = atlas
        self.eventRules = eventRules
        scoring = ThreatScoring(settings: settings)
        context = GEOSContext()
        var objects: [String: GEOSObject] = [:]
        for r in atlas.regions { objects[r.region.id] = try GEOSObject(r.geometry, context: context) }
        regionObjects = objects
        var cercles: [String: GEOSObject] = [:]
        for c in atlas.cercles { cercles[c.id] = try GEOSObject(c.geometry, context: context) }
        cercleObjects = cercles
        cerclesOfRegion = Dictionary(grouping: atlas.cercles, by: \.regionID).mapValues { $0.map(\.id) }
        country = try context.collection(atlas.regions.map { objects[$0.region.id]! }).coverageUnion()
        preparedCountry = try country.prepared()
        zoneShapes = try ZoneShapes(atlas: atlas, context: context)
    }

    /// A moment's layers.
    public struct Snapshot {
        public var moment: Date
        public var since: Date
        public var active: [Alert]
        public var regionThreats: [String: AreaThreat]
        public var zoneThreats: [String: AreaThreat]
        public var cercleThreats: [String: AreaThreat] = [:]
        /// The days of the event window, ending with the moment's day.
        public var windowDays: Int = 30
        public var basis: LevelBasis = .both
        /// The active alerts by id, for the reasons' titles and sources.
        public var alertsByID: [String: Alert] = [:]
    }

    /// The layers this atlas has: the five, and `cercles` where it has cercles.
    public var layerNames: [LayerName] { LayerName.allCases.filter { $0 != .cercles || !atlas.cercles.isEmpty } }

    /// Scores the alerts as of `moment` and the `incidents` of the window (`windowDays` UTC days
    /// ending with the moment's day; by default the thresholds file's), whose levels `basis`
    /// weighs against the alerts'. The incidents layer starts at `since` (by default the window's
    /// start).
    public func snapshot(alerts: [Alert], at moment: Date, since: Date? = nil, incidents: [Incident] = [],
                         basis: LevelBasis = .both, windowDays: Int? = nil) throws -> Snapshot {
        var s = alertSnapshot(alerts: alerts, at: moment, since: since, basis: basis, windowDays: windowDays)
        try addEvents(incidents, to: &s)
        return s
    }

    /// The alerts' part of a snapshot, before any event is known: enough for `alert_areas`, which
    /// events do not change, so that it can be laid out while the events are still being read.
    public func alertSnapshot(alerts: [Alert], at moment: Date, since: Date? = nil, basis: LevelBasis = .both, windowDays: Int? = nil) -> Snapshot {
        let window = windowDays ?? eventRules.windowDays
        let start = UTCDate.windowStart(endingWith: moment, days: window)
        let active = scoring.active(alerts, at: moment)
        var t = scoring.threats(of: active, cerclesOfRegion: cerclesOfRegion)
        for k in t.regions.keys { t.regions[k]!.basis = basis }
        for k in t.zones.keys { t.zones[k]!.basis = basis }
        for k in t.cercles.keys { t.cercles[k]!.basis = basis }
        return Snapshot(moment: moment, since: since.map(UTCDate.startOfDay) ?? start, active: active,
                        regionThreats: t.regions, zoneThreats: t.zones, cercleThreats: t.cercles, windowDays: window, basis: basis,
                        alertsByID: Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Adds the event record of the window (the `incidents` dated in it) to the regions, zones and
    /// cercles of `s`.
    public func addEvents(_ incidents: [Incident], to s: inout Snapshot) throws {
        let start = UTCDate.windowStart(endingWith: s.moment, days: s.windowDays)
        let recent = incidents.filter { $0.date >= start && $0.date <= s.moment && $0.regionID != nil }
        guard !recent.isEmpty else { return }
        let scoring = EventScoring(rules: eventRules)
        let grid = try eventGrid(\LayerBuilder.regionGrid, atlas.regions.map { ($0.region.id, regionObjects[$0.region.id]!) })
        let cells = recent.map { grid.key($0.position) }
        func area() -> AreaThreat { var a = AreaThreat(); a.basis = s.basis; return a }
        let byRegion = scoring.measure(recent, cells: cells, at: s.moment, windowDays: s.windowDays, grid: grid) { $0.regionID }
        for (id, e) in byRegion { s.regionThreats[id, default: area()].events = e }
        for z in atlas.zones {
            let members = z.regionIDs.compactMap { id in byRegion[id].map { (atlas.region(id)?.region.name ?? id, $0) } }
            if let e = EventScoring.zone(members) { s.zoneThreats[z.id, default: area()].events = e }
        }
        if !atlas.cercles.isEmpty {
            let cg = try eventGrid(\LayerBuilder.cercleGrid, atlas.cercles.map { ($0.id, cercleObjects[$0.id]!) })
            let byCercle = scoring.measure(recent, cells: cells, at: s.moment, windowDays: s.windowDays, grid: cg) { $0.cercleID }
            for (id, e) in byCercle { s.cercleThreats[id, default: area()].events = e }
        }
    }

    /// A grid kept in `slot`, made on first use over `areas`, centred on the country.
    func eventGrid(_ slot: ReferenceWritableKeyPath<LayerBuilder, EventGrid?>, _ areas: [(id: String, object: GEOSObject)]) throws -> EventGrid {
        if let g = self[keyPath: slot] { return g }
        let b = country.bounds ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        let g = try EventGrid(areas: areas, centre: Position((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2), cellKilometres: eventRules.cellKilometres)
        self[keyPath: slot] = g
        return g
    }

    public func layer(_ name: LayerName, _ s: Snapshot, incidents: [SourcedIncident]) throws -> FeatureCollection {
        switch name {
        case .regions: return regions(s)
        case .cercles: return cercles(s)
        case .zones: return try zones(s)
        case .alertAreas: return try alertAreas(s)
        case .incidents: return Self.incidents(incidents, from: s.since, through: s.moment)
        case .labels: return try labels(s)
        }
    }

    // MARK: Properties

    /// The properties every scored area carries: level, label, colour, per-category levels,
    /// alert count, latest update, the alert and event levels and which set the level, reasons.
    func threatProperties(_ t: AreaThreat?, _ s: Snapshot, into p: inout JSONObject) {
        let t = t ?? { var a = AreaThreat(); a.basis = s.basis; return a }()
        let level = t.level
        p["level"] = .int(level.rawValue)
        p["level_label"] = .string(level.label)
        p["colour"] = .string(level.colour)
        let levels = t.levels
        for c in ThreatCategory.standard {
            p["level_\(c.rawValue)"] = .int((levels[c] ?? .minimal).rawValue)
        }
        p["alert_count"] = .int(t.alertIDs.count)
        p["latest_update"] = t.latestUpdate.map { .string(UTCDate.format($0)) } ?? .null
        p["alert_level"] = .int(t.alertLevel.rawValue)
        p["event_level"] = .int(t.eventLevel.rawValue)
        for c in ThreatCategory.standard {
            p["event_level_\(c.rawValue)"] = .int((t.events?.levels[c] ?? .minimal).rawValue)
        }
        p["level_source"] = .string(t.levelSource)
        let alertReason = Self.reason(t, alerts: s.alertsByID)
        let eventReason = t.events?.topReason ?? "no event in the \(s.windowDays) days to \(UTCDate.formatDay(s.moment))"
        switch t.levelSource {
        case "events": p["reason"] = .string(eventReason)
        case "both": p["reason"] = .string(alertReason + "; " + eventReason)
        case "alerts": p["reason"] = .string(alertReason)
        default: p["reason"] = .string(s.basis == .events ? eventReason : alertReason)
        }
        p["alert_reason"] = .string(alertReason)
        p["event_reason"] = .string(eventReason)
        // Per category, the words behind its level: the alert's or the events', whichever set it
        // (both when equal); null where the category is at level 1.
        for c in ThreatCategory.standard {
            let a = s.basis == .events ? .minimal : t.alertLevels[c] ?? .minimal
            let e = s.basis == .alerts ? .minimal : t.events?.levels[c] ?? .minimal
            let alertWords = a > .minimal ? Self.reason(t, category: c, alerts: s.alertsByID) : nil
            let eventWords = e > .minimal ? t.events?.reasons[c] : nil
            let words = a > e ? alertWords : e > a ? eventWords : [alertWords, eventWords].compactMap { $0 }.joined(separator: "; ")
            p["reason_\(c.rawValue)"] = words.flatMap { $0.isEmpty ? nil : JSONValue.string($0) } ?? .null
        }
    }

    /// The event indicators of a region or cercle over the window, as typed properties.
    func indicatorProperties(_ t: AreaThreat?, into p: inout JSONObject) {
        let m = t?.events?.total ?? EventMeasures()
        func round(_ v: Double) -> JSONValue { .double((v * 10_000).rounded() / 10_000) }
        p["events"] = .int(m.events)
        p["fatalities"] = .int(m.fatalities)
        p["civilian_events"] = .int(m.civilianEvents)
        p["civilian_share"] = round(m.civilianShare)
        p["diffusion"] = round(m.diffusion)
        for c in ThreatCategory.standard {
            p["intensity_\(c.rawValue)"] = round(t?.events?.byCategory[c]?.intensity ?? 0)
        }
    }

    /// A short reason an analyst can read: the category and level of the strongest statement,
    /// the alert's title, source and day, and in plain words what set it: the sentence, or for a
    /// drawn area what it draws ("a circle of 30 km around 15.9182°N, 2.4022°E"), never a
    /// document path.
    static func reason(_ t: AreaThreat?, category: ThreatCategory? = nil, alerts: [String: Alert] = [:]) -> String {
        var t = t
        if let category { t?.reasons.removeAll { $0.category != category } }
        guard let r = t?.topReason else { return "no active alert" }
        let head = "\(r.category.rawValue.replacingOccurrences(of: "_", with: " ")) \(r.level.rawValue) (\(r.level.label))"
        var from = r.alertID
        if let a = alerts[r.alertID] {
            let title = a.title.count > 100 ? String(a.title.prefix(97)) + "..." : a.title
            let said = ([a.sources.first].compactMap { $0 } + [(a.published ?? a.effective).map(UTCDate.formatDay)].compactMap { $0 }).joined(separator: ", ")
            from = "'\(title)'" + (said.isEmpty ? "" : " (\(said))")
        }
        return "\(head) from \(from): \(words(r.provenance))"
    }

    /// What a statement's provenance says, in words.
    static func words(_ p: Provenance) -> String {
        var text = p.text.replacingOccurrences(of: "\n", with: " ")
        if p.field.contains("/circle[") {
            // CAP: "lat,lon radius-km".
            let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Double($0) }
            if parts.count == 3 {
                let lat = "\(abs(parts[0]))°\(parts[0] < 0 ? "S" : "N")", lon = "\(abs(parts[1]))°\(parts[1] < 0 ? "W" : "E")"
                return "its area, a circle of \(EventLevelRules.format(parts[2])) km around \(lat), \(lon)"
            }
            return "the circle its area draws"
        }
        if p.field.contains("/polygon[") { return "the polygon its area draws" }
        if p.field.contains("/geocode[") { return "its area code \(text)" }
        if p.field.hasPrefix("$.places[") || p.field.hasPrefix("$.areas[") { return "a place it names (\(text.count > 120 ? String(text.prefix(117)) + "..." : text))" }
        if text.count > 160 { text = String(text.prefix(157)) + "..." }
        return text
    }

    // MARK: Layers

    func regions(_ s: Snapshot) -> FeatureCollection {
        FeatureCollection(atlas.regions.map { r in
            var p: JSONObject = ["id": .string(r.region.id), "name": .string(r.region.name),
                                 "zone": atlas.zone(ofRegion: r.region.id).map { .string($0.id) } ?? .null]
            threatProperties(s.regionThreats[r.region.id], s, into: &p)
            indicatorProperties(s.regionThreats[r.region.id], into: &p)
            p["area_km2"] = .double((Geodesic.wgs84.area(of: r.geometry) / 1e5).rounded() / 10)
            return Feature(id: .string(r.region.id), geometry: r.geometry, properties: p)
        })
    }

    func cercles(_ s: Snapshot) -> FeatureCollection {
        FeatureCollection(atlas.cercles.map { c in
            var p: JSONObject = ["id": .string(c.id), "name": .string(c.name), "region": .string(c.regionID),
                                 "zone": atlas.zone(ofRegion: c.regionID).map { .string($0.id) } ?? .null]
            threatProperties(s.cercleThreats[c.id], s, into: &p)
            indicatorProperties(s.cercleThreats[c.id], into: &p)
            p["area_km2"] = .double((Geodesic.wgs84.area(of: c.geometry) / 1e5).rounded() / 10)
            return Feature(id: .string(c.id), geometry: c.geometry, properties: p)
        })
    }

    func zones(_ s: Snapshot) throws -> FeatureCollection {
        var out: [Feature] = []
        for (i, z) in atlas.zones.enumerated() {
            var p: JSONObject = ["id": .string(z.id), "name": .string(z.name), "regions": .string(z.regionIDs.joined(separator: ","))]
            threatProperties(s.zoneThreats[z.id], s, into: &p)
            let g = try zoneShapes.objects[i].geometry()
            p["area_km2"] = .double((Geodesic.wgs84.area(of: g) / 1e5).rounded() / 10)
            out.append(Feature(id: .string(z.id), geometry: g, properties: p))
        }
        return FeatureCollection(out)
    }

    /// One part of an alert's footprint, cached where the same part recurs.
    func footprint(of m: PlaceMention) throws -> GEOSObject? {
        switch m.kind {
        case .outside: return nil
        case .country: return country
        case .region:
            return m.regionIDs.count == 1 ? regionObjects[m.regionIDs[0]] : try cached("regions:\(m.regionIDs.joined(separator: ","))") {
                try context.collection(m.regionIDs.compactMap { regionObjects[$0] }).coverageUnion()
            }
        case .cercle:
            let ids = m.cercleIDs ?? []
            return ids.count == 1 ? cercleObjects[ids[0]] : try cached("cercles:\(ids.joined(separator: ","))") {
                try context.collection(ids.compactMap { cercleObjects[$0] }).coverageUnion()
            }
        case .zone:
            guard m.zoneIDs.count == 1, let i = zoneShapes.ids.firstIndex(of: m.zoneIDs[0]) else { return nil }
            return zoneShapes.objects[i]
        case .place, .point:
            guard let p = m.position else { return nil }
            let km = scoring.settings.radius(m.kind == .place ? m.placeKind : "default")
            return try cached("buffer:\(p.x),\(p.y),\(km)") {
                try buffering.buffer(GEOSObject(.point(p), context: context), kilometres: km, quadrantSegments: 8).intersection(country)
            }
        case .area:
            guard let g = m.geometry else { return nil }
            var o = try GEOSObject(g, context: context)
            if !(try o.isValid()) { o = try o.makeValid() }
            return try preparedCountry.containsProperly(o) ? o : o.intersection(country)
        }
    }

    func cached(_ key: String, _ make: () throws -> GEOSObject) rethrows -> GEOSObject {
        if let o = footprintCache[key] { return o }
        let o = try make()
        footprintCache[key] = o
        return o
    }

    /// The `<area>` of a CAP document a field lies in (`alert/info[1]/area[2]`), if it does.
    static func capArea(_ field: String) -> Substring? {
        guard let open = field.range(of: "/area["), let close = field[open.upperBound...].firstIndex(of: "]") else { return nil }
        return field[..<field.index(after: close)]
    }

    /// The mentions that draw an alert's footprint: all, except a region, zone, cercle or country
    /// named by the geocode or description of a CAP `<area>` that also draws its own polygon or
    /// circle. That shape is the precise area ("30 km around Ménaka"); the geocode only says which
    /// region holds it, and still sets that region's level.
    static func footprintMentions(_ mentions: [PlaceMention]) -> [PlaceMention] {
        let drawn = Set(mentions.filter { $0.kind == .area && $0.geometry != nil }.compactMap { capArea($0.provenance.field) })
        guard !drawn.isEmpty else { return mentions }
        return mentions.filter { m in
            guard [.region, .zone, .cercle, .country].contains(m.kind), let area = capArea(m.provenance.field) else { return true }
            return !drawn.contains(area)
        }
    }

    func alertAreas(_ s: Snapshot) throws -> FeatureCollection {
        var out: [Feature] = []
        for alert in s.active {
            let mentions = Self.footprintMentions(alert.places.filter { $0.role != .context })
            var parts: [GEOSObject] = []
            for m in mentions { if let f = try footprint(of: m), !f.isEmpty { parts.append(f) } }
            guard !parts.isEmpty else { continue }
            let shape = parts.count == 1 ? parts[0] : try context.collection(parts).unaryUnion()
            // Polygons only: a clip can leave slivers of lower dimension behind.
            let polygons = try shape.geometry().polygons
            guard !polygons.isEmpty else { continue }
            let levels = alert.categoryLevels
            var p: JSONObject = [
                "id": .string(alert.id), "alert_id": .string(alert.id), "title": .string(alert.title),
                "level": .int(alert.level.rawValue), "level_label": .string(alert.level.label), "colour": .string(alert.level.colour),
            ]
            for c in ThreatCategory.standard { p["level_\(c.rawValue)"] = .int((levels[c] ?? .minimal).rawValue) }
            p["categories"] = .string(levels.keys.sorted().map(\.rawValue).joined(separator: ","))
            p["format"] = .string(alert.format.rawValue)
            p["published"] = alert.published.map { .string(UTCDate.format($0)) } ?? .null
            p["effective"] = scoring.start(alert).map { .string(UTCDate.format($0)) } ?? .null
            p["expires"] = scoring.end(alert).map { .string(UTCDate.format($0)) } ?? .null
            p["expires_given"] = .bool(alert.expires != nil)
            p["sources"] = .string(alert.sources.joined(separator: "; "))
            p["regions"] = .string(alert.regionIDs.joined(separator: ","))
            p["zones"] = .string(alert.zoneIDs.joined(separator: ","))
            out.append(Feature(id: .string(alert.id), geometry: polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons), properties: p))
        }
        return FeatureCollection(out)
    }

    /// The incidents layer: the events dated from the day of `from` through `through`. It needs
    /// no GEOS, so it can be made on another task while the other layers are.
    public static func incidents(_ incidents: [SourcedIncident], from: Date, through: Date) -> FeatureCollection {
        let from = UTCDate.startOfDay(from)
        let selected = incidents.filter { $0.incident.date >= from && $0.incident.date <= through }
            .sorted { ($0.incident.date, $0.incident.id) < ($1.incident.date, $1.incident.id) }
        return FeatureCollection(selected.map { si in
            let i = si.incident
            var p: JSONObject = [
                "event_id": .string(i.id), "region": i.regionID.map { .string($0) } ?? .null, "zone": i.zoneID.map { .string($0) } ?? .null,
                "category": i.categories.first.map { .string($0.rawValue) } ?? .null,
                "categories": .string(i.categories.map(\.rawValue).joined(separator: ",")),
                "date": .string(UTCDate.formatDay(i.date)), "fatalities": .int(i.fatalities),
                "level": .int(i.level.rawValue), "level_label": .string(i.level.label), "colour": .string(i.level.colour),
                "event_type": .string(i.eventType), "sub_event_type": .string(i.subEventType),
                "location": .string(i.location), "source_alert": .string(si.source),
            ]
            // Only where the GeoData has cercles, so that a map without them reads as before.
            if let c = i.cercleID { p["cercle"] = .string(c) }
            return Feature(id: .string(i.id), geometry: .point(i.position), properties: p)
        })
    }

    /// A point inside each region and zone, at the centre of its largest inscribed circle (a
    /// visual centre, better than a centroid for concave shapes), with the name and level.
    func labels(_ s: Snapshot) throws -> FeatureCollection {
        var out: [Feature] = []
        func label(_ kind: String, _ id: String, _ name: String, _ object: GEOSObject, _ t: AreaThreat?) throws {
            let key = "\(kind):\(id)"
            let at: Position
            if let cached = labelCache[key] {
                at = cached
            } else {
                at = try object.visualCenter(tolerance: 0.01)
                labelCache[key] = at
            }
            let level = t?.level ?? .minimal
            let p: JSONObject = [
                "id": .string(id), "kind": .string(kind), "name": .string(name), "level": .int(level.rawValue),
                "level_label": .string(level.label), "colour": .string(level.colour), "label": .string("\(name)\n\(level.label)"),
            ]
            out.append(Feature(id: .string(key), geometry: .point(at), properties: p))
        }
        for r in atlas.regions { try label("region", r.region.id, r.region.name, regionObjects[r.region.id]!, s.regionThreats[r.region.id]) }
        for (i, z) in atlas.zones.enumerated() { try label("zone", z.id, z.name, zoneShapes.objects[i], s.zoneThreats[z.id]) }
        return FeatureCollection(out)
    }
}

@available(*, unavailable)
extension LayerBuilder: Sendable {}
