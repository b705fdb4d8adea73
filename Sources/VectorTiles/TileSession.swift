import Foundation
import Geo

/// Tiles made one at a time, on demand, from one set of layers (a map as of a date): each zoom is
/// planned once, when its first tile is asked for, and kept. A tile is the same bytes as the
/// `Tiler` makes for the whole pyramid with the same options. Safe to share between tasks: one
/// tile is made at a time, with the session's own GEOS context.
/// `@unchecked Sendable`: its GEOS context, plans and layers are touched only with its lock held.
public final class TileSession: @unchecked Sendable {
    public let options: TilerOptions
    let lock = NSLock()
    let maker: TileMaker
    var plans: [Int: ZoomPlan] = [:]

    /// `layers` in longitude and latitude, as for `Tiler.tiles`.
    public init(layers: [TileLayerSource], options: TilerOptions = TilerOptions()) throws {
        self.options = options
        maker = try TileMaker(layers: Tiler.projected(layers), options: options, context: GEOSContext())
    }

    /// The tile, encoded (not compressed); nil when nothing lands in it or it is outside the
    /// session's zooms.
    public func tile(_ t: TileAddress) throws -> [UInt8]? {
        guard (options.minZoom...options.maxZoom).contains(t.z) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        let plan: ZoomPlan
        if let p = plans[t.z] {
            plan = p
        } else {
            plan = try maker.plan(zoom: t.z) { _ in true }
            plans[t.z] = plan
        }
        return try maker.tile(t, plan)
    }
}
