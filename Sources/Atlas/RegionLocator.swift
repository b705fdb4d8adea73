import Foundation
import Geo

/// Finds the regions a point or shape lies in, with prepared region geometries behind an
/// STR-tree. It owns a GEOS context, so like one it stays on one task.
public final class RegionLocator {
    public let context: GEOSContext
    public let ids: [String]
    public let objects: [GEOSObject]
    let prepared: [PreparedGeometry]
    public let index: SpatialIndex

    public init(_ regions: [RegionArea], context: GEOSContext = GEOSContext()) throws {
        self.context = context
        ids = regions.map(\.region.id)
        objects = try regions.map { try GEOSObject($0.geometry, context: context) }
        prepared = try objects.map { try $0.prepared() }
        index = try SpatialIndex(objects, context: context)
    }

    /// The GEOS form of region `id`.
    public func object(_ id: String) -> GEOSObject? {
        ids.firstIndex(of: id).map { objects[$0] }
    }

    /// The ids of the regions covering the point (boundary included): one inside a region, two or
    /// more on a shared border, none outside.
    public func regions(covering p: Position) throws -> [String] {
        try regions(covering: GEOSObject(.point(p), context: context))
    }

    /// The ids of the regions covering a point already in GEOS form (made with this context).
    public func regions(covering point: GEOSObject) throws -> [String] {
        try index.candidates(intersecting: point).filter { try prepared[$0].covers(point) }.map { ids[$0] }
    }

    /// The nearest region to a point and its distance in metres on the ground (0 inside).
    public func nearest(to p: Position) throws -> (id: String, metres: Double) {
        let point = try GEOSObject(.point(p), context: context)
        var best: (String, Double) = ("", .infinity)
        for (i, o) in objects.enumerated() {
            let (_, q) = try point.nearestPoints(to: o)
            let d = Geodesic.wgs84.distance(p, q)
            if d < best.1 { best = (ids[i], d) }
        }
        return best
    }

    /// The nearest region within `limit` metres of a point among those `include` accepts, and its
    /// distance; nil when none is that near. Only the regions whose envelope meets a box of the
    /// limit's size around the point are measured, so this stays cheap with hundreds of units.
    public func nearest(to p: Position, withinMetres limit: Double, where include: (String) -> Bool = { _ in true }) throws -> (id: String, metres: Double)? {
        // 110 km per degree is less than a degree of latitude anywhere: the box is a little larger than the limit.
        let dy = limit / 110_000, dx = limit / (110_000 * max(cos(p.y * .pi / 180), 0.01))
        let box = BoundingBox(minX: p.x - dx, minY: p.y - dy, maxX: p.x + dx, maxY: p.y + dy)
        let point = try GEOSObject(.point(p), context: context)
        var best: (id: String, metres: Double)?
        for i in try index.candidates(intersecting: GEOSObject(.polygon(box.polygon), context: context)) where include(ids[i]) {
            let (_, q) = try point.nearestPoints(to: objects[i])
            let d = Geodesic.wgs84.distance(p, q)
            if d <= limit, d < (best?.metres ?? .infinity) { best = (ids[i], d) }
        }
        return best
    }
}

@available(*, unavailable)
extension RegionLocator: Sendable {}
