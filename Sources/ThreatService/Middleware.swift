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
    /// Whether the connection is closed once the answer is sent (`Connection: close`), as it is
    /// when the rest of the request's body is left unread.
    public var closing: Bool

    public init(_ status: HTTPResponse.Status, _ message: String, closing: Bool = false) {
        self.status = status
        self.message = message
        self.closing = closing
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = jsonResponse(.object(["error": .object(["status": .int(status.code), "message": .string(message)])]), status: status)
        if closing { response.headers[.connection] = "close" }
        return response
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
/// (unknown route, body too large) with their status, a store out of reach as a 503, anything else as a 500 whose detail goes
/// to the log only. Errors become responses here, so that the middleware outside sees them.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

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
        } catch let e as StoreError {
            // Out of reach (a stopped or restarting database, a write waiting too long for
            // another): the detail goes to the log; the client is told to come back.
            metrics.failed(e)
            context.logger.error("store: \(e)")
            error = APIError(.serviceUnavailable, "the store cannot answer now; try again shortly")
        } catch let other {
            metrics.failed(other)
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
        response.headers[.accessControlAllowOrigin] = Self.allowOrigin
        response.headers[.accessControlExposeHeaders] = Self.exposeHeaders
        return response
    }

    static var allowOrigin: String { "*" }
    static var exposeHeaders: String { "ETag, Location, X-Request-ID, X-Cache" }
}

/// One log line per request: method, path, status and duration, with the request's id (the
/// logger's `hb.request.id`, also sent back as `X-Request-ID`); and the request counted in the
/// metrics by its route template.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        Self.log(context.logger, method: request.method.rawValue, path: request.uri.path[...], status: response.status, since: start)
        metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
                        duration: ContinuousClock.now - start)
        return response
    }
}

extension RequestLogMiddleware {
    /// The request's line: `GET /tiles/5/15/14.mvt 200 0.05 ms`.
    /// `metadata` goes with the line (the fast path's request id; the router's logger has it).
    static func log(_ logger: Logger, method: String, path: Substring, status: HTTPResponse.Status, since start: ContinuousClock.Instant,
                    metadata: @autoclosure () -> Logger.Metadata? = nil) {
        let d = ContinuousClock.now - start
        let hundredths = Int(d.components.seconds) * 100_000 + Int(d.components.attoseconds / 10_000_000_000_000)
        let fraction = hundredths % 100
        // Plain concatenation: interpolating the method or String(format:) costs more than the
        // rest of a cached tile's request.
        logger.info(Logger.Message(stringLiteral: method + " " + path + " " + String(status.code) + " "
            + String(hundredths / 100) + (fraction < 10 ? ".0" : ".") + String(fraction) + " ms"), metadata: metadata())
    }
}

/// Runs blocking work (the store, GEOS) off the server's event loops.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Where the controllers put their routes: the router, or `KnownRoutes`, which only records
/// them. The same `add(to:)` fills both, so the table of methods cannot drift from the routes.
protocol RouteSink {
    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response
    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler)
}

extension RouteSink {
    /// A GET route, and HEAD on the same path (`HeadMiddleware` drops the body).
    mutating func get(_ path: String, _ handler: @escaping Handler) {
        add(.get, path, handler)
        add(.head, path, handler)
    }
    mutating func post(_ path: String, _ handler: @escaping Handler) { add(.post, path, handler) }
    mutating func delete(_ path: String, _ handler: @escaping Handler) { add(.delete, path, handler) }
}

extension Router: RouteSink where Context == BasicRequestContext {
    func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        on(RouterPath(path), method: method, use: handler)
    }
}

/// The paths we serve and the methods each answers, for `405 Method Not Allowed` with its `Allow`
/// header (RFC 9110 section 15.5.6): a wrong method on a known path is not a missing resource.
struct KnownRoutes: RouteSink, Sendable {
    var routes: [(segments: [Substring], methods: [HTTPRequest.Method])] = []

    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        let segments = path.split(separator: "/")
        if let i = routes.firstIndex(where: { $0.segments == segments }) {
            routes[i].methods.append(method)
        } else {
            routes.append((segments, [method]))
        }
    }

    /// The methods `path` answers (HEAD last, then OPTIONS), or nil for an unknown path.
    func methods(_ path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/")
        let found = routes.filter { r in
            r.segments.count == parts.count && zip(r.segments, parts).allSatisfy { $0.first == ":" || $0 == $1 }
        }.flatMap(\.methods)
        guard !found.isEmpty else { return nil }
        return found.filter { $0 != .head } + (found.contains(.head) ? [.head] : []) + [.options]
    }
}

/// A method a known path does not answer gets 405 with `Allow`; OPTIONS without a preflight gets
/// the methods.
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    let known: KnownRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            guard let allowed = known.methods(request.uri.path) else { throw e }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            if request.method == .options { return Response(status: .noContent, headers: [.allow: allow]) }
            var response = try APIError(.methodNotAllowed, "\(request.method.rawValue) is not answered at \(request.uri.path); it takes \(allow)")
                .response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
    }
}

/// HEAD on every GET route, as GDAL's /vsicurl/, QGIS and caches send before they GET: each GET
/// route is also a HEAD route (`RouteSink.get`), answered here with the GET's status and headers,
/// Content-Length included, without the body.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard request.method == .head else { return response }
        var headers = response.headers
        if headers[.contentLength] == nil, let length = response.body.contentLength { headers[.contentLength] = String(length) }
        return Response(status: response.status, headers: headers, body: ResponseBody())
    }
}

/// Byte ranges on every GET (RFC 9110 section 14), as GDAL's /vsicurl/ reads a file by URL:
/// `Accept-Ranges: bytes` on each whole answer; one range (`bytes=a-b`, `a-`, `-n`) answered
/// `206` with its `Content-Range`, one past the end `416`; several ranges, or an `If-Range`
/// that is not the answer's ETag, get the whole answer. Ranges apply to the body as sent
/// (gzip-compressed when so negotiated, under that form's ETag).
struct RangeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method == .get || request.method == .head, response.status == .ok, let length = response.body.contentLength else { return response }
        response.headers[.acceptRanges] = "bytes"
        guard request.method == .get, let header = request.headers[.range] else { return response }
        if let condition = request.headers[.ifRange], condition != response.headers[.eTag] { return response }
        switch Self.range(header, length: length) {
        case .whole:
            return response
        case .unsatisfiable:
            // Our error answer, with the whole answer's other headers (CORS, Vary) and its length.
            let error = try APIError(.rangeNotSatisfiable, "the range \(header) is outside the \(length) bytes of this answer")
                .response(from: request, context: context)
            var headers = response.headers
            headers[.contentRange] = "bytes */\(length)"
            headers[.contentLength] = nil
            headers[.contentEncoding] = nil
            headers[.contentType] = error.headers[.contentType]
            return Response(status: error.status, headers: headers, body: error.body)
        case .part(let part):
            let collector = Collector()
            try await response.body.write(collector)
            guard let slice = collector.buffer.getSlice(at: collector.buffer.readerIndex + part.lowerBound, length: part.count) else { return response }
            var headers = response.headers
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(length)"
            headers[.contentLength] = String(part.count)
            return Response(status: .partialContent, headers: headers, body: ResponseBody(byteBuffer: slice))
        }
    }

    enum Answer: Equatable {
        case whole, unsatisfiable
        case part(Range<Int>)
    }

    /// What a Range header asks of a body of `length` bytes.
    static func range(_ header: String, length: Int) -> Answer {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int? { s.count <= 18 && !s.isEmpty && s.allSatisfy({ $0.isASCII && $0.isNumber }) ? Int(s) : nil }
        if first.isEmpty {
            guard let n = number(last) else { return .whole }
            guard n > 0, length > 0 else { return .unsatisfiable }
            return .part(max(0, length - n)..<length)
        }
        guard let start = number(first) else { return .whole }
        let end: Int
        if last.isEmpty {
            end = length - 1
        } else {
            guard let e = number(last), e >= start else { return .whole }
            end = min(e, length - 1)
        }
        guard start < length else { return .unsatisfiable }
        return .part(start..<(end + 1))
    }
}

/// Gathers a response body's bytes, for answering part of it.
final class Collector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
