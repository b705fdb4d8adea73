import CGEOS

/// An STR-tree over GEOS objects (`GEOSSTRtree_create_r`), for finding the few candidates whose
/// envelopes meet a query before testing them exactly. Items are the indices of the objects in
/// the order given. The tree keeps the objects alive.
public final class SpatialIndex {
    public let objects: [GEOSObject]
    let context: GEOSContext
    let tree: OpaquePointer

    /// Builds the tree; `nodeCapacity` is the number of children per node (GEOS's default is 10).
    public init(_ objects: [GEOSObject], context: GEOSContext, nodeCapacity: Int = 10) throws(GEOSError) {
        guard let t = GEOSSTRtree_create_r(context.handle, max(2, nodeCapacity)) else { throw context.error("STRtree_create") }
        self.context = context
        self.objects = objects
        self.tree = t
        for (i, o) in objects.enumerated() {
            precondition(o.context === context, "index objects must share the index's context")
            // Store index + 1: a null item pointer is not allowed.
            GEOSSTRtree_insert_r(context.handle, tree, o.pointer, UnsafeMutableRawPointer(bitPattern: i + 1))
        }
    }

    deinit {
        GEOSSTRtree_destroy_r(context.handle, tree)
    }

    /// Indices of the objects whose envelopes intersect the envelope of `query`, ascending.
    public func candidates(intersecting query: GEOSObject) -> [Int] {
        precondition(query.context === context, "query must share the index's context")
        final class Hits { var items: [Int] = [] }
        let hits = Hits()
        withExtendedLifetime(hits) {
            GEOSSTRtree_query_r(context.handle, tree, query.pointer, { item, userdata in
                guard let userdata else { return }
                let hits = Unmanaged<Hits>.fromOpaque(userdata).takeUnretainedValue()
                hits.items.append(Int(bitPattern: item) - 1)
            }, Unmanaged.passUnretained(hits).toOpaque())
        }
        return hits.items.sorted()
    }

    /// Indices of the objects whose envelopes contain or touch the point.
    public func candidates(containing p: Position) throws(GEOSError) -> [Int] {
        candidates(intersecting: try GEOSObject(.point(p), context: context))
    }
}

@available(*, unavailable)
extension SpatialIndex: Sendable {}
