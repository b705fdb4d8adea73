import CGEOS

extension GEOSObject {
    /// Whether the geometry is valid in the OGC sense (`GEOSisValid_r`).
    public func isValid() throws(GEOSError) -> Bool {
        try context.predicate(GEOSisValid_r(handle, pointer), "isValid")
    }

    /// Why the geometry is invalid, with the place, e.g. "Self-intersection[3 4]"; "Valid Geometry"
    /// when it is valid (`GEOSisValidReason_r`).
    public func validityReason() throws(GEOSError) -> String {
        guard let s = GEOSisValidReason_r(handle, pointer) else { throw context.error("isValidReason") }
        defer { GEOSFree_r(handle, s) }
        return String(cString: s)
    }

    /// A valid geometry covering the same points, by the "structure" method, which keeps polygons
    /// polygonal; parts that collapse to lines or points are dropped unless `keepCollapsed`
    /// (`GEOSMakeValidWithParams_r`).
    public func makeValid(keepCollapsed: Bool = false) throws(GEOSError) -> GEOSObject {
        guard let params = GEOSMakeValidParams_create_r(handle) else { throw context.error("makeValid") }
        defer { GEOSMakeValidParams_destroy_r(handle, params) }
        _ = GEOSMakeValidParams_setMethod_r(handle, params, GEOS_MAKE_VALID_STRUCTURE)
        _ = GEOSMakeValidParams_setKeepCollapsed_r(handle, params, keepCollapsed ? 1 : 0)
        return try context.own(GEOSMakeValidWithParams_r(handle, pointer, params), "makeValid")
    }

    /// Snaps every coordinate to a grid of `gridSize` and repairs what that breaks
    /// (`GEOSGeom_setPrecision_r`). With `keepingTopology: false` it only rounds each coordinate
    /// (dropping repeated points and collapsed parts), much faster, and the result may be invalid.
    public func withPrecision(gridSize: Double, keepingTopology: Bool = true) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSGeom_setPrecision_r(handle, pointer, gridSize, keepingTopology ? 0 : Int32(GEOS_PREC_NO_TOPO.rawValue)), "setPrecision")
    }

    /// The same geometry in GEOS's normal form: rings and parts in a fixed order and start point
    /// (`GEOSNormalize_r`). For comparing shapes.
    public func normalized() throws(GEOSError) -> GEOSObject {
        let copy = try clone()
        if GEOSNormalize_r(handle, copy.pointer) != 0 { throw context.error("normalize") }
        return copy
    }
}
