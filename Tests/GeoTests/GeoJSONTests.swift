import Testing
@testable import Geo

@Suite struct GeoJSONTests {
    static let square = Polygon(exterior: [Position(0, 0), Position(0, 1), Position(1, 1), Position(1, 0), Position(0, 0)],  // clockwise
                                holes: [[Position(0.2, 0.2), Position(0.8, 0.2), Position(0.8, 0.8), Position(0.2, 0.8), Position(0.2, 0.2)]])  // counter-clockwise

    @Test func roundTripKeepsGeometryAndProperties() throws {
        let features = FeatureCollection([
            Feature(id: .string("a"), geometry: .polygon(Self.square), properties: ["name": "Ségou", "level": 4, "share": 0.25, "ok": true, "none": nil, "list": [1, "x"], "nested": ["k": "v"]]),
            Feature(id: .number(7), geometry: .multiPolygon([Self.square, Self.square]), properties: [:]),
            Feature(geometry: .point(Position(-8.002, 12.639, 350))),
            Feature(geometry: .multiPoint([Position(1, 2), Position(3, 4)])),
            Feature(geometry: .lineString([Position(1, 2), Position(3, 4)])),
            Feature(geometry: .multiLineString([[Position(1, 2), Position(3, 4)], [Position(5, 6), Position(7, 8)]])),
            Feature(geometry: .geometryCollection([.point(Position(1, 1)), .lineString([Position(0, 0), Position(2, 2)])])),
            Feature(geometry: nil, properties: ["empty": true]),
        ])
        let bytes = GeoJSONWriter().write(features)
        let back = try GeoJSONReader().read(bytes).featureCollection
        #expect(back.features.count == features.features.count)
        for (a, b) in zip(features.features, back.features) {
            #expect(a.id == b.id)
            #expect(a.properties == b.properties)
            // Rings come back in RFC 7946 winding: compare as GEOS shapes, which ignore it.
            if case .polygon = a.geometry {
                let ctx = GEOSContext()
                #expect(try GEOSObject(a.geometry!, context: ctx).topologicallyEquals(GEOSObject(b.geometry!, context: ctx)))
            } else if case .multiPolygon = a.geometry {
                #expect(b.geometry?.polygons.count == 2)
            } else {
                #expect(a.geometry == b.geometry)
            }
        }
    }

    @Test func writesRFC7946Winding() throws {
        let text = String(decoding: GeoJSONWriter().write(.polygon(Self.square)), as: UTF8.self)
        guard case .polygon(let p) = try GeoJSONReader().read(text).featureCollection.features[0].geometry! else {
            Issue.record("not a polygon")
            return
        }
        #expect(RingOrientation.isCounterClockwise(p.exterior))
        #expect(!RingOrientation.isCounterClockwise(p.rings[1]))
    }

    @Test func writesBBoxNameAndNoCRS() throws {
        let text = String(decoding: GeoJSONWriter(precision: 3, name: "regions").write(FeatureCollection([
            Feature(geometry: .point(Position(-8.0029, 12.6392))), Feature(geometry: .point(Position(1.4078, 18.4411))),
        ])), as: UTF8.self)
        let root = try #require(try JSONParser.parse(text).objectValue)
        #expect(root["bbox"] == [.double(-8.003), .double(12.639), .double(1.408), .double(18.442)])
        #expect(root["name"] == "regions")
        #expect(root["crs"] == nil)
        #expect(text.contains("[-8.003,12.639]"))
    }

    @Test func outputIsDeterministic() {
        let fc = FeatureCollection([Feature(id: .string("x"), geometry: .polygon(Self.square), properties: ["b": 1, "a": 2])])
        #expect(GeoJSONWriter().write(fc) == GeoJSONWriter().write(fc))
    }

    @Test func readsLegacyCRSWhenItIsWGS84() throws {
        let doc = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}"#
        #expect(try GeoJSONReader().read(doc).featureCollection.features.isEmpty)
    }

    @Test(arguments: [
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1]}}]}"#,
         "$.features[0].geometry.coordinates", "at least two numbers"),
        (#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":null},{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#,
         "$.features[1].geometry.coordinates[0]", "must end where it starts"),
        (#"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],["1",2]]}}"#,
         "$.geometry.coordinates[1][0]", "expected a number"),
        (#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}"#,
         "$.geometry.coordinates[0]", "four or more positions"),
        (#"{"type":"Feature","properties":{},"geometry":{"type":"Circle","coordinates":[0,0]}}"#,
         "$.geometry.type", "unknown geometry type"),
        (#"{"features":[]}"#, "$", "missing the \"type\""),
        (#"{"type":"FeatureCollection"}"#, "$", "\"features\""),
        (#"{"type":"Feature","properties":{}}"#, "$", "\"geometry\""),
        (#"{"type":"Feature","id":true,"properties":{},"geometry":null}"#, "$.id", "string or a number"),
        (#"{"type":"Feature","properties":[],"geometry":null}"#, "$.properties", "object or null"),
        (#"{"type":"Point","coordinates":[-890000.5, 1400000.25]}"#, "$.coordinates", "not WGS 84"),
        (#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32629"}},"features":[]}"#, "$.crs", "EPSG:32629"),
        (#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]], 5]}"#, "$.coordinates[1]", "expected an array"),
        (#"{"type":"GeometryCollection","geometries":[{"type":"Point"}]}"#, "$.geometries[0]", "\"coordinates\""),
    ])
    func invalidDocumentsNameThePathOfTheFault(document: String, path: String, message: String) {
        do {
            _ = try GeoJSONReader().read(document)
            Issue.record("accepted an invalid document: \(document)")
        } catch {
            #expect(error.path == path, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        do {
            _ = try GeoJSONReader().read("{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": \"Feature\" \"properties\": {}}]}")
            Issue.record("accepted broken JSON")
        } catch {
            #expect(error.syntax?.line == 3)
            #expect(error.syntax?.column == 22)
            #expect(error.description.contains("line 3, column 22"))
        }
    }
}
