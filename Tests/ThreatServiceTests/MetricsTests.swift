import Foundation
import Testing
import ThreatService

/// GET /metrics counts what the server did: tiles made then served from the cache, a refused
/// write, requests by route template (not by raw path).
@Suite struct MetricsTests {
    @Test func metricsCountTilesWritesAndRoutes() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            for _ in 0..<3 { _ = try await client.execute(uri: "/tiles/4/7/7.mvt?as_of=2024-07-05", method: .get) }
            _ = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "application/cap+xml"],
                                         body: .init(string: "<alert"))
            let r = try await client.execute(uri: "/metrics", method: .get)
            #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: r.body)
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains("threatmap_tile_cache_requests_total{result=\"miss\"} 1"), "\(text)")
            #expect(lines.contains("threatmap_tile_cache_requests_total{result=\"hit\"} 2"))
            #expect(lines.contains("threatmap_documents_total{result=\"refused\"} 1"))
            #expect(lines.contains("threatmap_http_requests_total{route=\"/tiles/{z}/{x}/{y}\",method=\"GET\",status=\"200\"} 3"))
            #expect(lines.contains("threatmap_http_requests_total{route=\"/alerts\",method=\"POST\",status=\"400\"} 1"))
            #expect(lines.contains("threatmap_store_alerts 13.0"))
        }
    }
}
