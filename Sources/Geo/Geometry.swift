/// A position: x and y (longitude and latitude in degrees for WGS 84, metres in a projected CRS),
/// and an optional altitude, as RFC 7946 section 3.1.1 allows.
public struct Position: Hashable, Sendable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var z: Double?

    public init(_ x: Double, _ y: Double, _ z: Double? = nil) {
        self.x = x
        self.y = y
        self.z = z
    }

    public init(longitude: Double, latitude: Double) {
        self.init(longitude, latitude)
    }

    public var longitude: Double { x }
    public var latitude: Double { y }

    public var description: String { z.map { "(\(x) \(y) \($0))" } ?? "(\(x) \(y))" }
}

/// A polygon: its exterior ring first, then its holes. Each ring is closed (first position
/// repeated last).
public struct Polygon: Hashable, Sendable, Codable {
    public var rings: [[Position]]

    public init(rings: [[Position]]) { self.rings = rings }

    public init(exterior: [Position], holes: [[Position]] = []) {
        self.rings = [exterior] + holes
    }

    public var exterior: [Position] { rings.first ?? [] }
    public var holes: ArraySlice<[Position]> { rings.dropFirst() }
}

/// A geometry value of the OGC simple-features kinds that GeoJSON (RFC 7946 section 3.1) names.
/// It knows nothing of GEOS; convert it with `GEOSObject(_:context:)` to compute with it.
public indirect enum Geometry: Hashable, Sendable, Codable {
    case point(Position)
    case multiPoint([Position])
    case lineString([Position])
    case multiLineString([[Position]])
    case polygon(Polygon)
    case multiPolygon([Polygon])
    case geometryCollection([Geometry])

    /// The GeoJSON type name.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .multiPoint: "MultiPoint"
        case .lineString: "LineString"
        case .multiLineString: "MultiLineString"
        case .polygon: "Polygon"
        case .multiPolygon: "MultiPolygon"
        case .geometryCollection: "GeometryCollection"
        }
    }

    /// Calls `body` on every position, in document order.
    public func forEachPosition(_ body: (Position) throws -> Void) rethrows {
        switch self {
        case .point(let p): try body(p)
        case .multiPoint(let ps), .lineString(let ps): for p in ps { try body(p) }
        case .multiLineString(let lines): for l in lines { for p in l { try body(p) } }
        case .polygon(let poly): for r in poly.rings { for p in r { try body(p) } }
        case .multiPolygon(let polys): for poly in polys { for r in poly.rings { for p in r { try body(p) } } }
        case .geometryCollection(let gs): for g in gs { try g.forEachPosition(body) }
        }
    }

    /// The number of positions, closing positions of rings included.
    public var positionCount: Int {
        var n = 0
        forEachPosition { _ in n += 1 }
        return n
    }

    /// The smallest box holding every position, or nil for an empty geometry.
    public var boundingBox: BoundingBox? {
        var box: BoundingBox?
        forEachPosition { p in
            if box == nil { box = BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y) } else { box!.extend(p) }
        }
        return box
    }

    /// The polygons of a polygon or multipolygon (and of collections of them).
    public var polygons: [Polygon] {
        switch self {
        case .polygon(let p): [p]
        case .multiPolygon(let ps): ps
        case .geometryCollection(let gs): gs.flatMap(\.polygons)
        default: []
        }
    }

    /// The lines of a line string or multi line string (and of collections of them).
    public var lineStrings: [[Position]] {
        switch self {
        case .lineString(let l): [l]
        case .multiLineString(let ls): ls
        case .geometryCollection(let gs): gs.flatMap(\.lineStrings)
        default: []
        }
    }

    /// Whether this is a line string or multi line string.
    public var isLineal: Bool {
        switch self {
        case .lineString, .multiLineString: true
        default: false
        }
    }

    /// Whether this is a point or multi point.
    public var isPuntal: Bool {
        switch self {
        case .point, .multiPoint: true
        default: false
        }
    }
}

/// An axis-aligned rectangle: west, south, east, north for lon/lat data.
public struct BoundingBox: Hashable, Sendable, Codable, CustomStringConvertible {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public mutating func extend(_ p: Position) {
        minX = min(minX, p.x)
        minY = min(minY, p.y)
        maxX = max(maxX, p.x)
        maxY = max(maxY, p.y)
    }

    public mutating func extend(_ b: BoundingBox) {
        minX = min(minX, b.minX)
        minY = min(minY, b.minY)
        maxX = max(maxX, b.maxX)
        maxY = max(maxY, b.maxY)
    }

    public func contains(_ p: Position) -> Bool {
        p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY
    }

    public func intersects(_ b: BoundingBox) -> Bool {
        minX <= b.maxX && b.minX <= maxX && minY <= b.maxY && b.minY <= maxY
    }

    public var center: Position { Position((minX + maxX) / 2, (minY + maxY) / 2) }

    /// The box as a closed counter-clockwise polygon.
    public var polygon: Polygon {
        Polygon(exterior: [
            Position(minX, minY), Position(maxX, minY), Position(maxX, maxY), Position(minX, maxY), Position(minX, minY),
        ])
    }

    public var description: String { "[\(minX), \(minY), \(maxX), \(maxY)]" }
}

/// Ring orientation on the plane, by the shoelace formula.
public enum RingOrientation {
    /// Twice the signed area of a ring: positive when counter-clockwise with y up.
    public static func signedDoubleArea(_ ring: [Position]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        var prev = ring[ring.count - 1]
        for p in ring {
            sum += (prev.x - p.x) * (prev.y + p.y)
            prev = p
        }
        return sum
    }

    public static func isCounterClockwise(_ ring: [Position]) -> Bool {
        signedDoubleArea(ring) > 0
    }
}
