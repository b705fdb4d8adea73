import Testing
@testable import Geo

func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Geometry {
    .polygon(BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1).polygon)
}

@Suite struct GEOSTests {
    let ctx = GEOSContext()

    func object(_ g: Geometry) throws -> GEOSObject { try GEOSObject(g, context: ctx) }

    @Test func convertsEveryKindBothWays() throws {
        let geometries: [Geometry] = [
            .point(Position(1, 2)), .point(Position(1, 2, 3)),
            .multiPoint([Position(1, 2), Position(3, 4)]),
            .lineString([Position(0, 0), Position(1, 1), Position(2, 0)]),
            .multiLineString([[Position(0, 0), Position(1, 1)], [Position(2, 2), Position(3, 3)]]),
            .polygon(GeoJSONTests.square),
            .multiPolygon([GeoJSONTests.square, box(5, 5, 6, 6).polygons[0]]),
            .geometryCollection([.point(Position(0, 0)), box(0, 0, 1, 1)]),
        ]
        for g in geometries {
            #expect(try object(g).geometry() == g)
        }
    }

    @Test func overlayAreas() throws {
        let a = try object(box(0, 0, 2, 2))
        let b = try object(box(1, 1, 3, 3))
        #expect(try a.union(b).area() == 7)
        #expect(try a.intersection(b).area() == 1)
        #expect(try a.difference(b).area() == 3)
        #expect(try a.symmetricDifference(b).area() == 6)
        #expect(try ctx.union([a, b, try object(box(10, 10, 11, 11))]).area() == 8)
        let adjacent = try ctx.collection([try object(box(0, 0, 1, 1)), try object(box(1, 0, 2, 1))])
        let dissolved = try adjacent.coverageUnion()
        #expect(try dissolved.area() == 2)
        #expect(dissolved.typeName == "Polygon")
    }

    @Test func predicatesAndPreparedGeometries() throws {
        let big = try object(box(0, 0, 10, 10))
        let small = try object(box(2, 2, 3, 3))
        let neighbour = try object(box(10, 0, 11, 1))
        let far = try object(box(20, 20, 21, 21))
        #expect(try big.contains(small))
        #expect(try small.within(big))
        #expect(try big.covers(small) && small.coveredBy(big))
        #expect(try big.touches(neighbour))
        #expect(try !big.overlaps(neighbour))
        #expect(try big.disjoint(far))
        #expect(try big.relate(small, pattern: "T********"))
        #expect(try !big.relate(neighbour, pattern: "T********"))
        let prepared = try big.prepared()
        #expect(try prepared.contains(small))
        #expect(try prepared.containsProperly(small))
        #expect(try prepared.intersects(neighbour))
        #expect(try !prepared.intersects(far))
        #expect(try prepared.covers(Position(10, 5)))  // on the boundary
        #expect(try !prepared.contains(try object(.point(Position(10, 5)))))
        #expect(try prepared.disjoint(far))
    }

    @Test func spatialIndexFindsCandidates() throws {
        var objects: [GEOSObject] = []
        for i in 0..<100 { objects.append(try object(box(Double(i), 0, Double(i) + 1, 1))) }
        let index = try SpatialIndex(objects, context: ctx)
        #expect(try index.candidates(containing: Position(10.5, 0.5)) == [10])
        #expect(try index.candidates(containing: Position(10, 0.5)) == [9, 10])
        #expect(index.candidates(intersecting: try object(box(20.5, 0.2, 23.5, 0.4))) == [20, 21, 22, 23])
        #expect(try index.candidates(containing: Position(500, 500)).isEmpty)
    }

    @Test func pointOnSurfaceLiesInsideAConcavePolygon() throws {
        // A U shape whose centroid falls in the gap.
        let u = try object(.polygon(Polygon(exterior: [
            Position(0, 0), Position(3, 0), Position(3, 3), Position(2, 3), Position(2, 1),
            Position(1, 1), Position(1, 3), Position(0, 3), Position(0, 0),
        ])))
        #expect(try !u.contains(u.centroid()))
        #expect(try u.contains(u.pointOnSurface()))
        let centre = try u.visualCenter(tolerance: 0.01)
        #expect(try u.prepared().contains(object(.point(centre))))
    }

    @Test func simplifyAndClip() throws {
        let circle = try object(.point(Position(0, 0))).buffer(10, quadrantSegments: 32)
        let plain = try circle.simplified(tolerance: 1)
        let kept = try circle.simplifiedPreservingTopology(tolerance: 1)
        #expect(plain.vertexCount < circle.vertexCount)
        #expect(kept.vertexCount < circle.vertexCount)
        #expect(try kept.isValid())
        let clipped = try circle.clipped(to: BoundingBox(minX: 0, minY: 0, maxX: 20, maxY: 20))
        #expect(abs(try clipped.area() - (try circle.area()) / 4) < 1e-9)
        let dense = try object(.lineString([Position(0, 0), Position(10, 0)])).densified(tolerance: 1)
        #expect(dense.vertexCount == 11)
    }

    @Test func bufferAreaApproachesTheCircle() throws {
        let disc = try object(.point(Position(0, 0))).buffer(1, quadrantSegments: 64)
        #expect(abs(try disc.area() - Double.pi) < 0.001)
        #expect(try object(box(0, 0, 4, 4)).buffer(-1).area() == 4)
    }

    @Test func polygonizesNodedLines() throws {
        // A square cut in two by a vertical line, plus a dangle that forms no face.
        let lines = try [
            object(.lineString([Position(0, 0), Position(2, 0), Position(2, 2), Position(0, 2), Position(0, 0)])),
            object(.lineString([Position(1, -1), Position(1, 3)])),
        ]
        let noded = try ctx.collection(lines).unaryUnion()
        let faces = try ctx.polygonize([noded]).parts()
        #expect(faces.count == 2)
        #expect(try faces.allSatisfy { try $0.area() == 2 })
    }

    @Test func validityAndRepair() throws {
        let bowtie = try object(.polygon(Polygon(exterior: [Position(0, 0), Position(2, 2), Position(2, 0), Position(0, 2), Position(0, 0)])))
        #expect(try !bowtie.isValid())
        #expect(try bowtie.validityReason().contains("Self-intersection"))
        let fixed = try bowtie.makeValid()
        #expect(try fixed.isValid())
        #expect(abs(try fixed.area() - 2) < 1e-12)
        let snapped = try object(.lineString([Position(0.123456, 0), Position(1.987654, 1)])).withPrecision(gridSize: 0.01)
        #expect(try snapped.geometry() == .lineString([Position(0.12, 0), Position(1.99, 1)]))
    }

    @Test func geosFailuresBecomeSwiftErrors() throws {
        // An unclosed ring: GEOS refuses it with its own message.
        let open = Geometry.polygon(Polygon(rings: [[Position(0, 0), Position(1, 0), Position(1, 1), Position(0, 1)]]))
        do {
            _ = try GEOSObject(open, context: ctx)
            Issue.record("GEOS accepted an unclosed ring")
        } catch {
            #expect(error.message.contains("closed"), "\(error)")
        }
        // A failure leaves the context usable.
        #expect(try object(box(0, 0, 1, 1)).area() == 1)
    }

    @Test func measures() throws {
        let line = try object(.lineString([Position(0, 0), Position(3, 4)]))
        #expect(try line.length() == 5)
        #expect(try object(box(0, 0, 1, 1)).distance(to: object(.point(Position(4, 5)))) == 5)
        let (p, q) = try object(box(0, 0, 1, 1)).nearestPoints(to: object(.point(Position(4, 5))))
        #expect(p == Position(1, 1) && q == Position(4, 5))
        #expect(try object(box(-2, -1, 3, 4)).bounds == BoundingBox(minX: -2, minY: -1, maxX: 3, maxY: 4))
    }
}
