import Atlas
import Foundation
import Geo
import ThreatModel

/// What a place name in text stands for.
public enum PlaceReference: Sendable {
    /// A gazetteer place, by index in `Atlas.places`.
    case place(Int)
    /// A region, by drawn region id, with the name as the lexicon knows it.
    case region(String, name: String)
    /// A cercle, by id ("cercle de Bandiagara", "Bankass cercle").
    case cercle(String)
}

/// Where a point falls.
public struct PointLocation: Sendable, Equatable {
    public var regionID: String?
    public var zoneID: String?
    /// The cercle it lies in, where the GeoData has cercles.
    public var cercleID: String?
    /// Set when the point is outside our boundary: near it (given the nearest region) or far.
    public var note: String?

    public var isOutside: Bool { regionID == nil }

    public init(regionID: String?, zoneID: String?, cercleID: String? = nil, note: String?) {
        self.regionID = regionID
        self.zoneID = zoneID
        self.cercleID = cercleID
        self.note = note
    }
}

/// Everything resolution needs: the atlas, the lexicon, name indexes, and the region and zone
/// shapes in GEOS form. It owns GEOS contexts, so it stays on one task; make one per task.
public final class ResolutionContext {
    public let atlas: Atlas
    public let lexicon: Lexicon
    public let regions: RegionLocator
    public let zones: ZoneShapes
    /// The cercles (empty where the GeoData has none), in the regions' GEOS context.
    public let cercles: RegionLocator
    let cercleRegion: [String: String]
    /// A point or area this close outside our boundary goes to the nearest region, with a note.
    public var toleranceMetres: Double
    public let placeNames: PhraseIndex<PlaceReference>
    /// "cercle de Bandiagara", "Bankass cercle" → cercle id; matched whether or not the phrase
    /// starts with a capital.
    public let cercleNames: PhraseIndex<String>
    /// Folded cercle names and aliases → cercle ids (a name can recur in two regions).
    public let cercleByName: [String: [String]]
    /// Folded region names, aliases and ISO 3166-2 codes → drawn region id.
    public let regionByName: [String: String]

    public static let defaultToleranceMetres = 5_000.0
    /// The time limit on the document being read (`Intake.take` sets it): readers check it per
    /// sentence, area and row and give up with `TimeLimitExceeded` once it has passed.
    public var deadline = Deadline.none

    private var outlineShape: GEOSObject?

    /// Mali's outline: the union of its regions, made once.
    public func outline() throws -> GEOSObject {
        if let o = outlineShape { return o }
        let o = try regions.context.collection(regions.objects).unaryUnion()
        outlineShape = o
        return o
    }
    /// Buffers on the ground, for border areas.
    let buffering = MetricBuffering()
    private var borders: [String: GEOSObject] = [:]

    /// Mali's border with a neighbour: the part of our outline within `border_match_degrees` of
    /// the neighbour's outline.
    func border(with n: Landmarks.Neighbour) throws -> GEOSObject {
        if let b = borders[n.code] { return b }
        let match = atlas.landmarks?.borderMatchDegrees ?? 0.25
        let b = try outline().boundary().intersection(try GEOSObject(n.geometry, context: regions.context).buffer(match, quadrantSegments: 4))
        borders[n.code] = b
        return b
    }

    public init(atlas: Atlas, lexicon: Lexicon, toleranceMetres: Double = defaultToleranceMetres) throws {
        self.atlas = atlas
        self.lexicon = lexicon
        self.toleranceMetres = toleranceMetres
        let context = GEOSContext()
        regions = try RegionLocator(atlas.regions, context: context)
        zones = try ZoneShapes(atlas: atlas, context: context)
        cercles = try RegionLocator(atlas.cercles.map(\.area), context: context)
        cercleRegion = Dictionary(atlas.cercles.map { ($0.id, $0.regionID) }, uniquingKeysWith: { a, _ in a })
        var index = PhraseIndex<PlaceReference>()
        var byName: [String: String] = [:]
        // Places before regions: a town named like its region ("Gao") reads as the town, which
        // is the smaller claim; "Gao Region" matches the longer region alias.
        for (i, p) in atlas.places.enumerated() {
            for n in p.allNames { index.add(n, .place(i)) }
        }
        for row in atlas.table.rows {
            let names = [row.name] + row.aliases
            for n in names {
                index.add(n, .region(row.drawnID, name: row.name))
                byName[NameFolding.fold(n)] = row.drawnID
            }
            byName[NameFolding.fold(row.id)] = row.drawnID
            if !row.iso3166_2.isEmpty { byName[NameFolding.fold(row.iso3166_2)] = row.drawnID }
        }
        // A cercle is named with its word: "cercle de Bandiagara", "Bankass cercle"; its name
        // alone is its town's.
        var cercleIndex = PhraseIndex<String>()
        for c in atlas.cercles {
            for n in [c.name] + c.aliases {
                for phrase in lexicon.cerclePhrases(n) { cercleIndex.add(phrase, c.id) }
            }
        }
        cercleNames = cercleIndex
        var cercleByName: [String: [String]] = [:]
        for c in atlas.cercles {
            for n in Set(([c.name] + c.aliases).map(NameFolding.fold)) { cercleByName[n, default: []].append(c.id) }
        }
        self.cercleByName = cercleByName
        placeNames = index
        regionByName = byName
    }

    /// Loads the atlas and lexicon from a GeoData folder.
    public static func load(geodata root: URL, toleranceMetres: Double = defaultToleranceMetres) throws -> ResolutionContext {
        let atlas = try Atlas.load(from: GeoDataLocation.maliFolder(root))
        let lexicon = try Lexicon.load(from: GeoDataLocation.lexiconFile(root))
        return try ResolutionContext(atlas: atlas, lexicon: lexicon, toleranceMetres: toleranceMetres)
    }

    /// The region and zone of a point: by point-in-polygon; within the tolerance of our boundary,
    /// the nearest region; farther out, outside Mali.
    public func locate(_ p: Position) throws -> PointLocation {
        let point = try GEOSObject(.point(p), context: regions.context)
        let covering = try regions.regions(covering: point)
        if let id = covering.first {
            return PointLocation(regionID: id, zoneID: try zones.zone(covering: point) ?? atlas.zone(ofRegion: id)?.id,
                                 cercleID: try cercle(of: point, in: id), note: nil)
        }
        let (id, metres) = try regions.nearest(to: p)
        if metres <= toleranceMetres {
            return PointLocation(regionID: id, zoneID: atlas.zone(ofRegion: id)?.id, cercleID: try cercle(of: point, in: id, near: p),
                                 note: "\(Self.format(metres)) outside Mali as our boundary draws it; given the nearest region, \(id)")
        }
        return PointLocation(regionID: nil, zoneID: nil, note: "outside Mali: \(Self.format(metres)) from the nearest region, \(id)")
    }

    /// The cercle of `region` covering a point; for a point outside them (`near` given), the
    /// nearest of that region's cercles within the tolerance. Nil without cercles.
    func cercle(of point: GEOSObject, in region: String, near p: Position? = nil) throws -> String? {
        guard !cercles.ids.isEmpty else { return nil }
        if let id = try cercles.regions(covering: point).first(where: { cercleRegion[$0] == region }) { return id }
        guard let p else { return nil }
        return try cercles.nearest(to: p, withinMetres: toleranceMetres) { cercleRegion[$0] == region }?.id
    }

    /// The cercles of `regions` an area overlaps; nil without cercles.
    public func cercles(overlapping geometry: Geometry, in regions: [String]) throws -> [String]? {
        guard !cercles.ids.isEmpty, !regions.isEmpty else { return nil }
        var area = try GEOSObject(geometry, context: cercles.context)
        if !(try area.isValid()) { area = try area.makeValid() }
        var hit: [String] = []
        for i in try cercles.index.candidates(intersecting: area) where regions.contains(cercleRegion[cercles.ids[i]] ?? "") {
            if try cercles.objects[i].relate(area, pattern: "T********") { hit.append(cercles.ids[i]) }
        }
        return hit.sorted()
    }

    /// The region of a cercle.
    public func region(ofCercle id: String) -> String? { cercleRegion[id] }

    /// The zones a cercle overlaps (a cercle near Bamako can reach into the Bamako zone).
    public func zones(ofCercle id: String) throws -> [String] {
        guard let o = cercles.object(id) else { return [] }
        return try zones.zones(overlapping: o)
    }

    /// The regions and zones an area overlaps, or a note when it lies outside Mali.
    public func locate(area geometry: Geometry) throws -> (regions: [String], zones: [String], note: String?) {
        let ctx = regions.context
        var area = try GEOSObject(geometry, context: ctx)
        if !(try area.isValid()) { area = try area.makeValid() }
        var hit: [String] = []
        for id in try regions.index.candidates(intersecting: area).map({ regions.ids[$0] }) {
            if try regions.object(id)!.relate(area, pattern: "T********") { hit.append(id) }
        }
        let zoneHits = try zones.zones(overlapping: area)
        if !hit.isEmpty {
            let inside = try area.intersection(ctx.collection(hit.map { regions.object($0)! })).area()
            let total = try area.area()
            var note: String?
            if total > 0, inside / total < 0.999 {
                note = "\(Int(((1 - inside / total) * 100).rounded()))% of the area lies outside Mali; the rest is mapped"
            }
            return (hit.sorted(), zoneHits, note)
        }
        // No overlap: the nearest region, if the area comes within the tolerance.
        var best: (String, Double) = ("", .infinity)
        for (i, o) in regions.objects.enumerated() {
            let (a, b) = try area.nearestPoints(to: o)
            let d = Geodesic.wgs84.distance(a, b)
            if d < best.1 { best = (regions.ids[i], d) }
        }
        if best.1 <= toleranceMetres {
            return ([best.0], [atlas.zone(ofRegion: best.0)?.id].compactMap { $0 },
                    "\(Self.format(best.1)) outside Mali as our boundary draws it; given the nearest region, \(best.0)")
        }
        return ([], [], "outside Mali: \(Self.format(best.1)) from the nearest region, \(best.0)")
    }

    /// The zone of every region id given.
    public func zoneIDs(ofRegions ids: [String]) -> [String] {
        var out: [String] = []
        for id in ids { if let z = atlas.zone(ofRegion: id)?.id, !out.contains(z) { out.append(z) } }
        return out
    }

    static func format(_ metres: Double) -> String {
        metres < 1000 ? "\(Int(metres.rounded())) m" : String(format: "%.1f km", metres / 1000)
    }
}

@available(*, unavailable)
extension ResolutionContext: Sendable {}
