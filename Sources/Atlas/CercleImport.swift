import Foundation
import Geo
import ThreatModel

extension BoundaryImport {
    /// What the cercle import made: the cercles, nested in the regions, and what it did.
    public struct CercleResult {
        public var cercles: [CercleArea]
        public var report: [String]
    }

    /// Makes cercles from an analyst's admin-2 polygons, nested in `regions` (the regions of an
    /// import, or of the current GeoData). Each unit's region is its region field matched as
    /// region names are (name, alias, code, P-code); without the field, or where it matches
    /// nothing, the region holding most of the unit. Units of one name in one region are one
    /// cercle. Cercle and region boundaries are noded together and polygonized, so that every
    /// cercle is made of faces of its own region and borders are shared exactly. A face that two
    /// cercles of its region hold goes to the one sharing the longest border with it; a face none
    /// of them holds goes so too when it is under `sliverKm2` or where another region's cercle
    /// holds it (the region and cercle files disagree there); a larger face no cercle holds is
    /// left out of every cercle and reported. Ids are the names' slugs, prefixed with the region's
    /// id where two regions have cercles of one name.
    public func cercles(_ units: [BoundaryUnit], regions: [RegionArea], table: RegionTable) throws -> CercleResult {
        var report: [String] = []
        var faults: [String] = []
        guard !units.isEmpty else { throw BoundaryImportError(faults: ["the cercle file has no polygon features"]) }
        let context = GEOSContext()
        let objects = try Self.repaired(units, context: context, report: &report)
        let regionLocator = try RegionLocator(regions, context: context)
        let keys = BoundaryImport(table: table, zones: zones, outline: outline).lookup()
        let drawn = Set(regions.map(\.region.id))
        let drawnOf = Dictionary(table.rows.map { ($0.id, $0.drawnID) }, uniquingKeysWith: { a, _ in a })

        // Each unit's region.
        var unitRegion: [String] = []
        var guessed = 0
        for (u, o) in zip(units, objects) {
            if u.name.trimmingCharacters(in: .whitespaces).isEmpty { faults.append("\(u.origin) has an empty cercle name") }
            var region = u.parent.isEmpty ? nil : Self.keys(u.parent).lazy.compactMap { keys[$0] }.first.flatMap { drawnOf[$0] ?? $0 }
            if let r = region, !drawn.contains(r) { region = nil }
            if region == nil {
                var best = ("", 0.0)
                for i in try regionLocator.index.candidates(intersecting: o) {
                    let a = try o.intersection(regionLocator.objects[i]).area()
                    if a > best.1 { best = (regionLocator.ids[i], a) }
                }
                guard best.1 > 0 else {
                    report.append("\(u.origin) (\(u.name)) lies in no region: left out")
                    unitRegion.append("")
                    continue
                }
                if !u.parent.isEmpty {
                    report.append("\(u.origin) (\(u.name)): region \"\(u.parent)\" is no region we know; placed in \(best.0), which holds most of it")
                }
                guessed += 1
                region = best.0
            }
            unitRegion.append(region!)
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }
        if guessed > 0 { report.append("\(guessed) cercle feature(s) given the region holding most of their area") }

        // Cercles: one per name and region, ids by name.
        var groupOf: [String: Int] = [:]
        var groups: [(name: String, region: String, members: [Int])] = []
        for (i, u) in units.enumerated() where !unitRegion[i].isEmpty {
            let key = unitRegion[i] + "\u{0}" + NameFolding.fold(u.name)
            if let g = groupOf[key] { groups[g].members.append(i) } else {
                groupOf[key] = groups.count
                groups.append((u.name.trimmingCharacters(in: .whitespaces), unitRegion[i], [i]))
            }
        }
        guard !groups.isEmpty else { throw BoundaryImportError(faults: ["no cercle of the file lies in Mali's regions"]) }
        var slugRegions: [String: Set<String>] = [:]
        for g in groups { slugRegions[NameFolding.slug(g.name), default: []].insert(g.region) }
        let ids = groups.map { g in
            let slug = NameFolding.slug(g.name)
            return slugRegions[slug]!.count > 1 ? "\(g.region)-\(slug)" : slug
        }
        for (g, id) in zip(groups, ids) where g.members.count > 1 {
            report.append("cercle \(id) is made of \(g.members.count) features: \(g.members.map { units[$0].origin }.joined(separator: ", "))")
        }

        // Faces of the cercles noded with the regions.
        let holders = try groups.map { g in try context.collection(g.members.map { objects[$0] }).unaryUnion() }
        let boundaries = try holders.map { try $0.boundary() }
        let noded = try context.collection(boundaries + regionLocator.objects.map { try $0.boundary() }).unaryUnion(gridSize: gridSize)
        let faces = try context.polygonize([noded]).parts()
        let prepared = try holders.map { try $0.prepared() }
        let index = try SpatialIndex(holders, context: context)
        var owner = [Int?](repeating: nil, count: faces.count)
        var closed = (count: 0, km2: 0.0)
        var disagreeing = (count: 0, km2: 0.0)
        var uncovered: [(km2: Double, region: String, place: Geometry)] = []
        for (f, face) in faces.enumerated() {
            let point = try face.pointOnSurface()
            guard let region = try regionLocator.regions(covering: point).first else { continue }  // outside Mali
            let holding = try index.candidates(intersecting: point).filter { try prepared[$0].covers(point) }
            let own = holding.filter { groups[$0].region == region }
            if own.count == 1 { owner[f] = own[0]; continue }
            let km2 = Geodesic.wgs84.area(of: try face.geometry()) / 1e6
            if own.count > 1 {
                owner[f] = try Self.longestBorder(face, own, boundaries)
                closed.count += 1
                closed.km2 += km2
                continue
            }
            let touching = try index.candidates(intersecting: face).filter { try groups[$0].region == region && prepared[$0].intersects(face) }
            if !touching.isEmpty, km2 <= sliverKm2 || !holding.isEmpty {
                owner[f] = try Self.longestBorder(face, touching, boundaries)
                if km2 <= sliverKm2 { closed.count += 1; closed.km2 += km2 } else { disagreeing.count += 1; disagreeing.km2 += km2 }
            } else {
                uncovered.append((km2, region, try point.geometry()))
            }
        }
        if closed.count > 0 {
            report.append("closed \(closed.count) overlap(s) and gap(s) between cercles, \(Self.km2(closed.km2)) in all, each under --sliver-km2 \(sliverKm2)")
        }
        if disagreeing.count > 0 {
            report.append("\(disagreeing.count) piece(s), \(Self.km2(disagreeing.km2)) in all, lie in one region by the region file and in another region's cercle by the cercle file: given to the neighbouring cercle of the region they lie in")
        }
        if !uncovered.isEmpty {
            let total = uncovered.reduce(0) { $0 + $1.km2 }
            let largest = uncovered.max { $0.km2 < $1.km2 }!
            report.append("\(uncovered.count) piece(s) of the regions, \(Self.km2(total)) in all, are in no cercle (the largest \(Self.km2(largest.km2)) in \(largest.region) around \(Self.where(largest.place))): left out of the cercles")
        }

        var out: [CercleArea] = []
        for (g, group) in groups.enumerated() {
            let mine = faces.indices.filter { owner[$0] == g }.map { faces[$0] }
            guard !mine.isEmpty else {
                report.append("cercle \(ids[g]) (\(group.name)) keeps no area once its borders are made one with its neighbours': left out")
                continue
            }
            let shape = try context.collection(mine).coverageUnion()
            guard try shape.isValid() else {
                faults.append("cercle \(ids[g]) is not valid once its borders are made one: \(try shape.validityReason())")
                continue
            }
            out.append(CercleArea(id: ids[g], name: group.name, regionID: group.region, geometry: try shape.geometry()))
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }
        let perRegion = Dictionary(grouping: out, by: \.regionID).map { "\($0.key) \($0.value.count)" }.sorted()
        report.insert("matched \(units.count) cercle feature(s) to \(out.count) cercle(s): \(perRegion.joined(separator: ", "))", at: 0)
        return CercleResult(cercles: out.sorted { ($0.regionID, $0.id) < ($1.regionID, $1.id) }, report: report)
    }

    /// `cercles.geojson` as `Atlas.loadCercles` reads it.
    public static func cercleCollection(_ cercles: [CercleArea]) -> FeatureCollection {
        FeatureCollection(cercles.map { c in
            Feature(id: .string(c.id), geometry: c.geometry, properties: [
                "id": .string(c.id), "name": .string(c.name), "region": .string(c.regionID),
                "aliases": .string(c.aliases.joined(separator: "|")),
            ])
        })
    }
}
