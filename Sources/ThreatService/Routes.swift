import AlertIngest
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ThreatLayers
import ThreatMapCore
import ThreatModel
import ThreatStore
import VectorTiles

/// How the service presents itself: where the viewer loads MapLibre from, and the glyphs its
/// style names (none: labels are drawn by the viewer, not by the style).
public struct ViewerSettings: Sendable {
    public var maplibreURL = "https://unpkg.com/maplibre-gl@5.3.0/dist/maplibre-gl.js"
    public var maplibreCSSURL: String?
    public var glyphsURL: String?

    public init() {}

    /// The stylesheet beside the script unless said otherwise (…/maplibre-gl.js → …/maplibre-gl.css).
    var cssURL: String {
        maplibreCSSURL ?? (maplibreURL.hasSuffix(".js") ? String(maplibreURL.dropLast(3)) + ".css" : maplibreURL + ".css")
    }
}

/// The HTTP routes of `threatmap serve` over a `MapService`: one controller per group of
/// endpoints (layers, tiles, alerts, the viewer with its style and API document), each adding its
/// routes to the router, behind the middleware (request log, CORS, JSON errors).
public struct ThreatRoutes: Sendable {
    public let service: MapService
    public let viewer: ViewerSettings
    /// Tile sets exported earlier, served beside the live map (`serve --tiles`).
    public let archives: [ServedArchive]
    let moments = MomentCache()

    public init(service: MapService, viewer: ViewerSettings = ViewerSettings(), archives: [ServedArchive] = []) {
        self.service = service
        self.viewer = viewer
        self.archives = archives
    }

    public func router() -> Router<BasicRequestContext> {
        // Middleware goes on before the routes; the table of methods it needs is the routes'
        // own, recorded by a first pass.
        var known = KnownRoutes()
        addRoutes(to: &known)
        var router = Router()
        router.add(middleware: RequestLogMiddleware(metrics: service.metrics))
        router.add(middleware: HeadMiddleware())
        router.add(middleware: RangeMiddleware())
        router.add(middleware: CORSHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware(metrics: service.metrics))
        router.add(middleware: MethodMiddleware(known: known))
        addRoutes(to: &router)
        return router
    }

    func addRoutes<Sink: RouteSink>(to sink: inout Sink) {
        ViewerController(routes: self).add(to: &sink)
        LayerController(routes: self).add(to: &sink)
        FeaturesController(routes: self).add(to: &sink)
        TileController(routes: self).add(to: &sink)
        ArchiveController(routes: self).add(to: &sink)
        AlertController(routes: self).add(to: &sink)
    }

    /// The map a request asks for, by its `as_of`. The moments of the last query strings seen are
    /// kept, since a map client sends the same one with every tile.
    func moment(_ request: Request) throws -> Moment {
        let query = request.uri.query ?? ""
        if let known = moments.get(query) { return known }
        let m: Moment
        do {
            m = try Moment(parsing: request.uri.queryParameters.get("as_of") ?? "now")
        } catch {
            throw APIError(.badRequest, "as_of: \(error)")
        }
        moments.set(query, m)
        return m
    }

    /// The scheme, host and port the client reached us by, for the absolute URLs MapLibre needs.
    func origin(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        let scheme = request.headers[.forwardedProto] ?? request.head.scheme ?? "http"
        return "\(scheme)://\(host)"
    }

    func asOfQuery(_ m: Moment) -> String {
        m.queryValue.map { "?as_of=\($0)" } ?? ""
    }

    func content(_ request: Request) async throws -> MapContent {
        try await map(request).content
    }

    func map(_ request: Request) async throws -> TiledMap {
        let m = try moment(request)
        return try await offload { try self.service.map(m) }
    }
}

/// Query strings and the moments they name, at most a few hundred (then it starts again).
/// `@unchecked Sendable`: `moments` is read and written only with `lock` held.
final class MomentCache: @unchecked Sendable {
    let lock = NSLock()
    var moments: [String: Moment] = [:]

    func get(_ query: String) -> Moment? {
        lock.lock()
        defer { lock.unlock() }
        return moments[query]
    }

    func set(_ query: String, _ moment: Moment) {
        lock.lock()
        defer { lock.unlock() }
        if moments.count >= 256 { moments.removeAll(keepingCapacity: true) }
        moments[query] = moment
    }
}

