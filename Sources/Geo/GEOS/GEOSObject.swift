import CGEOS

/// A geometry in GEOS form, owned by this object and destroyed with it. Keep shapes in this form
/// through a pipeline of operations and convert to `Geometry` at the edges.
///
/// Not `Sendable`: it belongs to its context's task.
public final class GEOSObject {
    public let context: GEOSContext
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer, context: GEOSContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        GEOSGeom_destroy_r(context.handle, pointer)
    }

    /// Converts a geometry value to GEOS form. Fails, with GEOS's reason, on rings GEOS refuses
    /// (fewer than four positions, not closed).
    public convenience init(_ geometry: Geometry, context: GEOSContext) throws(GEOSError) {
        let p = try Self.make(geometry, context)
        self.init(owning: p, context: context)
    }

    var handle: GEOSContextHandle_t { context.handle }

    func checkSameContext(_ other: GEOSObject) {
        precondition(other.context === context, "GEOS objects from two contexts cannot be combined")
    }

    /// A deep copy, owned separately.
    public func clone() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSGeom_clone_r(handle, pointer), "clone")
    }

    public var isEmpty: Bool { GEOSisEmpty_r(handle, pointer) == 1 }

    /// The OGC type name, e.g. "Polygon".
    public var typeName: String {
        guard let s = GEOSGeomType_r(handle, pointer) else { return "" }
        defer { GEOSFree_r(handle, s) }
        return String(cString: s)
    }

    /// The number of parts of a multi-geometry or collection; 1 for a single geometry.
    public var partCount: Int { Int(GEOSGetNumGeometries_r(handle, pointer)) }

    /// A copy of part `i` of a multi-geometry or collection.
    public func part(_ i: Int) throws(GEOSError) -> GEOSObject {
        guard let p = GEOSGetGeometryN_r(handle, pointer, Int32(i)) else { throw context.error("part \(i)") }
        return try context.own(GEOSGeom_clone_r(handle, p), "clone")
    }

    /// Every part, as separate objects.
    public func parts() throws(GEOSError) -> [GEOSObject] {
        var out: [GEOSObject] = []
        for i in 0..<partCount { out.append(try part(i)) }
        return out
    }

    /// The number of vertices (`GEOSGetNumCoordinates_r`), ring closing points included.
    public var vertexCount: Int { Int(GEOSGetNumCoordinates_r(handle, pointer)) }

    /// The envelope's corners, or nil when empty (`GEOSGeom_getXMin_r` and friends).
    public var bounds: BoundingBox? {
        if isEmpty { return nil }
        var b = BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        guard GEOSGeom_getXMin_r(handle, pointer, &b.minX) == 1, GEOSGeom_getYMin_r(handle, pointer, &b.minY) == 1,
            GEOSGeom_getXMax_r(handle, pointer, &b.maxX) == 1, GEOSGeom_getYMax_r(handle, pointer, &b.maxY) == 1
        else { return nil }
        return b
    }

    /// Converts back to a geometry value.
    public func geometry() throws(GEOSError) -> Geometry {
        try Self.read(pointer, context)
    }

    // MARK: - Conversion

    static func sequence(_ positions: [Position], _ ctx: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let hasZ = positions.contains { $0.z != nil }
        let dims = hasZ ? 3 : 2
        var buffer = [Double](repeating: 0, count: positions.count * dims)
        for (i, p) in positions.enumerated() {
            buffer[i * dims] = p.x
            buffer[i * dims + 1] = p.y
            if hasZ { buffer[i * dims + 2] = p.z ?? .nan }
        }
        guard let seq = GEOSCoordSeq_copyFromBuffer_r(ctx.handle, buffer, UInt32(positions.count), hasZ ? 1 : 0, 0) else {
            throw ctx.error("coordinate sequence")
        }
        return seq
    }

    static func ring(_ positions: [Position], _ ctx: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let seq = try sequence(positions, ctx)
        guard let r = GEOSGeom_createLinearRing_r(ctx.handle, seq) else { throw ctx.error("linear ring") }
        return r
    }

    static func polygon(_ polygon: Polygon, _ ctx: GEOSContext) throws(GEOSError) -> OpaquePointer {
        guard let first = polygon.rings.first else {
            guard let e = GEOSGeom_createEmptyPolygon_r(ctx.handle) else { throw ctx.error("empty polygon") }
            return e
        }
        let shell = try ring(first, ctx)
        var holes: [OpaquePointer?] = []
        for r in polygon.rings.dropFirst() {
            do {
                holes.append(try ring(r, ctx))
            } catch {
                GEOSGeom_destroy_r(ctx.handle, shell)
                for h in holes { GEOSGeom_destroy_r(ctx.handle, h) }
                throw error
            }
        }
        guard let p = GEOSGeom_createPolygon_r(ctx.handle, shell, &holes, UInt32(holes.count)) else {
            throw ctx.error("polygon")
        }
        return p
    }

    static func collection(_ type: GEOSGeomTypes, _ parts: [OpaquePointer?], _ ctx: GEOSContext) throws(GEOSError) -> OpaquePointer {
        var parts = parts
        guard let c = GEOSGeom_createCollection_r(ctx.handle, Int32(type.rawValue), &parts, UInt32(parts.count)) else {
            throw ctx.error("collection")
        }
        return c
    }

    static func make(_ g: Geometry, _ ctx: GEOSContext) throws(GEOSError) -> OpaquePointer {
        switch g {
        case .point(let p):
            guard let pt = GEOSGeom_createPoint_r(ctx.handle, try sequence([p], ctx)) else { throw ctx.error("point") }
            return pt
        case .lineString(let ps):
            guard let l = GEOSGeom_createLineString_r(ctx.handle, try sequence(ps, ctx)) else { throw ctx.error("line string") }
            return l
        case .polygon(let p):
            return try polygon(p, ctx)
        case .multiPoint(let ps):
            return try collection(GEOS_MULTIPOINT, try makeParts(ps.map { .point($0) }, ctx), ctx)
        case .multiLineString(let ls):
            return try collection(GEOS_MULTILINESTRING, try makeParts(ls.map { .lineString($0) }, ctx), ctx)
        case .multiPolygon(let ps):
            return try collection(GEOS_MULTIPOLYGON, try makeParts(ps.map { .polygon($0) }, ctx), ctx)
        case .geometryCollection(let gs):
            return try collection(GEOS_GEOMETRYCOLLECTION, try makeParts(gs, ctx), ctx)
        }
    }

    /// Makes every part, or none: on a failure the parts made so far are destroyed.
    static func makeParts(_ gs: [Geometry], _ ctx: GEOSContext) throws(GEOSError) -> [OpaquePointer?] {
        var out: [OpaquePointer?] = []
        out.reserveCapacity(gs.count)
        for g in gs {
            do {
                out.append(try make(g, ctx))
            } catch {
                for p in out { GEOSGeom_destroy_r(ctx.handle, p) }
                throw error
            }
        }
        return out
    }

    static func positions(_ g: OpaquePointer, _ ctx: GEOSContext) throws(GEOSError) -> [Position] {
        guard let seq = GEOSGeom_getCoordSeq_r(ctx.handle, g) else { throw ctx.error("coordinate sequence") }
        var size: UInt32 = 0
        var dims: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(ctx.handle, seq, &size) == 1, GEOSCoordSeq_getDimensions_r(ctx.handle, seq, &dims) == 1 else {
            throw ctx.error("coordinate sequence size")
        }
        if size == 0 { return [] }
        let hasZ = dims >= 3 && GEOSHasZ_r(ctx.handle, g) == 1
        let stride = hasZ ? 3 : 2
        var buffer = [Double](repeating: 0, count: Int(size) * stride)
        guard GEOSCoordSeq_copyToBuffer_r(ctx.handle, seq, &buffer, hasZ ? 1 : 0, 0) == 1 else {
            throw ctx.error("coordinate copy")
        }
        var out: [Position] = []
        out.reserveCapacity(Int(size))
        for i in 0..<Int(size) {
            let z = hasZ ? buffer[i * 3 + 2] : .nan
            out.append(Position(buffer[i * stride], buffer[i * stride + 1], z.isNaN ? nil : z))
        }
        return out
    }

    static func readPolygon(_ g: OpaquePointer, _ ctx: GEOSContext) throws(GEOSError) -> Polygon {
        if GEOSisEmpty_r(ctx.handle, g) == 1 { return Polygon(rings: []) }
        guard let shell = GEOSGetExteriorRing_r(ctx.handle, g) else { throw ctx.error("exterior ring") }
        var rings = [try positions(shell, ctx)]
        let n = GEOSGetNumInteriorRings_r(ctx.handle, g)
        if n > 0 {
            for i in 0..<n {
                guard let h = GEOSGetInteriorRingN_r(ctx.handle, g, i) else { throw ctx.error("interior ring") }
                rings.append(try positions(h, ctx))
            }
        }
        return Polygon(rings: rings)
    }

    static func read(_ g: OpaquePointer, _ ctx: GEOSContext) throws(GEOSError) -> Geometry {
        let type = GEOSGeomTypeId_r(ctx.handle, g)
        func parts() throws(GEOSError) -> [OpaquePointer] {
            let n = GEOSGetNumGeometries_r(ctx.handle, g)
            var out: [OpaquePointer] = []
            if n > 0 {
                for i in 0..<n {
                    guard let p = GEOSGetGeometryN_r(ctx.handle, g, i) else { throw ctx.error("part") }
                    out.append(p)
                }
            }
            return out
        }
        switch UInt32(bitPattern: type) {
        case GEOS_POINT.rawValue:
            // An empty point has no position: it reads as an empty multipoint.
            let ps = try positions(g, ctx)
            return ps.isEmpty ? .multiPoint([]) : .point(ps[0])
        case GEOS_LINESTRING.rawValue, GEOS_LINEARRING.rawValue:
            let ps = try positions(g, ctx)
            return ps.isEmpty ? .multiLineString([]) : .lineString(ps)
        case GEOS_POLYGON.rawValue:
            let p = try readPolygon(g, ctx)
            return p.rings.isEmpty ? .multiPolygon([]) : .polygon(p)
        case GEOS_MULTIPOINT.rawValue:
            var out: [Position] = []
            for p in try parts() { out.append(contentsOf: try positions(p, ctx)) }
            return .multiPoint(out)
        case GEOS_MULTILINESTRING.rawValue:
            var out: [[Position]] = []
            for p in try parts() { out.append(try positions(p, ctx)) }
            return .multiLineString(out)
        case GEOS_MULTIPOLYGON.rawValue:
            var out: [Polygon] = []
            for p in try parts() { out.append(try readPolygon(p, ctx)) }
            return .multiPolygon(out)
        case GEOS_GEOMETRYCOLLECTION.rawValue:
            var out: [Geometry] = []
            for p in try parts() { out.append(try read(p, ctx)) }
            return .geometryCollection(out)
        default:
            throw ctx.error("read geometry of type \(type)")
        }
    }
}

@available(*, unavailable, message: "a GEOS object belongs to its context's task")
extension GEOSObject: Sendable {}

extension GEOSContext {
    /// A GEOS collection of the given objects (copied), e.g. to polygonize or union many at once.
    public func collection(_ objects: [GEOSObject]) throws(GEOSError) -> GEOSObject {
        var parts: [OpaquePointer?] = []
        for o in objects {
            guard let c = GEOSGeom_clone_r(handle, o.pointer) else {
                for p in parts { GEOSGeom_destroy_r(handle, p) }
                throw error("clone")
            }
            parts.append(c)
        }
        return GEOSObject(owning: try GEOSObject.collection(GEOS_GEOMETRYCOLLECTION, parts, self), context: self)
    }
}
