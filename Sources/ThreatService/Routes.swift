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

extension HTTPField.Name {
    /// The request's id, as the log line names it.
    static let requestID = HTTPField.Name("X-Request-ID")!
    /// Whether a tile came from the cache (`hit`) or was made for this request (`miss`).
    static let cacheStatus = HTTPField.Name("X-Cache")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let filename = HTTPField.Name("X-Filename")!
}

/// An error answered as JSON: `{"error": {"status": 404, "message": "..."}}`.
public struct APIError: HTTPResponseError {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse(.object(["error": .object(["status": .int(status.code), "message": .string(message)])]), status: status)
    }
}

func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
    var w = JSONWriter()
    w.value(value)
    return bytesResponse(w.bytes, status: status, contentType: contentType)
}

func bytesResponse(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String) -> Response {
    Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
}

/// Turns every error into a response in the JSON error shape: ours as they are, Hummingbird's
/// (unknown route, body too large) with their status, anything else as a 500 whose detail goes
/// to the log only. Errors become responses here, so that the middleware outside sees them.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let error: APIError
        do {
            return try await next(request, context)
        } catch let e as APIError {
            error = e
        } catch let e as HTTPError {
            error = APIError(e.status, e.body ?? e.status.reasonPhrase)
        } catch let e as any HTTPResponseError {
            error = APIError(e.status, e.status.reasonPhrase)
        } catch let other {
            context.logger.error("internal error: \(other)")
            error = APIError(.internalServerError, "internal error")
        }
        return try error.response(from: request, context: context)
    }
}

/// CORS for a public read API: any origin, on every response (not only preflights), exposing the
/// headers a client needs to revalidate and follow writes; preflight requests answered here.
struct CORSHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: "*", .accessControlAllowMethods: "GET, POST, DELETE, OPTIONS",
                .accessControlAllowHeaders: "Authorization, Content-Type, If-None-Match, Accept-Encoding",
                .accessControlMaxAge: "86400",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = "ETag, Location, X-Request-ID, X-Cache"
        return response
    }
}

/// One log line per request: method, path, status and duration, with the request's id (the
/// logger's `hb.request.id`, also sent back as `X-Request-ID`).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let d = ContinuousClock.now - start
            let hundredths = Int(d.components.seconds) * 100_000 + Int(d.components.attoseconds / 10_000_000_000_000)
            let fraction = hundredths % 100
            // Plain concatenation: interpolating the method or String(format:) costs more than the
            // rest of a cached tile's request.
            context.logger.info(Logger.Message(stringLiteral: request.method.rawValue + " " + request.uri.path + " " + String(status.code) + " "
                + String(hundredths / 100) + (fraction < 10 ? ".0" : ".") + String(fraction) + " ms"))
        }
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        log(response.status)
        return response
    }
}

/// The HTTP routes of `threatmap serve` over a `MapService`.
public struct ThreatRoutes: Sendable {
    public let service: MapService
    public let viewer: ViewerSettings
    let moments = MomentCache()

    public init(service: MapService, viewer: ViewerSettings = ViewerSettings()) {
        self.service = service
        self.viewer = viewer
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: CORSHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { request, _ in self.viewerPage(request) }
        router.get("/healthz") { _, _ in try self.health() }
        router.get("/openapi.json") { _, _ in bytesResponse(Array(OpenAPIDocument.text.utf8), contentType: "application/json") }
        router.get("/layers") { request, _ in try await self.layerList(request) }
        router.get("/layers/:name") { request, context in try await self.layer(request, context) }
        router.get("/tiles.json") { request, _ in try await self.tileJSON(request) }
        router.get("/style.json") { request, _ in try self.style(request) }
        router.get("/tiles/:z/:x/:y") { request, context in try await self.tile(request, context) }
        router.get("/alerts") { _, _ in try self.alertList() }
        router.get("/alerts/:id") { _, context in try self.alert(context) }
        router.post("/alerts") { request, context in try await self.postAlert(request, context) }
        router.delete("/alerts/:id") { request, context in try await self.deleteAlert(request, context) }
        return router
    }

    // MARK: Reading

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

    func health() throws -> Response {
        let c = try service.store.counts()
        return jsonResponse(["status": "ok", "documents": .int(c.documents), "alerts": .int(c.alerts), "incidents": .int(c.incidents),
                             "cached_tiles": .int(service.cachedTileCount)])
    }

    func content(_ request: Request) async throws -> MapContent {
        try await map(request).content
    }

    func map(_ request: Request) async throws -> TiledMap {
        let m = try moment(request)
        return try await offload { try self.service.map(m) }
    }

    func layerList(_ request: Request) async throws -> Response {
        let map = try await map(request)
        let content = map.content
        let tilejson = map.tileJSON(tileURL: "", minZoom: service.settings.minZoom, maxZoom: service.settings.maxZoom)
        let layers: [JSONValue] = (tilejson.objectValue?["vector_layers"]?.arrayValue ?? []).map { l in
            let name = l.objectValue?["id"]?.stringValue ?? ""
            let geometry = name == "incidents" || name == "labels" ? "Point" : "Polygon"
            return .object([
                "name": .string(name), "description": l.objectValue?["description"] ?? .null, "geometry": .string(geometry),
                "features": .int(LayerName(rawValue: name).flatMap { content.layers[$0]?.features.count } ?? 0),
                "fields": l.objectValue?["fields"] ?? .object([:]),
                "href": .string("/layers/\(name)"),
            ])
        }
        return jsonResponse(["as_of": .string(UTCDate.format(content.moment)), "layers": .array(layers)])
    }

    func layer(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let raw = context.parameters.get("name") ?? ""
        guard let name = LayerName(rawValue: raw) else {
            throw APIError(.notFound, "no layer \"\(raw)\"; the layers are \(LayerName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let content = try await content(request)
        var fc = content.layers[name] ?? FeatureCollection()
        if let text = request.uri.queryParameters.get("bbox") {
            let box = try Self.bbox(text)
            fc.features = fc.features.filter { f in
                guard let b = f.geometry?.boundingBox else { return false }
                return b.minX <= box.maxX && b.maxX >= box.minX && b.minY <= box.maxY && b.maxY >= box.minY
            }
        }
        return bytesResponse(GeoJSONWriter(name: name.rawValue).write(fc), contentType: "application/geo+json")
    }

    /// `west,south,east,north` in degrees.
    static func bbox(_ text: String) throws -> BoundingBox {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let w = parts[0], let s = parts[1], let e = parts[2], let n = parts[3] else {
            throw APIError(.badRequest, "bbox: \"\(text)\" is not west,south,east,north in degrees")
        }
        guard (-180...180).contains(w), (-180...180).contains(e), (-90...90).contains(s), (-90...90).contains(n), w <= e, s <= n else {
            throw APIError(.badRequest, "bbox: \"\(text)\" is out of range or inverted (want west <= east, south <= north, in degrees)")
        }
        return BoundingBox(minX: w, minY: s, maxX: e, maxY: n)
    }

    func tileJSON(_ request: Request) async throws -> Response {
        let m = try moment(request)
        let map = try await map(request)
        let url = origin(request) + "/tiles/{z}/{x}/{y}.mvt" + asOfQuery(m)
        return jsonResponse(map.tileJSON(tileURL: url, minZoom: service.settings.minZoom, maxZoom: service.settings.maxZoom))
    }

    func style(_ request: Request) throws -> Response {
        let m = try moment(request)
        let style = MapStyle.document(tileJSONURL: origin(request) + "/tiles.json" + asOfQuery(m), glyphs: viewer.glyphsURL)
        return jsonResponse(style)
    }

    /// Caches may keep a tile but must revalidate it (a 304 costs little): a write can change it
    /// at any moment, and a threat map must not show a stale level.
    static let tileHeaders: HTTPFields = [
        .contentType: "application/vnd.mapbox-vector-tile", .vary: "Accept-Encoding", .cacheControl: "public, no-cache",
    ]

    func tile(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let zs = context.parameters.get("z") ?? "", xs = context.parameters.get("x") ?? "", ys = context.parameters.get("y") ?? ""
        guard ys.hasSuffix(".mvt"), let z = Int(zs), let x = Int(xs), let y = Int(ys.dropLast(4)) else {
            throw APIError(.badRequest, "a tile path is /tiles/{z}/{x}/{y}.mvt with whole numbers, not /tiles/\(zs)/\(xs)/\(ys)")
        }
        let t = TileAddress(z: z, x: x, y: y)
        let zooms = service.settings.minZoom...service.settings.maxZoom
        guard zooms.contains(z), z <= 30, t.isValid else {
            throw APIError(.notFound, "tile \(z)/\(x)/\(y) is outside the pyramid (zooms \(zooms.lowerBound)-\(zooms.upperBound), 0 <= x, y < 2^z)")
        }
        let m = try moment(request)
        let served: ServedTile?, cached: Bool
        if let known = service.cachedTile(t, moment: m) {
            (served, cached) = (known, true)
        } else {
            (served, cached) = try await offload { try self.service.tile(t, moment: m) }
        }
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

    func alertJSON(_ record: ThreatStore.AlertRecord, documents: [Int64: StoredDocument]) -> JSONValue {
        guard case .object(var o) = AlertOutput.json(record.alert) else { return .null }
        o["state"] = .string(record.state.rawValue)
        o["ended_by"] = record.endedBy.map { .string($0) } ?? .null
        if let d = documents[record.documentID] {
            o["provenance"] = .object([
                "document_id": .int(Int(d.id)), "name": .string(d.name), "format": .string(d.format.rawValue),
                "sha256": .string(d.sha256), "received_at": .string(d.receivedAt),
            ])
        }
        return .object(o)
    }

    func documentsByID() throws -> [Int64: StoredDocument] {
        Dictionary(try service.store.documents(withBytes: false).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func alertList() throws -> Response {
        let records = try service.store.alerts()
        let docs = try documentsByID()
        return jsonResponse(["alerts": .array(records.map { alertJSON($0, documents: docs) })])
    }

    func alert(_ context: some RequestContext) throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let record = try service.store.alert(id) else { throw APIError(.notFound, "no alert \"\(id)\"") }
        return jsonResponse(alertJSON(record, documents: try documentsByID()))
    }

    // MARK: Writing

    /// Checks the bearer token in constant time (both sides hashed first, so that neither their
    /// lengths nor their bytes show in the timing).
    func authorize(_ request: Request) throws {
        guard let token = service.settings.token, !token.isEmpty else {
            throw APIError(.forbidden, "writes are disabled: the server has no token (set THREATMAP_TOKEN)")
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "a write needs the header Authorization: Bearer <token>")
        }
        let given = SHA256.digest(Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8))
        let wanted = SHA256.digest(Array(token.utf8))
        var diff: UInt8 = 0
        for i in 0..<wanted.count { diff |= given[i] ^ wanted[i] }
        guard diff == 0 else { throw APIError(.forbidden, "the bearer token is not the server's") }
    }

    /// The format a Content-Type names, or nil to detect it from the bytes.
    static func format(contentType: String?) -> AlertFormat? {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        switch type {
        case "text/plain": return .text
        case "application/json", "application/alert+json": return .json
        case "application/cap+xml", "application/xml", "text/xml": return .cap
        case "text/csv": return .csv
        default: return nil
        }
    }

    func postAlert(_ request: Request, _ context: some RequestContext) async throws -> Response {
        try authorize(request)
        let limit = service.settings.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "the body is \(length) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, "the body is over the limit of \(limit) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw APIError(.badRequest, "the body is empty: send an advisory, a JSON or CAP alert, or an event CSV") }
        let format = Self.format(contentType: request.headers[.contentType])
        let name = request.headers[.filename] ?? "POST /alerts"
        let outcome: WriteOutcome
        do {
            outcome = try await offload { try self.service.ingest(bytes, name: name, format: format) }
        } catch let e as IntakeError {
            throw APIError(.badRequest, "\(format.map { "\($0.rawValue): " } ?? "")\(e)")
        }
        var body = writeJSON(outcome)
        body["unchanged"] = .bool(outcome.report.unchanged)
        var response = jsonResponse(.object(body), status: outcome.report.unchanged ? .ok : .created)
        if let first = outcome.report.alerts.first {
            response.headers[.location] = "/alerts/\(first.alert.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? first.alert.id)"
        }
        return response
    }

    func deleteAlert(_ request: Request, _ context: some RequestContext) async throws -> Response {
        try authorize(request)
        let id = context.parameters.get("id") ?? ""
        do {
            return jsonResponse(.object(writeJSON(try await offload { try self.service.cancel(id) })))
        } catch let e as IntakeError {
            switch e {
            case .unknownAlert: throw APIError(.notFound, e.description)
            case .notActive: throw APIError(.conflict, e.description)
            default: throw APIError(.badRequest, e.description)
            }
        }
    }

    /// What a write did, as the API answers it.
    func writeJSON(_ o: WriteOutcome) -> JSONObject {
        [
            "document": .object([
                "id": .int(Int(o.report.documentID)), "name": .string(o.document.name), "format": .string(o.document.format.rawValue),
                "sha256": .string(o.document.sha256),
            ]),
            "alerts": .array(o.report.alerts.map { stored in
                guard case .object(var a) = AlertOutput.json(stored.alert) else { return .null }
                a["state"] = .string(stored.state.rawValue)
                a["action"] = .string(stored.action.rawValue)
                return .object(a)
            }),
            "incidents": .int(o.report.incidents),
            "ended": .array(o.report.ended.map { .string($0) }),
            "tiles_invalidated": .int(o.tilesInvalidated),
        ]
    }

    func viewerPage(_ request: Request) -> Response {
        bytesResponse(Array(ViewerPage.html(maplibreURL: viewer.maplibreURL, maplibreCSSURL: viewer.cssURL).utf8), contentType: "text/html; charset=utf-8")
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

/// Runs blocking work (the store, GEOS) off the server's event loops.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
