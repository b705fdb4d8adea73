import Foundation
import Geo
import ThreatModel

/// One unit of an analyst's boundary file, as read: the value of its name field (and code
/// field), its polygons in WGS 84, and where it was in the file.
public struct BoundaryUnit: Sendable {
    public var name: String
    public var code: String
    /// A cercle's region, as its region field gives it (name or code); empty if none.
    public var parent: String
    public var geometry: Geometry
    /// "feature 3", for messages.
    public var origin: String

    public init(name: String, code: String = "", parent: String = "", geometry: Geometry, origin: String) {
        self.name = name
        self.code = code
        self.parent = parent
        self.geometry = geometry
        self.origin = origin
    }
}

/// Why an import stopped, with every fault it found, so that one run shows them all.
public struct BoundaryImportError: Error, CustomStringConvertible {
    public var faults: [String]
    public var description: String { faults.count == 1 ? faults[0] : faults.map { "- " + $0 }.joined(separator: "\n") }
}

/// Makes our regions from an analyst's admin-1 polygons: each unit matched to a region of
/// `regions.csv` (by name, alias, id, ISO 3166-2 code or P-code, ignoring case and accents; a
/// name that matches nothing becomes a new region, given a zone by `zoneOf`), invalid polygons
/// repaired with GEOS, then every border made one: the units' boundaries are noded together on
/// a 1e-7° grid and polygonized, and each face goes to the unit holding it. A face two units
/// hold (an overlap) or none does (a gap enclosed by them) goes, when it is smaller than
/// `sliverKm2`, to the unit sharing the longest border with it; a larger one stops the import,
/// named with its area and place. The result is an exact coverage: shared borders are the same
/// vertices on both sides, as `geodata check` and the coverage unions of the layers need.
public struct BoundaryImport {
    public var table: RegionTable
    /// The zones as `zones.json` gives them, undrawn regions' ids included.
    public var zones: [Zone]
    /// Mali's outline as the current GeoData draws it, to refuse a file of somewhere else.
    public var outline: Geometry
    /// A new region's zone, by the region's folded name or its slug id.
    public var zoneOf: [String: String] = [:]
    /// Overlaps and gaps up to this size are closed; larger ones are faults.
    public var sliverKm2 = 10.0
    /// The snapping grid, in degrees: 1e-7° is about 1 cm, the precision regions are written at.
    public var gridSize = 1e-7

    public init(table: RegionTable, zones: [Zone], outline: Geometry) {
        self.table = table
        self.zones = zones
        self.outline = outline
    }

    public struct Result {
        public var regions: FeatureCollection
        public var table: RegionTable
        public var zones: [Zone]
        /// What the import did, a line each: matches, repairs, slivers closed, stand-ins.
        public var report: [String]

        public init(regions: FeatureCollection, table: RegionTable, zones: [Zone], report: [String]) {
            self.regions = regions
            self.table = table
            self.zones = zones
            self.report = report
        }
    }

    /// Common words around a region's name in boundary files, dropped before matching.
    static let nameNoise = ["region de ", "region of ", "region du ", "district de ", "district of ", "cercle de ", "region ",
                            " region", " district", " cercle"]

    /// The keys a region is known by: id, name, aliases, ISO 3166-2 code, P-code, folded.
    func lookup() -> [String: String] {
        var keys: [String: String] = [:]
        for row in table.rows {
            for name in [row.id, row.name, row.iso3166_2, row.pcode] + row.aliases where !name.isEmpty {
                for key in Self.keys(name) where keys[key] == nil { keys[key] = row.id }
            }
        }
        return keys
    }

    /// A name's matching keys: folded, and folded with the noise words dropped; a code also
    /// without its hyphen ("ML-7" and "ML7").
    static func keys(_ name: String) -> [String] {
        let folded = NameFolding.fold(name)
        var out = [folded, folded.replacingOccurrences(of: " ", with: "")]
        var bare = " " + folded + " "
        for noise in nameNoise { bare = bare.replacingOccurrences(of: noise.hasPrefix(" ") ? noise + " " : " " + noise, with: " ") }
        out.append(bare.trimmingCharacters(in: .whitespaces))
        return out.filter { !$0.isEmpty }
    }

    public func run(_ units: [BoundaryUnit]) throws -> Result {
        var faults: [String] = []
        var report: [String] = []
        let context = GEOSContext()
        guard !units.isEmpty else { throw BoundaryImportError(faults: ["the file has no polygon features"]) }

        // Where the file lies: most of it must be Mali.
        let reference = try GEOSObject(outline, context: context)
        let objects = try Self.repaired(units, context: context, report: &report)
        let all = try context.collection(objects).unaryUnion()
        let referenceArea = try reference.area()
        let inside = try all.intersection(reference).area() / referenceArea
        let outside = try all.difference(reference).area() / referenceArea
        guard inside >= 0.9, outside <= 0.1 else {
            throw BoundaryImportError(faults: [
                "the file covers \(Self.percent(inside)) of Mali's outline and reaches \(Self.percent(outside)) of Mali's area outside it: it is not a division of Mali (expected at least 90% and at most 10%)",
            ])
        }

        // Names to regions.
        let keys = lookup()
        var ids: [String] = []
        var newRows: [String: RegionTable.Row] = [:]
        var matchedBy: [String: [String]] = [:]
        for (i, u) in units.enumerated() {
            let id: String
            if let known = (Self.keys(u.name) + (u.code.isEmpty ? [] : Self.keys(u.code))).lazy.compactMap({ keys[$0] }).first {
                id = known
            } else if u.name.trimmingCharacters(in: .whitespaces).isEmpty {
                faults.append("\(u.origin) has an empty name\(u.code.isEmpty ? "" : " and the code \"\(u.code)\", which is no region's")")
                id = "\u{0}\(i)"
            } else {
                id = NameFolding.slug(u.name)
                let zone = zoneOf[NameFolding.fold(u.name)] ?? zoneOf[id]
                if let zone, zones.contains(where: { $0.id == zone }) {
                    if newRows[id] == nil {
                        newRows[id] = RegionTable.Row(id: id, name: u.name, aliases: [], seat: Position(0, 0))
                        report.append("\(u.origin): \"\(u.name)\" is no region we know: a new region \(id), in the \(zone) zone")
                    }
                } else if let zone {
                    faults.append("--zone \(id)=\(zone): no zone \"\(zone)\"; the zones are \(zones.map(\.id).joined(separator: ", "))")
                } else {
                    faults.append("\(u.origin): \"\(u.name)\" is no region we know (\(table.rows.map(\.name).joined(separator: ", "))): give it a zone with --zone \(id)=ZONE (\(zones.map(\.id).joined(separator: ", "))) to make it a new region")
                }
            }
            ids.append(id)
            matchedBy[id, default: []].append(u.origin + (u.name.isEmpty ? "" : " \"\(u.name)\""))
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }
        let regionIDs = ids.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for id in regionIDs where (matchedBy[id]?.count ?? 0) > 1 {
            report.append("\(id) is made of \(matchedBy[id]!.count) features: \(matchedBy[id]!.joined(separator: ", "))")
        }

        // One border between neighbours: node every boundary together, polygonize, give each face a region.
        let holders = try regionIDs.map { id in
            try context.collection(zip(ids, objects).filter { $0.0 == id }.map(\.1)).unaryUnion()
        }
        let boundaries = try holders.map { try $0.boundary() }
        let noded = try context.collection(boundaries).unaryUnion(gridSize: gridSize)
        let faces = try context.polygonize([noded]).parts()
        let prepared = try holders.map { try $0.prepared() }
        let index = try SpatialIndex(holders, context: context)
        var owner = [Int?](repeating: nil, count: faces.count)
        var disputed: [(face: Int, candidates: [Int], kind: String)] = []
        for (f, face) in faces.enumerated() {
            let point = try face.pointOnSurface()
            let inside = try index.candidates(intersecting: point).filter { try prepared[$0].covers(point) }
            if inside.count == 1 {
                owner[f] = inside[0]
            } else if inside.count > 1 {
                disputed.append((f, inside, "overlap"))
            } else {
                disputed.append((f, try index.candidates(intersecting: face).filter { try prepared[$0].intersects(face) }, "gap"))
            }
        }
        var closed = (overlaps: 0, gaps: 0, km2: 0.0)
        for d in disputed {
            let face = faces[d.face]
            let km2 = Geodesic.wgs84.area(of: try face.geometry()) / 1e6
            let place = try face.pointOnSurface().geometry()
            let names = d.candidates.map { regionIDs[$0] }
            guard km2 <= sliverKm2, !d.candidates.isEmpty else {
                if d.kind == "gap", d.candidates.isEmpty { continue }  // enclosed by nothing of ours
                faults.append(d.kind == "overlap"
                    ? "\(names.joined(separator: " and ")) overlap by \(Self.km2(km2)) around \(Self.where(place)): more than --sliver-km2 \(sliverKm2), fix the file or raise it"
                    : "a gap of \(Self.km2(km2)) between \(names.joined(separator: ", ")) around \(Self.where(place)): more than --sliver-km2 \(sliverKm2), fix the file or raise it")
                continue
            }
            // The neighbour sharing the longest border with the face takes it.
            owner[d.face] = try Self.longestBorder(face, d.candidates, boundaries)
            if d.kind == "overlap" { closed.overlaps += 1 } else { closed.gaps += 1 }
            closed.km2 += km2
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }
        if closed.overlaps + closed.gaps > 0 {
            report.append("closed \(closed.overlaps) overlap(s) and \(closed.gaps) gap(s) between neighbours, \(Self.km2(closed.km2)) in all, each under --sliver-km2 \(sliverKm2)")
        }

        // The regions, their rows and zones.
        var rows: [RegionTable.Row] = []
        var features: [Feature] = []
        var drawn = Set<String>()
        for (r, id) in regionIDs.enumerated() {
            let mine = faces.indices.filter { owner[$0] == r }.map { faces[$0] }
            guard !mine.isEmpty else {
                faults.append("\(id) keeps no area once its borders are made one with its neighbours'")
                continue
            }
            let shape = try context.collection(mine).coverageUnion()
            guard try shape.isValid() else {
                faults.append("\(id) is not valid once its borders are made one: \(try shape.validityReason())")
                continue
            }
            var row = table.rows.first { $0.id == id } ?? newRows[id]!
            row.partOf = ""
            if newRows[id] != nil {
                let seat = try shape.pointOnSurface().geometry()
                if case .point(let p) = seat { row.seat = Position((p.x * 1e4).rounded() / 1e4, (p.y * 1e4).rounded() / 1e4) }
            }
            drawn.insert(id)
            rows.append(row)
            features.append(Feature(id: .string(id), geometry: try shape.geometry(), properties: [
                "id": .string(id), "name": .string(row.name), "aliases": .string(row.aliases.joined(separator: "|")),
                "seat_lon": .double(row.seat.x), "seat_lat": .double(row.seat.y),
            ]))
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }

        // Regions the file does not draw stand in the drawn region holding their seat.
        let locator = try RegionLocator(features.map { f in
            RegionArea(region: Region(id: f.properties["id"]?.stringValue ?? "", name: "", aliases: []), geometry: f.geometry ?? .geometryCollection([]), seat: nil)
        })
        for var row in table.rows where !drawn.contains(row.id) {
            guard let holder = try locator.regions(covering: row.seat).first else {
                report.append("\(row.id) is not in the file and its seat \(Self.where(.point(row.seat))) lies in none of its regions: left out")
                continue
            }
            row.partOf = holder
            rows.append(row)
            report.append("\(row.id) is not in the file: \(holder), which holds its seat, stands for it")
        }

        var zonesOut = zones.map { z in
            Zone(id: z.id, name: z.name, regionIDs: z.regionIDs.filter { id in rows.contains { $0.id == id } },
                     surroundingRadiusKilometres: z.surroundingRadiusKilometres)
        }
        for id in regionIDs where newRows[id] != nil {
            let zone = zoneOf[NameFolding.fold(newRows[id]!.name)] ?? zoneOf[id] ?? ""
            if let z = zonesOut.firstIndex(where: { $0.id == zone }) { zonesOut[z].regionIDs.append(id) }
        }
        for id in drawn where !zonesOut.contains(where: { $0.regionIDs.contains(id) }) {
            faults.append("\(id) belongs to no zone: give it one with --zone \(id)=ZONE")
        }
        if !faults.isEmpty { throw BoundaryImportError(faults: faults) }
        report.insert("matched \(units.count) feature(s) to \(drawn.count) region(s): " + regionIDs.filter(drawn.contains).joined(separator: ", "), at: 0)
        return Result(regions: FeatureCollection(features), table: RegionTable(rows: rows), zones: zonesOut, report: report)
    }

    /// The units in GEOS form, invalid polygons repaired with GEOS MakeValid and reported.
    static func repaired(_ units: [BoundaryUnit], context: GEOSContext, report: inout [String]) throws -> [GEOSObject] {
        var objects: [GEOSObject] = []
        for u in units {
            var o = try GEOSObject(u.geometry, context: context)
            if !(try o.isValid()) {
                let why = try o.validityReason()
                o = try Self.polygonal(o.makeValid(), context: context)
                let change = abs(Geodesic.wgs84.area(of: try o.geometry()) - Geodesic.wgs84.area(of: u.geometry)) / 1e6
                report.append("\(u.origin) (\(u.name)) was not a valid polygon (\(why)): repaired with GEOS MakeValid, area changed by \(Self.km2(change))")
            }
            objects.append(o)
        }
        return objects
    }

    /// Which of `candidates` shares the longest border with `face`.
    static func longestBorder(_ face: GEOSObject, _ candidates: [Int], _ boundaries: [GEOSObject]) throws -> Int {
        let edge = try face.boundary()
        var best = (candidates[0], -1.0)
        for c in candidates {
            let shared = try edge.intersection(boundaries[c]).length()
            if shared > best.1 { best = (c, shared) }
        }
        return best.0
    }

    /// The polygons of a repaired shape (MakeValid may leave lines and points beside them).
    static func polygonal(_ o: GEOSObject, context: GEOSContext) throws -> GEOSObject {
        let g = try o.geometry()
        return try GEOSObject(.multiPolygon(g.polygons), context: context)
    }

    static func km2(_ v: Double) -> String { v >= 10 ? "\(Int(v.rounded())) km²" : String(format: "%.3f km²", v) }
    static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
    static func `where`(_ g: Geometry) -> String {
        guard case .point(let p) = g else { return "?" }
        return String(format: "%.4f, %.4f (lon, lat)", p.x, p.y)
    }
}

extension Zone {
    /// Zones as `zones.json` writes them (ids of drawn and undrawn regions alike).
    public static func json(_ zones: [Self], about: String) -> JSONValue {
        .object([
            "about": .string(about),
            "zones": .array(zones.map { z in
                var o: JSONObject = ["id": .string(z.id), "name": .string(z.name), "regions": .array(z.regionIDs.map { .string($0) })]
                if let r = z.surroundingRadiusKilometres { o["surrounding_radius_km"] = .double(r) }
                return .object(o)
            }),
        ])
    }
}

extension BoundaryImport {
    /// The gazetteer's places re-placed in the new regions (and cercles) by point-in-polygon: a
    /// place on a shared border keeps its region if it is one of them; one outside every region
    /// goes to the nearest within `toleranceMetres`, else is left out. A place's cercle is the one
    /// of its region covering it, or the nearest of its region within the tolerance. Returns the
    /// CSV and what it did.
    public static func replace(_ places: [Place], in regions: [RegionArea], cercles: [CercleArea] = [],
                               toleranceMetres: Double) throws -> (csv: String, notes: [String]) {
        let locator = try RegionLocator(regions)
        let cercleLocator = try RegionLocator(cercles.map(\.area), context: locator.context)
        let cercleRegion = Dictionary(cercles.map { ($0.id, $0.regionID) }, uniquingKeysWith: { a, _ in a })
        var rows: [[String]] = []
        var notes: [String] = []
        var moved = 0
        var inCercles = 0
        for p in places {
            let covering = try locator.regions(covering: p.position)
            var region: String
            if covering.isEmpty {
                let (id, metres) = try locator.nearest(to: p.position)
                guard metres <= toleranceMetres else {
                    notes.append("\(p.name) \(p.position) lies \(Int(metres / 100) / 10) km outside every region: left out of the gazetteer")
                    continue
                }
                region = id
                notes.append("\(p.name) lies \(Int(metres)) m outside the regions: placed in the nearest, \(id)")
            } else {
                region = covering.contains(p.regionID) ? p.regionID : covering[0]
            }
            if region != p.regionID { moved += 1 }
            var row = [p.name, p.aliases.joined(separator: "|"), p.kind, String(p.position.x), String(p.position.y), region,
                       p.source, p.sourceID, p.sourceRegionID]
            if !cercles.isEmpty {
                var cercle = try cercleLocator.regions(covering: p.position).first { cercleRegion[$0] == region }
                if cercle == nil, case let (id, metres) = try cercleLocator.nearest(to: p.position), metres <= toleranceMetres,
                   cercleRegion[id] == region {
                    cercle = id
                }
                if cercle != nil { inCercles += 1 }
                row.append(cercle ?? "")
            }
            rows.append(row)
        }
        notes.insert("gazetteer: \(rows.count) of \(places.count) places re-placed, \(moved) now in another region than before"
                     + (cercles.isEmpty ? "" : ", \(inCercles) in a cercle"), at: 0)
        let header = Atlas.gazetteerHeader + (cercles.isEmpty ? [] : [Atlas.gazetteerCercleColumn])
        return (CSVTable.format(header: header, rows: rows), notes)
    }

    /// Writes a complete GeoData folder at `destination`: a copy of `source` (the GeoData root,
    /// without its sample alerts) with the imported regions, their table and zones, and the
    /// gazetteer re-placed; then loads and checks it. It is made beside `destination` and renamed
    /// into place only once it passes, so a failed import leaves no folder behind.
    public func write(_ result: Result, cercles: [CercleArea] = [], from source: URL, places: [Place], to destination: URL,
                      toleranceMetres: Double = 5_000) throws -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) {
            let contents = (try? fm.contentsOfDirectory(atPath: destination.path)) ?? ["?"]
            guard contents.isEmpty else {
                throw AtlasError(file: destination.path, message: "already exists and is not empty: choose a new folder")
            }
        }
        let parent = destination.deletingLastPathComponent()
        let work = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: work)
        do {
            try fm.createDirectory(at: work, withIntermediateDirectories: true)
            for item in try fm.contentsOfDirectory(atPath: source.path) where item != "alerts" && !item.hasPrefix(".") {
                try fm.copyItem(at: source.appendingPathComponent(item), to: work.appendingPathComponent(item))
            }
            let mali = work.appendingPathComponent("mali")
            try fm.createDirectory(at: mali, withIntermediateDirectories: true)
            try Data(GeoJSONWriter(precision: 7, name: "regions").write(result.regions)).write(to: mali.appendingPathComponent("regions.geojson"))
            try Data(result.table.csv.utf8).write(to: mali.appendingPathComponent("regions.csv"))
            var w = JSONWriter()
            w.value(Zone.json(result.zones, about: "Threat zones: which regions form each zone, made by threatmap geodata import. Ids of regions the boundary file does not draw stand for the drawn region that holds them. The Bamako zone is the Bamako district plus the land within surrounding_radius_km of its boundary, measured on the ground."))
            try Data(w.bytes).write(to: mali.appendingPathComponent("zones.json"))
            let cerclesFile = mali.appendingPathComponent("cercles.geojson")
            try? fm.removeItem(at: cerclesFile)
            if !cercles.isEmpty {
                try Data(GeoJSONWriter(precision: 7, name: "cercles").write(Self.cercleCollection(cercles))).write(to: cerclesFile)
            }
            let drawn = try Atlas.loadRegions(mali.appendingPathComponent("regions.geojson"))
            let (gazetteer, notes) = try Self.replace(places, in: drawn, cercles: cercles, toleranceMetres: toleranceMetres)
            try Data(gazetteer.utf8).write(to: mali.appendingPathComponent("gazetteer.csv"))
            let check = try AtlasCheck(atlas: Atlas.load(from: mali)).run()
            guard check.faults.isEmpty else { throw BoundaryImportError(faults: check.faults.map { "geodata check: " + $0 }) }
            if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
            try fm.moveItem(at: work, to: destination)
            return notes
        } catch {
            try? fm.removeItem(at: work)
            throw error
        }
    }
}
