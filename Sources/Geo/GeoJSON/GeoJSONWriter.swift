/// Writes RFC 7946 GeoJSON: WGS 84 longitude, latitude; exterior rings counter-clockwise and holes
/// clockwise (section 3.1.6); a `bbox` (section 5); no `crs` member; coordinates rounded to
/// `precision` decimals. Output is deterministic: the same features give the same bytes.
/// Each feature is written on a line of its own, so that files diff well.
public struct GeoJSONWriter: Sendable {
    /// Decimal places of coordinates. 6 places is about 0.1 m at the equator.
    public var precision: Int
    /// Write a `bbox` member for the collection.
    public var writesBoundingBox: Bool
    /// Write a `bbox` member on every feature too.
    public var writesFeatureBoundingBoxes: Bool
    /// The collection's `name` foreign member, which GDAL takes as the layer name.
    public var name: String?
    /// More foreign members of the collection (RFC 7946 section 6.1), written after `name`.
    public var foreignMembers: JSONObject

    public init(precision: Int = 6, writesBoundingBox: Bool = true, writesFeatureBoundingBoxes: Bool = false, name: String? = nil,
                foreignMembers: JSONObject = [:]) {
        self.precision = precision
        self.writesBoundingBox = writesBoundingBox
        self.writesFeatureBoundingBoxes = writesFeatureBoundingBoxes
        self.name = name
        self.foreignMembers = foreignMembers
    }

    public func write(_ collection: FeatureCollection) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 1 << 16)
        w.raw("{\"type\":\"FeatureCollection\"")
        if let name {
            w.raw(",\"name\":")
            w.string(name)
        }
        for (k, v) in foreignMembers where !["type", "features", "bbox", "name"].contains(k) {
            w.raw(",")
            w.string(k)
            w.raw(":")
            w.value(v)
        }
        if writesBoundingBox, let box = collection.boundingBox {
            w.raw(",\"bbox\":")
            writeBBox(box, into: &w)
        }
        w.raw(",\"features\":[")
        for (i, f) in collection.features.enumerated() {
            w.raw(i == 0 ? "\n" : ",\n")
            write(f, into: &w)
        }
        w.raw(collection.features.isEmpty ? "]}\n" : "\n]}\n")
        return w.bytes
    }

    public func write(_ feature: Feature) -> [UInt8] {
        var w = JSONWriter()
        write(feature, into: &w)
        return w.bytes
    }

    public func write(_ geometry: Geometry) -> [UInt8] {
        var w = JSONWriter()
        write(geometry, into: &w)
        return w.bytes
    }

    public func write(_ feature: Feature, into w: inout JSONWriter) {
        w.raw("{\"type\":\"Feature\"")
        if let id = feature.id {
            w.raw(",\"id\":")
            switch id {
            case .string(let s): w.string(s)
            case .number(let n): w.number(n)
            }
        }
        if writesFeatureBoundingBoxes, let box = feature.geometry?.boundingBox {
            w.raw(",\"bbox\":")
            writeBBox(box, into: &w)
        }
        w.raw(",\"properties\":")
        w.object(feature.properties)
        w.raw(",\"geometry\":")
        if let g = feature.geometry { write(g, into: &w) } else { w.raw("null") }
        w.raw("}")
    }

    /// The box rounded outwards, so that the rounded box still holds every rounded position.
    func writeBBox(_ box: BoundingBox, into w: inout JSONWriter) {
        let scale = JSONWriter.powersOfTen[min(max(precision, 0), 15)]
        w.raw("[")
        w.number((box.minX * scale).rounded(.down) / scale, decimals: precision)
        w.raw(",")
        w.number((box.minY * scale).rounded(.down) / scale, decimals: precision)
        w.raw(",")
        w.number((box.maxX * scale).rounded(.up) / scale, decimals: precision)
        w.raw(",")
        w.number((box.maxY * scale).rounded(.up) / scale, decimals: precision)
        w.raw("]")
    }

    public func write(_ g: Geometry, into w: inout JSONWriter) {
        if case .geometryCollection(let gs) = g {
            w.raw("{\"type\":\"GeometryCollection\",\"geometries\":[")
            for (i, m) in gs.enumerated() {
                if i > 0 { w.raw(",") }
                write(m, into: &w)
            }
            w.raw("]}")
            return
        }
        w.raw("{\"type\":")
        w.string(g.typeName)
        w.raw(",\"coordinates\":")
        switch g {
        case .point(let p): position(p, into: &w)
        case .multiPoint(let ps), .lineString(let ps): positions(ps, into: &w)
        case .multiLineString(let ls):
            w.raw("[")
            for (i, l) in ls.enumerated() {
                if i > 0 { w.raw(",") }
                positions(l, into: &w)
            }
            w.raw("]")
        case .polygon(let p): polygon(p, into: &w)
        case .multiPolygon(let ps):
            w.raw("[")
            for (i, p) in ps.enumerated() {
                if i > 0 { w.raw(",") }
                polygon(p, into: &w)
            }
            w.raw("]")
        case .geometryCollection: break
        }
        w.raw("}")
    }

    func position(_ p: Position, into w: inout JSONWriter) {
        w.raw("[")
        w.number(p.x, decimals: precision)
        w.raw(",")
        w.number(p.y, decimals: precision)
        if let z = p.z {
            w.raw(",")
            w.number(z, decimals: precision)
        }
        w.raw("]")
    }

    func positions(_ ps: [Position], into w: inout JSONWriter) {
        w.raw("[")
        for (i, p) in ps.enumerated() {
            if i > 0 { w.raw(",") }
            position(p, into: &w)
        }
        w.raw("]")
    }

    /// Rings are written in RFC 7946's winding: the exterior counter-clockwise, holes clockwise.
    func polygon(_ p: Polygon, into w: inout JSONWriter) {
        w.raw("[")
        for (i, ring) in p.rings.enumerated() {
            if i > 0 { w.raw(",") }
            let ccw = RingOrientation.isCounterClockwise(ring)
            positions((i == 0) == ccw ? ring : ring.reversed(), into: &w)
        }
        w.raw("]")
    }
}
