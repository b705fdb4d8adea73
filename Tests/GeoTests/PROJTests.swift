import Testing
@testable import Geo

@Suite struct PROJTests {
    @Test func utmOnTheCentralMeridianMatchesTheGeodesicArc() throws {
        // Zone 29's central meridian is 9°W. On it, UTM northing is 0.9996 times the meridian arc
        // from the equator, which PROJ's geodesic code computes independently of its tmerc code.
        let t = try CoordinateTransform(fromEPSG: 4326, toEPSG: 32629)
        let p = try t.transform(Position(-9, 12.6))
        let arc = Geodesic.wgs84.distance(Position(-9, 0), Position(-9, 12.6))
        #expect(abs(p.x - 500_000) < 1e-6)
        #expect(abs(p.y - arc * 0.9996) < 0.001)
    }

    @Test func roundTripsBamako() throws {
        let bamako = Position(-8.0029, 12.6392)
        let forward = try CoordinateTransform(fromEPSG: 4326, toEPSG: 32629)
        let inverse = try CoordinateTransform(fromEPSG: 32629, toEPSG: 4326)
        let metres = try forward.transform(bamako)
        #expect(metres.x > 600_000 && metres.x < 612_000)
        let back = try inverse.transform(metres)
        #expect(abs(back.x - bamako.x) < 1e-9 && abs(back.y - bamako.y) < 1e-9)
        // Web Mercator, for tiles later: x is R·λ.
        let merc = try CoordinateTransform(fromEPSG: 4326, toEPSG: 3857).transform(bamako)
        #expect(abs(merc.x - 6_378_137 * bamako.x * .pi / 180) < 1e-6)
    }

    @Test func transformsGEOSObjectsInPlace() throws {
        let ctx = GEOSContext()
        let t = try CoordinateTransform(fromEPSG: 4326, toEPSG: 32629)
        let square = try GEOSObject(box(-9, 12, -8.9, 12.1), context: ctx)
        let projected = try t.transform(square)
        let area = try projected.area()
        // About 10.9 km × 11.1 km.
        #expect(area > 1.1e8 && area < 1.3e8)
        #expect(try projected.geometry() == (try t.transform(square.geometry())))
    }

    @Test func unknownCRSIsAnError() {
        #expect(throws: PROJError.self) { try CoordinateTransform(from: "EPSG:4326", to: "EPSG:999999") }
    }

    @Test func utmZones() {
        #expect(UTM.zone(longitude: -8.0) == 29)
        #expect(UTM.zone(longitude: 1.4) == 31)
        #expect(UTM.epsgCode(for: Position(-8, 12.6)) == 32629)
        #expect(UTM.epsgCode(for: Position(-8, -12.6)) == 32729)
        #expect(UTM.zone(longitude: 180) == 1)
    }
}

@Suite struct MetricBufferTests {
    @Test func fiftyKilometresAroundBamakoHasTheGeodesicDiscArea() throws {
        let bamako = Position(-8.0029, 12.6392)
        let ctx = GEOSContext()
        let buffer = try GEOSObject(.point(bamako), context: ctx).bufferKilometres(50)
        let geometry = try buffer.geometry()
        // The exact figure: a geodesic circle of 50 km drawn with 3,600 points, its area by
        // Karney's algorithm on the WGS 84 ellipsoid. π·r² would be 7,853.98 km².
        let exact = Geodesic.wgs84.area(ofRing: Geodesic.wgs84.circle(centre: bamako, radius: 50_000, count: 3600))
        #expect(abs(exact / 1e6 - 7853.98) < 10)
        let ours = Geodesic.wgs84.area(of: geometry)
        #expect(abs(ours - exact) / exact < 0.01, "buffer \(ours / 1e6) km², geodesic disc \(exact / 1e6) km²")
        // Every vertex is 50 km from the centre on the ground, within 0.1%.
        for p in geometry.polygons[0].exterior {
            #expect(abs(Geodesic.wgs84.distance(bamako, p) - 50_000) < 50)
        }
    }

    @Test func buffersAPolygonOnTheGround() throws {
        let ctx = GEOSContext()
        let square = try GEOSObject(box(-8.1, 12.5, -7.9, 12.7), context: ctx)
        let grown = try square.bufferKilometres(10)
        #expect(try grown.contains(square))
        // The point 9 km north of the top edge is in, 11 km north is out.
        let top = Position(-8.0, 12.7)
        #expect(try grown.contains(GEOSObject(.point(Geodesic.wgs84.destination(from: top, azimuth: 0, distance: 9_000)), context: ctx)))
        #expect(try !grown.contains(GEOSObject(.point(Geodesic.wgs84.destination(from: top, azimuth: 0, distance: 11_000)), context: ctx)))
    }
}
