import Foundation
import Geo

/// A memo of grid cells that lie wholly in the interior of one shape of a set and meet no other,
/// so that a point in such a cell is placed by one dictionary look-up instead of GEOS tests. A
/// cell's answer is worked out the first time a point falls in it; a cell that a border crosses
/// (or that lies outside every shape) is remembered as mixed and its points take the exact path.
/// The answer for a point is therefore the exact one: a point inside a cell that is properly
/// inside shape i and meets no other shape is covered by i alone. Not for two tasks at once.
final class InteriorCells {
    /// The cell's side in degrees: about 2 km, small against a cercle, large against the
    /// clustering of events around towns.
    static let size = 0.02
    private var owners: [Int64: Int32] = [:]

    /// The index of the shape whose interior holds `p`'s whole cell, or nil (a mixed cell).
    /// `owner` works a cell out from its square, in the shapes' GEOS context.
    func owner(of p: Position, context: GEOSContext, _ owner: (GEOSObject) throws -> Int?) throws -> Int? {
        let cx = (p.x / Self.size).rounded(.down), cy = (p.y / Self.size).rounded(.down)
        guard abs(cx) < 1e9, abs(cy) < 1e9 else { return nil }
        let key = Int64(cx) << 32 | Int64(Int32(cy)) & 0xFFFF_FFFF
        if let known = owners[key] { return known < 0 ? nil : Int(known) }
        let box = BoundingBox(minX: cx * Self.size, minY: cy * Self.size, maxX: (cx + 1) * Self.size, maxY: (cy + 1) * Self.size)
        let found = try owner(GEOSObject(.polygon(box.polygon), context: context))
        owners[key] = found.map(Int32.init) ?? -1
        return found
    }

    /// The one shape among `candidates` that properly contains `cell` while no other meets it.
    static func sole(_ cell: GEOSObject, candidates: some Sequence<Int>, _ prepared: [PreparedGeometry]) throws -> Int? {
        var hit: Int?
        for i in candidates where try prepared[i].intersects(cell) {
            if hit != nil { return nil }
            hit = i
        }
        guard let hit, try prepared[hit].containsProperly(cell) else { return nil }
        return hit
    }
}
