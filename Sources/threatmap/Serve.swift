import ArgumentParser
import Foundation
import Logging
import ThreatMapCore
import ThreatService
import ThreatStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the map over HTTP: a viewer, GeoJSON layers, vector tiles, and an alert API.",
        discussion: """
            Endpoints (described in full at /openapi.json): / (the map viewer), /layers, /layers/{name}?as_of=&bbox=, \
            /tiles/{z}/{x}/{y}.mvt?as_of=, /tiles.json, /style.json, /alerts, /alerts/{id}, /healthz, /metrics (Prometheus), /archives/NAME/tiles.json and its tiles (the archives of --tiles); OGC API - Features \
            (/ asked for as JSON, /conformance, /collections/{id}/items?bbox=&datetime=&limit=&offset=, /queryables: \
            QGIS and GDAL's OAPIF driver add the layers as they would any WFS 3); and, with the \
            bearer token from THREATMAP_TOKEN or from THREATMAP_TOKEN_FILE (one NAME TOKEN a line; each write is logged and stored with its writer's name), POST /alerts (any format ingest reads) and DELETE /alerts/{id}. \
            Without either every write is refused.

            Tiles are made on demand from the store, as export tiles makes them, cached (gzip-compressed once, \
            with a strong ETag) and, after a write, made again only where the change reaches. as_of takes a day \
            (its end, UTC) or an RFC 3339 time with a zone; without it the map is live (remade every 5 minutes and on writes).

            Clients: at most --max-connections at once (more wait to be accepted); a connection with no request \
            in progress, or whose request head has not arrived, is closed after --idle-seconds; a POST body must \
            arrive within --body-seconds (else 408) and be read within --read-seconds (else 422, nothing stored).

            One log line per request on standard error. SIGTERM or SIGINT stops accepting, lets requests in flight \
            finish, and closes the store.
            """
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "The highest zoom of the tile pyramid.")
    var maxzoom = 12

    @Option(name: .customLong("maplibre-url"), help: ArgumentHelp("Where the viewer loads MapLibre GL JS from (its CSS beside it, .js → .css).", valueName: "url"))
    var maplibreURL = ViewerSettings().maplibreURL

    @Option(name: .customLong("tiles"), help: ArgumentHelp("A tile set exported earlier (PMTiles, MBTiles or a z/x/y.mvt folder) to serve beside the live map at /archives/NAME/tiles.json and /archives/NAME/tiles/{z}/{x}/{y}.mvt, NAME its file name without extension; repeat for several.", valueName: "file"))
    var tiles: [String] = []

    @Option(name: .customLong("glyphs-url"), help: ArgumentHelp("A font server for the style's text labels ({fontstack}/{range}.pbf); without one the viewer draws labels itself.", valueName: "url"))
    var glyphsURL: String?

    @Option(name: .customLong("max-body-mb"), help: "The largest POST body accepted, in MB.")
    var maxBodyMB = 16

    @Option(name: .customLong("body-seconds"), help: "How long a POST body may take to arrive before it is answered 408.")
    var bodySeconds: Double = ServiceSettings().bodySeconds

    @Option(name: .customLong("read-seconds"), help: "How long reading one POSTed document may take before it is answered 422, with nothing stored.")
    var readSeconds: Double = ServiceSettings().readSeconds

    @Option(name: .customLong("idle-seconds"), help: "A connection with no request in progress (or still sending its request head) is closed after this.")
    var idleSeconds: Double = ServiceSettings().idleSeconds

    @Option(name: .customLong("max-connections"), help: "The most client connections open at once; more wait to be accepted (capped below the open-file limit).")
    var maxConnections = ServiceSettings().maxConnections

    @Option(name: .customLong("tolerance-km"), help: "A point this close outside Mali as our boundary draws it goes to the nearest region.")
    var toleranceKilometres: Double = 5

    @OptionGroup var levelOptions: LevelOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var geodata: GeoDataOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...16).contains(maxzoom) else { throw ValidationError("--maxzoom must be between 0 and 16") }
        guard maxBodyMB > 0 else { throw ValidationError("--max-body-mb must be positive") }
        for (name, value) in [("--body-seconds", bodySeconds), ("--read-seconds", readSeconds), ("--idle-seconds", idleSeconds)] {
            guard value > 0, value <= 86_400 else { throw ValidationError("\(name) must be between 0 and 86400 seconds") }
        }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard toleranceKilometres >= 0, toleranceKilometres <= 100 else { throw ValidationError("--tolerance-km must be between 0 and 100") }
    }

    func run() async throws {
        // The archives first: a missing or damaged one stops serve before it listens.
        var archives: [ServedArchive] = []
        for path in tiles {
            let a: ServedArchive
            do { a = try ServedArchive(path: path) } catch { throw ValidationError("--tiles \(path): \(error)") }
            if archives.contains(where: { $0.name == a.name }) { throw ValidationError("--tiles: two archives named \(a.name); rename one") }
            archives.append(a)
            note("archive \(a.name): \(path), zooms \(a.reader.info.minZoom)-\(a.reader.info.maxZoom)\(a.reader.info.asOf.map { ", as of \($0)" } ?? "")")
        }
        let store = try storeOptions.open()
        var settings = ServiceSettings()
        settings.maxZoom = maxzoom
        settings.levels = levelOptions.levels
        settings.windowDays = levelOptions.window
        settings.maxBodyBytes = maxBodyMB * 1024 * 1024
        settings.bodySeconds = bodySeconds
        settings.readSeconds = readSeconds
        settings.idleSeconds = idleSeconds
        settings.maxConnections = OpenFiles.connectionCap(maxConnections)
        if settings.maxConnections < maxConnections {
            note("--max-connections \(maxConnections) is above what the open-file limit allows: \(settings.maxConnections) at once")
        }
        let environment = ProcessInfo.processInfo.environment
        do {
            if let token = environment["THREATMAP_TOKEN"], !token.isEmpty { try settings.writers.add(name: "THREATMAP_TOKEN", token: token) }
            if let file = environment["THREATMAP_TOKEN_FILE"], !file.isEmpty { try settings.writers.load(file: file) }
        } catch {
            throw ValidationError("writer tokens: \(error)")
        }
        let service = try MapService(store: store, geodata: try geodata.folder(), toleranceKilometres: toleranceKilometres, settings: settings)
        // On PostgreSQL, other servers' and batch ingests' writes change this one's maps too.
        service.followStore()
        if store is any SharedThreatStore {
            note("following the store's changes: other servers' and batch ingests' writes update this server's maps")
        }
        var viewer = ViewerSettings()
        viewer.maplibreURL = maplibreURL
        viewer.glyphsURL = glyphsURL
        var logger = Logger(label: "threatmap") { SinkLogHandler(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if settings.writers.isEmpty {
            note("neither THREATMAP_TOKEN nor THREATMAP_TOKEN_FILE is set: writes (POST, DELETE) are refused")
        } else {
            note("writers: \(settings.writers.names.joined(separator: ", "))")
        }
        let host = self.host
        try await runServer(ThreatRoutes(service: service, viewer: viewer, archives: archives), host: host, port: port, logger: logger) { bound in
            FileHandle.standardOutput.write(Data("ThreatMap viewer: http://\(host):\(bound)/  (store \(store.location))\n".utf8))
        }
        LogSink.standardError.flush()
        service.stopFollowing()
        try store.close()
        note("stopped; store closed")
    }
}

/// The open-file limit a server's connections live under.
enum OpenFiles {
    /// Files kept for the store, archives and logs beside the connections.
    static let reserve = 64

    /// `wanted` connections, or as many as the open-file limit leaves room for after raising
    /// its soft value to the hard one (as nginx's `worker_rlimit_nofile` does).
    static func connectionCap(_ wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur != rlim_t.max else { return wanted }
        return max(1, min(wanted, Int(clamping: limit.rlim_cur) - reserve))
    }
}
