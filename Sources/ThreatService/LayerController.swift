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

/// GET /layers, /layers/{name}, /tiles.json and /style.json: the map as of `as_of` as GeoJSON and
/// the documents that describe its tiles.
struct LayerController: Sendable {
    let routes: ThreatRoutes
    var service: MapService { routes.service }

    func add<Sink: RouteSink>(to router: inout Sink) {
        router.get("/layers") { request, _ in try await self.layerList(request) }
        router.get("/layers/:name") { request, context in try await self.layer(request, context) }
        router.get("/tiles.json") { request, _ in try await self.tileJSON(request) }
        router.get("/style.json") { request, _ in try self.style(request) }
    }

    func layerList(_ request: Request) async throws -> Response {
        let map = try await routes.map(request)
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
        let names = service.builder.layerNames
        guard let name = LayerName(rawValue: raw), names.contains(name) else {
            throw APIError(.notFound, "no layer \"\(raw)\"; the layers are \(names.map(\.rawValue).joined(separator: ", "))")
        }
        let content = try await routes.content(request)
        var fc = content.layers[name] ?? FeatureCollection()
        fc.features = try Self.meeting(request.uri.queryParameters.get("bbox"), fc.features)
        return bytesResponse(GeoJSONWriter(name: name.rawValue, foreignMembers: content.stamp).write(fc), contentType: "application/geo+json")
    }

    /// The features whose box meets the `bbox` parameter's box (all of them without one).
    static func meeting(_ bbox: String?, _ features: [Feature]) throws -> [Feature] {
        guard let bbox else { return features }
        let box = try Self.bbox(bbox)
        return features.filter { f in f.geometry?.boundingBox?.intersects(box) ?? false }
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
        let m = try routes.moment(request)
        let map = try await routes.map(request)
        let url = routes.origin(request) + "/tiles/{z}/{x}/{y}.mvt" + routes.asOfQuery(m)
        return jsonResponse(map.tileJSON(tileURL: url, minZoom: service.settings.minZoom, maxZoom: service.settings.maxZoom))
    }

    func style(_ request: Request) throws -> Response {
        let m = try routes.moment(request)
        let style = MapStyle.document(tileJSONURL: routes.origin(request) + "/tiles.json" + routes.asOfQuery(m),
                                      basemapURL: service.basemap == nil ? nil : routes.origin(request) + "/basemap.json", glyphs: routes.viewer.glyphsURL)
        return jsonResponse(style)
    }
}
