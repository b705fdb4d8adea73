import AlertIngest
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import ThreatMapCore
import ThreatLayers
import ThreatModel
import ThreatStore
import VectorTiles

/// A tile as served: its bytes, gzip-compressed once, each ready to send, and a strong entity tag
/// from the content.
public struct ServedTile: Sendable {
    public let bytes: ByteBuffer
    public let gzip: ByteBuffer
    /// Quoted, as in an `ETag` header; the gzip form's tag ends in `-gz`.
    public let etag: String
    public let gzipETag: String
    /// The headers of a cached answer of each form, as the router and its middleware give them
    /// but for `X-Request-ID`, `Date` and `Server`: made once, for the server's fast path.
    let fields: HTTPFields
    let gzipFields: HTTPFields

    init(bytes: [UInt8]) throws {
        self.bytes = ByteBuffer(bytes: bytes)
        gzip = ByteBuffer(bytes: try Gzip.compress(bytes))
        let hash = sha256Hex(bytes).prefix(32)
        etag = "\"\(hash)\""
        gzipETag = "\"\(hash)-gz\""
        fields = Self.fields(etag: etag, gzip: false, length: self.bytes.readableBytes)
        gzipFields = Self.fields(etag: gzipETag, gzip: true, length: gzip.readableBytes)
    }

    /// In the order the router's answer has them: the tile's own (`TileController.respond`), then
    /// the length, CORS (`CORSHeadersMiddleware`) and `Accept-Ranges` (`RangeMiddleware`).
    static func fields(etag: String, gzip: Bool, length: Int) -> HTTPFields {
        var f = TileController.tileHeaders
        f[.cacheStatus] = "hit"
        f[.eTag] = etag
        if gzip { f[.contentEncoding] = "gzip" }
        f[.contentLength] = String(length)
        f[.accessControlAllowOrigin] = CORSHeadersMiddleware<BasicRequestContext>.allowOrigin
        f[.accessControlExposeHeaders] = CORSHeadersMiddleware<BasicRequestContext>.exposeHeaders
        f[.acceptRanges] = "bytes"
        return f
    }
}

public struct ServiceSettings: Sendable {
    public var minZoom = 0
    public var maxZoom = 12
    /// The live map is made again when it is older than this (alerts begin and expire with time).
    public var liveLifetime: TimeInterval = 300
    /// How many maps (live and dated) keep their layers and tiles; the least recently used goes.
    public var cachedMaps = 8
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = 16 * 1024 * 1024
    /// How long a request body may take to arrive, in seconds, before the request is answered
    /// 408 and its connection closed.
    public var bodySeconds = 30.0
    /// How long reading one POSTed document may take, in seconds, from the moment its write
    /// begins (waiting for another write does not count); past it the write is answered 422
    /// with nothing stored.
    public var readSeconds = 10.0
    /// A connection with no request in progress (idle between requests, or still sending a
    /// request's head) is closed after this many seconds.
    public var idleSeconds = 5.0
    /// The most connections open at once; more wait in the listen queue until one closes.
    public var maxConnections = 4096
    /// The bearer tokens that writes need, each with its writer's name; none refuses every write.
    public var writers = WriterTokens()
    /// What sets the levels: alerts, events or both (the higher).
    public var levels: LevelBasis = .both
    /// The event window in days; nil: the thresholds file's.
    public var windowDays: Int?

    public init() {}
}

/// One map as of a moment, with the tiles made from it so far. Guarded by its service's lock.
final class MapView {
    let map: TiledMap
    var content: MapContent { map.content }
    let session: TileSession
    let madeAt: Date
    /// Tiles made so far; nil for a tile known to be empty.
    var tiles: [TileAddress: ServedTile?] = [:]
    var lastUsed: Date

    init(content: MapContent, options: TilerOptions, madeAt: Date) throws {
        map = content.tiled()
        session = try TileSession(layers: map.sources, options: options)
        self.madeAt = madeAt
        lastUsed = madeAt
    }
}

/// The basemap's tiles (`Basemap`): the same whatever the date or the store, so each is made
/// on first request and kept (up to the cache's bound).
public final class BasemapTiles: Sendable {
    public let source: TileLayerSource
    let session: TileSession
    let tiles = ServedTileCache(capacity: 8192)

    public init(source: TileLayerSource, options: TilerOptions) throws {
        self.source = source
        session = try TileSession(layers: [source], options: options)
    }

    /// The tile (nil when empty) and whether it was made before.
    public func tile(_ t: TileAddress) throws -> (tile: ServedTile?, cached: Bool) {
        if let known = tiles[t] { return (known, true) }
        let made = try session.tile(t).map { try ServedTile(bytes: $0) }
        tiles[t] = .some(made)
        return (made, false)
    }
}

/// Tiles ready to send (nil: known to be empty), at most `capacity`; past it the oldest quarter
/// goes. `@unchecked Sendable`: its state is touched only with `lock` held.
final class ServedTileCache: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var tiles: [TileAddress: ServedTile?] = [:]
    private var order: [TileAddress] = []

    init(capacity: Int) { self.capacity = max(4, capacity) }

    subscript(t: TileAddress) -> ServedTile?? {
        get { lock.withLock { tiles[t] } }
        set {
            guard let value = newValue else { return }
            lock.withLock {
                if tiles.updateValue(value, forKey: t) == nil { order.append(t) }
                if order.count > capacity {
                    let gone = order.prefix(capacity / 4)
                    for old in gone { tiles[old] = nil }
                    order.removeFirst(gone.count)
                }
            }
        }
    }

    var count: Int { lock.withLock { tiles.count } }
}

/// What a write did: what the document became, and how many cached tiles it changed (each made
/// again before the new map took the old one's place).
public struct WriteOutcome: Sendable {
    public var intake: IntakeOutcome
    public var report: IngestReport { intake.report }
    public var document: SourceDocument { intake.document }
    public var tilesInvalidated: Int
}

/// The service's state behind the HTTP routes: the store, the layer builder and the intake, and
/// the maps made so far with their tiles. A write goes to the store in one transaction, then every
/// cached map is made again and keeps the tiles that no changed feature reaches.
/// `@unchecked Sendable`: the builder and the intake own GEOS contexts and are used only with
/// `workLock` held; `views` (and each view's tiles) only with `lock` held.
public final class MapService: @unchecked Sendable {
    public let store: any ThreatStore
    public let settings: ServiceSettings
    /// What `/metrics` reports.
    public let metrics = ServiceMetrics()
    let tilerOptions: TilerOptions
    let workLock = NSLock()
    let builder: LayerBuilder
    let intake: Intake
    let lock = NSLock()
    var views: [Moment: MapView] = [:]
    /// Counts the changes that can make a cached tile wrong (a map made again, replaced or
    /// dropped; a tile taken out): a copy of a tile taken at one count stands while it holds.
    let generation = Atomic<Int>(0)
    /// The map around Mali, where the GeoData gives one.
    public let basemap: BasemapTiles?
    /// Why the store's changes cannot be followed now (the notifications lost, or the maps not
    /// made again since a change): `/healthz` says the service is degraded meanwhile, and cached
    /// maps are served as they are.
    let listenerTrouble = Mutex<String?>(nil)
    let refreshTrouble = Mutex<String?>(nil)
    /// Following a shared store's writes by other processes (`followStore`).
    let follower = Mutex<StoreChangeFollower?>(nil)
    let followQueue = DispatchQueue(label: "threatmap.follow")
    let refreshPending = Atomic<Bool>(false)

    /// A service over `store` with GeoData's layer builder and a resolver at `toleranceKilometres`.
    public convenience init(store: any ThreatStore, geodata: GeoDataFolder, toleranceKilometres: Double = 5, settings: ServiceSettings) throws {
        try self.init(store: store, builder: try geodata.layerBuilder(),
                  intake: Intake(store: store, resolution: try geodata.resolutionContext(toleranceKilometres: toleranceKilometres)),
                  settings: settings, basemap: try Basemap.tileSource(geodata))
    }

    public init(store: any ThreatStore, builder: LayerBuilder, intake: Intake, settings: ServiceSettings, basemap: TileLayerSource? = nil) throws {
        self.store = store
        self.builder = builder
        self.intake = intake
        self.settings = settings
        var options = TilerOptions()
        options.minZoom = settings.minZoom
        options.maxZoom = settings.maxZoom
        tilerOptions = options
        self.basemap = try basemap.map { try BasemapTiles(source: $0, options: options) }
    }

    // MARK: Reading

    /// The layers as of `moment` (`.content`), as tile sources with their box.
    public func map(_ moment: Moment) throws -> TiledMap {
        try view(moment).map
    }

    /// A tile of the map as of `moment`: nil when it is empty; `cached` says whether it was made
    /// before this call.
    public func tile(_ t: TileAddress, moment: Moment) throws -> (tile: ServedTile?, cached: Bool) {
        let v = try view(moment)
        lock.lock()
        if let known = v.tiles[t] {
            lock.unlock()
            return (known, true)
        }
        lock.unlock()
        let made = try v.session.tile(t).map { try ServedTile(bytes: $0) }
        lock.lock()
        v.tiles[t] = .some(made)
        lock.unlock()
        return (made, false)
    }

    /// The tile when it is already made for a map that is still fresh (`.some(nil)` for a known
    /// empty tile), else nil: no work and no waiting on a build, for the server's fast path.
    public func cachedTile(_ t: TileAddress, moment: Moment) -> ServedTile?? {
        // Not `?.tile`, which would flatten "not made" into "known to be empty".
        guard let found = cachedTileAndMap(t, moment: moment) else { return nil }
        return .some(found.tile)
    }

    /// `cachedTile`, with when its map was made (a live map stands for `liveLifetime` from then).
    func cachedTileAndMap(_ t: TileAddress, moment: Moment) -> (tile: ServedTile?, madeAt: Date)? {
        lock.lock()
        defer { lock.unlock() }
        guard let v = views[moment], isFresh(v, moment, now: Date()), let tile = v.tiles[t] else { return nil }
        return (tile, v.madeAt)
    }

    /// Whether a cached map still stands: a dated one always, the live one for `liveLifetime`.
    func isFresh(_ v: MapView, _ moment: Moment, now: Date) -> Bool {
        isFresh(madeAt: v.madeAt, moment, now: now)
    }

    /// The same, for a map made at `madeAt` (what the fast path keeps of it).
    func isFresh(madeAt: Date, _ moment: Moment, now: Date) -> Bool {
        moment != .now || now.timeIntervalSince(madeAt) < settings.liveLifetime
    }

    /// The cached map for `moment`, made (or, live and too old, made again) when needed.
    func view(_ moment: Moment) throws -> MapView {
        let now = Date()
        lock.lock()
        if let v = views[moment], isFresh(v, moment, now: now) {
            v.lastUsed = now
            lock.unlock()
            return v
        }
        let stale = views[moment]
        lock.unlock()
        // A live map past its lifetime is made again by one reader; the others, and every reader
        // while a write is at work, keep the map they had meanwhile.
        if let stale {
            guard workLock.try() else { return stale }
        } else {
            workLock.lock()
        }
        defer { workLock.unlock() }
        lock.lock()
        let old = views[moment]
        lock.unlock()
        if let old, isFresh(old, moment, now: now) { return old }
        let v: MapView
        do {
            v = try remake(moment, replacing: old, now: now).view
        } catch is StoreError where old != nil {
            // The store is out of reach: the map as it was, until it is back.
            return old!
        }
        lock.lock()
        views[moment] = v
        while views.count > max(1, settings.cachedMaps), let oldest = views.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            views[oldest] = nil
        }
        generation.add(1, ordering: .releasing)
        lock.unlock()
        return v
    }

    /// The map as of `moment` made from the store, beside `old`, which readers keep using
    /// meanwhile: it keeps the tiles of `old` that no changed feature reaches, and makes the others
    /// again before it is returned (to be swapped in), so that no reader waits for a tile a write
    /// changed. Called with `workLock` held. `invalidated` counts the tiles made again.
    func remake(_ moment: Moment, replacing old: MapView?, now: Date) throws -> (view: MapView, invalidated: Int) {
        let content = try MapContent.make(store: store, builder: builder, at: moment.date(now: now),
                                          basis: settings.levels, windowDays: settings.windowDays)
        let v = try MapView(content: content, options: tilerOptions, madeAt: now)
        guard let old else { return (v, 0) }
        let changed = Self.changedBoxes(old.content, content).map(Self.mercator)
        var again: [TileAddress] = []
        lock.withLock {
            for (t, tile) in old.tiles {
                if reaches(changed, t) { again.append(t) } else { v.tiles[t] = tile }
            }
        }
        // Zoom by zoom, so that each zoom is planned once.
        for t in again.sorted() {
            let made = try v.session.tile(t).map { try ServedTile(bytes: $0) }
            lock.withLock { v.tiles[t] = .some(made) }
        }
        return (v, again.count)
    }

    /// Whether any of `boxes` (Web Mercator) comes within a tile's buffer and a point cell of it:
    /// what lies there can change what the tile holds.
    func reaches(_ boxes: [BoundingBox], _ t: TileAddress) -> Bool {
        let b = t.mercatorBounds
        let pad = (b.maxX - b.minX) * Double(tilerOptions.buffer + tilerOptions.pointCell) / Double(tilerOptions.extent)
        return boxes.contains { c in
            c.minX <= b.maxX + pad && c.maxX >= b.minX - pad && c.minY <= b.maxY + pad && c.maxY >= b.minY - pad
        }
    }

    /// The boxes (lon/lat) of every feature that differs between two maps, before and after:
    /// added, removed, or with another shape or other properties.
    static func changedBoxes(_ a: MapContent, _ b: MapContent) -> [BoundingBox] {
        var boxes: [BoundingBox] = []
        for name in LayerName.allCases {
            let before = keyed(a.layers[name]), after = keyed(b.layers[name])
            for (key, f) in before where after[key] != f {
                if let box = f.geometry?.boundingBox { boxes.append(box) }
            }
            for (key, f) in after where before[key] != f {
                if let box = f.geometry?.boundingBox { boxes.append(box) }
            }
        }
        return boxes
    }

    /// Features by id (and, for a repeated id, its occurrence).
    static func keyed(_ fc: FeatureCollection?) -> [String: Feature] {
        var out: [String: Feature] = [:]
        var seen: [String: Int] = [:]
        for (i, f) in (fc?.features ?? []).enumerated() {
            let id = f.id?.description ?? "#\(i)"
            let n = seen[id, default: 0]
            seen[id] = n + 1
            out[n == 0 ? id : "\(id)#\(n)"] = f
        }
        return out
    }

    static func mercator(_ b: BoundingBox) -> BoundingBox {
        let lo = WebMercator.project(Position(b.minX, b.minY)), hi = WebMercator.project(Position(b.maxX, b.maxY))
        return BoundingBox(minX: lo.x, minY: lo.y, maxX: hi.x, maxY: hi.y)
    }

    // MARK: Writing

    /// Takes in one document (its format from `format`, else detected), then brings every cached
    /// map up to date. Throws `IntakeError` for bad input, with nothing stored.
    public func ingest(_ bytes: [UInt8], name: String, format: AlertFormat?, sender: String? = nil) throws -> WriteOutcome {
        try write { try intake.take(bytes, name: name, format: format, sender: sender, deadline: .after(seconds: settings.readSeconds)) }
    }

    /// Ends an active alert by a cancel document of its own (`Intake.cancel`).
    public func cancel(_ id: String, now: Date = Date(), sender: String? = nil) throws -> WriteOutcome {
        try write { try intake.cancel(id, now: now, sender: sender) }
    }

    func write(_ change: () throws -> IntakeOutcome) throws -> WriteOutcome {
        workLock.lock()
        defer { workLock.unlock() }
        let outcome: IntakeOutcome
        do {
            outcome = try change()
        } catch {
            metrics.refused(error)
            throw error
        }
        let written: WriteOutcome
        do {
            written = WriteOutcome(intake: outcome, tilesInvalidated: outcome.report.unchanged ? 0 : try refreshViews())
        } catch {
            metrics.failed(error)
            throw error
        }
        metrics.wrote(written)
        return written
    }

    /// Every cached map made again from the store, each keeping the tiles no change reaches.
    /// Called with `workLock` held. Returns how many tiles were dropped.
    func refreshViews() throws -> Int {
        lock.lock()
        let current = views
        lock.unlock()
        let now = Date()
        var dropped = 0
        for (moment, old) in current {
            let (v, n) = try remake(moment, replacing: old, now: now)
            v.lastUsed = old.lastUsed
            dropped += n
            lock.lock()
            views[moment] = v
            generation.add(1, ordering: .releasing)
            lock.unlock()
        }
        return dropped
    }

    // MARK: Other processes' writes

    /// On a shared store, follows what other processes write: each change makes the cached maps
    /// again from the store (on a queue of its own, several changes at once in one go), keeping
    /// the tiles it does not reach, as a write through this service does. A lost connection marks
    /// the service degraded while cached maps are still served; once it is back, the maps are
    /// made again, as whatever was written meanwhile is unknown (and so once the notifications
    /// first begin, for what was written before). Nothing to do on SQLite.
    public func followStore() {
        guard let shared = store as? any SharedThreatStore else { return }
        let own = shared.instanceID
        follower.withLock { current in
            guard current == nil else { return }
            current = shared.follow { [weak self] event in
                guard let self else { return }
                switch event {
                case .listening:
                    // Whatever was written before the notifications began (while maps were made
                    // for the first requests, or while the connection was lost) is caught here.
                    self.listenerTrouble.withLock { $0 = nil }
                    self.refreshSoon()
                case .changed(let change):
                    if change.origin != own { self.refreshSoon() }
                case .lost(let why):
                    self.listenerTrouble.withLock { $0 = "lost the store's change notifications: \(why); reconnecting" }
                }
            }
        }
    }

    /// Stops following the store's changes (a server that stops).
    public func stopFollowing() {
        let f = follower.withLock { current -> StoreChangeFollower? in
            defer { current = nil }
            return current
        }
        f?.stop()
    }

    /// Makes the cached maps again soon; changes that come meanwhile share one remaking.
    func refreshSoon() {
        guard !refreshPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        followQueue.async { [self] in
            refreshPending.store(false, ordering: .releasing)
            workLock.lock()
            defer { workLock.unlock() }
            do {
                _ = try refreshViews()
                metrics.changesFollowed.increment()
                refreshTrouble.withLock { $0 = nil }
            } catch {
                // Tried again each second while following, until the store answers.
                metrics.failed(error)
                refreshTrouble.withLock { $0 = "the maps could not be made again after a change: \(error)" }
                followQueue.asyncAfter(deadline: .now() + 1) { [weak self] in
                    guard let self, self.follower.withLock({ $0 != nil }) else { return }
                    self.refreshSoon()
                }
            }
        }
    }

    /// Why the service is degraded, when it is: the store's changes not followed.
    public var degradation: String? { listenerTrouble.withLock { $0 } ?? refreshTrouble.withLock { $0 } }

    /// How many tiles the cached maps hold, for tests and health.
    public var cachedTileCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return views.values.reduce(0) { $0 + $1.tiles.count }
    }
}
