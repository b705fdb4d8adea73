import Foundation
import Geo
import HTTPTypes
import Hummingbird
import ThreatLayers
import ThreatMapCore
import ThreatModel

/// OGC API - Features, Part 1 (Core, GeoJSON), as QGIS's "WFS / OGC API - Features" source and
/// GDAL's OAPIF driver read it: the landing page (`/` when JSON is asked for), `/conformance`,
/// `/collections`, one collection, its items (`bbox`, `datetime`, `limit`, `offset`, and equality
/// on any of its fields), one item, and its queryables (every field with its type, from the
/// layer's fixed schema, so an empty layer still has them).
struct FeaturesController: Sendable {
    let routes: ThreatRoutes
    var service: MapService { routes.service }

    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    ]
    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    static let defaultLimit = 100
    static let maxLimit = 10_000

    func add<Sink: RouteSink>(to router: inout Sink) {
        router.get("/conformance") { request, _ in try self.conformancePage(request) }
        router.get("/collections") { request, _ in try self.collections(request) }
        router.get("/collections/:collection") { request, context in try self.collection(request, context) }
        router.get("/collections/:collection/items") { request, context in try await self.items(request, context) }
        router.get("/collections/:collection/items/:item") { request, context in try await self.item(request, context) }
        router.get("/collections/:collection/queryables") { request, context in try self.queryables(request, context, kind: "queryables") }
        router.get("/collections/:collection/schema") { request, context in try self.queryables(request, context, kind: "schema") }
    }

    /// Whether the landing page is asked for as JSON: `f=json`, or an Accept header that names
    /// JSON before (or without) HTML. Browsers ask for HTML and get the viewer.
    static func wantsJSON(_ request: Request) -> Bool {
        switch request.uri.queryParameters.get("f") {
        case "json"?: return true
        case "html"?: return false
        default: break
        }
        let accept = request.headers[.accept] ?? ""
        guard let json = accept.range(of: "json") else { return false }
        guard let html = accept.range(of: "text/html") else { return true }
        return json.lowerBound < html.lowerBound
    }

    func link(_ href: String, _ rel: String, _ type: String, _ title: String) -> JSONValue {
        ["href": .string(href), "rel": .string(rel), "type": .string(type), "title": .string(title)]
    }

    func landingPage(_ request: Request) -> Response {
        let o = routes.origin(request)
        return jsonResponse([
            "title": "ThreatMap",
            "description": "Security threat levels in Mali by region, cercle and zone, from travel advisories, alerts and conflict events, as OGC API - Features collections.",
            "links": [
                link(o + "/?f=json", "self", "application/json", "This document"),
                link(o + "/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.1", "The API definition (OpenAPI 3.1)"),
                link(o + "/", "service-doc", "text/html", "The map viewer"),
                link(o + "/conformance", "conformance", "application/json", "The conformance classes"),
                link(o + "/collections", "data", "application/json", "The collections: the map's layers"),
            ],
        ])
    }

    func conformancePage(_ request: Request) throws -> Response {
        try Self.refuseUnknown(request, allowed: Self.itemParameters)
        return jsonResponse(["conformsTo": .array(Self.conformance.map { .string($0) })])
    }

    /// The layer a path names, or 404 naming the collections.
    func layer(_ context: some RequestContext) throws -> LayerName {
        let raw = context.parameters.get("collection") ?? ""
        let names = service.builder.layerNames
        guard let name = LayerName(rawValue: raw), names.contains(name) else {
            throw APIError(.notFound, "no collection \"\(raw)\"; the collections are \(names.map(\.rawValue).joined(separator: ", "))")
        }
        return name
    }

    func schema(_ name: LayerName) -> FeatureSchema { LayerSchema.of(name, cercles: service.builder.layerNames.contains(.cercles)) }

    func describe(_ name: LayerName, origin o: String) -> JSONValue {
        let base = o + "/collections/" + name.rawValue
        let boxes = service.builder.atlas.regions.compactMap(\.geometry.boundingBox)
        let box = BoundingBox(minX: boxes.map(\.minX).min() ?? -180, minY: boxes.map(\.minY).min() ?? -90,
                              maxX: boxes.map(\.maxX).max() ?? 180, maxY: boxes.map(\.maxY).max() ?? 90)
        return [
            "id": .string(name.rawValue), "title": .string(name.rawValue),
            "description": .string(MapContent.descriptions[name.rawValue] ?? name.rawValue),
            "itemType": "feature", "crs": [.string(Self.crs84)], "storageCrs": .string(Self.crs84),
            "extent": [
                "spatial": ["bbox": [[.double(box.minX), .double(box.minY), .double(box.maxX), .double(box.maxY)]], "crs": .string(Self.crs84)],
                "temporal": ["interval": [[.null, .null]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"],
            ],
            "links": [
                link(base, "self", "application/json", "This collection"),
                link(base + "/items", "items", "application/geo+json", "Its features (datetime: the moment mapped)"),
                link(base + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Its fields and their types"),
                link(base + "/schema", "http://www.opengis.net/def/rel/ogc/1.0/schema", "application/schema+json", "Its features' schema (Part 5)"),
                link(base + "/schema", "describedby", "application/schema+json", "Its features' schema"),
            ],
        ]
    }

    func collections(_ request: Request) throws -> Response {
        try Self.refuseUnknown(request, allowed: Self.itemParameters)
        let o = routes.origin(request)
        return jsonResponse([
            "links": [link(o + "/collections", "self", "application/json", "The collections")],
            "collections": .array(service.builder.layerNames.map { describe($0, origin: o) }),
        ])
    }

    func collection(_ request: Request, _ context: some RequestContext) throws -> Response {
        let name = try layer(context)
        try Self.refuseUnknown(request, allowed: Self.itemParameters, fields: schema(name).fields)
        return jsonResponse(describe(name, origin: routes.origin(request)))
    }

    /// The fields and their JSON types, from the layer's fixed schema: as `queryables` (Part 3,
    /// what can be filtered on: every field here) and as `schema` (Part 5, what a feature holds,
    /// which newer QGIS and GDAL read for an empty layer's fields).
    func queryables(_ request: Request, _ context: some RequestContext, kind: String) throws -> Response {
        let name = try layer(context)
        let s = schema(name)
        try Self.refuseUnknown(request, allowed: Self.itemParameters, fields: s.fields)
        var properties = JSONObject()
        properties["geometry"] = ["format": .string(s.geometry == .point ? "geometry-point" : "geometry-multipolygon"), "x-ogc-role": "primary-geometry"]
        for f in s.fields {
            switch f.type {
            case .integer: properties[f.name] = ["type": "integer"]
            case .real: properties[f.name] = ["type": "number"]
            case .string: properties[f.name] = ["type": "string"]
            case .boolean: properties[f.name] = ["type": "boolean"]
            case .date: properties[f.name] = ["type": "string", "format": "date"]
            case .dateTime: properties[f.name] = ["type": "string", "format": "date-time"]
            }
        }
        return jsonResponse([
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": .string(routes.origin(request) + "/collections/\(name.rawValue)/" + kind),
            "type": "object", "title": .string(name.rawValue), "properties": .object(properties), "additionalProperties": false,
        ], contentType: "application/schema+json")
    }

    /// What a query value may hold unescaped: the query's characters but the separators.
    static let queryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))

    static let itemParameters: Set<String> = ["bbox", "datetime", "limit", "offset", "f", "as_of"]

    /// A query parameter neither the standard nor a field names is an error (400), as Part 1
    /// requires, so that a misspelt filter is not silently ignored. Every endpoint takes the items'
    /// parameters, since GDAL's OAPIF driver sends the ones of its connection string to each.
    static func refuseUnknown(_ request: Request, allowed: Set<String>, fields: [FeatureSchema.Field] = []) throws {
        for (key, _) in request.uri.queryParameters {
            let k = String(key)
            // A stray `&` (`?limit=5&`, `?&f=json`) names no parameter.
            if k.isEmpty { continue }
            if !allowed.contains(k), !fields.contains(where: { $0.name == k }) {
                let known = allowed.sorted() + (fields.isEmpty ? [] : ["a field (see queryables)"])
                throw APIError(.badRequest, "unknown parameter \"\(k)\"; known: \(known.joined(separator: ", "))")
            }
        }
    }

    /// `datetime`: an instant (the moment mapped) or an interval `start/end` with `..` for an open
    /// end (areas are mapped as of its end; incidents are those dated within it). `as_of` too.
    struct Time {
        var moment: Moment
        var from: Date?
        var through: Date?
        var isInterval: Bool
    }

    static func time(_ request: Request) throws -> Time {
        let q = request.uri.queryParameters
        guard let text = q.get("datetime") else {
            do {
                return Time(moment: try Moment(parsing: q.get("as_of") ?? "now"), isInterval: false)
            } catch {
                throw APIError(.badRequest, "as_of: \(error)")
            }
        }
        if q.get("as_of") != nil { throw APIError(.badRequest, "give datetime or as_of, not both") }
        func instant(_ s: Substring, start: Bool) throws -> Date? {
            if s == ".." || s.isEmpty { return nil }
            do {
                let m = try Moment(parsing: String(s))
                // A day as an interval's start is its first second; elsewhere, its end.
                if start, s.count == 10 { return UTCDate.startOfDay(m.date()) }
                return m.date()
            } catch {
                throw APIError(.badRequest, "datetime: \"\(text)\" is not an RFC 3339 date-time or date, or an interval of them (start/end, .. for an open end)")
            }
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard let d = try instant(parts[0], start: false) else { throw APIError(.badRequest, "datetime: \"\(text)\" is not a moment") }
            return Time(moment: .at(d), isInterval: false)
        case 2:
            let from = try instant(parts[0], start: true), through = try instant(parts[1], start: false)
            if from == nil, through == nil, parts[0] != "..", parts[1] != ".." { throw APIError(.badRequest, "datetime: \"\(text)\" is empty") }
            if let from, let through, from > through { throw APIError(.badRequest, "datetime: \"\(text)\" ends before it starts") }
            return Time(moment: through.map { .at($0) } ?? .now, from: from, through: through, isInterval: true)
        default:
            throw APIError(.badRequest, "datetime: \"\(text)\" is not a moment or an interval start/end")
        }
    }

    static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let v = Int(text), v >= range.lowerBound else {
            throw APIError(.badRequest, "\(name): \"\(text)\" is not a whole number from \(range.lowerBound)")
        }
        return min(v, range.upperBound)
    }

    /// The features of a collection at the request's time, filtered by bbox and fields.
    func features(_ name: LayerName, _ request: Request, time: Time) async throws -> (features: [Feature], stamp: JSONObject) {
        let content = try await offload { try self.service.map(time.moment) }.content
        var features: [Feature]
        if name == .incidents, time.isInterval {
            let from = time.from, through = time.through ?? content.moment
            let rows = try await offload { try self.service.store.sourcedIncidents(from: from, through: through, details: false) }
            features = LayerBuilder.incidents(rows.map { SourcedIncident(incident: $0.incident, source: $0.source) },
                                              from: from ?? .distantPast, through: through).features
        } else {
            features = content.layers[name]?.features ?? []
        }
        features = try LayerController.meeting(request.uri.queryParameters.get("bbox"), features)
        for field in schema(name).fields {
            guard let wanted = request.uri.queryParameters.get(field.name) else { continue }
            features = features.filter { f in
                switch f.properties[field.name] {
                case .string(let s)?: return s == wanted
                case .int(let i)?: return String(i) == wanted
                case .double(let d)?: return Double(wanted) == d
                case .bool(let b)?: return String(b) == wanted
                default: return wanted.isEmpty
                }
            }
        }
        return (features, content.stamp)
    }

    func items(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let name = try layer(context)
        try Self.refuseUnknown(request, allowed: Self.itemParameters, fields: schema(name).fields)
        let time = try Self.time(request)
        let limit = try Self.integer(request, "limit", default: Self.defaultLimit, range: 1...Self.maxLimit)
        let offset = try Self.integer(request, "offset", default: 0, range: 0...Int.max)
        let (all, stamp) = try await features(name, request, time: time)
        let page = Array(all.dropFirst(offset).prefix(limit))
        let base = routes.origin(request) + "/collections/\(name.rawValue)/items"
        func url(offset: Int) -> String {
            var items = request.uri.queryParameters.filter { $0.key != "offset" && $0.key != "limit" }
                .map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed) ?? "")" }
            items += ["limit=\(limit)", "offset=\(offset)"]
            return base + "?" + items.joined(separator: "&")
        }
        var links: [JSONValue] = [link(url(offset: offset), "self", "application/geo+json", "This page")]
        if offset + page.count < all.count { links.append(link(url(offset: offset + limit), "next", "application/geo+json", "The next page")) }
        if offset > 0 { links.append(link(url(offset: max(0, offset - limit)), "prev", "application/geo+json", "The previous page")) }
        links.append(link(routes.origin(request) + "/collections/\(name.rawValue)", "collection", "application/json", "The collection"))
        var members = stamp
        members["timeStamp"] = .string(UTCDate.format(Date()))
        members["numberMatched"] = .int(all.count)
        members["numberReturned"] = .int(page.count)
        members["links"] = .array(links)
        return bytesResponse(GeoJSONWriter(name: name.rawValue, foreignMembers: members).write(FeatureCollection(page)),
                             contentType: "application/geo+json")
    }

    func item(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let name = try layer(context)
        try Self.refuseUnknown(request, allowed: Self.itemParameters, fields: schema(name).fields)
        let id = context.parameters.get("item") ?? ""
        let time = try Self.time(request)
        let (all, _) = try await features(name, request, time: time)
        guard let feature = all.first(where: { $0.id == .string(id) }) else {
            throw APIError(.notFound, "no feature \"\(id)\" in \(name.rawValue) as of \(UTCDate.format(time.moment.date()))")
        }
        var w = JSONWriter()
        GeoJSONWriter().write(feature, into: &w)
        // The links go in as members of the feature: its own and its collection's.
        var bytes = w.bytes
        _ = bytes.popLast()
        var links = JSONWriter()
        let base = routes.origin(request) + "/collections/\(name.rawValue)"
        links.value(.array([link(base + "/items/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id), "self", "application/geo+json", "This feature"),
                            link(base, "collection", "application/json", "The collection")]))
        bytes += Array(",\"links\":".utf8) + links.bytes + [UInt8(ascii: "}")]
        return bytesResponse(bytes, contentType: "application/geo+json")
    }
}
