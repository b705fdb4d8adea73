import Foundation
import Geo
import HTTPTypes
import Testing
import ThreatService

/// OGC API - Features over a live server: the landing page by content negotiation, collections,
/// queryables of an empty layer, datetime as the as-of, paging, filters and errors.
@Suite struct FeaturesTests {
    @Test func landingPageConformanceAndCollections() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            let landing = try await client.execute(uri: "/", method: .get, headers: [.accept: "application/json"])
            #expect(landing.headers[.contentType] == "application/json")
            let rels = try json(landing.body).objectValue?["links"]?.arrayValue?.compactMap { $0.objectValue?["rel"]?.stringValue } ?? []
            #expect(Set(rels).isSuperset(of: ["self", "service-desc", "conformance", "data"]), "\(rels)")
            // A browser still gets the viewer.
            let page = try await client.execute(uri: "/", method: .get, headers: [.accept: "text/html,application/xhtml+xml,application/json;q=0.9"])
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let conformance = try json(try await client.execute(uri: "/conformance", method: .get).body)
            #expect(conformance.objectValue?["conformsTo"]?.arrayValue?.contains(.string("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core")) == true)
            let collections = try json(try await client.execute(uri: "/collections", method: .get).body)
            let ids = collections.objectValue?["collections"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
            #expect(ids == ["regions", "zones", "alert_areas", "incidents", "labels"])
            #expect(try await client.execute(uri: "/collections/roads", method: .get).status == .notFound)
        }
    }

    @Test func queryablesOfAnEmptyLayerAndItemsAsOfADate() async throws {
        let f = try Fixture(maxZoom: 6)
        try await withLiveServer(f.routes) { client in
            // As of now no alert is active: alert_areas is empty, its queryables are all there.
            let empty = try json(try await client.execute(uri: "/collections/alert_areas/items", method: .get).body)
            #expect(empty.objectValue?["numberMatched"] == .int(0))
            let q = try await client.execute(uri: "/collections/alert_areas/queryables", method: .get)
            #expect(q.headers[.contentType] == "application/schema+json")
            let props = try json(q.body).objectValue?["properties"]?.objectValue
            #expect(props?["level"] == ["type": "integer"] && props?["expires"] == ["type": "string", "format": "date-time"])
            #expect(props?["expires_given"] == ["type": "boolean"])

            // datetime is the as-of: Mopti rises with the sample events.
            func mopti(_ query: String) async throws -> JSONValue? {
                let r = try json(try await client.execute(uri: "/collections/regions/items?id=mopti&" + query, method: .get).body)
                return r.objectValue?["features"]?.arrayValue?.first?.objectValue?["properties"]?.objectValue?["level"]
            }
            #expect(try await mopti("datetime=2024-05-16") == .int(1))
            #expect(try await mopti("datetime=2024-07-05T23:59:59Z") == .int(3))
            #expect(try await mopti("datetime=../2024-07-05") == .int(3))

            // An interval of incidents, a page at a time: every one once.
            var seen: [String] = []
            var next: String? = "/collections/incidents/items?datetime=2024-06-01/2024-07-09&limit=4"
            while let uri = next {
                let page = try json(try await client.execute(uri: uri, method: .get).body).objectValue
                #expect(page?["numberMatched"] == .int(9))
                seen += page?["features"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? []
                next = page?["links"]?.arrayValue?.first { $0.objectValue?["rel"] == "next" }?.objectValue?["href"]?.stringValue
                    .map { String($0[$0.range(of: "/collections")!.lowerBound...]) }
            }
            #expect(seen.count == 9 && Set(seen).count == 9)

            let one = try await client.execute(uri: "/collections/regions/items/gao?datetime=2024-07-05", method: .get)
            let oneID = try json(one.body).objectValue?["id"]
            #expect(one.status == .ok && oneID == "gao")
            #expect(try await client.execute(uri: "/collections/regions/items/atlantis", method: .get).status == .notFound)
        }
    }

    @Test func badParametersAreClearErrors() async throws {
        let f = try Fixture(samples: false)
        try await withLiveServer(f.routes) { client in
            for (uri, words) in [("/collections/regions/items?datetime=yesterday", "datetime"),
                                 ("/collections/regions/items?datetime=2024-07-05/2024-06-01", "ends before it starts"),
                                 ("/collections/regions/items?limit=0", "limit"),
                                 ("/collections/regions/items?bbox=1,2,3", "bbox"),
                                 ("/collections/regions/items?levl=5", "unknown parameter \"levl\"")] {
                let r = try await client.execute(uri: uri, method: .get)
                let message = try json(r.body).objectValue?["error"]?.objectValue?["message"]?.stringValue ?? ""
                #expect(r.status == .badRequest && message.contains(words), "\(uri): \(message)")
            }
            // A stray `&` names no parameter.
            #expect(try await client.execute(uri: "/collections/regions/items?&limit=2&", method: .get).status == .ok)
        }
    }
}
