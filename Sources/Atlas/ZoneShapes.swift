import Geo
import ThreatModel

/// The zones as shapes: each zone dissolved from its regions, except that a zone with a
/// surrounding radius (Bamako) reaches that far beyond its regions on the ground, clipped to the
/// country and cut out of the zones around it, so that zones never overlap and cover the country.
/// Owns a GEOS context: one task at a time.
public final class ZoneShapes {
    public let context: GEOSContext
    public let ids: [String]
    public let objects: [GEOSObject]
    let prepared: [PreparedGeometry]

    public init(atlas: Atlas, context: GEOSContext = GEOSContext()) throws {
        self.context = context
        var regionObjects: [String: GEOSObject] = [:]
        for r in atlas.regions { regionObjects[r.region.id] = try GEOSObject(r.geometry, context: context) }
        let country = try context.collection(Array(regionObjects.values)).coverageUnion()
        var grown: [String: GEOSObject] = [:]
        for z in atlas.zones {
            guard let km = z.surroundingRadiusKilometres else { continue }
            let own = try context.collection(z.regionIDs.compactMap { regionObjects[$0] }).coverageUnion()
            grown[z.id] = try own.bufferKilometres(km).intersection(country)
        }
        var shapes: [GEOSObject] = []
        for z in atlas.zones {
            if let g = grown[z.id] {
                shapes.append(g)
                continue
            }
            var shape = try context.collection(z.regionIDs.compactMap { regionObjects[$0] }).coverageUnion()
            for (other, g) in grown where other != z.id { shape = try shape.difference(g) }
            shapes.append(shape)
        }
        ids = atlas.zones.map(\.id)
        objects = shapes
        prepared = try shapes.map { try $0.prepared() }
    }

    /// The zone covering a point, or nil outside the country.
    public func zone(covering p: Position) throws -> String? {
        try zone(covering: GEOSObject(.point(p), context: context))
    }

    /// The zone covering a point already in GEOS form (made with this context).
    public func zone(covering point: GEOSObject) throws -> String? {
        for (i, prep) in prepared.enumerated() where try prep.covers(point) { return ids[i] }
        return nil
    }

    /// The zones an area overlaps (interiors meeting), in zone order.
    public func zones(overlapping area: GEOSObject) throws -> [String] {
        var out: [String] = []
        for (i, prep) in prepared.enumerated() where try prep.intersects(area) {
            if try objects[i].relate(area, pattern: "T********") { out.append(ids[i]) }
        }
        return out
    }
}

@available(*, unavailable)
extension ZoneShapes: Sendable {}
