import CGEOS

extension GEOSObject {
    /// A point guaranteed to lie in the geometry's interior (`GEOSPointOnSurface_r`).
    public func pointOnSurface() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSPointOnSurface_r(handle, pointer), "pointOnSurface")
    }

    /// The centre of mass, which may lie outside a concave polygon (`GEOSGetCentroid_r`).
    public func centroid() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSGetCentroid_r(handle, pointer), "centroid")
    }

    /// The centre of the largest circle inside a polygon, to within `tolerance`: a label point
    /// that looks central (`GEOSMaximumInscribedCircle_r`; the result is the radius line,
    /// whose first point is the centre).
    public func visualCenter(tolerance: Double) throws(GEOSError) -> Position {
        let line = try context.own(GEOSMaximumInscribedCircle_r(handle, pointer, tolerance), "maximumInscribedCircle")
        guard case .lineString(let ps) = try line.geometry(), let centre = ps.first else {
            throw GEOSError(operation: "maximumInscribedCircle", message: "no centre for an empty geometry")
        }
        return centre
    }

    /// The envelope as a polygon (`GEOSEnvelope_r`).
    public func envelope() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSEnvelope_r(handle, pointer), "envelope")
    }

    /// The boundary: rings of polygons, end points of lines (`GEOSBoundary_r`).
    public func boundary() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSBoundary_r(handle, pointer), "boundary")
    }

    /// Douglas-Peucker simplification at `tolerance`; may produce invalid or collapsed polygons
    /// (`GEOSSimplify_r`).
    public func simplified(tolerance: Double) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSSimplify_r(handle, pointer, tolerance), "simplify")
    }

    /// Simplification that keeps each ring simple and holes inside their shells; it does not keep
    /// edges shared between separate geometries identical (`GEOSTopologyPreserveSimplify_r`).
    public func simplifiedPreservingTopology(tolerance: Double) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSTopologyPreserveSimplify_r(handle, pointer, tolerance), "topologyPreserveSimplify")
    }

    /// The part of the geometry inside the rectangle, fast but possibly invalid where polygon
    /// edges run along the rectangle (`GEOSClipByRect_r`).
    public func clipped(to box: BoundingBox) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSClipByRect_r(handle, pointer, box.minX, box.minY, box.maxX, box.maxY), "clipByRect")
    }

    /// Adds vertices so that no segment is longer than `tolerance` (`GEOSDensify_r`).
    public func densified(tolerance: Double) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSDensify_r(handle, pointer, tolerance), "densify")
    }
}

extension GEOSContext {
    /// The polygons formed by a set of noded lines (`GEOSPolygonize_r`). The lines must meet
    /// exactly at their end points: node them first (a unary union does) where they cross.
    public func polygonize(_ lines: [GEOSObject]) throws(GEOSError) -> GEOSObject {
        let pointers: [OpaquePointer?] = lines.map { $0.pointer }
        let result = pointers.withUnsafeBufferPointer { buffer in
            GEOSPolygonize_r(handle, buffer.baseAddress, UInt32(buffer.count))
        }
        // Keep the inputs alive until GEOS is done with them.
        withExtendedLifetime(lines) {}
        return try own(result, "polygonize")
    }
}

extension GEOSObject {
    /// The geometry under the affine map x' = x·sx + tx, y' = y·sy + ty (`GEOSGeom_transformXY_r`),
    /// e.g. from Web Mercator metres to tile units.
    public func scaled(sx: Double, sy: Double, tx: Double, ty: Double) throws(GEOSError) -> GEOSObject {
        var m = (sx, sy, tx, ty)
        let result = withUnsafeMutablePointer(to: &m) { mp in
            GEOSGeom_transformXY_r(handle, pointer, { x, y, userdata in
                guard let x, let y, let userdata else { return 0 }
                let m = userdata.assumingMemoryBound(to: (Double, Double, Double, Double).self).pointee
                x.pointee = x.pointee * m.0 + m.2
                y.pointee = y.pointee * m.1 + m.3
                return 1
            }, mp)
        }
        return try context.own(result, "transformXY")
    }

    /// Merges lines that meet end to end into longer ones (`GEOSLineMerge_r`).
    public func lineMerged() throws(GEOSError) -> GEOSObject {
        try context.own(GEOSLineMerge_r(handle, pointer), "lineMerge")
    }
}
