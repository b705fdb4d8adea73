import GRDBSQLite

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

    static func selectSQL(details: Bool) -> String {
        let columns = allCases.map { "\($0.expression(details: details)) AS \($0.name)" }.joined(separator: ", ")
        return """
            SELECT \(columns)
            FROM incident i JOIN document d ON d.id = i.document_id
            WHERE i.date >= ? AND i.date <= ? ORDER BY i.date, i.event_id
            """
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
