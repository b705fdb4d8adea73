import AlertIngest
import Atlas
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import ThreatLayers
import ThreatMapCore
import ThreatModel
import ThreatService
import ThreatStore
import VectorTiles

let geodata: URL = try! GeoDataLocation.maliDirectory().deletingLastPathComponent()

/// A service over a new store holding the sample alerts, with the token "secret" unless told.
struct Fixture {
    let directory: URL
    let store: any ThreatStore
    let service: MapService
    let routes: ThreatRoutes

    init(token: String? = "secret", samples: Bool = true, maxZoom: Int = 8, configure: (inout ServiceSettings) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        var settings = ServiceSettings()
        if let token { try settings.writers.add(name: "test-feed", token: token) }
        settings.maxZoom = maxZoom
        configure(&settings)
        service = try MapService(store: store, geodata: try GeoDataFolder(explicit: geodata.path), settings: settings)
        if samples {
            let files = try FileManager.default.contentsOfDirectory(at: geodata.appendingPathComponent("alerts"), includingPropertiesForKeys: nil)
            for f in files.sorted(by: { $0.path < $1.path }) {
                _ = try service.ingest(Array(try Data(contentsOf: f)), name: f.lastPathComponent, format: nil)
            }
        }
        routes = ThreatRoutes(service: service)
    }

    /// What the store holds, to show that a refused write changed nothing.
    func fingerprint() throws -> String {
        let c = try store.counts()
        let docs = try store.documents().map(\.sha256).joined(separator: ",")
        let alerts = try store.alerts().map { "\($0.alert.id)=\($0.state)" }.joined(separator: ",")
        return "\(c) \(docs) \(alerts)"
    }
}

func json(_ buffer: ByteBuffer) throws -> JSONValue {
    try JSONParser.parse(Array(buffer.readableBytesView))
}

/// The tile holding a point at a zoom.
func tile(lon: Double, lat: Double, z: Int) -> TileAddress {
    let n = Double(1 << z)
    let x = Int(((lon + 180) / 360 * n).rounded(.down))
    let y = Int(((1 - asinh(tan(lat * .pi / 180)) / .pi) / 2 * n).rounded(.down))
    return TileAddress(z: z, x: x, y: y)
}

let kidalAlert = """
    {"id": "test-kidal-kidnapping", "title": "Mali: Foreign nationals kidnapped near Kidal",
     "published": "2024-07-04T08:00:00Z", "severity": "Extreme",
     "summary": "Gunmen kidnapped two foreign aid workers near Kidal on July 3.",
     "places": [{"name": "Kidal", "role": "event"}], "categories": {"kidnapping": 5}}
    """

@Suite struct ReadTests {
    /// HEAD as GDAL's /vsicurl/ and caches send it: the GET's status and headers, no body; a wrong
    /// method on a known path is 405 with Allow; OPTIONS without a preflight names the methods.
    @Test func headMethodNotAllowedAndOptions() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            for uri in ["/layers/regions?as_of=2024-07-05", "/tiles.json", "/openapi.json", "/healthz", "/"] {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                if uri != "/healthz" { #expect(head.headers[.contentLength] == String(get.body.readableBytes), "\(uri)") }
            }
            let missing = try await client.execute(uri: "/layers/roads", method: .head)
            #expect(missing.status == .notFound && missing.body.readableBytes == 0)
            for (uri, method, allow) in [("/alerts", HTTPRequest.Method.put, "GET, POST, HEAD, OPTIONS"),
                                         ("/layers/regions", .post, "GET, HEAD, OPTIONS"),
                                         ("/alerts/x", .patch, "GET, DELETE, HEAD, OPTIONS")] {
                let r = try await client.execute(uri: uri, method: method)
                #expect(r.status == .methodNotAllowed, "\(uri)")
                #expect(r.headers[.allow] == allow, "\(uri)")
                #expect(try json(r.body).objectValue?["error"]?.objectValue?["status"] == .int(405))
            }
            let options = try await client.execute(uri: "/tiles/1/1/1.mvt", method: .options)
            #expect(options.status == .noContent && options.headers[.allow] == "GET, HEAD, OPTIONS")
            #expect(try await client.execute(uri: "/nowhere", method: .put).status == .notFound)
        }
    }

    /// Byte ranges, as GDAL's /vsicurl/ reads a layer by URL: one range is 206 with its
    /// Content-Range and exactly those bytes; past the end is 416; an If-Range of another ETag,
    /// or several ranges, get the whole answer.
    @Test func rangesOfALayer() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            let uri = "/layers/regions?as_of=2024-07-05"
            let whole = try await client.execute(uri: uri, method: .get)
            let bytes = Array(whole.body.readableBytesView)
            #expect(whole.headers[.acceptRanges] == "bytes")
            #expect(try await client.execute(uri: uri, method: .head).headers[.acceptRanges] == "bytes")
            for (range, part) in [("bytes=0-99", 0..<100), ("bytes=-10", (bytes.count - 10)..<bytes.count),
                                  ("bytes=100-", 100..<bytes.count), ("bytes=5-5", 5..<6),
                                  ("bytes=10-\(bytes.count * 2)", 10..<bytes.count)] {
                let r = try await client.execute(uri: uri, method: .get, headers: [.range: range])
                #expect(r.status == .partialContent, "\(range)")
                #expect(r.headers[.contentRange] == "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(bytes.count)", "\(range)")
                #expect(r.headers[.contentLength] == String(part.count), "\(range)")
                #expect(Array(r.body.readableBytesView) == Array(bytes[part]), "\(range)")
            }
            let past = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=\(bytes.count)-"])
            #expect(past.status == .rangeNotSatisfiable && past.headers[.contentRange] == "bytes */\(bytes.count)")
            for headers: HTTPFields in [[.range: "bytes=0-1,5-9"], [.range: "bytes=0-9", .ifRange: "\"not-its-tag\""], [.range: "lines=1-2"]] {
                let r = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(r.status == .ok && r.body.readableBytes == bytes.count, "\(headers)")
            }
            if let tag = whole.headers[.eTag] {
                let r = try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=0-9", .ifRange: tag])
                #expect(r.status == .partialContent)
            }
        }
    }

    @Test func healthAndTheOpenAPIDocumentNameEveryRoute() async throws {
        let f = try Fixture()
        try await withLiveServer(f.routes) { client in
            let h = try await client.execute(uri: "/healthz", method: .get)
            #expect(h.status == .ok)
            #expect(try json(h.body).objectValue?["alerts"]?.intValue == 13)
            let doc = try json(try await client.execute(uri: "/openapi.json", method: .get).body)
            #expect(doc.objectValue?["openapi"]?.stringValue == "3.1.0")
            let paths = Set(doc.objectValue?["paths"]?.objectValue?.keys ?? [])
            #expect(paths == ["/", "/healthz", "/openapi.json", "/layers", "/layers/{name}", "/tiles.json", "/style.json",
                              "/tiles/{z}/{x}/{y}.mvt", "/alerts", "/alerts/{id}", "/conformance", "/collections",
                              "/collections/{collectionId}", "/collections/{collectionId}/items",
                              "/collections/{collectionId}/items/{featureId}", "/collections/{collectionId}/queryables",
                              "/collections/{collectionId}/schema", "/metrics",
                              "/basemap.json", "/basemap/{z}/{x}/{y}.mvt", "/archives", "/archives/{name}/tiles.json", "/archives/{name}/tiles/{z}/{x}/{y}.mvt"])
        }
    }

    @Test func layersAsGeoJSONWithAsOfAndBBox() async throws {
        let f = try Fixture()
        try await withLiveServer(f.routes) { client in
            let list = try json(try await client.execute(uri: "/layers?as_of=2024-07-05", method: .get).body)
            let names = list.objectValue?["layers"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
            #expect(names == ["regions", "zones", "alert_areas", "incidents", "labels"])
            let r = try await client.execute(uri: "/layers/regions?as_of=2024-07-05", method: .get)
            #expect(r.status == .ok && r.headers[.contentType] == "application/geo+json")
            let regions = try GeoJSONReader().read(Array(r.body.readableBytesView)).featureCollection
            #expect(regions.features.count == 10)
            // Around Bamako only: the district and the regions that touch the box.
            let near = try GeoJSONReader().read(Array(try await client.execute(uri: "/layers/regions?as_of=2024-07-05&bbox=-8.1,12.5,-7.9,12.7", method: .get).body.readableBytesView)).featureCollection
            let ids = Set(near.features.compactMap { $0.properties["id"]?.stringValue })
            #expect(ids.contains("bamako") && !ids.contains("kidal") && ids.count < 9)
            for (uri, status) in [("/layers/roads", HTTPResponse.Status.notFound), ("/layers/regions?bbox=1,2,3", .badRequest),
                                  ("/layers/regions?bbox=10,0,0,10", .badRequest), ("/layers/regions?as_of=yesterday", .badRequest),
                                  ("/layers/regions?as_of=2024-01-01Tjunk", .badRequest), ("/layers/regions?as_of=2024-02-30", .badRequest)] {
                let e = try await client.execute(uri: uri, method: .get)
                #expect(e.status == status, "\(uri)")
                #expect(try json(e.body).objectValue?["error"]?.objectValue?["message"]?.stringValue?.isEmpty == false, "\(uri)")
            }
        }
    }

    @Test func tileJSONAndStyleCarryAbsoluteURLsWithAsOf() async throws {
        let f = try Fixture()
        try await withLiveServer(f.routes) { client in
            let tj = try json(try await client.execute(uri: "/tiles.json?as_of=2024-07-05", method: .get, headers: [HTTPField.Name("Host")!: "maps.example.org"]).body)
            let url = tj.objectValue?["tiles"]?.arrayValue?.first?.stringValue ?? ""
            #expect(url.hasPrefix("http") && url.hasSuffix("/tiles/{z}/{x}/{y}.mvt?as_of=2024-07-05"), "\(url)")
            let style = try json(try await client.execute(uri: "/style.json?as_of=2024-07-05T12:00:00Z", method: .get).body)
            let source = style.objectValue?["sources"]?.objectValue?["threatmap"]?.objectValue?["url"]?.stringValue ?? ""
            #expect(source.hasSuffix("/tiles.json?as_of=2024-07-05T12:00:00Z"), "\(source)")
            // Without a font server the style has no text layer (the viewer draws labels).
            #expect(style.objectValue?["glyphs"] == nil)
        }
    }

    @Test func theBasemapIsServedAsItsOwnTilesUnderTheStyle() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            let tj = try json(try await client.execute(uri: "/basemap.json", method: .get).body)
            #expect(tj.objectValue?["tiles"]?.arrayValue?.first?.stringValue?.hasSuffix("/basemap/{z}/{x}/{y}.mvt") == true)
            #expect(tj.objectValue?["vector_layers"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == "basemap")
            let style = try json(try await client.execute(uri: "/style.json", method: .get).body)
            #expect(style.objectValue?["sources"]?.objectValue?["basemap"]?.objectValue?["url"]?.stringValue?.hasSuffix("/basemap.json") == true)
            let ids = style.objectValue?["layers"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
            // Land under the levels, the river and towns over them.
            let land = try #require(ids.firstIndex(of: "basemap-land")), fill = try #require(ids.firstIndex(of: "regions-fill"))
            let river = try #require(ids.firstIndex(of: "basemap-rivers"))
            #expect(land < fill && fill < river && ids.contains("basemap-towns-1"))

            // The tile holding Bamako has land, the border with Guinea as lines, the Niger and towns.
            let t = tile(lon: -8.0, lat: 12.65, z: 6)
            let r = try await client.execute(uri: "/basemap/\(t.z)/\(t.x)/\(t.y).mvt", method: .get)
            #expect(r.status == .ok && r.headers[.eTag] != nil)
            let decoded = try MVTDecoder.json(Array(r.body.readableBytesView))
            let features = decoded.objectValue?["layers"]?.arrayValue?.first?.objectValue?["features"]?.arrayValue ?? []
            var kinds: [String: Set<String>] = [:]
            for feature in features {
                let o = feature.objectValue
                kinds[o?["properties"]?.objectValue?["kind"]?.stringValue ?? "", default: []].insert(o?["type"]?.stringValue ?? "")
            }
            #expect(kinds["land"] == ["Polygon"] && kinds["border"] == ["LineString"] && kinds["river"] == ["LineString"], "\(kinds)")
            #expect(kinds["town"] == ["Point"], "\(kinds)")
            let towns = features.compactMap { $0.objectValue?["properties"]?.objectValue?["name"]?.stringValue }
            #expect(towns.contains("Bamako"), "\(towns)")
            let again = try await client.execute(uri: "/basemap/\(t.z)/\(t.x)/\(t.y).mvt", method: .get)
            #expect(again.headers[HTTPField.Name("X-Cache")!] == "hit" && again.headers[.eTag] == r.headers[.eTag])
            #expect(try await client.execute(uri: "/basemap/7/1/1.mvt", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/basemap/4/0/8.mvt", method: .get).status == .noContent)
        }
    }

    @Test func tilesAreTheExportedTilesWithCachingHeaders() async throws {
        let f = try Fixture(maxZoom: 6)
        let t = tile(lon: -8.0, lat: 12.65, z: 6)  // Bamako
        // The same tile as export tiles makes for the whole pyramid.
        var options = TilerOptions()
        options.maxZoom = 6
        let map = try f.service.map(try Moment(parsing: "2024-07-05"))
        let pyramid = try await Tiler(options: options).tiles(map.sources)
        try await withLiveServer(f.routes) { client in
            let uri = "/tiles/\(t.z)/\(t.x)/\(t.y).mvt?as_of=2024-07-05"
            let plain = try await client.execute(uri: uri, method: .get, headers: [.origin: "http://viewer.example.org"])
            #expect(plain.status == .ok)
            #expect(Array(plain.body.readableBytesView) == pyramid[t])
            #expect(plain.headers[.contentType] == "application/vnd.mapbox-vector-tile")
            #expect(plain.headers[.vary] == "Accept-Encoding")
            #expect(plain.headers[.cacheControl] == "public, no-cache")
            #expect(plain.headers[.accessControlAllowOrigin] == "*")
            #expect(plain.headers[.accessControlExposeHeaders]?.contains("ETag") == true)
            let etag = try #require(plain.headers[.eTag])
            #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))

            let gz = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(gz.headers[.contentEncoding] == "gzip" && gz.headers[.eTag] != etag)
            #expect(try Gzip.decompress(Array(gz.body.readableBytesView)) == pyramid[t])
            #expect(gz.headers[HTTPField.Name("X-Cache")!] == "hit")
            let refused = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)

            let again = try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.body.readableBytes == 0 && again.headers[.eTag] == etag)
            let other = try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: "\"something-else\""])
            #expect(other.status == .ok)

            // The Pacific has nothing: 204. Past the pyramid, or x beyond 2^z: 404. Not numbers: 400.
            #expect(try await client.execute(uri: "/tiles/4/0/8.mvt", method: .get).status == .noContent)
            for (path, status) in [("/tiles/7/1/1.mvt", HTTPResponse.Status.notFound), ("/tiles/2/4/0.mvt", .notFound),
                                   ("/tiles/2/-1/0.mvt", .notFound), ("/tiles/a/1/1.mvt", .badRequest), ("/tiles/1/1/1.png", .badRequest),
                                   ("/tiles/1/1/1.mvt?as_of=31-12-2024", .badRequest)] {
                let e = try await client.execute(uri: path, method: .get)
                #expect(e.status == status, "\(path)")
                #expect(e.headers[.contentType] == "application/json", "\(path)")
            }
            // Another day is another tile set, under its own URL.
            let before = try await client.execute(uri: "/tiles/\(t.z)/\(t.x)/\(t.y).mvt?as_of=2020-01-01", method: .get)
            #expect(before.status == .ok && before.headers[.eTag] != etag)
        }
    }

    @Test func alertsComeWithTheirProvenance() async throws {
        let f = try Fixture()
        try await withLiveServer(f.routes) { client in
            let all = try json(try await client.execute(uri: "/alerts", method: .get).body).objectValue?["alerts"]?.arrayValue ?? []
            #expect(all.count == 13)
            let id = "tm-2025-02-sikasso-0001"
            let one = try json(try await client.execute(uri: "/alerts/\(id)", method: .get).body).objectValue
            #expect(one?["regions"] == ["sikasso"])
            let provenance = one?["provenance"]?.objectValue
            #expect(provenance?["name"]?.stringValue == "sikasso-2025-02-json.json")
            #expect(provenance?["sha256"]?.stringValue?.count == 64)
            #expect(try await client.execute(uri: "/alerts/no-such-alert", method: .get).status == .notFound)
        }
    }

    @Test func theViewerLoadsMapLibreFromItsConfiguredURL() async throws {
        let f = try Fixture(samples: false)
        var viewer = ViewerSettings()
        viewer.maplibreURL = "http://127.0.0.1:9/vendor/maplibre-gl.js"
        try await withLiveServer(ThreatRoutes(service: f.service, viewer: viewer)) { client in
            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(page.contains("src=\"http://127.0.0.1:9/vendor/maplibre-gl.js\""))
            #expect(page.contains("href=\"http://127.0.0.1:9/vendor/maplibre-gl.css\""))
            #expect(page.contains("window.map = map"))
            for colour in ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"] { #expect(page.contains(colour)) }
        }
    }
}

@Suite struct WriteTests {
    @Test func refusedWritesChangeNothing() async throws {
        let f = try Fixture()
        let before = try f.fingerprint()
        let body = ByteBuffer(string: kidalAlert)
        try await withLiveServer(f.routes) { client in
            var r = try await client.execute(uri: "/alerts", method: .post, headers: [.contentType: "application/json"], body: body)
            #expect(r.status == .unauthorized)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer not-the-token"], body: body)
            #expect(r.status == .forbidden)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Basic c2VjcmV0"], body: body)
            #expect(r.status == .unauthorized)
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 20 * 1024 * 1024)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "text/plain"], body: big)
            #expect(r.status == .contentTooLarge)
            let cap = ByteBuffer(string: "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier><info><area>")
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "application/cap+xml"], body: cap)
            #expect(r.status == .badRequest)
            let message = try json(r.body).objectValue?["error"]?.objectValue?["message"]?.stringValue ?? ""
            #expect(message.contains("line") && message.contains("XML"), "\(message)")
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "application/json"],
                                         body: ByteBuffer(string: "{\"id\": 5}"))
            #expect(r.status == .badRequest)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret"], body: ByteBuffer())
            #expect(r.status == .badRequest)
            r = try await client.execute(uri: "/alerts/tm-2025-02-sikasso-0001", method: .delete)
            #expect(r.status == .unauthorized)
        }
        #expect(try f.fingerprint() == before)

        // A server without a token refuses every write.
        let closed = try Fixture(token: nil, samples: false)
        let empty = try closed.fingerprint()
        try await withLiveServer(closed.routes) { client in
            let r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer anything"], body: body)
            #expect(r.status == .forbidden)
        }
        #expect(try closed.fingerprint() == empty)
    }

    /// Named writers from a token file: each write is stored with its writer's name, shown in
    /// the alert's provenance; a token of no writer is refused.
    @Test func namedWritersAreStoredWithWhatTheyWrote() async throws {
        let f = try Fixture(token: nil, samples: false)
        let file = f.directory.appendingPathComponent("tokens")
        try "# feeds that may write\nsahel-desk  s3cr3t-sahel-0001\n\ncap-feed s3cr3t-cap-0002  # the CAP relay\n".write(to: file, atomically: true, encoding: .utf8)
        var settings = ServiceSettings()
        try settings.writers.load(file: file.path)
        #expect(settings.writers.names == ["sahel-desk", "cap-feed"])
        #expect(settings.writers.writer(of: "s3cr3t-cap-0002") == "cap-feed" && settings.writers.writer(of: "s3cr3t-cap-000") == nil)
        let service = try MapService(store: f.store, geodata: try GeoDataFolder(explicit: geodata.path), settings: settings)
        let advisory = try String(contentsOf: geodata.appendingPathComponent("alerts/kayes-2024-11-road-banditry.txt"), encoding: .utf8)
        let cap = try String(contentsOf: geodata.appendingPathComponent("alerts/cap-menaka-2024-07.xml"), encoding: .utf8)
        try await withLiveServer(ThreatRoutes(service: service)) { client in
            var r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer s3cr3t-sahel-0001"], body: ByteBuffer(string: advisory))
            #expect(r.status == .created)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer s3cr3t-cap-0002"], body: ByteBuffer(string: cap))
            #expect(r.status == .created)
            r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret"], body: ByteBuffer(string: cap))
            #expect(r.status == .forbidden)
            let alert = try json(try await client.execute(uri: "/alerts/cap-TM-2024-07-MNK-001", method: .get).body)
            #expect(alert.objectValue?["provenance"]?.objectValue?["sender"]?.stringValue == "cap-feed")
        }
        #expect(try f.store.documents(withBytes: false).map(\.sender) == ["sahel-desk", "cap-feed"])
    }

    @Test func aBadTokenFileIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("threatmap-tokens-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (text, fragment) in [("one two three\n", "line 1: expected NAME TOKEN"), ("a\n", "line 1: expected NAME TOKEN, found 1 fields"),
                                 ("a 12345678\na 87654321\n", "line 2: the writer name a is given twice"),
                                 ("a 12345678\nb 12345678\n", "another writer's"), ("bad/name 12345678\n", "not letters")] {
            let file = dir.appendingPathComponent("t")
            try text.write(to: file, atomically: true, encoding: .utf8)
            var w = WriterTokens()
            #expect { try w.load(file: file.path) } throws: { "\($0)".contains(fragment) }
        }
        var w = WriterTokens()
        #expect { try w.load(file: dir.appendingPathComponent("absent").path) } throws: { "\($0)".contains("cannot be read") }
    }

    @Test func aPostedAlertChangesTheMapAndOnlyTheTilesItReaches() async throws {
        let f = try Fixture(maxZoom: 7)
        let kidal = tile(lon: 1.41, lat: 18.44, z: 7), kayes = tile(lon: -11.44, lat: 14.45, z: 7)
        @Sendable func uri(_ t: TileAddress) -> String { "/tiles/\(t.z)/\(t.x)/\(t.y).mvt?as_of=2024-07-05" }
        @Sendable func kidalLevel(_ client: TestClient, asOf: String = "2024-07-05") async throws -> Int? {
            let fc = try GeoJSONReader().read(Array(try await client.execute(uri: "/layers/regions?as_of=\(asOf)", method: .get).body.readableBytesView)).featureCollection
            return fc.features.first { $0.properties["id"]?.stringValue == "kidal" }?.properties["level_kidnapping"]?.intValue
        }
        try await withLiveServer(f.routes) { client in
            let kidalBefore = try await client.execute(uri: uri(kidal), method: .get)
            let kayesBefore = try await client.execute(uri: uri(kayes), method: .get)
            #expect(kidalBefore.status == .ok && kayesBefore.status == .ok)
            #expect(try await kidalLevel(client) != 5)

            let r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "application/json"],
                                             body: ByteBuffer(string: kidalAlert))
            #expect(r.status == .created)
            #expect(r.headers[.location] == "/alerts/test-kidal-kidnapping")
            let body = try json(r.body).objectValue
            #expect(body?["alerts"]?.arrayValue?.first?.objectValue?["regions"] == ["kidal"])
            #expect((body?["tiles_invalidated"]?.intValue ?? 0) > 0)
            #expect(try await kidalLevel(client) == 5)

            // The write made the tiles it changed again before it answered: the new tile is ready.
            let kidalAfter = try await client.execute(uri: uri(kidal), method: .get)
            #expect(kidalAfter.headers[HTTPField.Name("X-Cache")!] == "hit")
            #expect(kidalAfter.headers[.eTag] != kidalBefore.headers[.eTag])
            #expect(kidalAfter.body != kidalBefore.body)
            let kayesAfter = try await client.execute(uri: uri(kayes), method: .get)
            #expect(kayesAfter.headers[HTTPField.Name("X-Cache")!] == "hit")
            #expect(kayesAfter.headers[.eTag] == kayesBefore.headers[.eTag])

            // The same bytes again: 200, nothing changed.
            let same = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret"], body: ByteBuffer(string: kidalAlert))
            #expect(same.status == .ok)
            #expect(try json(same.body).objectValue?["unchanged"] == .bool(true))

            // An alert active now, cancelled through the API: the cancel is stored as a document
            // of its own, and the live map falls back.
            let now = Date()
            let live = kidalAlert.replacingOccurrences(of: "test-kidal-kidnapping", with: "test-kidal-live")
                .replacingOccurrences(of: "2024-07-04T08:00:00Z", with: UTCDate.format(now.addingTimeInterval(-3600)))
            #expect(try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret"], body: ByteBuffer(string: live)).status == .created)
            #expect(try await kidalLevel(client, asOf: "now") == 5)
            let d = try await client.execute(uri: "/alerts/test-kidal-live", method: .delete, headers: [.authorization: "Bearer secret"])
            #expect(d.status == .ok)
            #expect(try json(d.body).objectValue?["ended"] == ["test-kidal-live"])
            #expect(try await kidalLevel(client, asOf: "now") != 5)
            let record = try json(try await client.execute(uri: "/alerts/test-kidal-live", method: .get).body).objectValue
            #expect(record?["state"]?.stringValue == "cancelled")
            #expect(record?["ended_by"]?.stringValue?.hasPrefix("api-cancel-test-kidal-live") == true)
            let again = try await client.execute(uri: "/alerts/test-kidal-live", method: .delete, headers: [.authorization: "Bearer secret"])
            #expect(again.status == .conflict)
            let unknown = try await client.execute(uri: "/alerts/no-such-alert", method: .delete, headers: [.authorization: "Bearer secret"])
            #expect(unknown.status == .notFound)
        }
    }
}
