import Foundation
import GRDBSQLite
import Geo
import ThreatModel

// The incident table's hot paths go through SQLite's C API by position. Each enum below lists
// its columns once, in order, and builds its SQL from that list, so a column's name and its
// position cannot drift apart; the code reads and binds by case, never by number.

/// The columns `INSERT INTO incident` binds, in statement order.
enum IncidentInsertColumn: Int32, CaseIterable {
    case eventID, documentID, date, lon, lat, region, zone, categories, level, fatalities
    case eventType, subEventType, actors, admin1, location, notes, remarks, cercle, civilian

    /// The column names, in case order.
    static let names = ["event_id", "document_id", "date", "lon", "lat", "region", "zone", "categories", "level", "fatalities",
                        "event_type", "sub_event_type", "actors", "admin1", "location", "notes", "remarks", "cercle", "civilian"]

    var name: String { Self.names[Int(rawValue)] }

    /// The 1-based parameter index, `sqlite3_bind_*` numbering.
    var parameter: Int32 { rawValue + 1 }

    /// `INSERT OR REPLACE INTO incident (event_id, ...) VALUES (?, ...)`: an incident that comes
    /// again replaces the first.
    static let insertSQL: String = {
        let names = allCases.map(\.name)
        return "INSERT OR REPLACE INTO incident (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }()
}

/// The columns `sourcedIncidents` selects, in result order; each is selected `AS` its name.
enum IncidentSelectColumn: Int32, CaseIterable {
    case eventID, date, lon, lat, region, zone, categories, level, fatalities, eventType, subEventType
    case actors, admin1, location, notes, remarks, source, cercle, civilian

    /// The column names, in case order; each is selected `AS` its name.
    static let names = ["event_id", "date", "lon", "lat", "region", "zone", "categories", "level", "fatalities", "event_type",
                        "sub_event_type", "actors", "admin1", "location", "notes", "remarks", "source", "cercle", "civilian"]

    var name: String { Self.names[Int(rawValue)] }

    /// The 0-based result column, `sqlite3_column_*` numbering.
    var position: Int32 { rawValue }

    /// The expression selected; without `details`, the columns a map layer shows none of are
    /// selected as empty strings, which skips reading them.
    func expression(details: Bool) -> String {
        switch self {
        case .source: "d.name"
        case .actors, .admin1, .notes, .remarks: details ? "i.\(name)" : "''"
        default: "i.\(name)"
        }
    }

    /// The query, with `low` and `high` the placeholders of its first and last day (SQLite's
    /// `?`, PostgreSQL's `$1` and `$2`).
    static func selectSQL(details: Bool, low: String = "?", high: String = "?") -> String {
        let columns = allCases.map { "\($0.expression(details: details)) AS \($0.name)" }.joined(separator: ", ")
        return """
            SELECT \(columns)
            FROM incident i JOIN document d ON d.id = i.document_id
            WHERE i.date >= \(low) AND i.date <= \(high) ORDER BY i.date, i.event_id
            """
    }

    /// One selected row as an incident and its source's name, whichever store read it: `text`,
    /// `int` and `double` give each column's value (`text` nil for NULL).
    static func incident(text: (Self) throws -> String?, int: (Self) throws -> Int, double: (Self) throws -> Double) throws -> (incident: Incident, source: String) {
        func list(_ s: String, _ separator: Character) -> [String] {
            s.split(separator: separator).map { part in
                var t = Substring(part)
                while t.first == " " { t.removeFirst() }
                while t.last == " " { t.removeLast() }
                return String(t)
            }
        }
        let remarks = try text(.remarks) ?? ""
        let actors = try text(.actors) ?? ""
        let incident = Incident(
            id: try text(.eventID) ?? "", date: UTCDate.parse(try text(.date) ?? "") ?? Date(timeIntervalSince1970: 0),
            position: Position(try double(.lon), try double(.lat)),
            regionID: try text(.region), zoneID: try text(.zone),
            categories: list(try text(.categories) ?? "", ",").map { ThreatCategory(rawValue: $0) },
            level: ThreatLevel(rawValue: try int(.level)) ?? .minimal,
            fatalities: try int(.fatalities), eventType: try text(.eventType) ?? "", subEventType: try text(.subEventType) ?? "",
            actors: actors.isEmpty ? [] : list(actors, ";"), sourceAdmin1: try text(.admin1) ?? "", location: try text(.location) ?? "",
            notes: try text(.notes) ?? "", line: 0, remarks: remarks.isEmpty ? [] : remarks.components(separatedBy: "; "),
            cercleID: try text(.cercle), civilianTargeting: try int(.civilian) != 0)
        return (incident, try text(.source) ?? "")
    }

    /// Checks, once per prepared statement, that SQLite names each result column as this enum
    /// does.
    static func check(_ statement: OpaquePointer) -> String? {
        guard sqlite3_column_count(statement) == Int32(allCases.count) else {
            return "the incident query returns \(sqlite3_column_count(statement)) columns, not \(allCases.count)"
        }
        for c in allCases {
            let got = sqlite3_column_name(statement, c.position).map { String(cString: $0) } ?? ""
            if got != c.name { return "the incident query's column \(c.position) is \(got), not \(c.name)" }
        }
        return nil
    }
}
