import Foundation
import Geo
import NIOCore
import PostgresNIO
import ThreatModel

/// The shared store: PostgreSQL with PostGIS, for several `threatmap serve` processes and batch
/// ingests on one database. The same tables as `SQLiteStore`'s, with PostGIS points (and a GiST
/// index) on the incidents so an analyst can query them from QGIS or psql; text compared byte by
/// byte (`COLLATE "C"`) where rows are ordered, so both stores list them alike.
///
/// Writes are serialised by an advisory lock held for their transaction, as SQLite serialises
/// them by its file lock: an ingest reads what earlier ones wrote (the alerts an update ends) and
/// must not interleave with another's. Migrations run on open under another advisory lock, so
/// two processes starting together migrate once.
public final class PostgresStore: SharedThreatStore {
    public let location: String
    public let instanceID = UUID().uuidString.lowercased()
    let pool: PostgresPool

    /// The channel every write is announced on, when it commits (`StoreChange` as JSON).
    static let changeChannel = "threatmap_changes"

    /// The schema version this build writes; a database at a newer one is refused.
    static let schemaVersion = migrations.count

    /// Advisory lock keys: "TM" and what they guard.
    static let migrationLock: Int64 = 0x544D_0001
    static let writeLock: Int64 = 0x544D_0002

    /// Opens the store at `url`, creating its tables (and PostGIS, when the role may) if the
    /// database has none. `busySeconds`: how long a write waits for another's before it fails.
    public init(url: String, busySeconds: TimeInterval = Stores.defaultBusySeconds) throws {
        let settings: PostgresConnectionSettings
        do {
            settings = try PostgresConnectionSettings(url: url)
        } catch let e as PostgresConnectionSettings.Invalid {
            throw StoreError(path: Self.redacted(url), message: e.message)
        }
        location = settings.location
        pool = try PostgresPool(settings: settings, lockTimeoutMilliseconds: max(1, Int(busySeconds * 1000)))
        do {
            try migrate()
        } catch {
            pool.close()
            throw failure(error, doing: "opening")
        }
    }

    /// The URL with any password replaced, for a message about a URL that could not be read.
    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "postgresql://…" }
        if c.password != nil { c.password = "…" }
        c.queryItems = c.queryItems?.map { $0.name == "password" ? URLQueryItem(name: "password", value: "…") : $0 }
        return c.string ?? "postgresql://…"
    }

    // MARK: Schema

    /// Each version's statements, in order; version N is `migrations[N - 1]`.
    static let migrations: [(description: String, statements: [String])] = [
        ("v1: documents, alerts, assessments, incidents with PostGIS points, standing paragraphs", [
            """
            CREATE TABLE document (
                id bigint PRIMARY KEY,
                sha256 text NOT NULL UNIQUE,
                name text NOT NULL,
                format text NOT NULL,
                bytes bytea NOT NULL,
                received_at text NOT NULL,
                sender text
            )
            """,
            // Kept as received, uncompressed (as SQLite keeps them): compressing a large event
            // table at ingest costs more than the room it saves.
            "ALTER TABLE document ALTER COLUMN bytes SET STORAGE EXTERNAL",
            """
            CREATE TABLE alert (
                id text COLLATE "C" PRIMARY KEY,
                document_id bigint NOT NULL REFERENCES document(id),
                format text NOT NULL,
                title text NOT NULL,
                published text,
                effective text,
                expires text,
                severity text,
                status text NOT NULL,
                message_type text NOT NULL,
                series text,
                update_number bigint,
                level integer NOT NULL,
                state text NOT NULL,
                ended_by text,
                resolved text NOT NULL,
                -- What the alert locates itself: its point places and its CAP areas (polygons,
                -- circles), for QGIS and psql; the regions it names are in assessment.
                places geometry(GeometryCollection, 4326)
            )
            """,
            "CREATE INDEX alert_series ON alert(series)",
            "CREATE INDEX alert_places ON alert USING gist(places)",
            """
            CREATE TABLE alert_reference (
                alert_id text COLLATE "C" NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
                referenced text COLLATE "C" NOT NULL
            )
            """,
            "CREATE INDEX alert_reference_referenced ON alert_reference(referenced)",
            "CREATE INDEX alert_reference_alert ON alert_reference(alert_id)",
            """
            CREATE TABLE assessment (
                alert_id text COLLATE "C" NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
                region text,
                category text NOT NULL,
                level integer NOT NULL,
                role text,
                weight double precision NOT NULL,
                field text NOT NULL,
                text text NOT NULL
            )
            """,
            "CREATE INDEX assessment_region ON assessment(region)",
            "CREATE INDEX assessment_alert ON assessment(alert_id)",
            """
            CREATE TABLE incident (
                event_id text COLLATE "C" PRIMARY KEY,
                -- The document written in the same transaction, and documents are never deleted:
                -- no foreign key, whose check per row would cost an ingest of 100,000 events
                -- more than half a second.
                document_id bigint NOT NULL,
                date text COLLATE "C" NOT NULL,
                lon double precision NOT NULL,
                lat double precision NOT NULL,
                region text,
                zone text,
                categories text NOT NULL,
                level integer NOT NULL,
                fatalities bigint NOT NULL,
                event_type text NOT NULL,
                sub_event_type text NOT NULL,
                actors text NOT NULL,
                admin1 text NOT NULL,
                location text NOT NULL,
                notes text NOT NULL,
                remarks text NOT NULL,
                cercle text,
                civilian integer NOT NULL DEFAULT 0,
                geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
            )
            """,
            "CREATE INDEX incident_date_id ON incident(date, event_id)",
            "CREATE INDEX incident_document ON incident(document_id)",
            "CREATE INDEX incident_geom ON incident USING gist(geom)",
            "CREATE TABLE paragraph (fingerprint text PRIMARY KEY, documents integer NOT NULL)",
        ]),
    ]

    func migrate() throws {
        try pool.withSession { s in
            try s.transaction {
                try s.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
                let postgis = try s.rows("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
                if postgis.isEmpty {
                    try s.query("SAVEPOINT postgis")
                    do {
                        try s.query("CREATE EXTENSION postgis")
                    } catch {
                        try s.query("ROLLBACK TO SAVEPOINT postgis")
                        throw StoreFault(message: """
                            the database has no PostGIS, and this role may not add it (\(Self.describe(error))): \
                            as a superuser, run CREATE EXTENSION postgis; in it (Debian: apt-get install postgresql-15-postgis-3)
                            """)
                    }
                }
                try s.query("""
                    CREATE TABLE IF NOT EXISTS threatmap_schema (
                        version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """)
                let current = try s.rows("SELECT COALESCE(max(version), 0) FROM threatmap_schema").first?.decode(Int.self) ?? 0
                if current > Self.schemaVersion {
                    throw StoreFault(message: """
                        the store's schema is version \(current), newer than this threatmap's \(Self.schemaVersion): \
                        use a threatmap at least as new as the one that wrote it; nothing was changed
                        """)
                }
                for version in (current + 1)...max(current + 1, Self.schemaVersion) where version <= Self.schemaVersion {
                    let m = Self.migrations[version - 1]
                    for statement in m.statements { try s.query(PostgresQuery(unsafeSQL: statement)) }
                    try s.query("INSERT INTO threatmap_schema (version, description) VALUES (\(version), \(m.description))")
                }
            }
        }
    }

    public func schemaVersion() throws -> (current: Int, latest: Int) {
        let current = try read { s in try s.rows("SELECT COALESCE(max(version), 0) FROM threatmap_schema").first?.decode(Int.self) ?? 0 }
        return (current, Self.schemaVersion)
    }

    // MARK: Errors

    struct StoreFault: Error { var message: String }

    /// What went wrong, in words: the server's message (never a bound value, never the password),
    /// or why the connection failed.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as StoreFault: return e.message
        case let e as FeedAborted: return "nothing stored: \(e.reason)"
        case is PostgresPoolClosed: return "the store is closed"
        case let e as PSQLError:
            if let info = e.serverInfo, let message = info[.message] {
                var text = message
                if let detail = info[.detail] { text += " (\(detail))" }
                if let hint = info[.hint] { text += "; \(hint)" }
                if let state = info[.sqlState] {
                    if state == "57014" { text += " (the statement took longer than statement_timeout)" }
                    if state == "55P03" { text += " (another write held the store longer than the wait allowed)" }
                }
                return text
            }
            switch e.code {
            case .connectionError where e.underlying is NIOSSLError:
                let why = String(describing: e.underlying!)
                if why.contains("CERTIFICATE_VERIFY_FAILED") {
                    return "TLS: the server's certificate could not be verified (sslmode=verify-full checks it against the system's "
                        + "certificate authorities and the host name; sslmode=require encrypts without checking)"
                }
                return "TLS handshake failed: \(why)"
            case .connectionError:
                let why = e.underlying.map { String(describing: $0) } ?? "no reason given"
                return "cannot connect: \(why) (is PostgreSQL running there, and listening on TCP?)"
            case .sslUnsupported:
                return "the server does not offer TLS, and sslmode asks for it"
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return "the connection to PostgreSQL was lost"
            case .authMechanismRequiresPassword:
                return "the server asks for a password: give it in the URL or in PGPASSWORD"
            case .unsupportedAuthMechanism:
                return "the server asks for an authentication method postgres-nio does not speak"
            default:
                return "PostgreSQL error \(e.code)"
            }
        case let e as PostgresDecodingError:
            return "a stored value could not be read: column \(e.columnName) (\(e.code))"
        case let e as StoreError: return e.message
        default:
            return String(describing: error)
        }
    }

    func failure(_ error: any Error, doing what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        return StoreError(path: location, message: "\(what): \(Self.describe(error))")
    }

    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        do { return try pool.withSession(body) } catch { throw failure(error, doing: "reading") }
    }

    /// One write transaction, serialised with every other process's writes.
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        do {
            return try pool.withSession { s in
                try s.transaction {
                    try s.query("SELECT pg_advisory_xact_lock(\(Self.writeLock))")
                    return try body(s)
                }
            }
        } catch let e as FeedAborted {
            throw StoreError(path: location, message: "nothing stored: \(e.reason)")
        } catch {
            throw failure(error, doing: "writing")
        }
    }

    // MARK: Writing

    public func ingest(_ document: SourceDocument, alerts: [Alert], incidents: Feed<Incident>, receivedAt: Date) throws -> IngestReport {
        let sha = document.sha256
        var drained = false
        defer { if !drained { while (try? incidents.next()) != nil {} } }  // never leave the producer waiting
        let report = try write { s -> IngestReport in
            if let existing = try s.rows("SELECT id FROM document WHERE sha256 = \(sha)").first {
                while try incidents.next() != nil {}
                return IngestReport(documentID: try existing.decode(Int64.self), unchanged: true)
            }
            // Ids without gaps, as SQLite numbers them: writes are serialised, so max + 1 is ours.
            let documentID = try s.rows("SELECT COALESCE(max(id), 0) + 1 FROM document").first?.decode(Int64.self) ?? 1
            let bytes = ByteBuffer(bytes: document.bytes)
            let received = UTCDate.format(receivedAt)
            try s.query("""
                INSERT INTO document (id, sha256, name, format, bytes, received_at, sender)
                VALUES (\(documentID), \(sha), \(document.name.storable), \(document.format.rawValue), \(bytes), \(received), \(document.sender.storable))
                """)
            if document.format == .text { try Self.count(s, document.bytes) }
            var report = IngestReport(documentID: documentID, unchanged: false)
            let positions = try apply(s, documentID: documentID, alerts: alerts, incidents: incidents, report: &report)
            try announce(s, StoreChange(origin: instanceID, document: documentID,
                                        bbox: StoreChange.footprint(alerts: alerts, incidents: positions)))
            return report
        }
        drained = true
        return report
    }

    static func count(_ s: PostgresSession, _ bytes: [UInt8]) throws {
        for f in StandingText.fingerprints(of: bytes) {
            try s.query("""
                INSERT INTO paragraph (fingerprint, documents) VALUES (\(f), 1)
                ON CONFLICT (fingerprint) DO UPDATE SET documents = paragraph.documents + 1
                """)
        }
    }

    /// Tells every process following the store what this transaction changed, when it commits.
    func announce(_ s: PostgresSession, _ change: StoreChange) throws {
        let payload = String(decoding: try JSONEncoder().encode(change), as: UTF8.self)
        try s.query("SELECT pg_notify(\(Self.changeChannel), \(payload))")
    }

    public func follow(_ handler: @escaping @Sendable (StoreChangeEvent) -> Void) -> StoreChangeFollower {
        PostgresChangeFollower(pool: pool, channel: Self.changeChannel, handler: handler)
    }

    /// Writes what `alerts` and the incidents of `feed` say; returns the incidents' positions.
    @discardableResult
    func apply(_ s: PostgresSession, documentID: Int64, alerts: [Alert], incidents feed: Feed<Incident>, report: inout IngestReport) throws -> [Position] {
        for alert in alerts {
            if let bad = alert.assessments.first(where: { a in a.place.map { !alert.places.indices.contains($0) } ?? false }) {
                throw StoreFault(message: "alert \(alert.id): an assessment names place \(bad.place!), which the alert does not have")
            }
            let id = alert.id.storable
            let existed = try s.query("DELETE FROM alert WHERE id = \(id)").metadata.rows ?? 0 > 0
            var state: AlertState = alert.messageType == .cancel ? .cancel : .active
            var endedBy: String?
            // An update or cancel that arrived earlier already ends this one.
            if alert.messageType != .cancel,
               let row = try s.rows("""
                   SELECT a.id, a.message_type FROM alert_reference r JOIN alert a ON a.id = r.alert_id
                   WHERE r.referenced = \(id) ORDER BY a.message_type = 'cancel' DESC LIMIT 1
                   """).first {
                let (id, type) = try row.decode((String, String).self)
                state = type == AlertMessageType.cancel.rawValue ? .cancelled : .superseded
                endedBy = id
            }
            let json = String(decoding: try SQLiteStore.encoder.encode(alert), as: UTF8.self)
            let published = alert.published.map(UTCDate.format), effective = alert.effective.map(UTCDate.format)
            let expires = alert.expires.map(UTCDate.format)
            let places = Self.placesGeoJSON(alert)
            try s.query("""
                INSERT INTO alert (id, document_id, format, title, published, effective, expires, severity, status, message_type,
                                   series, update_number, level, state, ended_by, resolved, places)
                VALUES (\(id), \(documentID), \(alert.format.rawValue), \(alert.title.storable), \(published), \(effective), \(expires),
                        \(alert.severityWord.storable), \(alert.status.storable), \(alert.messageType.rawValue), \(alert.seriesKey.storable), \(alert.updateNumber),
                        \(alert.level.rawValue), \(state.rawValue), \(endedBy.storable), \(json), ST_SetSRID(ST_GeomFromGeoJSON(\(places)), 4326))
                """)
            for r in alert.references {
                try s.query("INSERT INTO alert_reference (alert_id, referenced) VALUES (\(id), \(r.storable))")
                guard r != alert.id else { continue }
                let newState: AlertState = alert.messageType == .cancel ? .cancelled : .superseded
                let changed = try s.query("""
                    UPDATE alert SET state = \(newState.rawValue), ended_by = \(id) WHERE id = \(r.storable) AND state = \(AlertState.active.rawValue)
                    """).metadata.rows ?? 0
                if changed > 0 { report.ended.append(r) }
            }
            for a in alert.assessments {
                let place = a.place.map { alert.places[$0] }
                let regions: [String?] = place.map { p in p.regionIDs.isEmpty ? [nil] : p.regionIDs.map { Optional($0) } } ?? [nil]
                for region in regions {
                    try s.query("""
                        INSERT INTO assessment (alert_id, region, category, level, role, weight, field, text)
                        VALUES (\(id), \(region.storable), \(a.category.rawValue), \(a.level.rawValue), \(place?.role.rawValue),
                                \(place?.weight ?? 1), \(a.provenance.field.storable), \(a.provenance.text.storable))
                        """)
                }
            }
            report.alerts.append(StoredAlert(alert: alert, action: existed ? .replaced : .new, state: state))
        }
        var ids = Set<String>()
        var positions: [Position] = []
        // One statement in flight while the next is encoded: the server inserts one run of rows
        // while this thread makes the next. A failed run fails the transaction, and the first
        // failure is the one thrown.
        var inFlight: EventLoopFuture<PostgresQueryResult>?
        while let batch = try feed.next() {
            var start = 0
            while start < batch.count {
                let end = min(start + Self.incidentsPerStatement, batch.count)
                let query = insertion(batch[start..<end], documentID: documentID)
                if let previous = inFlight { try s.finish(previous) }
                inFlight = s.send(query)
                start = end
            }
            for i in batch { ids.insert(i.id); positions.append(i.position) }
        }
        if let last = inFlight { try s.finish(last) }
        report.incidents += ids.count
        return positions
    }

    /// The alert's point places and areas as one GeoJSON GeometryCollection; nil when it has none.
    static func placesGeoJSON(_ alert: Alert) -> String? {
        let parts = alert.places.flatMap { p -> [Geometry] in
            if let g = p.geometry { return [g] }
            return p.position.map { [.point($0)] } ?? []
        }
        guard !parts.isEmpty else { return nil }
        return String(decoding: GeoJSONWriter().write(.geometryCollection(parts)), as: UTF8.self)
    }

    static let incidentsPerStatement = 5_000

    /// What a NULL is sent as inside the text arrays (postgres-nio's arrays take no NULLs): a
    /// character no identifier holds.
    static let nullMark = "\u{1}"

    /// A run of incidents in one statement: each column one array, `unnest` into rows. An id twice
    /// in the run keeps its last row, as one statement per row would.
    func insertion(_ run: ArraySlice<Incident>, documentID: Int64) -> PostgresQuery {
        var last: [String: Int] = [:]
        for (k, i) in run.enumerated() { last[i.id.storable] = k }
        let rows = run.enumerated().filter { last[$0.element.id.storable] == $0.offset }.map(\.element)
        func texts(_ f: (Incident) -> String?) -> [String] { rows.map { f($0)?.storable ?? Self.nullMark } }
        func texts(_ f: (Incident) -> String) -> [String] { rows.map { f($0).storable } }
        var binds = PostgresBindings(capacity: 19)
        binds.append(documentID)
        binds.append(texts(\.id))
        binds.append(rows.map { UTCDate.formatDay($0.date) })
        binds.append(rows.map(\.position.x))
        binds.append(rows.map(\.position.y))
        binds.append(texts(\.regionID))
        binds.append(texts(\.zoneID))
        binds.append(rows.map { $0.categories.map(\.rawValue).joined(separator: ",") })
        binds.append(rows.map { Int64($0.level.rawValue) })
        binds.append(rows.map { Int64($0.fatalities) })
        binds.append(texts(\.eventType))
        binds.append(texts(\.subEventType))
        binds.append(texts { $0.actors.joined(separator: "; ") })
        binds.append(texts(\.sourceAdmin1))
        binds.append(texts(\.location))
        binds.append(texts(\.notes))
        binds.append(texts { $0.remarks.joined(separator: "; ") })
        binds.append(texts(\.cercleID))
        binds.append(rows.map { Int64($0.civilianTargeting ? 1 : 0) })
        let null = "E'\\x01'"
        let sql = """
            INSERT INTO incident (\(IncidentInsertColumn.names.joined(separator: ", ")))
            SELECT e, $1, d, x, y, NULLIF(r, \(null)), NULLIF(z, \(null)), c, l, f, et, st, a, a1, loc, n, rm, NULLIF(ce, \(null)), cv
            FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::int8[],
                        $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::int8[])
                AS t(e, d, x, y, r, z, c, l, f, et, st, a, a1, loc, n, rm, ce, cv)
            ON CONFLICT (event_id) DO UPDATE SET
            \(IncidentInsertColumn.names.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", "))
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func reresolve(_ resolve: (StoredDocument, [String: Int]) throws -> (alerts: [Alert], incidents: [Incident])) throws -> [IngestReport] {
        let results = try resolveEach(resolve)
        return try write { s in
            for table in ["assessment", "alert_reference", "alert", "incident"] {
                try s.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"))
            }
            var reports: [IngestReport] = []
            for (d, alerts, incidents) in results {
                var report = IngestReport(documentID: d.id, unchanged: false)
                try apply(s, documentID: d.id, alerts: alerts, incidents: Feed(all: incidents), report: &report)
                reports.append(report)
            }
            try announce(s, StoreChange(origin: instanceID, document: nil, bbox: nil))
            return reports
        }
    }

    // MARK: Reading

    public func contains(_ document: SourceDocument) throws -> Bool {
        let sha = document.sha256
        return try read { s in try !s.rows("SELECT 1 FROM document WHERE sha256 = \(sha)").isEmpty }
    }

    public func paragraphCounts(_ fingerprints: [String]) throws -> [String: Int] {
        guard !fingerprints.isEmpty else { return [:] }
        return try read { s in
            var out: [String: Int] = [:]
            for row in try s.rows("SELECT fingerprint, documents FROM paragraph WHERE fingerprint = ANY(\(fingerprints))") {
                let (f, n) = try row.decode((String, Int).self)
                out[f] = n
            }
            return out
        }
    }

    public func documents(withBytes: Bool) throws -> [StoredDocument] {
        let bytes = withBytes ? "bytes" : "NULL::bytea AS bytes"
        return try read { s in
            try s.rows(PostgresQuery(unsafeSQL: "SELECT id, name, format, sha256, \(bytes), received_at, sender FROM document ORDER BY id")).map { row in
                let (id, name, format, sha, data, received, sender) = try row.decode((Int64, String, String, String, ByteBuffer?, String, String?).self)
                return StoredDocument(id: id, name: name, format: AlertFormat(rawValue: format) ?? .text, sha256: sha,
                                      bytes: data.map { Array($0.readableBytesView) } ?? [], receivedAt: received, sender: sender)
            }
        }
    }

    public func alerts() throws -> [AlertRecord] {
        try read { s in try s.rows("SELECT resolved, state, ended_by, document_id FROM alert ORDER BY id").map(Self.record) }
    }

    public func alert(_ id: String) throws -> AlertRecord? {
        try read { s in try s.rows("SELECT resolved, state, ended_by, document_id FROM alert WHERE id = \(id.storable)").first.map(Self.record) }
    }

    static func record(_ row: PostgresRow) throws -> AlertRecord {
        let (json, state, endedBy, documentID) = try row.decode((String, String, String?, Int64).self)
        return AlertRecord(alert: try SQLiteStore.decoder.decode(Alert.self, from: Data(json.utf8)),
                           state: AlertState(rawValue: state) ?? .active, endedBy: endedBy, documentID: documentID)
    }

    public func counts() throws -> (documents: Int, alerts: Int, incidents: Int, assessments: Int) {
        try read { s in
            let row = try s.rows("""
                SELECT (SELECT count(*) FROM document), (SELECT count(*) FROM alert), (SELECT count(*) FROM incident),
                       (SELECT count(*) FROM assessment)
                """)
            guard let r = row.first else { return (0, 0, 0, 0) }
            let (d, a, i, s) = try r.decode((Int, Int, Int, Int).self)
            return (d, a, i, s)
        }
    }

    public func sourcedIncidents(from: Date?, through: Date?, details: Bool) throws -> [(incident: Incident, source: String)] {
        let sql = IncidentSelectColumn.selectSQL(details: details, low: "$1", high: "$2")
        var binds = PostgresBindings(capacity: 2)
        binds.append(from.map(UTCDate.formatDay) ?? "0000-00-00")
        binds.append(through.map(UTCDate.formatDay) ?? "9999-99-99")
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try read { s in
            try s.rows(query).map { row in
                let cells = row.makeRandomAccess()
                return try IncidentSelectColumn.incident(
                    text: { try cells[Int($0.position)].decode(String?.self) },
                    int: { try cells[Int($0.position)].decode(Int.self) },
                    double: { try cells[Int($0.position)].decode(Double.self) })
            }
        }
    }

    public func close() throws {
        pool.close()
    }
}
