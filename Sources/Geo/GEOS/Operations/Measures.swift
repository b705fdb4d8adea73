import CGEOS

/// Planar measures, in the geometry's own units: square degrees and degrees for lon/lat data.
/// For areas on the ground, see `Geodesic`.
extension GEOSObject {
    /// `GEOSArea_r`.
    public func area() throws(GEOSError) -> Double {
        var a = 0.0
        guard GEOSArea_r(handle, pointer, &a) == 1 else { throw context.error("area") }
        return a
    }

    /// `GEOSLength_r`: the length of lines, or the perimeter of polygons.
    public func length() throws(GEOSError) -> Double {
        var l = 0.0
        guard GEOSLength_r(handle, pointer, &l) == 1 else { throw context.error("length") }
        return l
    }

    /// The smallest distance between the two (`GEOSDistance_r`).
    public func distance(to other: GEOSObject) throws(GEOSError) -> Double {
        checkSameContext(other)
        var d = 0.0
        guard GEOSDistance_r(handle, pointer, other.pointer, &d) == 1 else { throw context.error("distance") }
        return d
    }

    /// The closest points of the two, this one's first (`GEOSNearestPoints_r`).
    public func nearestPoints(to other: GEOSObject) throws(GEOSError) -> (Position, Position) {
        checkSameContext(other)
        guard let seq = GEOSNearestPoints_r(handle, pointer, other.pointer) else { throw context.error("nearestPoints") }
        defer { GEOSCoordSeq_destroy_r(handle, seq) }
        var xy = [Double](repeating: 0, count: 4)
        guard GEOSCoordSeq_copyToBuffer_r(handle, seq, &xy, 0, 0) == 1 else { throw context.error("nearestPoints") }
        return (Position(xy[0], xy[1]), Position(xy[2], xy[3]))
    }
}
