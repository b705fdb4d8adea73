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

/// GET /, /healthz, /metrics and /openapi.json: the viewer page, liveness, Prometheus metrics and
/// the API description.
struct ViewerController: Sendable {
    let routes: ThreatRoutes
    var service: MapService { routes.service }

    func add<Sink: RouteSink>(to router: inout Sink) {
        // The viewer for a browser; OGC API - Features' landing page for a client asking for JSON.
        router.get("/") { request, _ in
            FeaturesController.wantsJSON(request) ? FeaturesController(routes: self.routes).landingPage(request) : self.viewerPage(request)
        }
        router.get("/healthz") { _, _ in self.health() }
        router.get("/metrics") { _, _ in
            bytesResponse(self.service.metrics.text(self.service), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in bytesResponse(Array(OpenAPIDocument.text.utf8), contentType: "application/json") }
    }

    /// `ok`, or `degraded` (still 200: cached maps are served) with why, while the store is out
    /// of reach.
    func health() -> Response {
        var body: JSONObject = ["status": "ok"]
        do {
            let c = try service.store.counts()
            body["documents"] = .int(c.documents)
            body["alerts"] = .int(c.alerts)
            body["incidents"] = .int(c.incidents)
        } catch {
            body["status"] = "degraded"
            body["store"] = .string("\(error)")
        }
        if let why = service.degradation, body["store"] == nil {
            body["status"] = "degraded"
            body["store"] = .string(why)
        }
        body["cached_tiles"] = .int(service.cachedTileCount)
        return jsonResponse(.object(body))
    }

    func viewerPage(_ request: Request) -> Response {
        bytesResponse(Array(ViewerPage.html(maplibreURL: routes.viewer.maplibreURL, maplibreCSSURL: routes.viewer.cssURL).utf8), contentType: "text/html; charset=utf-8")
    }
}
