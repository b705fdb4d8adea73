import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization
import ThreatMapCore
import VectorTiles

/// The HTTP/1.1 channel of `threatmap serve`: Hummingbird's, with `FastTileHandler` added after
/// its connection-state handler (which keeps counting every request and response, so that idle
/// and shutdown handling see the fast path's work too) and before the router.
struct FastTileChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http: HTTP1Channel
    let caches = LoopTileCaches()
    let makeHandler: @Sendable (LoopTileCache) -> FastTileHandler

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let cache = caches.cache(for: channel.eventLoop)
        return http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(makeHandler(cache), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

/// Answers `GET /tiles/{z}/{x}/{y}.mvt` for a tile already made, of a map still fresh, straight
/// from the event loop: the tile's headers are made once (`ServedTile.fields`), the body is the
/// cached buffer, and only the request id and the date are added per request. Every other
/// request, and a tile request that is not that simple (HEAD, a Range or If-None-Match header, an
/// `as_of` not seen before, a tile not yet made or empty), goes on to the router with all its
/// checks. The answer is the router's to the byte but for those two headers' values: the same
/// status, headers, ETag, gzip negotiation, CORS, log line and metrics.
///
/// A request is answered here only when the connection has no request of its own still with the
/// router, so that answers keep the order of their requests (HTTP/1.1 pipelining).
final class FastTileHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let routes: ThreatRoutes
    let logger: Logger
    let serverName: String
    let cache: LoopTileCache
    /// Requests passed on to the router whose answers have not ended yet.
    private var withRouter = 0
    /// The rest of a request answered here (its end) is not passed on.
    private var swallowing = false
    private var date = HTTPDate()

    init(routes: ThreatRoutes, logger: Logger, serverName: String, cache: LoopTileCache) {
        self.routes = routes
        self.logger = logger
        self.serverName = serverName
        self.cache = cache
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if withRouter == 0, let answer = answer(head) {
                swallowing = true
                context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
                context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            swallowing = false
            withRouter += 1
            context.fireChannelRead(data)
        case .body:
            if !swallowing { context.fireChannelRead(data) }
        case .end:
            if swallowing {
                swallowing = false
            } else {
                context.fireChannelRead(data)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { withRouter = max(0, withRouter - 1) }
        context.write(data, promise: promise)
    }

    /// The answer to a simple request for a cached tile, or nil to leave it to the router.
    func answer(_ head: HTTPRequest) -> (head: HTTPResponse, body: ByteBuffer)? {
        guard head.method == .get, let full = head.path, full.hasPrefix("/tiles/"),
              head.headerFields[.range] == nil, head.headerFields[.ifNoneMatch] == nil
        else { return nil }
        let start = ContinuousClock.now
        let path: Substring, query: Substring
        if let q = full.firstIndex(of: "?") {
            path = full[..<q]
            query = full[full.index(after: q)...]
        } else {
            (path, query) = (full[...], "")
        }
        guard let t = Self.tileAddress(path.dropFirst("/tiles/".count)),
              let tile = cache.tile(t, query: query, service: routes.service, moments: routes.moments)
        else { return nil }
        let gzip = head.headerFields[.acceptEncoding].map(TileController.acceptsGzip) ?? false
        var fields = gzip ? tile.gzipFields : tile.fields
        let id = RequestID().description
        fields[.requestID] = id
        fields[.date] = date.now()
        fields[.server] = serverName
        routes.service.metrics.fastTile()
        RequestLogMiddleware<BasicRequestContext>.log(logger, method: "GET", path: path, status: .ok, since: start,
                                                      metadata: ["hb.request.id": .string(id)])
        routes.service.metrics.request(route: TileController.tileRoute, method: "GET", status: 200, duration: ContinuousClock.now - start)
        return (HTTPResponse(status: .ok, headerFields: fields), gzip ? tile.gzip : tile.bytes)
    }

    /// `z/x/y.mvt` with plain decimal numbers (anything else is the router's to judge).
    static func tileAddress(_ s: Substring) -> TileAddress? {
        // Three runs of 1-9 digits, split by "/", then ".mvt": read byte by byte, nothing allocated.
        var numbers = (0, 0, 0), index = 0, digits = 0
        var bytes = s.utf8.makeIterator()
        while let b = bytes.next() {
            if b >= 48 && b <= 57 {
                guard digits < 9 else { return nil }
                digits += 1
                let d = Int(b - 48)
                switch index {
                case 0: numbers.0 = numbers.0 * 10 + d
                case 1: numbers.1 = numbers.1 * 10 + d
                default: numbers.2 = numbers.2 * 10 + d
                }
            } else if b == UInt8(ascii: "/"), index < 2, digits > 0 {
                index += 1
                digits = 0
            } else if b == UInt8(ascii: "."), index == 2, digits > 0 {
                guard bytes.next() == UInt8(ascii: "m"), bytes.next() == UInt8(ascii: "v"), bytes.next() == UInt8(ascii: "t"), bytes.next() == nil
                else { return nil }
                return TileAddress(z: numbers.0, x: numbers.1, y: numbers.2)
            } else {
                return nil
            }
        }
        return nil
    }
}

/// What the fast path has seen on one event loop: the moments of query strings and the tiles
/// looked up, each tile with the service's generation when it was found (it stands while that
/// holds, and a live map's tile while the map is fresh). Used only on its own event loop, so it
/// needs no lock: the point is that two event loops never wait for each other on a cached tile.
/// `@unchecked Sendable`: touched only from the event loop it was made for.
final class LoopTileCache: @unchecked Sendable {
    struct Key: Hashable {
        var moment: Moment
        var tile: TileAddress
    }
    struct Entry {
        var tile: ServedTile
        var generation: Int
        var madeAt: Date
    }
    private var moments: [Substring: Moment] = [:]
    private var tiles: [Key: Entry] = [:]
    static let capacity = 32_768

    /// The cached tile (never an empty one: that is the router's to answer), or nil.
    func tile(_ t: TileAddress, query: Substring, service: MapService, moments shared: MomentCache) -> ServedTile? {
        let moment: Moment
        if let m = moments[query] {
            moment = m
        } else {
            guard let m = shared.get(String(query)) else { return nil }
            if moments.count >= 256 { moments.removeAll(keepingCapacity: true) }
            moments[query] = m
            moment = m
        }
        let key = Key(moment: moment, tile: t)
        let now = service.generation.load(ordering: .acquiring)
        if let e = tiles[key], e.generation == now, service.isFresh(madeAt: e.madeAt, moment, now: Date()) { return e.tile }
        guard let (found, madeAt) = service.cachedTileAndMap(t, moment: moment), let tile = found else { return nil }
        if tiles.count >= Self.capacity { tiles.removeAll(keepingCapacity: true) }
        tiles[key] = Entry(tile: tile, generation: now, madeAt: madeAt)
        return tile
    }
}

/// One `LoopTileCache` per event loop, handed to each connection as it opens.
final class LoopTileCaches: Sendable {
    private let caches = Mutex<[ObjectIdentifier: LoopTileCache]>([:])

    func cache(for loop: any EventLoop) -> LoopTileCache {
        caches.withLock { all in
            let key = ObjectIdentifier(loop as AnyObject)
            if let c = all[key] { return c }
            let c = LoopTileCache()
            all[key] = c
            return c
        }
    }
}

/// The `Date` header's value (RFC 9110 section 5.6.7, IMF-fixdate), made again once a second.
struct HTTPDate {
    private var second = -1
    private var text = ""
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    mutating func now() -> String {
        var t = time(nil)
        guard Int(t) != second else { return text }
        second = Int(t)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        text = Self.days[Int(tm.tm_wday)] + ", " + two(tm.tm_mday) + " " + Self.months[Int(tm.tm_mon)] + " " + String(tm.tm_year + 1900)
            + " " + two(tm.tm_hour) + ":" + two(tm.tm_min) + ":" + two(tm.tm_sec) + " GMT"
        return text
    }
}
