import CPROJ

/// Geodesic computations on the WGS 84 ellipsoid, by Karney's algorithms as PROJ ships them
/// (`geodesic.h`): exact to a few nanometres, whatever the projection would distort.
public struct Geodesic: Sendable {
    let g: geod_geodesic

    /// The ellipsoid with semi-major axis `a` in metres and flattening `f`.
    public init(a: Double, f: Double) {
        var g = geod_geodesic()
        geod_init(&g, a, f)
        self.g = g
    }

    public static let wgs84 = Geodesic(a: 6_378_137, f: 1 / 298.257223563)

    /// The area in square metres enclosed by a ring of lon/lat positions joined by geodesics,
    /// whichever way it turns (`geod_polygonarea`).
    public func area(ofRing ring: [Position]) -> Double {
        var positions = ring
        if let f = positions.first, let l = positions.last, f.x == l.x, f.y == l.y { positions.removeLast() }
        guard positions.count >= 3 else { return 0 }
        var lats = positions.map(\.y)
        var lons = positions.map(\.x)
        var area = 0.0
        var perimeter = 0.0
        withUnsafePointer(to: g) { gp in
            geod_polygonarea(gp, &lats, &lons, Int32(positions.count), &area, &perimeter)
        }
        return abs(area)
    }

    /// The area in square metres of a polygon (its exterior less its holes) or of every polygon
    /// of a geometry; lines and points have none.
    public func area(of geometry: Geometry) -> Double {
        geometry.polygons.reduce(0) { sum, p in
            sum + area(ofRing: p.exterior) - p.holes.reduce(0) { $0 + area(ofRing: $1) }
        }
    }

    /// The position `distance` metres from `start` along the geodesic leaving it at `azimuth`
    /// degrees clockwise from north (`geod_direct`).
    public func destination(from start: Position, azimuth: Double, distance: Double) -> Position {
        var lat = 0.0
        var lon = 0.0
        withUnsafePointer(to: g) { gp in
            geod_direct(gp, start.y, start.x, azimuth, distance, &lat, &lon, nil)
        }
        return Position(lon, lat)
    }

    /// The distance in metres along the geodesic between two lon/lat positions (`geod_inverse`).
    public func distance(_ a: Position, _ b: Position) -> Double {
        var s = 0.0
        withUnsafePointer(to: g) { gp in
            geod_inverse(gp, a.y, a.x, b.y, b.x, &s, nil, nil)
        }
        return s
    }

    /// A geodesic circle: the positions at `radius` metres from `centre` at `count` evenly spaced
    /// azimuths, as a closed counter-clockwise ring.
    public func circle(centre: Position, radius: Double, count: Int = 360) -> [Position] {
        var ring = (0..<count).map { i in
            destination(from: centre, azimuth: 360 - Double(i) * 360 / Double(count), distance: radius)
        }
        ring.append(ring[0])
        return ring
    }
}
