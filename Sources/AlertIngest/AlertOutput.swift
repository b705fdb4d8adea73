import Foundation
import Geo
import ThreatModel

/// Alerts and incidents as JSON, in the shape `threatmap resolve` prints (DESIGN.md's contract:
/// `regions`, `zones`, `categories`, `level`, then the details).
public enum AlertOutput {
    static func provenance(_ p: Provenance) -> JSONValue {
        ["field": .string(p.field), "text": .string(p.text)]
    }

    static func strings(_ s: [String]) -> JSONValue { .array(s.map { .string($0) }) }

    static func date(_ d: Date?) -> JSONValue { d.map { .string(DateParsing.format($0)) } ?? .null }

    /// The highest level of each category in each region where the event happened or the
    /// threat applies.
    public static func regionLevels(_ alert: Alert) -> [String: [ThreatCategory: ThreatLevel]] {
        var out: [String: [ThreatCategory: ThreatLevel]] = [:]
        for a in alert.assessments {
            guard let p = a.place, alert.places[p].role != .context else { continue }
            for r in alert.places[p].regionIDs {
                out[r, default: [:]][a.category] = max(out[r]?[a.category] ?? .minimal, a.level)
            }
        }
        return out
    }

    /// Category levels as a JSON object, in the standard order.
    public static func categories(_ levels: [ThreatCategory: ThreatLevel]) -> JSONValue {
        .object(JSONObject(levels.sorted { order($0.key) < order($1.key) }.map { ($0.key.rawValue, .int($0.value.rawValue)) }))
    }

    static func order(_ c: ThreatCategory) -> String {
        if let i = ThreatCategory.standard.firstIndex(of: c) { return "0\(i)" }
        return "1" + c.rawValue
    }

    public static func json(_ alert: Alert) -> JSONValue {
        var o: JSONObject = [
            "id": .string(alert.id),
            "format": .string(alert.format.rawValue),
            "regions": strings(alert.regionIDs),
            "zones": strings(alert.zoneIDs),
            "categories": categories(alert.categoryLevels),
            "level": .int(alert.level.rawValue),
            "level_label": .string(alert.level.label),
            "title": .string(alert.title),
        ]
        o["language"] = alert.language.map { .string($0) } ?? .null
        o["summary"] = alert.summary.map { .string($0) } ?? .null
        o["published"] = date(alert.published)
        o["effective"] = date(alert.effective)
        o["expires"] = date(alert.expires)
        o["severity"] = alert.severityWord.map { .string($0) } ?? .null
        o["status"] = .string(alert.status)
        o["message_type"] = .string(alert.messageType.rawValue)
        o["references"] = strings(alert.references)
        if let n = alert.updateNumber { o["update"] = .int(n) }
        o["sources"] = strings(alert.sources)
        o["actors"] = strings(alert.actors)
        o["tactics"] = strings(alert.tactics)
        o["advice"] = alert.advice.map { .string($0) } ?? .null
        let levels = regionLevels(alert)
        o["region_levels"] = .object(JSONObject(levels.keys.sorted().map { ($0, categories(levels[$0]!)) }))
        o["places"] = .array(alert.places.map { p in
            var m: JSONObject = [
                "text": .string(p.text), "kind": .string(p.kind.rawValue), "role": .string(p.role.rawValue),
                "name": p.name.map { .string($0) } ?? .null, "regions": strings(p.regionIDs), "zones": strings(p.zoneIDs),
            ]
            if let pos = p.position {
                m["lon"] = .double(pos.x)
                m["lat"] = .double(pos.y)
            }
            if let c = p.cercleIDs { m["cercles"] = strings(c) }
            if let k = p.placeKind { m["place_kind"] = .string(k) }
            if p.geometry != nil { m["has_geometry"] = .bool(true) }
            m["weight"] = .double(p.weight)
            m["provenance"] = provenance(p.provenance)
            if !p.notes.isEmpty { m["notes"] = strings(p.notes) }
            return .object(m)
        })
        o["assessments"] = .array(alert.assessments.map { a in
            [
                "category": .string(a.category.rawValue), "level": .int(a.level.rawValue),
                "place": a.place.map { .int($0) } ?? .null,
                "regions": strings(a.place.map { alert.places[$0].regionIDs } ?? []),
                "provenance": provenance(a.provenance),
            ]
        })
        if let floor = alert.levelFloor { o["level_floor"] = .int(floor.rawValue) }
        o["notes"] = strings(alert.notes)
        return .object(o)
    }

    public static func json(_ incident: Incident) -> JSONValue {
        var o: JSONObject = [
            "event_id": .string(incident.id),
            "date": .string(DateParsing.formatDay(incident.date)),
            "lon": .double(incident.position.x),
            "lat": .double(incident.position.y),
            "region": incident.regionID.map { .string($0) } ?? .null,
            "zone": incident.zoneID.map { .string($0) } ?? .null,
            "categories": strings(incident.categories.map(\.rawValue)),
            "level": .int(incident.level.rawValue),
            "fatalities": .int(incident.fatalities),
            "event_type": .string(incident.eventType),
            "sub_event_type": .string(incident.subEventType),
            "actors": strings(incident.actors),
            "admin1": .string(incident.sourceAdmin1),
            "location": .string(incident.location),
            "line": .int(incident.line),
        ]
        if let c = incident.cercleID { o["cercle"] = .string(c) }
        if !incident.remarks.isEmpty { o["remarks"] = strings(incident.remarks) }
        return .object(o)
    }
}
