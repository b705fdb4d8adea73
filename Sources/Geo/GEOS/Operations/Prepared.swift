import CGEOS

/// A geometry prepared for many predicate tests against it (`GEOSPrepare_r`): point-in-polygon
/// and intersects tests become indexed. It keeps its source object alive.
public final class PreparedGeometry {
    public let object: GEOSObject
    let prepared: OpaquePointer

    public init(_ object: GEOSObject) throws(GEOSError) {
        guard let p = GEOSPrepare_r(object.handle, object.pointer) else { throw object.context.error("prepare") }
        self.object = object
        self.prepared = p
    }

    deinit {
        GEOSPreparedGeom_destroy_r(object.handle, prepared)
    }

    private func test(_ other: GEOSObject, _ name: String,
                      _ f: (GEOSContextHandle_t?, OpaquePointer?, OpaquePointer?) -> CChar) throws(GEOSError) -> Bool {
        object.checkSameContext(other)
        return try object.context.predicate(f(object.handle, prepared, other.pointer), name)
    }

    public func contains(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedContains", GEOSPreparedContains_r) }
    public func containsProperly(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedContainsProperly", GEOSPreparedContainsProperly_r) }
    public func covers(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedCovers", GEOSPreparedCovers_r) }
    public func coveredBy(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedCoveredBy", GEOSPreparedCoveredBy_r) }
    public func intersects(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedIntersects", GEOSPreparedIntersects_r) }
    public func within(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedWithin", GEOSPreparedWithin_r) }
    public func overlaps(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedOverlaps", GEOSPreparedOverlaps_r) }
    public func touches(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedTouches", GEOSPreparedTouches_r) }
    public func disjoint(_ other: GEOSObject) throws(GEOSError) -> Bool { try test(other, "preparedDisjoint", GEOSPreparedDisjoint_r) }

    /// Whether the geometry covers the point (boundary included).
    public func covers(_ p: Position) throws(GEOSError) -> Bool {
        try covers(GEOSObject(.point(p), context: object.context))
    }
}

@available(*, unavailable)
extension PreparedGeometry: Sendable {}

extension GEOSObject {
    public func prepared() throws(GEOSError) -> PreparedGeometry { try PreparedGeometry(self) }
}
