import CGEOS

extension GEOSObject {
    /// The points in either geometry (`GEOSUnion_r`).
    public func union(_ other: GEOSObject) throws(GEOSError) -> GEOSObject {
        checkSameContext(other)
        return try context.own(GEOSUnion_r(handle, pointer, other.pointer), "union")
    }

    /// The union of the parts of a collection or multi-geometry (`GEOSUnaryUnion_r`): dissolves
    /// overlapping and adjacent polygons, nodes lines.
    public func unaryUnion() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSUnaryUnion_r(handle, pointer), "unaryUnion")
    }

    /// The unary union computed on a grid of `gridSize`, which also snaps near-coincident
    /// vertices together (`GEOSUnaryUnionPrec_r`).
    public func unaryUnion(gridSize: Double) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSUnaryUnionPrec_r(handle, pointer, gridSize), "unaryUnion")
    }

    /// The union of polygons that form a coverage: they touch along exactly shared edges and do
    /// not overlap, as regions do. Much faster than `unaryUnion` (`GEOSCoverageUnion_r`).
    public func coverageUnion() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSCoverageUnion_r(handle, pointer), "coverageUnion")
    }

    /// The points in both geometries (`GEOSIntersection_r`).
    public func intersection(_ other: GEOSObject) throws(GEOSError) -> GEOSObject {
        checkSameContext(other)
        return try context.own(GEOSIntersection_r(handle, pointer, other.pointer), "intersection")
    }

    /// The points of this geometry not in `other` (`GEOSDifference_r`).
    public func difference(_ other: GEOSObject) throws(GEOSError) -> GEOSObject {
        checkSameContext(other)
        return try context.own(GEOSDifference_r(handle, pointer, other.pointer), "difference")
    }

    /// The points in exactly one of the two geometries (`GEOSSymDifference_r`).
    public func symmetricDifference(_ other: GEOSObject) throws(GEOSError) -> GEOSObject {
        checkSameContext(other)
        return try context.own(GEOSSymDifference_r(handle, pointer, other.pointer), "symDifference")
    }
}

extension GEOSContext {
    /// The union of many geometries at once, faster than folding `union` over them.
    public func union(_ objects: [GEOSObject]) throws(GEOSError) -> GEOSObject {
        try collection(objects).unaryUnion()
    }
}
