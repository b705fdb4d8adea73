import Foundation
import Geo
import ThreatModel

/// What one write changed, as a shared store tells every process on it: who wrote it, the
/// document, and the footprint (lon/lat) of what the document brought (its alerts' places and
/// areas, its incidents) where it has one. A reader remakes its cached maps from the store and
/// keeps whatever the change does not reach; the footprint is a hint, not the extent of the
/// change (an alert raises a whole region's level, beyond its places).
public struct StoreChange: Sendable, Codable, Equatable {
    /// The writing store's `instanceID`: a process ignores its own writes, already applied.
    public var origin: String
    /// The document written; nil for a `reresolve`, which changes everything.
    public var document: Int64?
    /// West, south, east, north; nil when the write has no located place.
    public var bbox: [Double]?

    public init(origin: String, document: Int64?, bbox: BoundingBox?) {
        self.origin = origin
        self.document = document
        self.bbox = bbox.map { [$0.minX, $0.minY, $0.maxX, $0.maxY] }
    }

    /// The box around every located place of `alerts` and every incident.
    static func footprint(alerts: [Alert], incidents: [Position]) -> BoundingBox? {
        var box: BoundingBox?
        func add(_ b: BoundingBox) { if box == nil { box = b } else { box!.extend(b) } }
        for a in alerts {
            for p in a.places {
                if let g = p.geometry?.boundingBox { add(g) }
                if let q = p.position { add(BoundingBox(minX: q.x, minY: q.y, maxX: q.x, maxY: q.y)) }
            }
        }
        for q in incidents { add(BoundingBox(minX: q.x, minY: q.y, maxX: q.x, maxY: q.y)) }
        return box
    }
}

/// What a change follower reports: it is listening (first, and again after each reconnection:
/// whatever was written while it was away is unknown, so a reader makes its maps again), a
/// change, or the connection lost (it reconnects, waiting longer each time, up to a few seconds).
public enum StoreChangeEvent: Sendable {
    case listening(reconnected: Bool)
    case changed(StoreChange)
    case lost(String)
}

/// A store that several processes share, which tells each of them what the others write.
public protocol SharedThreatStore: ThreatStore {
    /// This process's writer id, carried by its changes.
    var instanceID: String { get }

    /// Calls `handler` (on a thread of the store's own) with every change any process commits,
    /// and with the follower's connection state, until the follower is stopped.
    func follow(_ handler: @escaping @Sendable (StoreChangeEvent) -> Void) -> StoreChangeFollower
}

/// A running follower; `stop()` ends it and waits for its connection to close.
public protocol StoreChangeFollower: AnyObject, Sendable {
    func stop()
}
