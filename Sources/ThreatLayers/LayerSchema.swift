import Geo
import ThreatModel

/// The fields of each layer and their types, the same whatever the data: what a GeoPackage table
/// is made with (so that an empty layer still has its columns) and what the tests check every
/// exported feature against.
public enum LayerSchema {
    typealias F = FeatureSchema.Field

    static let threat: [F] = {
        var f = [F("level", .integer), F("level_label", .string), F("colour", .string)]
        f += ThreatCategory.standard.map { F("level_\($0.rawValue)", .integer) }
        f += [F("alert_count", .integer), F("latest_update", .dateTime), F("alert_level", .integer), F("event_level", .integer)]
        f += ThreatCategory.standard.map { F("event_level_\($0.rawValue)", .integer) }
        f += [F("level_source", .string), F("reason", .string), F("alert_reason", .string), F("event_reason", .string)]
        f += ThreatCategory.standard.map { F("reason_\($0.rawValue)", .string) }
        return f
    }()

    static let indicators: [F] =
        [F("events", .integer), F("fatalities", .integer), F("civilian_events", .integer), F("civilian_share", .real), F("diffusion", .real)]
        + ThreatCategory.standard.map { F("intensity_\($0.rawValue)", .real) }

    /// The schema of `layer`; `cercles`: whether the GeoData has cercles (incidents then carry
    /// theirs).
    public static func of(_ layer: LayerName, cercles: Bool = false) -> FeatureSchema {
        switch layer {
        case .regions:
            return FeatureSchema(geometry: .multiPolygon, fields: [F("id", .string), F("name", .string), F("zone", .string)]
                + threat + indicators + [F("area_km2", .real)])
        case .cercles:
            return FeatureSchema(geometry: .multiPolygon, fields: [F("id", .string), F("name", .string), F("region", .string), F("zone", .string)]
                + threat + indicators + [F("area_km2", .real)])
        case .zones:
            return FeatureSchema(geometry: .multiPolygon, fields: [F("id", .string), F("name", .string), F("regions", .string)]
                + threat + [F("area_km2", .real)])
        case .alertAreas:
            return FeatureSchema(geometry: .multiPolygon, fields: [F("id", .string), F("alert_id", .string), F("title", .string),
                                                                  F("level", .integer), F("level_label", .string), F("colour", .string)]
                + ThreatCategory.standard.map { F("level_\($0.rawValue)", .integer) }
                + [F("categories", .string), F("format", .string), F("published", .dateTime), F("effective", .dateTime),
                   F("expires", .dateTime), F("expires_given", .boolean), F("sources", .string), F("regions", .string), F("zones", .string)])
        case .incidents:
            return FeatureSchema(geometry: .point, fields: [
                F("event_id", .string), F("region", .string), F("zone", .string), F("category", .string), F("categories", .string),
                F("date", .date), F("fatalities", .integer), F("level", .integer), F("level_label", .string), F("colour", .string),
                F("event_type", .string), F("sub_event_type", .string), F("location", .string), F("source_alert", .string),
            ] + (cercles ? [F("cercle", .string)] : []))
        case .labels:
            return FeatureSchema(geometry: .point, fields: [F("id", .string), F("kind", .string), F("name", .string), F("level", .integer),
                                                           F("level_label", .string), F("colour", .string), F("label", .string)])
        }
    }
}
