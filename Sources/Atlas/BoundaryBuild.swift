import Foundation
import Geo
import ThreatModel

/// Builds Mali's region polygons from boundary lines (Natural Earth's admin-0 and admin-1 lines):
/// the lines inside a frame around the country, with the frame's ring so that lines ending at
/// its edge close, are snapped to a fine grid and noded together (their ends miss each other by
/// about 1e-10 degrees), then polygonized; each face holding a region's seat is that region.
public struct BoundaryBuild {
    public var table: RegionTable
    /// The frame, in lon/lat degrees.
    public var frame = BoundingBox(minX: -14, minY: 8, maxX: 6, maxY: 27)
    /// The snapping grid: 1e-7 degrees is about 1 cm.
    public var gridSize = 1e-7

    public init(table: RegionTable) { self.table = table }

    /// The regions as features with `id`, `name`, `aliases`, `seat`, `seat_lon`, `seat_lat`, in the
    /// order of `regions.csv`.
    public func regions(from lines: [Geometry]) throws -> FeatureCollection {
        let context = GEOSContext()
        var objects: [GEOSObject] = []
        for line in lines {
            guard let box = line.boundingBox, box.intersects(frame) else { continue }
            switch line {
            case .lineString, .multiLineString: objects.append(try GEOSObject(line, context: context))
            default: continue
            }
        }
        guard !objects.isEmpty else { throw AtlasError(file: "boundary lines", message: "no line falls in the frame \(frame)") }
        objects.append(try GEOSObject(.lineString(frame.polygon.exterior), context: context))
        let noded = try context.collection(objects).unaryUnion(gridSize: gridSize)
        let faces = try context.polygonize([noded]).parts()

        var assigned: [String: GEOSObject] = [:]
        for row in table.drawn {
            let seat = try GEOSObject(.point(row.seat), context: context)
            let holders = try faces.filter { try $0.contains(seat) }
            guard holders.count == 1 else {
                throw AtlasError(file: "boundary lines", message: "the seat of \(row.id) \(row.seat) lies in \(holders.count) faces, expected one")
            }
            if let (other, _) = assigned.first(where: { $0.value === holders[0] }) {
                throw AtlasError(file: "boundary lines", message: "the seats of \(other) and \(row.id) lie in the same face: the lines do not separate them")
            }
            assigned[row.id] = holders[0]
        }
        var features: [Feature] = []
        for row in table.drawn {
            let face = assigned[row.id]!
            guard try face.isValid() else {
                throw AtlasError(file: "boundary lines", message: "face of \(row.id) is invalid: \(try face.validityReason())")
            }
            features.append(Feature(id: .string(row.id), geometry: try face.geometry(), properties: [
                "id": .string(row.id),
                "name": .string(row.name),
                "aliases": .string(row.aliases.joined(separator: "|")),
                "seat_lon": .double(row.seat.x),
                "seat_lat": .double(row.seat.y),
            ]))
        }
        return FeatureCollection(features)
    }
}

/// Builds the gazetteer: GeoNames' populated places in Mali plus curated towns that alerts name
/// and GeoNames' small extract lacks, each given the region it lies in by point-in-polygon.
/// Places outside every region are left out and reported.
public struct GazetteerBuild {
    /// A GeoNames row: `geonameid,name,latitude,longitude,admin1code,population,alternatenames`
    /// with alternate names joined by `|`.
    public var geonames: CSVTable
    /// Curated rows: `name,aliases,kind,lon,lat,region,source`; `region` is the region the
    /// source gives, to compare with ours.
    public var curated: CSVTable
    public var table: RegionTable
    /// Communes (admin-3 units), one point each: `name,lon,lat,source_id`, from geoBoundaries.
    public var communes: CSVTable?
    /// Commune names not to add as places, folded: names that are common words, personal names or
    /// areas wider than the commune in the texts we read (`communes-excluded.csv`).
    public var excludedCommunes: Set<String> = []

    public init(geonames: CSVTable, curated: CSVTable, table: RegionTable, communes: CSVTable? = nil, excludedCommunes: Set<String> = []) {
        self.geonames = geonames
        self.curated = curated
        self.table = table
        self.communes = communes
        self.excludedCommunes = excludedCommunes
    }

    /// A commune's name as a place: geoBoundaries writes Bamako's "Commune I" and some others'
    /// "Tienfala Commune"; the word is dropped where a name is left.
    static func communePlaceName(_ name: String) -> String {
        let t = name.trimmingSpaces
        for suffix in [" Commune", " commune"] where t.hasSuffix(suffix) && t.count > suffix.count {
            return String(t.dropLast(suffix.count)).trimmingSpaces
        }
        return t
    }

    public struct Result {
        public var header: [String]
        public var rows: [[String]]
        /// What the build noticed: places outside every region, near-boundary assignments.
        public var notes: [String]
    }

    static func column(_ t: CSVTable, _ name: String, _ what: String) throws -> Int {
        guard let i = t.column(name) else { throw AtlasError(file: what, message: "missing column \"\(name)\"") }
        return i
    }

    /// Alternate names worth matching in text: Latin script and capitalised (GeoNames' lower-case
    /// entries are romanisations of other scripts, "ba ma ke"), not an airport code, not a
    /// compound label ("Bamaco - Bamako"), not too short.
    static func usefulAlias(_ s: String) -> Bool {
        let t = s.trimmingSpaces
        guard t.count >= 3, NameFolding.isLatin(t), !t.contains(where: \.isNumber), !t.contains(" - "),
              let first = t.first, first.isUppercase else { return false }
        if t.count <= 4, t == t.uppercased() { return false }
        return true
    }

    /// The name list with unaccented forms added, duplicates (ignoring case) removed.
    static func aliases(for name: String, _ names: [String]) -> [String] {
        var seen: Set<String> = [name.lowercased()]
        var out: [String] = []
        func add(_ n: String) {
            if seen.insert(n.lowercased()).inserted { out.append(n) }
        }
        let plain = name.folding(options: .diacriticInsensitive, locale: Locale(identifier: "en_US_POSIX"))
        add(plain)
        for n in names where usefulAlias(n) {
            add(n)
            add(n.folding(options: .diacriticInsensitive, locale: Locale(identifier: "en_US_POSIX")))
        }
        return out
    }

    public func build(regions: [RegionArea]) throws -> Result {
        let locator = try RegionLocator(regions)
        var notes: [String] = []
        struct Entry { var name: String; var aliases: [String]; var kind: String; var position: Position; var source: String; var sourceID: String; var sourceRegion: String }
        var entries: [Entry] = []

        let g = geonames
        let gi = try (Self.column(g, "geonameid", "geonames"), Self.column(g, "name", "geonames"), Self.column(g, "latitude", "geonames"),
                      Self.column(g, "longitude", "geonames"), Self.column(g, "admin1code", "geonames"),
                      Self.column(g, "population", "geonames"), Self.column(g, "alternatenames", "geonames"))
        for r in g.rows {
            let f = r.fields
            guard f.count > gi.6, let lat = Double(f[gi.2]), let lon = Double(f[gi.3]) else {
                notes.append("geonames line \(r.line): skipped, malformed")
                continue
            }
            let population = Int(f[gi.5]) ?? 0
            let kind = f[gi.1] == "Bamako" ? "capital" : population >= 100_000 ? "city" : population >= 10_000 ? "town" : "village"
            let alt = f[gi.6].split(separator: "|").map(String.init)
            entries.append(Entry(name: f[gi.1], aliases: Self.aliases(for: f[gi.1], alt), kind: kind, position: Position(lon, lat),
                                 source: "geonames", sourceID: f[gi.0], sourceRegion: table.regionID(geonamesAdmin1: f[gi.4]) ?? ""))
        }

        let c = curated
        let ci = try (Self.column(c, "name", "curated"), Self.column(c, "aliases", "curated"), Self.column(c, "kind", "curated"),
                      Self.column(c, "lon", "curated"), Self.column(c, "lat", "curated"), Self.column(c, "region", "curated"),
                      Self.column(c, "source", "curated"))
        for r in c.rows {
            let f = r.fields.map(\.trimmingSpaces)
            guard f.count > ci.6, let lon = Double(f[ci.3]), let lat = Double(f[ci.4]) else {
                throw AtlasError(file: "places-curated.csv", message: "line \(r.line): malformed row")
            }
            let names = f[ci.1].split(separator: "|").map(String.init)
            let position = Position(lon, lat)
            // A curated row naming a GeoNames place within 25 km adds aliases to it rather than a twin.
            let key = NameFolding.fold(f[ci.0])
            if let i = entries.firstIndex(where: { e in
                e.source == "geonames" && ([e.name] + e.aliases).contains { NameFolding.fold($0) == key }
                    && Geodesic.wgs84.distance(e.position, position) < 25_000
            }) {
                for a in Self.aliases(for: f[ci.0], [f[ci.0]] + names) where a != entries[i].name && !entries[i].aliases.contains(a) {
                    entries[i].aliases.append(a)
                }
                continue
            }
            entries.append(Entry(name: f[ci.0], aliases: Self.aliases(for: f[ci.0], names), kind: f[ci.2], position: position,
                                 source: "curated", sourceID: f[ci.6], sourceRegion: f[ci.5]))
        }

        if let c = communes {
            let ki = try (Self.column(c, "name", "communes"), Self.column(c, "lon", "communes"), Self.column(c, "lat", "communes"),
                          Self.column(c, "source_id", "communes"))
            // Names already taken: the places so far (a commune named like a town is that town's,
            // whose point is the town's own) and the regions.
            var taken = Set(entries.flatMap { e in ([e.name] + e.aliases).map(NameFolding.fold) })
            for row in table.rows { taken.formUnion(([row.name, row.id] + row.aliases).map(NameFolding.fold)) }
            let rows = c.rows.map { r in (r, r.fields.map(\.trimmingSpaces)) }.filter { $0.1.count > ki.3 }
            var count: [String: Int] = [:]
            for (_, f) in rows { count[NameFolding.fold(Self.communePlaceName(f[ki.0])), default: 0] += 1 }
            var added = 0, skipped: [String: [String]] = [:]
            for (r, f) in rows {
                let name = Self.communePlaceName(f[ki.0])
                let key = NameFolding.fold(name)
                guard let lon = Double(f[ki.1]), let lat = Double(f[ki.2]), !name.isEmpty else {
                    notes.append("communes line \(r.line): skipped, malformed")
                    continue
                }
                if excludedCommunes.contains(key) || excludedCommunes.contains(NameFolding.fold(f[ki.0])) {
                    skipped["excluded", default: []].append(name)
                } else if taken.contains(key) {
                    skipped["named like a place or region", default: []].append(name)
                } else if count[key, default: 0] > 1 {
                    // Two communes of one name: a text naming it cannot say which.
                    skipped["shared by \(count[key]!) communes", default: []].append(name)
                } else {
                    entries.append(Entry(name: name, aliases: Self.aliases(for: name, []), kind: "commune", position: Position(lon, lat),
                                         source: "geoboundaries", sourceID: f[ki.3], sourceRegion: ""))
                    added += 1
                }
            }
            notes.append("communes: \(added) added as places")
            for (why, names) in skipped.sorted(by: { $0.key < $1.key }) {
                notes.append("communes not added, \(why): \(Set(names).sorted().joined(separator: ", "))")
            }
        }

        var rows: [[String]] = []
        for e in entries {
            // Every place must lie in a region as our boundaries draw them, so that the gazetteer
            // and the map agree; a place outside them (by a few hundred metres, as border villages
            // are on Natural Earth's coarse lines) is left out and reported.
            let covering = try locator.regions(covering: e.position)
            if covering.isEmpty {
                let (id, metres) = try locator.nearest(to: e.position)
                notes.append("\(e.name) \(e.position) (\(e.source) \(e.sourceID)): outside our boundary by \(Int(metres)) m (nearest region \(id)), left out")
                continue
            }
            if covering.count > 1 { notes.append("\(e.name) \(e.position): on the border of \(covering.joined(separator: " and ")), given \(covering[0])") }
            rows.append([e.name, e.aliases.joined(separator: "|"), e.kind, String(e.position.x), String(e.position.y),
                         covering[0], e.source, e.sourceID, e.sourceRegion])
        }
        rows.sort { ($0[5], NameFolding.fold($0[0])) < ($1[5], NameFolding.fold($1[0])) }
        return Result(header: Atlas.gazetteerHeader, rows: rows, notes: notes)
    }
}
