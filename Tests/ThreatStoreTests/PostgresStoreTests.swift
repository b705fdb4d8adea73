import Foundation
import Geo
import PostgresNIO
import Testing
import ThreatModel
@testable import ThreatStore

/// What only the PostgreSQL store has: its URL, its cluster, its schema in another engine, and
/// several processes on one database. Against a real PostgreSQL with PostGIS; nothing mocked.
@Suite(.enabled(if: postgresAdminURL != nil, "THREATMAP_TEST_POSTGRES names no PostgreSQL cluster (Scripts/postgres.sh start)"))
struct PostgresStoreTests {
    let admin = postgresAdminURL ?? ""

    /// Runs one statement on `url`'s database, as its user.
    func run(_ url: String, _ sql: String) throws { try PostgresScratchDatabase.run(url, sql) }

    @Test func theIncidentColumnsMatchTheTable() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let store = try PostgresStore(url: database.url)
        defer { try? store.close() }
        let names = try store.read { s in
            try s.rows("""
                SELECT column_name FROM information_schema.columns
                WHERE table_name = 'incident' AND column_name <> 'geom' ORDER BY ordinal_position
                """).map { try $0.decode(String.self) }
        }
        #expect(IncidentInsertColumn.allCases.map(\.name) == names)
        #expect(try store.schemaVersion() == (PostgresStore.schemaVersion, PostgresStore.schemaVersion))
    }

    @Test func incidentsArePostGISPointsAnAnalystCanQuery() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let store = try PostgresStore(url: database.url)
        defer { try? store.close() }
        let day = Date(timeIntervalSince1970: 1_718_236_800)
        let incidents = (0..<12_000).map { k in
            Incident(id: "E\(k)", date: day, position: Position(-3.61 + Double(k % 100) * 0.01, 14.35), regionID: k % 3 == 0 ? nil : "mopti",
                     zoneID: nil, categories: [.terrorism], level: .high, fatalities: k % 5, eventType: "Battles", subEventType: "Armed clash",
                     actors: ["A\(k)"], sourceAdmin1: "Mopti", location: "Sévaré 'quoted' \\ back", notes: "", line: k + 2, remarks: [])
        }
        // More rows than one statement carries, and one id twice (the later row wins).
        var feed = incidents
        feed.append(Incident(id: "E7", date: day, position: Position(-4, 15), regionID: "mopti", zoneID: "central", categories: [.crime],
                             level: .low, fatalities: 9, eventType: "Riots", subEventType: "Mob violence", actors: [], sourceAdmin1: "Mopti",
                             location: "Mopti", notes: "again", line: 99, remarks: []))
        _ = try store.ingest(SourceDocument(name: "events.csv", format: .csv, bytes: Array("csv".utf8)), alerts: [], incidents: feed)
        #expect(try store.counts().incidents == 12_000)
        let e7 = try #require(try store.incidents().first { $0.id == "E7" })
        #expect(e7.fatalities == 9 && e7.notes == "again" && e7.zoneID == "central")
        #expect(try store.incidents().first { $0.id == "E3" }?.regionID == nil)
        #expect(try store.incidents().first { $0.id == "E5" }?.location == "Sévaré 'quoted' \\ back")
        // The README's query: incidents inside a box, by the GiST-indexed point.
        let inBox = try store.read { s in
            try s.rows("""
                SELECT count(*) FROM incident
                WHERE geom && ST_MakeEnvelope(-3.62, 14.3, -3.095, 14.4, 4326) AND ST_SRID(geom) = 4326
                """).first!.decode(Int.self)
        }
        // Columns 0 to 51 of the 100, 120 points each, less E7, which moved out.
        #expect(inBox == 120 * 52 - 1)
        let usesIndex = try store.read { s in
            try s.query("SET enable_seqscan = off")
            return try s.rows("EXPLAIN SELECT event_id FROM incident WHERE geom && ST_MakeEnvelope(-4, 14, -3, 15, 4326)")
                .map { try $0.decode(String.self) }.joined(separator: "\n")
        }
        #expect(usesIndex.contains("incident_geom"))
    }

    @Test func alertsCarryTheirPlacesAsPostGISGeometry() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let store = try PostgresStore(url: database.url)
        defer { try? store.close() }
        var withArea = alert("CAP-1")
        withArea.places.append(PlaceMention(text: "area", kind: .area, role: .threat, name: "area", regionIDs: ["gao"], zoneIDs: ["northern"],
                                            geometry: .polygon(BoundingBox(minX: 0, minY: 15, maxX: 1, maxY: 16).polygon),
                                            provenance: Provenance(field: "area", text: "polygon")))
        var unplaced = alert("NONE")
        unplaced.places = []
        unplaced.assessments = []
        _ = try store.ingest(document("placed"), alerts: [withArea, unplaced], incidents: [])
        let rows = try store.read { s in
            try s.rows("""
                SELECT id, ST_NumGeometries(places), ST_SRID(places), ST_Intersects(places, ST_SetSRID(ST_MakePoint(0.5, 15.5), 4326))
                FROM alert ORDER BY id
                """).map { try $0.decode((String, Int?, Int?, Bool?).self) }
        }
        #expect(rows.count == 2)
        #expect(rows[0].0 == "CAP-1" && rows[0].1 == 2 && rows[0].2 == 4326 && rows[0].3 == true)
        #expect(rows[1].0 == "NONE" && rows[1].1 == nil)
    }

    @Test func twoProcessesStartingTogetherMigrateOnceAndWriteInTurn() async throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let url = database.url
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try PostgresStore(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for s in stores { try? s.close() } }
        let versions = try stores[0].read { s in try s.rows("SELECT count(*) FROM threatmap_schema").first!.decode(Int.self) }
        #expect(versions == PostgresStore.schemaVersion)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (k, store) in stores.enumerated() {
                group.addTask {
                    for n in 0..<5 { _ = try store.ingest(document("doc \(k) \(n)"), alerts: [alert("A\(k)-\(n)")], incidents: []) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try stores[1].counts().documents == 20)
        #expect(try stores[2].documents(withBytes: false).map(\.id) == Array(1...20))
    }

    @Test func aWrongURLIsAClearError() throws {
        for (url, words) in [
            ("postgresql://u@localhost:99999/db", "port"),
            ("postgresql://u@localhost/db?sslmode=sometimes", "sslmode"),
            ("postgresql://u@localhost/db?poolsize=3", "unknown parameter poolsize"),
            ("postgresql://u@localhost/db?pool_size=0", "pool_size"),
        ] {
            let error = #expect(throws: StoreError.self) { try PostgresStore(url: url) }
            #expect(error?.message.contains(words) == true, "\(url): \(error?.message ?? "")")
        }
    }

    @Test func aRefusedConnectionIsAClearErrorWithoutThePassword() throws {
        // Port 1 on loopback: nothing listens there.
        let error = #expect(throws: StoreError.self) { try Stores.open("postgresql://someone:s3cret@127.0.0.1:1/db") }
        #expect(error?.message.contains("cannot connect") == true, "\(error?.message ?? "")")
        #expect(error?.description.contains("s3cret") == false)
        #expect(error?.description.contains("postgresql://someone@127.0.0.1:1/db") == true, "\(error?.description ?? "")")
    }

    @Test func aDatabaseWithoutPostGISIsAClearErrorAndNothingIsWritten() throws {
        // An ordinary role, owner of a database made from template0 (no PostGIS), may not add it.
        let database = try PostgresScratchDatabase(adminURL: admin, template: "template0")
        defer { try? database.drop() }
        let role = "tm_plain_\(UInt32.random(in: 0...UInt32.max))"
        try run(admin, "CREATE ROLE \(role) LOGIN")
        defer { try? run(admin, "DROP ROLE IF EXISTS \(role)") }
        try run(database.url, "ALTER DATABASE \(database.name) OWNER TO \(role)")
        var asRole = try #require(URLComponents(string: database.url))
        asRole.user = role
        let error = #expect(throws: StoreError.self) { try PostgresStore(url: asRole.string!) }
        #expect(error?.message.contains("PostGIS") == true, "\(error?.message ?? "")")
        let tables = try PostgresStore.scalar(database.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        #expect(tables == 0)
    }

    /// `base`'s URL (by default the administrator's) with another user (and password) and query.
    func url(_ base: String? = nil, user: String, password: String? = nil, query: String? = nil) throws -> String {
        var c = try #require(URLComponents(string: base ?? admin))
        c.user = user
        c.password = password
        c.query = query
        return try #require(c.string)
    }

    @Test func tlsWhenTheURLAsksForIt() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        func encrypted(_ query: String) throws -> Bool {
            let store = try PostgresStore(url: try url(database.url, user: "postgres", query: query))
            defer { try? store.close() }
            return try store.read { s in try s.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first!.decode(Bool.self) }
        }
        #expect(try encrypted("sslmode=require"))
        #expect(try encrypted("sslmode=prefer"))
        #expect(try !encrypted("sslmode=disable"))
        // The test cluster's certificate is its own, which no system authority signed.
        let error = #expect(throws: StoreError.self) { try PostgresStore(url: try url(database.url, user: "postgres", query: "sslmode=verify-full")) }
        #expect(error?.message.contains("TLS") == true, "\(error?.message ?? "")")
        // Trusted through sslrootcert, and named as in the certificate, it is verified.
        if let cluster = ProcessInfo.processInfo.environment["THREATMAP_PG_DIR"] {
            var c = try #require(URLComponents(string: database.url))
            c.host = "localhost"
            c.query = "sslmode=verify-full&sslrootcert=\(cluster)/server.crt"
            let store = try PostgresStore(url: try #require(c.string))
            defer { try? store.close() }
            #expect(try store.read { s in try s.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first!.decode(Bool.self) })
        }
    }

    @Test func thePasswordFromTheURLOrPGPASSWORDAndNeverInAMessage() throws {
        let role = "tm_pw_\(UInt32.random(in: 0...UInt32.max))", password = "pw-\(UUID().uuidString)"
        try run(admin, "CREATE ROLE \(role) LOGIN PASSWORD '\(password)' IN ROLE threatmap_passworded")
        defer { try? run(admin, "DROP ROLE IF EXISTS \(role)") }
        func whoAmI(_ settings: PostgresConnectionSettings) throws -> String {
            let pool = try PostgresPool(settings: settings, lockTimeoutMilliseconds: 1000)
            defer { pool.close() }
            return try pool.withSession { s in try s.rows("SELECT current_user").first!.decode(String.self) }
        }
        #expect(try whoAmI(PostgresConnectionSettings(url: try url(user: role, password: password), environment: [:])) == role)
        #expect(try whoAmI(PostgresConnectionSettings(url: try url(user: role), environment: ["PGPASSWORD": password])) == role)
        let wrong = #expect(throws: StoreError.self) { try PostgresStore(url: try url(user: role, password: "not-\(password)")) }
        #expect(wrong?.message.contains("password authentication failed") == true, "\(wrong?.message ?? "")")
        #expect(wrong?.description.contains(password) == false)
        let settings = try PostgresConnectionSettings(url: try url(user: role, password: password), environment: [:])
        #expect(!settings.location.contains(password))
    }

    @Test func aStatementPastItsTimeoutIsCancelledWithAClearMessage() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let store = try PostgresStore(url: try url(database.url, user: "postgres", query: "statement_timeout=200&pool_size=2"))
        defer { try? store.close() }
        let error = #expect(throws: StoreError.self) { try store.read { s in try s.query("SELECT pg_sleep(5)") } }
        #expect(error?.message.contains("statement_timeout") == true, "\(error?.message ?? "")")
        // The store goes on working after it.
        #expect(try store.counts().documents >= 0)
    }

    @Test func aSchemaOfANewerVersionIsRefusedAndLeftAsItIs() throws {
        let database = try PostgresScratchDatabase(adminURL: admin)
        defer { try? database.drop() }
        let store = try PostgresStore(url: database.url)
        _ = try store.ingest(document("1"), alerts: [alert("A")], incidents: [])
        try store.close()
        try run(database.url, "INSERT INTO threatmap_schema (version, description) VALUES (99, 'from the future')")
        let error = #expect(throws: StoreError.self) { try PostgresStore(url: database.url) }
        #expect(error?.message.contains("version 99") == true, "\(error?.message ?? "")")
        #expect(try PostgresStore.scalar(database.url, "SELECT count(*) FROM alert") == 1)
    }
}

extension PostgresStore {
    /// One number from `sql` on `url`'s database, without opening (and migrating) a store.
    static func scalar(_ url: String, _ sql: String) throws -> Int {
        let pool = try PostgresPool(settings: PostgresConnectionSettings(url: url), lockTimeoutMilliseconds: 10_000)
        defer { pool.close() }
        return try pool.withSession { s in try s.rows(PostgresQuery(unsafeSQL: sql)).first!.decode(Int.self) }
    }
}

@Suite struct PostgresRequirementTests {
    @Test func postgresIsHereWhenRequired() {
        if ProcessInfo.processInfo.environment["THREATMAP_REQUIRE_POSTGRES"] == "1" {
            #expect(postgresAdminURL != nil, "THREATMAP_REQUIRE_POSTGRES=1 but THREATMAP_TEST_POSTGRES is not set: the PostgreSQL tests did not run")
        }
    }
}

/// Reading a `postgresql://` URL, as libpq reads it where the two overlap; no server needed.
@Suite struct PostgresConnectionSettingsTests {
    @Test func theURLsPartsPercentDecodedAndThePasswordNeverInTheLocation() throws {
        let s = try PostgresConnectionSettings(url: "postgresql://us%40er:p%3Ass@db.example.org:6543/my%20db?sslmode=require&pool_size=9&statement_timeout=0",
                                               environment: ["PGPASSWORD": "from-env"])
        #expect(s.user == "us@er" && s.password == "p:ss" && s.host == "db.example.org" && s.port == 6543 && s.database == "my db")
        #expect(s.tls == .require && s.poolSize == 9 && s.statementTimeoutMilliseconds == 0)
        #expect(s.location == "postgresql://us@er@db.example.org:6543/my db" && !s.location.contains("p:ss"))
    }

    @Test func defaultsAndTheEnvironment() throws {
        let s = try PostgresConnectionSettings(url: "postgres://db.example.org", environment: ["PGUSER": "analyst", "PGPASSWORD": "pw", "PGDATABASE": "maps"])
        #expect(s.user == "analyst" && s.password == "pw" && s.database == "maps" && s.port == 5432)
        #expect(s.tls == .prefer && s.poolSize == 4 && s.statementTimeoutMilliseconds == 60_000)
        let named = try PostgresConnectionSettings(url: "postgresql://me@h/db", environment: ["PGDATABASE": "other"])
        #expect(named.database == "db" && named.password == nil)
    }

    @Test func aSocketFolderOrAnIPv6Host() throws {
        let socket = try PostgresConnectionSettings(url: "postgresql://me@/db?host=/run/pg&port=5433", environment: [:])
        #expect(socket.host == nil && socket.socketFolder == "/run/pg" && socket.port == 5433)
        #expect(socket.location == "postgresql://me@:5433/db?host=/run/pg")
        let v6 = try PostgresConnectionSettings(url: "postgresql://me@[::1]:5432/db", environment: [:])
        #expect(v6.host == "::1" && v6.location == "postgresql://me@[::1]:5432/db")
    }

    @Test func whatItDoesNotKnowIsRefused() {
        for url in ["mysql://me@h/db", "postgresql://me@h/db?sslmode=on", "postgresql://me@h/db?pool_size=257",
                    "postgresql://me@h/db?statement_timeout=-1", "postgresql://me@h/db?sslrootcert=/no/such.pem", "postgresql://me@h/a%2Fb"] {
            #expect(throws: PostgresConnectionSettings.Invalid.self, "\(url)") { try PostgresConnectionSettings(url: url, environment: [:]) }
        }
    }
}
