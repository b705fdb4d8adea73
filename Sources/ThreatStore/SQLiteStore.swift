import Foundation
import GRDB
import GRDBSQLite
import Geo
import ThreatModel

/// The embedded store: one SQLite file, nothing to start. Every ingest is one transaction: it
/// lands whole or not at all.
public final class SQLiteStore: ThreatStore {
    public let path: String
    let queue: DatabaseQueue

    public var location: String { path }

    /// Opens (and creates, and migrates) the store. `busySeconds`: how long a write waits for
    /// another process's (a batch `ingest` waits long; the service less) before it fails with
    /// "database is locked".
    public init(path: String, busySeconds: TimeInterval = Stores.defaultBusySeconds) throws {
        self.path = path
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(busySeconds)
        // Write-ahead logging: a reader never blocks the writer, a large document is written
        // once, and commits need no sync of the main file; a crash still never corrupts it.
        config.prepareDatabase { db in
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 64 MB of page cache, so that a large table is written without re-reading pages.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            // Two processes opening a new store at once both find it unmigrated, and one may find
            // the other switching it to WAL; each migration is one transaction, so the one that
            // loses the race fails whole ("table document already exists", "no such index",
            // "database is locked" while the journal mode changes) and, tried again, finds the
            // winner's work done.
            var attempt = 0
            var opened: DatabaseQueue?
            while opened == nil {
                do {
                    let q = try DatabaseQueue(path: path, configuration: config)
                    if try q.read({ db in try Self.migrator.hasBeenSuperseded(db) }) {
                        let known = Set(Self.migrator.migrations)
                        let newer = try q.read { db in try Self.migrator.appliedIdentifiers(db) }.filter { !known.contains($0) }.sorted()
                        throw StoreError(path: path, message: """
                            the store's schema is newer than this threatmap's (it has \(newer.joined(separator: ", "))): \
                            use a threatmap at least as new as the one that wrote it; nothing was changed
                            """)
                    }
                    try Self.migrator.migrate(q)
                    opened = q
                } catch let e as DatabaseError where attempt < 500 && Self.lostMigrationRace(e) {
                    attempt += 1
                    usleep(20_000)
                }
            }
            queue = opened!
        } catch let e as DatabaseError {
            throw StoreError(path: path, message: Self.explain(e, path: path))
        }
    }

    /// Whether a migration failed the way a race with another process's migration fails: the
    /// other's schema change seen half-way (a table or index that exists, or no longer does).
    static func lostMigrationRace(_ e: DatabaseError) -> Bool {
        let message = e.message ?? ""
        return e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
            || ["already exists", "duplicate column", "no such index", "no such table", "no such column"].contains { message.contains($0) }
    }

    /// SQLite's message, with what the file system says where SQLite's own is vague ("unable
    /// to open database file" on a read-only or missing folder; "disk is full").
    static func explain(_ e: DatabaseError, path: String) -> String {
        let message = e.message ?? e.description
        let file = URL(fileURLWithPath: path)
        let folder = file.deletingLastPathComponent().path
        if e.resultCode == .SQLITE_CANTOPEN || e.resultCode == .SQLITE_READONLY || e.resultCode == .SQLITE_IOERR {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                return "\(message): the folder \(folder) does not exist"
            }
            for target in [path, folder] where FileManager.default.fileExists(atPath: target) && access(target, W_OK) != 0 {
                let reason = errno == EROFS ? "is on a read-only file system" : "is not writable (\(String(cString: strerror(errno))))"
                return "\(message): \(target) \(reason); a store must be writable, even to read it (SQLite's write-ahead log lives beside it)"
            }
        }
        if e.resultCode == .SQLITE_FULL {
            return "\(message): the file system holding \(folder) has no room left; nothing of this write was stored"
        }
        return message
    }

    public func schemaVersion() throws -> (current: Int, latest: Int) {
        do {
            return (try queue.read { db in try Self.migrator.appliedIdentifiers(db).count }, Self.migrator.migrations.count)
        } catch let e as DatabaseError {
            throw StoreError(path: path, message: Self.explain(e, path: path))
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: documents, alerts, assessments, incidents") { db in
            try db.execute(sql: """
                CREATE TABLE document (
                    id INTEGER PRIMARY KEY,
                    sha256 TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    format TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    received_at TEXT NOT NULL
                );
                CREATE TABLE alert (
                    id TEXT PRIMARY KEY,
                    document_id INTEGER NOT NULL REFERENCES document(id),
                    format TEXT NOT NULL,
                    title TEXT NOT NULL,
                    published TEXT,
                    effective TEXT,
                    expires TEXT,
                    severity TEXT,
                    status TEXT NOT NULL,
                    message_type TEXT NOT NULL,
                    series TEXT,
                    update_number INTEGER,
                    level INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    ended_by TEXT,
                    resolved TEXT NOT NULL
                );
                CREATE INDEX alert_series ON alert(series);
                CREATE TABLE alert_reference (
                    alert_id TEXT NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
                    referenced TEXT NOT NULL
                );
                CREATE INDEX alert_reference_referenced ON alert_reference(referenced);
                CREATE TABLE assessment (
                    alert_id TEXT NOT NULL REFERENCES alert(id) ON DELETE CASCADE,
                    region TEXT,
                    category TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    role TEXT,
                    weight REAL NOT NULL,
                    field TEXT NOT NULL,
                    text TEXT NOT NULL
                );
                CREATE INDEX assessment_region ON assessment(region);
                CREATE TABLE incident (
                    event_id TEXT PRIMARY KEY,
                    document_id INTEGER NOT NULL REFERENCES document(id),
                    date TEXT NOT NULL,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    region TEXT,
                    zone TEXT,
                    categories TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    fatalities INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    sub_event_type TEXT NOT NULL,
                    actors TEXT NOT NULL,
                    admin1 TEXT NOT NULL,
                    location TEXT NOT NULL,
                    notes TEXT NOT NULL,
                    remarks TEXT NOT NULL
                );
                CREATE INDEX incident_date ON incident(date);
                """)
        }
        m.registerMigration("v2: incidents indexed by date and id, the order layers read them in") { db in
            try db.execute(sql: """
                DROP INDEX incident_date;
                CREATE INDEX incident_date_id ON incident(date, event_id);
                """)
        }
        m.registerMigration("v3: standing paragraphs, counted over the text documents") { db in
            try db.execute(sql: "CREATE TABLE paragraph (fingerprint TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID")
            let texts = try Row.fetchAll(db, sql: "SELECT bytes FROM document WHERE format = 'text' ORDER BY id")
            for row in texts {
                try Self.count(db, (row["bytes"] as Data?).map { [UInt8]($0) } ?? [])
            }
        }
        m.registerMigration("v4: who sent each document") { db in
            try db.execute(sql: "ALTER TABLE document ADD COLUMN sender TEXT")
        }
        m.registerMigration("v5: each incident's cercle, where the GeoData has cercles") { db in
            try db.execute(sql: "ALTER TABLE incident ADD COLUMN cercle TEXT")
        }
        m.registerMigration("v6: whether each incident targeted civilians") { db in
            // Rows stored before keep what their event type says; reresolve reads the
            // civilian_targeting column of their documents again.
            try db.execute(sql: """
                ALTER TABLE incident ADD COLUMN civilian INTEGER NOT NULL DEFAULT 0;
                UPDATE incident SET civilian = 1 WHERE event_type = 'Violence against civilians'
                    OR sub_event_type IN ('Abduction/forced disappearance', 'Sexual violence');
                """)
        }
        return m
    }

    /// Counts one more text document for each of its paragraphs.
    static func count(_ db: Database, _ bytes: [UInt8]) throws {
        for f in StandingText.fingerprints(of: bytes) {
            try db.execute(sql: "INSERT INTO paragraph (fingerprint, documents) VALUES (?, 1) ON CONFLICT(fingerprint) DO UPDATE SET documents = documents + 1",
                           arguments: [f])
        }
    }

    /// How many stored text documents hold each of these paragraphs (those in none are left out).
    public func paragraphCounts(_ fingerprints: [String]) throws -> [String: Int] {
        guard !fingerprints.isEmpty else { return [:] }
        return try queue.read { db in
            var out: [String: Int] = [:]
            for chunk in stride(from: 0, to: fingerprints.count, by: 500).map({ Array(fingerprints[$0..<min($0 + 500, fingerprints.count)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT fingerprint, documents FROM paragraph WHERE fingerprint IN (\(marks))",
                                            arguments: StatementArguments(chunk)) {
                    out[row["fingerprint"]] = row["documents"]
                }
            }
            return out
        }
    }

    // Dates as "2021-03-21T09:09:00Z", read and written directly: Foundation's ISO 8601
    // strategies build an ICU formatter for every date.
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(UTCDate.format(date))
        }
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = UTCDate.parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text) is not a UTC ISO 8601 date-time")
            }
            return date
        }
        return d
    }()

    static func iso(_ d: Date?) -> String? { d.map(UTCDate.format) }

    static func day(_ d: Date) -> String { UTCDate.formatDay(d) }

    /// Whether a document with the same bytes is stored.
    public func contains(_ document: SourceDocument) throws -> Bool {
        let sha = document.sha256
        return try queue.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM document WHERE sha256 = ?", arguments: [sha]) ?? false }
    }

    public func ingest(_ document: SourceDocument, alerts: [Alert], incidents: Feed<Incident>, receivedAt: Date) throws -> IngestReport {
        do {
            return try write(document, alerts: alerts, incidents: incidents, receivedAt: receivedAt)
        } catch let e as FeedAborted {
            throw StoreError(path: path, message: "nothing stored: \(e.reason)")
        }
    }

    func write(_ document: SourceDocument, alerts: [Alert], incidents: Feed<Incident>, receivedAt: Date) throws -> IngestReport {
        let sha = document.sha256
        do {
            return try queue.write { db in
                if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM document WHERE sha256 = ?", arguments: [sha]) {
                    while try incidents.next() != nil {}  // let the producer finish
                    return IngestReport(documentID: existing, unchanged: true)
                }
                try db.execute(sql: "INSERT INTO document (sha256, name, format, bytes, received_at, sender) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [sha, document.name, document.format.rawValue, Data(document.bytes), Self.iso(receivedAt), document.sender])
                let documentID = db.lastInsertedRowID
                if document.format == .text { try Self.count(db, document.bytes) }
                var report = IngestReport(documentID: documentID, unchanged: false)
                try apply(db, documentID: documentID, alerts: alerts, incidents: incidents, report: &report)
                return report
            }
        } catch let e as DatabaseError {
            throw StoreError(path: path, message: Self.explain(e, path: path))
        }
    }

    func apply(_ db: Database, documentID: Int64, alerts: [Alert], incidents: [Incident], report: inout IngestReport) throws {
        try apply(db, documentID: documentID, alerts: alerts, incidents: Feed(all: incidents), report: &report)
    }

    func apply(_ db: Database, documentID: Int64, alerts: [Alert], incidents feed: Feed<Incident>, report: inout IngestReport) throws {
        for alert in alerts {
            if let bad = alert.assessments.first(where: { a in a.place.map { !alert.places.indices.contains($0) } ?? false }) {
                throw StoreError(path: path, message: "alert \(alert.id): an assessment names place \(bad.place!), which the alert does not have")
            }
            let existed = try Bool.fetchOne(db, sql: "SELECT 1 FROM alert WHERE id = ?", arguments: [alert.id]) ?? false
            if existed { try db.execute(sql: "DELETE FROM alert WHERE id = ?", arguments: [alert.id]) }
            var state: AlertState = alert.messageType == .cancel ? .cancel : .active
            var endedBy: String?
            // An update or cancel that arrived earlier already ends this one.
            if alert.messageType != .cancel,
               let row = try Row.fetchOne(db, sql: """
                   SELECT a.id, a.message_type FROM alert_reference r JOIN alert a ON a.id = r.alert_id
                   WHERE r.referenced = ? ORDER BY a.message_type = 'cancel' DESC LIMIT 1
                   """, arguments: [alert.id]) {
                state = (row["message_type"] as String) == AlertMessageType.cancel.rawValue ? .cancelled : .superseded
                endedBy = row["id"]
            }
            let json = String(decoding: try Self.encoder.encode(alert), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO alert (id, document_id, format, title, published, effective, expires, severity, status, message_type,
                                   series, update_number, level, state, ended_by, resolved)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [alert.id, documentID, alert.format.rawValue, alert.title, Self.iso(alert.published),
                                 Self.iso(alert.effective), Self.iso(alert.expires), alert.severityWord, alert.status,
                                 alert.messageType.rawValue, alert.seriesKey, alert.updateNumber, alert.level.rawValue, state.rawValue,
                                 endedBy, json])
            for r in alert.references {
                try db.execute(sql: "INSERT INTO alert_reference (alert_id, referenced) VALUES (?, ?)", arguments: [alert.id, r])
                guard r != alert.id else { continue }
                let newState: AlertState = alert.messageType == .cancel ? .cancelled : .superseded
                try db.execute(sql: "UPDATE alert SET state = ?, ended_by = ? WHERE id = ? AND state = ?",
                               arguments: [newState.rawValue, alert.id, r, AlertState.active.rawValue])
                if db.changesCount > 0 { report.ended.append(r) }
            }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO assessment (alert_id, region, category, level, role, weight, field, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for a in alert.assessments {
                let place = a.place.map { alert.places[$0] }
                let regions: [String?] = place.map { p in p.regionIDs.isEmpty ? [nil] : p.regionIDs.map { Optional($0) } } ?? [nil]
                for region in regions {
                    try insert.execute(arguments: [alert.id, region, a.category.rawValue, a.level.rawValue, place?.role.rawValue,
                                                   place?.weight ?? 1, a.provenance.field, a.provenance.text])
                }
            }
            report.alerts.append(StoredAlert(alert: alert, action: existed ? .replaced : .new, state: state))
        }
        // Incidents come by the hundred thousand: bind them through SQLite's C API, which skips
        // the boxing of every value that GRDB's arguments need; by column, never by number.
        let insertIncident = try db.cachedStatement(sql: IncidentInsertColumn.insertSQL)
        let stmt = insertIncident.sqliteStatement
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        func text(_ c: IncidentInsertColumn, _ value: String?) {
            guard var s = value?.storable else { sqlite3_bind_null(stmt, c.parameter); return }
            s.withUTF8 { u in
                _ = u.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(stmt, c.parameter, $0.baseAddress, Int32($0.count), transient) }
            }
        }
        func int(_ c: IncidentInsertColumn, _ value: Int64) { sqlite3_bind_int64(stmt, c.parameter, value) }
        func double(_ c: IncidentInsertColumn, _ value: Double) { sqlite3_bind_double(stmt, c.parameter, value) }
        var ids = Set<String>()
        while let batch = try feed.next() { for i in batch {
            sqlite3_reset(stmt)
            text(.eventID, i.id)
            int(.documentID, documentID)
            text(.date, Self.day(i.date))
            double(.lon, i.position.x)
            double(.lat, i.position.y)
            text(.region, i.regionID)
            text(.zone, i.zoneID)
            text(.categories, i.categories.map(\.rawValue).joined(separator: ","))
            int(.level, Int64(i.level.rawValue))
            int(.fatalities, Int64(i.fatalities))
            text(.eventType, i.eventType)
            text(.subEventType, i.subEventType)
            text(.actors, i.actors.joined(separator: "; "))
            text(.admin1, i.sourceAdmin1)
            text(.location, i.location)
            text(.notes, i.notes)
            text(.remarks, i.remarks.joined(separator: "; "))
            text(.cercle, i.cercleID)
            int(.civilian, i.civilianTargeting ? 1 : 0)
            let rc = sqlite3_step(stmt)
            guard rc == SQLITE_DONE else {
                throw StoreError(path: path, message: "storing incident \(i.id): \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
            }
            ids.insert(i.id)
        } }
        sqlite3_reset(stmt)
        report.incidents += ids.count
    }

    /// Checkpoints the write-ahead log into the main file and closes the database: for a server
    /// that stops. The store is unusable afterwards.
    public func close() throws {
        try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try queue.close()
    }

    /// Every stored document, oldest first; without their bytes (left empty) when only where
    /// things came from is wanted.
    public func documents(withBytes: Bool) throws -> [StoredDocument] {
        try queue.read { db in
            let bytes = withBytes ? "bytes" : "NULL AS bytes"
            return try Row.fetchAll(db, sql: "SELECT id, name, format, sha256, \(bytes), received_at, sender FROM document ORDER BY id").map { row in
                StoredDocument(id: row["id"], name: row["name"], format: AlertFormat(rawValue: row["format"]) ?? .text,
                               sha256: row["sha256"], bytes: (row["bytes"] as Data?).map { [UInt8]($0) } ?? [], receivedAt: row["received_at"],
                               sender: row["sender"])
            }
        }
    }

    /// Replaces everything derived from the documents by what `resolve` now makes of each,
    /// in one transaction; documents are kept as they are. For a better gazetteer or lexicon.
    /// `resolve` is given, with each document, how many earlier text documents hold each of its
    /// paragraphs, as `paragraphCounts` answered when it came.
    public func reresolve(_ resolve: (StoredDocument, [String: Int]) throws -> (alerts: [Alert], incidents: [Incident])) throws -> [IngestReport] {
        let results = try resolveEach(resolve)
        return try queue.write { db in
            try db.execute(sql: "DELETE FROM assessment; DELETE FROM alert_reference; DELETE FROM alert; DELETE FROM incident;")
            var reports: [IngestReport] = []
            for (d, alerts, incidents) in results {
                var report = IngestReport(documentID: d.id, unchanged: false)
                try apply(db, documentID: d.id, alerts: alerts, incidents: incidents, report: &report)
                reports.append(report)
            }
            return reports
        }
    }

    /// Every stored alert, in id order.
    public func alerts() throws -> [AlertRecord] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT resolved, state, ended_by, document_id FROM alert ORDER BY id").map(Self.record)
        }
    }

    public func alert(_ id: String) throws -> AlertRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT resolved, state, ended_by, document_id FROM alert WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    static func record(_ row: Row) throws -> AlertRecord {
        AlertRecord(alert: try decoder.decode(Alert.self, from: Data((row["resolved"] as String).utf8)),
                    state: AlertState(rawValue: row["state"]) ?? .active, endedBy: row["ended_by"], documentID: row["document_id"])
    }

    /// Counts of what the store holds, for reports and tests.
    public func counts() throws -> (documents: Int, alerts: Int, incidents: Int, assessments: Int) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM document") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incident") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assessment") ?? 0)
        }
    }

    /// Incidents with the name of the document each came from, by date then id; `from` and
    /// `through` (days, inclusive) bound the dates when given. Read through SQLite's C API by
    /// column position (each column's position named once, in `IncidentSelectColumn`): a layer
    /// may hold a hundred thousand of them.
    /// Without `details`, actors, admin1, notes and remarks are left empty: a map layer shows
    /// none of them.
    public func sourcedIncidents(from: Date?, through: Date?, details: Bool) throws -> [(incident: Incident, source: String)] {
        let sql = IncidentSelectColumn.selectSQL(details: details)
        let low = from.map(UTCDate.formatDay) ?? "0000-00-00"
        let high = through.map(UTCDate.formatDay) ?? "9999-99-99"
        return try queue.read { db in
            let statement = try db.makeStatement(sql: sql)
            try statement.setArguments([low, high])
            let stmt = statement.sqliteStatement
            if let fault = IncidentSelectColumn.check(stmt) { throw StoreError(path: path, message: fault) }
            func text(_ c: IncidentSelectColumn) -> String? {
                guard let p = sqlite3_column_text(stmt, c.position) else { return nil }
                let n = Int(sqlite3_column_bytes(stmt, c.position))
                return n == 0 ? "" : String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            }
            func int(_ c: IncidentSelectColumn) -> Int { Int(sqlite3_column_int64(stmt, c.position)) }
            func double(_ c: IncidentSelectColumn) -> Double { sqlite3_column_double(stmt, c.position) }

            var out: [(incident: Incident, source: String)] = []
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else {
                    throw StoreError(path: path, message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                out.append(try IncidentSelectColumn.incident(text: text, int: int, double: double))
            }
            return out
        }
    }
}
