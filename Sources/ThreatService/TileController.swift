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

/// GET /tiles/{z}/{x}/{y}.mvt: vector tiles made on demand and cached, with gzip, ETags and 304s;
/// GET /basemap.json and /basemap/{z}/{x}/{y}.mvt: the map around Mali, the same for every date.
struct TileController: Sendable {
    let routes: ThreatRoutes
    var service: MapService { routes.service }

    /// The live tiles' route, as the router names it in metrics.
    static let tileRoute = "/tiles/{z}/{x}/{y}"

    func add<Sink: RouteSink>(to router: inout Sink) {
        router.get("/tiles/:z/:x/:y") { request, context in try await self.tile(request, context) }
        router.get("/basemap.json") { request, _ in try self.basemapTileJSON(request) }
        router.get("/basemap/:z/:x/:y") { request, context in try await self.basemapTile(request, context) }
    }

    func basemapTiles() throws -> BasemapTiles {
        guard let b = service.basemap else { throw APIError(.notFound, "this GeoData folder has no basemap") }
        return b
    }

    func basemapTileJSON(_ request: Request) throws -> Response {
        let b = try basemapTiles()
        return jsonResponse(Basemap.tileJSON(b.source, tileURL: routes.origin(request) + "/basemap/{z}/{x}/{y}.mvt",
                                             minZoom: service.settings.minZoom, maxZoom: service.settings.maxZoom))
    }

    func basemapTile(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let t = try address(context, prefix: "/basemap")
        let b = try basemapTiles()
        let (served, cached) = try await offload { try b.tile(t) }
        service.metrics.tile(cached: cached)
        return Self.respond(served, cached: cached, request: request)
    }

    /// The tile a `{prefix}/{z}/{x}/{y}.mvt` path names, within the served zooms.
    func address(_ context: some RequestContext, prefix: String) throws -> TileAddress {
        let zs = context.parameters.get("z") ?? "", xs = context.parameters.get("x") ?? "", ys = context.parameters.get("y") ?? ""
        guard ys.hasSuffix(".mvt"), let z = Int(zs), let x = Int(xs), let y = Int(ys.dropLast(4)) else {
            throw APIError(.badRequest, "a tile path is \(prefix)/{z}/{x}/{y}.mvt with whole numbers, not \(prefix)/\(zs)/\(xs)/\(ys)")
        }
        let t = TileAddress(z: z, x: x, y: y)
        let zooms = service.settings.minZoom...service.settings.maxZoom
        guard zooms.contains(z), z <= 30, t.isValid else {
            throw APIError(.notFound, "tile \(z)/\(x)/\(y) is outside the pyramid (zooms \(zooms.lowerBound)-\(zooms.upperBound), 0 <= x, y < 2^z)")
        }
        return t
    }

    /// Caches may keep a tile but must revalidate it (a 304 costs little): a write can change it
    /// at any moment, and a threat map must not show a stale level.
    static let tileHeaders: HTTPFields = [
        .contentType: "application/vnd.mapbox-vector-tile", .vary: "Accept-Encoding", .cacheControl: "public, no-cache",
    ]

    func tile(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let t = try address(context, prefix: "/tiles")
        let m = try routes.moment(request)
        let served: ServedTile?, cached: Bool
        if let known = service.cachedTile(t, moment: m) {
            (served, cached) = (known, true)
        } else {
            (served, cached) = try await offload { try self.service.tile(t, moment: m) }
        }
        service.metrics.tile(cached: cached)
        return Self.respond(served, cached: cached, request: request)
    }

    /// A tile's answer, for live and archived tiles alike: 204 when empty, gzip when accepted,
    /// the form's ETag, 304 when it matches.
    static func respond(_ served: ServedTile?, cached: Bool, request: Request) -> Response {
        var headers = Self.tileHeaders
        headers[.cacheStatus] = cached ? "hit" : "miss"
        guard let served else { return Response(status: .noContent, headers: headers) }
        let gzip = request.headers[.acceptEncoding].map(Self.acceptsGzip) ?? false
        let etag = gzip ? served.gzipETag : served.etag
        headers[.eTag] = etag
        if let match = request.headers[.ifNoneMatch], Self.matches(match, etag) {
            return Response(status: .notModified, headers: headers)
        }
        if gzip { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: gzip ? served.gzip : served.bytes))
    }

    /// Whether an Accept-Encoding header allows gzip (named, or `*`, without q=0).
    static func acceptsGzip(_ header: String) -> Bool {
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }

    /// If-None-Match: `*` or a list of tags (weak ones compared weakly, as RFC 9110 says for it).
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { item in
            let tag = item.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
