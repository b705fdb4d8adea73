import AlertIngest
import Foundation
import Geo
import NIOCore
import ThreatLayers
import ThreatModel
import ThreatStore
import VectorTiles

/// Which map a request asks for: the live one (now), or the one as of a moment.
public enum MapMoment: Hashable, Sendable {
    case live
    case at(Date)

    /// From an `as_of` query value: none or "now" is live; a day (YYYY-MM-DD) is the end of that
    /// day, UTC, as on the command line; otherwise an ISO 8601 time. Nil when it is neither.
    public init?(query: String?) {
        guard let q = query?.trimmingSpaces, !q.isEmpty, q != "now" else {
            self = .live
            return
        }
        if q.count == 10, let day = DateParsing.day(q) {
            self = .at(day.addingTimeInterval(86_399))
        } else if q.count > 10, let d = DateParsing.iso8601(q) {
            self = .at(d)
        } else {
            return nil
        }
    }

    /// The `as_of` value that names this map in a URL, in one spelling per moment so that a
    /// cache keys on it: the day for the end of a day, else the UTC time; nil for live.
    public var queryValue: String? {
        guard case .at(let d) = self else { return nil }
        let s = d.timeIntervalSince1970
        if (s + 1).truncatingRemainder(dividingBy: 86_400) == 0 { return UTCDate.formatDay(d) }
        return UTCDate.format(d)
    }

    func date(now: Date) -> Date {
        if case .at(let d) = self { return d }
        return now
    }
}

/// A tile as served: its bytes, gzip-compressed once, each ready to send, and a strong entity tag
/// from the content.
public struct ServedTile: Sendable {
    public let bytes: ByteBuffer
    public let gzip: ByteBuffer
    /// Quoted, as in an `ETag` header; the gzip form's tag ends in `-gz`.
    public let etag: String
    public let gzipETag: String

    init(bytes: [UInt8]) throws {
        self.bytes = ByteBuffer(bytes: bytes)
        gzip = ByteBuffer(bytes: try Gzip.compress(bytes))
        let hash = SHA256.hex(bytes).prefix(32)
        etag = "\"\(hash)\""
        gzipETag = "\"\(hash)-gz\""
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
    /// The bearer token that writes need; none refuses every write.
    public var token: String?

    public init() {}
}

/// One map as of a moment, with the tiles made from it so far. Guarded by its service's lock.
final class MapView {
    let content: MapContent
    let session: TileSession
    let madeAt: Date
    /// Tiles made so far; nil for a tile known to be empty.
    var tiles: [TileAddress: ServedTile?] = [:]
    var lastUsed: Date

    init(content: MapContent, options: TilerOptions, madeAt: Date) throws {
        self.content = content
        session = try TileSession(layers: content.tileSources, options: options)
        self.madeAt = madeAt
        lastUsed = madeAt
    }
}

/// What a write did: the store's report, and the tiles it took out of the caches.
public struct WriteOutcome: Sendable {
    public var report: IngestReport
    public var document: SourceDocument
    public var tilesInvalidated: Int
}

/// The service's state behind the HTTP routes: the store, the layer builder and resolver, and the
/// maps made so far with their tiles. A write goes to the store in one transaction, then every
/// cached map is made again and keeps the tiles that no changed feature reaches.
public final class MapService: @unchecked Sendable {
    public let store: ThreatStore
    public let settings: ServiceSettings
    let tilerOptions: TilerOptions
    /// One at a time: the builder and resolver (each has a GEOS context) and every write.
    let workLock = NSLock()
    let builder: LayerBuilder
    let resolution: ResolutionContext
    /// Guards `views`.
    let lock = NSLock()
    var views: [MapMoment: MapView] = [:]

    public init(store: ThreatStore, builder: LayerBuilder, resolution: ResolutionContext, settings: ServiceSettings) {
        self.store = store
        self.builder = builder
        self.resolution = resolution
        self.settings = settings
        var options = TilerOptions()
        options.minZoom = settings.minZoom
        options.maxZoom = settings.maxZoom
        tilerOptions = options
    }

    // MARK: Reading

    /// The layers as of `moment`.
    public func content(_ moment: MapMoment) throws -> MapContent {
        try view(moment).content
    }

    /// A tile of the map as of `moment`: nil when it is empty; `cached` says whether it was made
    /// before this call.
    public func tile(_ t: TileAddress, moment: MapMoment) throws -> (tile: ServedTile?, cached: Bool) {
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
    public func cachedTile(_ t: TileAddress, moment: MapMoment) -> ServedTile?? {
        lock.lock()
        defer { lock.unlock() }
        guard let v = views[moment], isFresh(v, moment, now: Date()) else { return nil }
        return v.tiles[t]
    }

    /// Whether a cached map still stands: a dated one always, the live one for `liveLifetime`.
    func isFresh(_ v: MapView, _ moment: MapMoment, now: Date) -> Bool {
        moment != .live || now.timeIntervalSince(v.madeAt) < settings.liveLifetime
    }

    /// The cached map for `moment`, made (or, live and too old, made again) when needed.
    func view(_ moment: MapMoment) throws -> MapView {
        let now = Date()
        lock.lock()
        if let v = views[moment], isFresh(v, moment, now: now) {
            v.lastUsed = now
            lock.unlock()
            return v
        }
        lock.unlock()
        workLock.lock()
        defer { workLock.unlock() }
        lock.lock()
        let old = views[moment]
        lock.unlock()
        if let old, isFresh(old, moment, now: now) { return old }
        let v = try remake(moment, replacing: old, now: now).view
        lock.lock()
        views[moment] = v
        while views.count > max(1, settings.cachedMaps), let oldest = views.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            views[oldest] = nil
        }
        lock.unlock()
        return v
    }

    /// The map as of `moment` made from the store, keeping the tiles of `old` that no changed
    /// feature reaches. Called with `workLock` held.
    func remake(_ moment: MapMoment, replacing old: MapView?, now: Date) throws -> (view: MapView, invalidated: Int) {
        let content = try MapContent.make(store: store, builder: builder, at: moment.date(now: now))
        let v = try MapView(content: content, options: tilerOptions, madeAt: now)
        guard let old else { return (v, 0) }
        let changed = Self.changedBoxes(old.content, content).map(Self.mercator)
        lock.lock()
        defer { lock.unlock() }
        var dropped = 0
        for (t, tile) in old.tiles {
            if reaches(changed, t) { dropped += 1 } else { v.tiles[t] = tile }
        }
        return (v, dropped)
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

    /// Reads, resolves and stores one document (its format from `format`, else detected), then
    /// brings every cached map up to date. Throws `AlertParseError` for bad input, with nothing
    /// stored.
    public func ingest(_ bytes: [UInt8], name: String, format: AlertFormat?) throws -> WriteOutcome {
        workLock.lock()
        defer { workLock.unlock() }
        let detected = format ?? AlertReader.detect(bytes)
        let alerts: [Alert], incidents: [Incident]
        switch try AlertReader(context: resolution).read(bytes, format: detected) {
        case .alerts(let a): (alerts, incidents) = (a, [])
        case .events(let table):
            guard !table.incidents.isEmpty else {
                throw AlertParseError("table", table.errors.first.map { "no readable row (\($0))" } ?? "no event rows")
            }
            (alerts, incidents) = ([], table.incidents)
        }
        let document = SourceDocument(name: name, format: detected, bytes: bytes)
        let report = try store.ingest(document, alerts: alerts, incidents: incidents)
        let invalidated = report.unchanged ? 0 : try refreshViews()
        return WriteOutcome(report: report, document: document, tilesInvalidated: invalidated)
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
            lock.unlock()
        }
        return dropped
    }

    /// How many tiles the cached maps hold, for tests and health.
    public var cachedTileCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return views.values.reduce(0) { $0 + $1.tiles.count }
    }
}

extension MapService {
    public enum CancelError: Error, Equatable {
        case unknown(String)
        case notActive(String, state: String)
    }

    /// Ends an active alert, as a cancel message would: the cancel is stored as a document of its
    /// own (our JSON alert format), so that the store keeps where every change came from.
    public func cancel(_ id: String, now: Date = Date()) throws -> WriteOutcome {
        guard let record = try store.alert(id) else { throw CancelError.unknown(id) }
        guard record.state == "active" else { throw CancelError.notActive(id, state: record.state) }
        let stamp = UTCDate.format(now)
        let message: JSONValue = .object([
            "id": .string("api-cancel-\(id)-\(stamp)"),
            "title": .string("Alert \(id) withdrawn through the ThreatMap API"),
            "published": .string(stamp),
            "cancels": .string(id),
        ])
        var w = JSONWriter()
        w.value(message)
        return try ingest(w.bytes, name: "DELETE /alerts/\(id)", format: .json)
    }
}
