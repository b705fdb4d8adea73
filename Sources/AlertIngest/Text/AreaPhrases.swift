import Atlas
import Foundation
import Geo
import ThreatModel

/// An area a text draws by geography rather than by naming regions, made with GEOS.
public struct AreaFootprint: Sendable {
    /// What it is, in words: "Mali north of the latitude of Nioro (15.23°N)".
    public var description: String
    public var geometry: Geometry
    public var regionIDs: [String]
    public var zoneIDs: [String]
    /// The share of each region's area it covers: "covers 42% of Kayes".
    public var notes: [String]
}

/// Reads the areas advisories draw by geography (the lexicon's `areas` words; the landmarks of
/// `mali/landmarks.json`), each clipped to Mali:
///
/// - "north of the latitude of Nioro", "au sud de la latitude de Mopti": the side of the parallel
///   through that place;
/// - "north of a line from Kayes through Ségou to Douentza", "au nord d'une ligne Kayes-Ségou":
///   the side of the line through those places, its ends extended beyond Mali;
/// - "areas west of Sikasso", "les zones situées au nord de Mopti" (an area word just before):
///   the side of the meridian or parallel through that place;
/// - "north of the Niger River", "the part of the Mopti region north of the Niger River": the
///   side of the river's line (a line through its riverside towns), within that region when a
///   "part of" names one;
/// - "border areas with Burkina Faso and Niger", "within 30 km of the border with Niger", "la
///   bande frontalière avec le Niger": the land within that distance (`border_strip_km` by
///   default) of Mali's border with those neighbours, or with all of them where none is named.
///
/// The regions it overlaps get its level; each is noted with the share of its area covered.
struct AreaReader {
    let context: ResolutionContext
    var lexicon: Lexicon { context.lexicon }

    enum Side: String {
        case north, south, east, west
    }

    /// The hits with every area phrase found made one hit, in place of the places inside it.
    func areas(_ tokens: [Token], in text: String, hits: [TextResolver.Hit]) throws -> [TextResolver.Hit] {
        guard !tokens.isEmpty else { return hits }
        var startingAt: [Int: Int] = [:]
        for (n, h) in hits.enumerated() { startingAt[h.range.lowerBound] = n }
        func hit(at k: Int) -> TextResolver.Hit? { startingAt[k].map { hits[$0] } }
        func skipFillers(_ k: inout Int) { while k < tokens.count, lexicon.areaFillers.contains(tokens[k].folded) { k += 1 } }
        func position(of h: TextResolver.Hit) -> Position? {
            guard case .place(let ref) = h.entity else { return nil }
            switch ref {
            case .place(let p): return context.atlas.places[p].position
            case .region(let id, _): return context.atlas.region(id)?.seat
            case .cercle(let id):
                guard let g = try? context.cercles.object(id)?.pointOnSurface().geometry(), case .point(let p) = g else { return nil }
                return p
            }
        }
        var found: [(TextResolver.Hit, Range<Int>)] = []
        var i = 0
        while i < tokens.count {
            var made: (AreaFootprint, Int)?
            if let side = lexicon.areaDirections[tokens[i].folded].flatMap(Side.init(rawValue:)) {
                made = try directional(side, at: i, tokens, text, hit: hit, skipFillers: skipFillers, position: position)
            } else if let strip = try borderStrip(at: i, tokens, hits: hits, hit: hit, skipFillers: skipFillers) {
                made = strip
            }
            guard var (footprint, end) = made else { i += 1; continue }
            var start = i
            // "the part of the Mopti region north of the Niger River": within that region.
            if let (partStart, regionID) = partOf(before: i, tokens, hits: hits) {
                footprint = try clip(footprint, toRegion: regionID)
                start = partStart
            }
            let words = String(text[tokens[start].text.startIndex..<tokens[end - 1].text.endIndex])
            found.append((TextResolver.Hit(entity: .area(footprint), range: start..<end, text: words), start..<end))
            i = end
        }
        guard !found.isEmpty else { return hits }
        let kept = hits.filter { h in !found.contains { $0.1.overlaps(h.range) } }
        return (kept + found.map(\.0)).sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// "north of the latitude of X", "north of a line from A through B to C", "north of the Niger".
    func directional(_ side: Side, at i: Int, _ tokens: [Token], _ text: String, hit: (Int) -> TextResolver.Hit?,
                     skipFillers: (inout Int) -> Void, position: (TextResolver.Hit) -> Position?) throws -> (AreaFootprint, Int)? {
        var k = i + 1
        skipFillers(&k)
        guard k < tokens.count else { return nil }
        if lexicon.areaLatitudeWords.contains(tokens[k].folded), side == .north || side == .south {
            k += 1
            skipFillers(&k)
            guard let h = hit(k), let p = position(h) else { return nil }
            let box = side == .north ? BoundingBox(minX: -30, minY: p.y, maxX: 30, maxY: 60) : BoundingBox(minX: -30, minY: -30, maxX: 30, maxY: p.y)
            let label = String(format: "Mali %@ of the latitude of %@ (%.2f°N)", side.rawValue, h.text, p.y)
            return (try footprint(label, try context.outline().clipped(to: box)), h.range.upperBound)
        }
        if lexicon.areaLineWords.contains(tokens[k].folded) {
            k += 1
            var points: [Position] = []
            var names: [String] = []
            var end = k
            while k < tokens.count {
                if let h = hit(k), let p = position(h) {
                    points.append(p)
                    names.append(h.text)
                    k = h.range.upperBound
                    end = k
                } else if lexicon.areaLineJoins.contains(tokens[k].folded) || lexicon.areaFillers.contains(tokens[k].folded) {
                    k += 1
                } else {
                    break
                }
            }
            guard points.count >= 2 else { return nil }
            let label = "Mali \(side.rawValue) of a line through \(names.joined(separator: ", "))"
            return (try footprint(label, try self.side(side, of: points)), end)
        }
        // "areas west of Sikasso": the side of the meridian (or parallel) through a place, where an
        // area word comes just before the direction (so "20 km north of Gao" stays a place).
        if let h = hit(k), let p = position(h), (max(0, i - 3)..<i).contains(where: { lexicon.areaNouns.contains(tokens[$0].folded) }) {
            let box: BoundingBox = switch side {
            case .north: BoundingBox(minX: -30, minY: p.y, maxX: 30, maxY: 60)
            case .south: BoundingBox(minX: -30, minY: -30, maxX: 30, maxY: p.y)
            case .east: BoundingBox(minX: p.x, minY: -30, maxX: 30, maxY: 60)
            case .west: BoundingBox(minX: -30, minY: -30, maxX: p.x, maxY: 60)
            }
            let label = String(format: "Mali %@ of %@ (%@ %.2f°)", side.rawValue, h.text, side == .north || side == .south ? "latitude" : "longitude",
                               side == .north || side == .south ? p.y : p.x)
            return (try footprint(label, try context.outline().clipped(to: box)), h.range.upperBound)
        }
        // A river: "the Niger River", "the River Niger", "le fleuve Niger", "the Niger".
        var r = k
        if lexicon.areaRiverWords.contains(tokens[r].folded) { r += 1; skipFillers(&r) }
        for river in context.atlas.landmarks?.rivers ?? [] {
            let index = river.names.reduce(into: PhraseIndex<Bool>()) { $0.add($1, true) }
            guard r < tokens.count, let m = index.match(tokens, at: r) else { continue }
            var end = r + m.length
            if end < tokens.count, lexicon.areaRiverWords.contains(tokens[end].folded) { end += 1 }
            let label = "Mali \(side.rawValue) of the \(river.names[0]) (a line through its riverside towns)"
            return (try footprint(label, try self.side(side, of: river.through)), end)
        }
        return nil
    }

    /// "border areas with X and Y", "within N km of the border with X", "la bande frontalière".
    func borderStrip(at i: Int, _ tokens: [Token], hits: [TextResolver.Hit], hit: (Int) -> TextResolver.Hit?,
                     skipFillers: (inout Int) -> Void) throws -> (AreaFootprint, Int)? {
        guard let landmarks = context.atlas.landmarks else { return nil }
        var kilometres = landmarks.borderStripKilometres
        var k: Int
        if let m = lexicon.borderAreaPhrases.match(tokens, at: i) {
            k = i + m.length
        } else if let n = Double(tokens[i].folded), n > 0, n <= 500, i + 1 < tokens.count, lexicon.distanceUnits.contains(tokens[i + 1].folded) {
            // "within 30 km of the border", "à moins de 30 km de la frontière".
            k = i + 2
            skipFillers(&k)
            guard k < tokens.count, lexicon.borderWords.contains(tokens[k].folded) else { return nil }
            kilometres = n
            k += 1
        } else {
            return nil
        }
        // The neighbours named after it.
        var codes: [String] = []
        var names: [String] = []
        var end = k
        while k < tokens.count {
            if let h = hit(k), case .outside(let name) = h.entity,
               let n = landmarks.neighbours.first(where: { $0.names.contains { NameFolding.fold($0) == NameFolding.fold(name) } }) {
                if !codes.contains(n.code) { codes.append(n.code); names.append(n.names[0]) }
                k = h.range.upperBound
                end = k
            } else if lexicon.areaFillers.contains(tokens[k].folded) || lexicon.listConnectors.contains(tokens[k].folded)
                        || lexicon.borderJoins.contains(tokens[k].folded) || lexicon.borderWords.contains(tokens[k].folded) {
                k += 1
            } else {
                break
            }
        }
        let chosen = codes.isEmpty ? landmarks.neighbours : landmarks.neighbours.filter { codes.contains($0.code) }
        let lines = try chosen.map { n in try context.border(with: n) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let border = try context.regions.context.collection(lines).unaryUnion()
        let strip = try context.buffering.buffer(border, kilometres: kilometres, quadrantSegments: 8).intersection(context.outline())
        let label = String(format: "Mali within %g km of its border with %@", kilometres, codes.isEmpty ? "its neighbours" : names.joined(separator: " and "))
        return (try footprint(label, strip), max(end, i + 1))
    }

    /// "the part of the Mopti region" just before a direction: where it starts, and the region.
    func partOf(before i: Int, _ tokens: [Token], hits: [TextResolver.Hit]) -> (Int, String)? {
        guard let h = hits.last(where: { $0.range.upperBound <= i && $0.range.upperBound >= i - 3 }), case .place(.region(let id, _)) = h.entity else {
            return nil
        }
        let from = max(0, h.range.lowerBound - 4)
        guard let m = lexicon.areaPartWords.scan(Array(tokens[from..<h.range.lowerBound])).first else { return nil }
        return (from + m.range.lowerBound, id)
    }

    /// The side of a line through `points` (extended far beyond Mali at both ends), within Mali.
    func side(_ side: Side, of points: [Position]) throws -> GEOSObject {
        guard let first = points.first, let last = points.last, points.count >= 2 else { return try context.outline().clone() }
        func extend(_ from: Position, _ to: Position) -> Position {
            let dx = to.x - from.x, dy = to.y - from.y
            let length = max((dx * dx + dy * dy).squareRoot(), 1e-9)
            return Position(to.x + dx / length * 40, to.y + dy / length * 40)
        }
        let start = extend(points[1], first)
        let end = extend(points[points.count - 2], last)
        var ring = [start] + points + [end]
        switch side {
        case .north: ring += [Position(end.x, 80), Position(start.x, 80)]
        case .south: ring += [Position(end.x, -80), Position(start.x, -80)]
        case .east: ring += [Position(80, end.y), Position(80, start.y)]
        case .west: ring += [Position(-80, end.y), Position(-80, start.y)]
        }
        ring.append(start)
        var half = try GEOSObject(.polygon(Polygon(rings: [ring])), context: context.regions.context)
        if !(try half.isValid()) { half = try half.makeValid() }
        return try half.intersection(context.outline())
    }

    func clip(_ f: AreaFootprint, toRegion id: String) throws -> AreaFootprint {
        guard let region = context.regions.object(id) else { return f }
        let name = context.atlas.region(id)?.region.name ?? id
        let shape = try GEOSObject(f.geometry, context: context.regions.context).intersection(region)
        return try footprint(f.description.replacingOccurrences(of: "Mali ", with: "the part of \(name) ", options: .anchored), shape)
    }

    /// The footprint of a shape: polygons only, the regions it overlaps, and the share of each.
    func footprint(_ description: String, _ shape: GEOSObject) throws -> AreaFootprint {
        let polygons = try shape.geometry().polygons
        let geometry: Geometry = polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
        let located = try context.locate(area: geometry)
        var notes: [String] = []
        var regionIDs: [String] = []
        let object = try GEOSObject(geometry, context: context.regions.context)
        for id in located.regions {
            guard let region = context.regions.object(id), let whole = context.atlas.region(id) else { continue }
            let inside = Geodesic.wgs84.area(of: try object.intersection(region).geometry())
            let total = Geodesic.wgs84.area(of: whole.geometry)
            // A sliver along a shared border (clipping to one region leaves a few square metres
            // of its neighbours) is no overlap.
            guard inside >= Self.sliverSquareMetres, total > 0 else { continue }
            regionIDs.append(id)
            notes.append("covers \(max(1, Int((inside / total * 100).rounded())))% of \(whole.region.name)")
        }
        return AreaFootprint(description: description, geometry: geometry, regionIDs: regionIDs,
                             zoneIDs: context.zoneIDs(ofRegions: regionIDs), notes: notes)
    }

    /// An overlap smaller than this (1 km²) is a sliver of the clipping, not a share of a region.
    static let sliverSquareMetres = 1_000_000.0
}
