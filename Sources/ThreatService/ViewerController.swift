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
        router.get("/healthz") { _, _ in try self.health() }
        router.get("/metrics") { _, _ in
            bytesResponse(self.service.metrics.text(self.service), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in bytesResponse(Array(OpenAPIDocument.text.utf8), contentType: "application/json") }
    }

    func health() throws -> Response {
        let c = try service.store.counts()
        return jsonResponse(["status": "ok", "documents": .int(c.documents), "alerts": .int(c.alerts), "incidents": .int(c.incidents),
                             "cached_tiles": .int(service.cachedTileCount)])
    }

    func viewerPage(_ request: Request) -> Response {
        bytesResponse(Array(ViewerPage.html(maplibreURL: routes.viewer.maplibreURL, maplibreCSSURL: routes.viewer.cssURL).utf8), contentType: "text/html; charset=utf-8")
    }
}
