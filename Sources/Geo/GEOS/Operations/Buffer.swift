import CGEOS

extension GEOSObject {
    /// The buffer at `width` in the geometry's own units, with round joins and caps and
    /// `quadrantSegments` segments per quarter circle (`GEOSBuffer_r`). A negative width shrinks
    /// polygons. For a distance in kilometres on lon/lat data, see `bufferKilometres`.
    public func buffer(_ width: Double, quadrantSegments: Int = 8) throws(GEOSError) -> GEOSObject {
        try context.own(GEOSBuffer_r(handle, pointer, width, Int32(quadrantSegments)), "buffer")
    }
}
