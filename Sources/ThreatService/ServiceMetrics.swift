import Foundation
import Prometheus
import Synchronization
import ThreatMapCore
import ThreatStore

/// What `GET /metrics` reports, in Prometheus' text format (swift-prometheus' registry): requests
/// by route template, method and status, their latency, tile cache hits and misses (and the hits
/// answered ahead of the router), documents
/// taken in (and refused, by why), alerts and incidents stored, store errors; and, read at each
/// scrape, what the store holds and how many tiles are cached. One per service, so that two
/// servers in one process (as in the tests) count apart.
public final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let tileHits: Counter
    let tileMisses: Counter
    let fastAnswers: Counter
    let alertsStored: Counter
    let incidentsStored: Counter
    let storeErrors: Counter
    let changesFollowed: Counter
    let storedAlerts: Gauge
    let storedIncidents: Gauge
    let storedDocuments: Gauge
    let cachedTiles: Gauge

    struct RouteKey: Hashable {
        var route: String, method: String, status: Int
    }
    /// Each route's counter and histogram, found here without the registry's label arrays.
    let routes = Mutex<[RouteKey: (Counter, DurationHistogram)]>([:])

    /// Latency buckets from a cached tile (a fraction of a millisecond) to a first map (seconds).
    static let latencyBuckets: [Duration] = [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                                             .milliseconds(250), .seconds(1), .seconds(5), .seconds(30)]

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "threatmap", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        func counter(_ metric: String, _ labels: [(String, String)], _ help: String) -> Counter {
            registry.makeCounter(descriptor: Self.name(metric, "total", help), labels: labels)
        }
        tileHits = counter("tile_cache_requests", [("result", "hit")], "Tile requests answered from the cache (hit) or made for them (miss).")
        tileMisses = counter("tile_cache_requests", [("result", "miss")], "Tile requests answered from the cache (hit) or made for them (miss).")
        fastAnswers = registry.makeCounter(descriptor: Self.name("tile_fast_path_requests", "total",
                                                                 "Cached tile requests answered on the event loop, ahead of the router."))
        alertsStored = registry.makeCounter(descriptor: Self.name("alerts_stored", "total", "Alerts written by ingests and cancels through the service."))
        incidentsStored = registry.makeCounter(descriptor: Self.name("incidents_stored", "total", "Incidents written by ingests through the service."))
        storeErrors = registry.makeCounter(descriptor: Self.name("store_errors", "total", "Errors of the store (a failed read or write)."))
        changesFollowed = registry.makeCounter(descriptor: Self.name("store_changes_followed", "total",
            "Writes by other processes on a shared (PostgreSQL) store that made the cached maps be made again."))
        func gauge(_ metric: String, _ help: String) -> Gauge { registry.makeGauge(descriptor: Self.name(metric, "", help)) }
        storedAlerts = gauge("store_alerts", "Alerts the store holds, read at the scrape.")
        storedIncidents = gauge("store_incidents", "Incidents the store holds, read at the scrape.")
        storedDocuments = gauge("store_documents", "Documents the store holds, read at the scrape.")
        cachedTiles = gauge("cached_tiles", "Tiles held in memory, over every cached map.")
        // Present from the first scrape, at zero, so that rates start from a known value.
        for result in ["stored", "unchanged", "refused"] { _ = documentCounter(result) }
    }

    func documentCounter(_ result: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("documents", "total", "Documents sent to the service (POST /alerts, DELETE /alerts/{id}): stored, unchanged (the same bytes again) or refused."),
                             labels: [("result", result)])
    }

    /// One answered request: `route` the matched template (`/tiles/{z}/{x}/{y}`), never the raw
    /// path, so that the number of series stays bounded.
    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = RouteKey(route: route, method: method, status: status)
        let (counter, histogram) = routes.withLock { known in
            if let m = known[key] { return m }
            let m = (registry.makeCounter(descriptor: Self.name("http_requests", "total", "HTTP requests answered, by route template, method and status."),
                                          labels: [("route", route), ("method", method), ("status", String(status))]),
                     registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds", "Time to answer an HTTP request, by route template."),
                                                    labels: [("route", route)], buckets: Self.latencyBuckets))
            known[key] = m
            return m
        }
        counter.increment()
        histogram.record(duration)
    }

    func tile(cached: Bool) { (cached ? tileHits : tileMisses).increment() }

    /// A cached tile answered ahead of the router (it is a cache hit too).
    func fastTile() {
        tileHits.increment()
        fastAnswers.increment()
    }

    func wrote(_ outcome: WriteOutcome) {
        documentCounter(outcome.report.unchanged ? "unchanged" : "stored").increment()
        if !outcome.report.unchanged {
            alertsStored.increment(by: Int64(outcome.report.alerts.count))
            incidentsStored.increment(by: Int64(outcome.report.incidents))
        }
    }

    func refused(_ error: any Error) {
        documentCounter("refused").increment()
        if error is StoreError { storeErrors.increment() }
    }

    func failed(_ error: any Error) {
        if error is StoreError { storeErrors.increment() }
    }

    /// The text exposition, with the store's counts read now.
    func text(_ service: MapService) -> [UInt8] {
        if let c = try? service.store.counts() {
            storedAlerts.set(Double(c.alerts))
            storedIncidents.set(Double(c.incidents))
            storedDocuments.set(Double(c.documents))
        } else {
            storeErrors.increment()
        }
        cachedTiles.set(Double(service.cachedTileCount))
        return registry.emitToBuffer()
    }
}
