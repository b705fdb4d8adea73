import CGEOS

/// The DE-9IM spatial predicates (`GEOSIntersects_r` and friends). Each throws if GEOS raises
/// an exception, e.g. on some invalid inputs.
extension GEOSObject {
    public func intersects(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSIntersects_r(handle, pointer, other.pointer), "intersects")
    }

    public func disjoint(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSDisjoint_r(handle, pointer, other.pointer), "disjoint")
    }

    public func contains(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSContains_r(handle, pointer, other.pointer), "contains")
    }

    public func within(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSWithin_r(handle, pointer, other.pointer), "within")
    }

    public func covers(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSCovers_r(handle, pointer, other.pointer), "covers")
    }

    public func coveredBy(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSCoveredBy_r(handle, pointer, other.pointer), "coveredBy")
    }

    public func overlaps(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSOverlaps_r(handle, pointer, other.pointer), "overlaps")
    }

    public func touches(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSTouches_r(handle, pointer, other.pointer), "touches")
    }

    public func crosses(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSCrosses_r(handle, pointer, other.pointer), "crosses")
    }

    /// Topological equality: the same points, whatever the vertex order (`GEOSEquals_r`).
    public func topologicallyEquals(_ other: GEOSObject) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSEquals_r(handle, pointer, other.pointer), "equals")
    }

    /// Whether the DE-9IM matrix of the two matches `pattern`, e.g. "T********" for interiors
    /// that intersect (`GEOSRelatePattern_r`).
    public func relate(_ other: GEOSObject, pattern: String) throws(GEOSError) -> Bool {
        checkSameContext(other)
        return try context.predicate(GEOSRelatePattern_r(handle, pointer, other.pointer, pattern), "relatePattern")
    }
}
