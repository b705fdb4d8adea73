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
    mutating func get(_ path: String, _ handler: @escaping Handler) { add(.get, path, handler) }
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

    /// The methods `path` answers (HEAD wherever GET is), or nil for an unknown path.
    func methods(_ path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/")
        let found = routes.filter { r in
            r.segments.count == parts.count && zip(r.segments, parts).allSatisfy { $0.first == ":" || $0 == $1 }
        }.flatMap(\.methods)
        guard !found.isEmpty else { return nil }
        return found + (found.contains(.get) ? [.head] : []) + [.options]
    }
}

/// A method a known path does not answer gets 405 with `Allow`; OPTIONS without a preflight gets
/// the methods. (HEAD is routed as GET before the router: `HeadResponder`.)
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
