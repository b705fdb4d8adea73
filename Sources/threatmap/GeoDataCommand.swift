import ArgumentParser
import Atlas
import Foundation
import Geo
import ThreatModel
import VectorFiles

struct GeoDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geodata",
        abstract: "Import, build and check Mali's boundaries, zones and gazetteer.",
        subcommands: [GeoDataImport.self, GeoDataBuild.self, GeoDataCheck.self]
    )
}

struct GeoDataBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Rebuild regions.geojson and gazetteer.csv from their sources.",
        discussion: """
            Polygonizes boundary lines (Natural Earth 10m admin-0 and admin-1 lines as GeoJSON) \
            into regions, names each face by the region seat in regions.csv that it holds, then \
            places every GeoNames and curated place in its region. Scripts/rebuild-geodata.sh \
            fetches the sources and runs this.
            """
    )

    @Option(name: .customLong("lines"), parsing: .upToNextOption, help: ArgumentHelp("GeoJSON files of boundary lines.", valueName: "file"))
    var lines: [String]

    @Option(help: ArgumentHelp("GeoNames places in Mali as CSV (geonameid,name,latitude,longitude,admin1code,population,alternatenames).", valueName: "file"))
    var geonames: String

    @Option(help: ArgumentHelp("Communes as CSV (name,lon,lat,source_id: one point inside each), added as places of kind commune; communes-excluded.csv in the folder lists names left out.", valueName: "file"))
    var communes: String?

    @Option(help: ArgumentHelp("The folder to write (GeoData/mali); regions.csv and places-curated.csv are read from it.", valueName: "dir"))
    var out: String

    func run() async throws {
        let dir = URL(fileURLWithPath: out)
        let table = try RegionTable.load(dir.appendingPathComponent("regions.csv"))
        var geometries: [Geometry] = []
        for path in lines {
            let doc = try GeoJSONReader().read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            geometries += doc.featureCollection.features.compactMap(\.geometry)
        }
        note("polygonizing \(geometries.count) boundary lines")
        let regions = try BoundaryBuild(table: table).regions(from: geometries)
        try emit(GeoJSONWriter(precision: 7, name: "regions").write(regions), to: dir.appendingPathComponent("regions.geojson").path)
        note("wrote \(regions.features.count) regions")

        let areas = try Atlas.loadRegions(dir.appendingPathComponent("regions.geojson"))
        let geonamesTable = try CSVTable(parsing: String(contentsOfFile: geonames, encoding: .utf8))
        let curated = try CSVTable(parsing: String(contentsOf: dir.appendingPathComponent("places-curated.csv"), encoding: .utf8))
        var build = GazetteerBuild(geonames: geonamesTable, curated: curated, table: table)
        if let communes {
            build.communes = try CSVTable(parsing: String(contentsOfFile: communes, encoding: .utf8))
            let excluded = dir.appendingPathComponent("communes-excluded.csv")
            if FileManager.default.fileExists(atPath: excluded.path) {
                let t = try CSVTable(parsing: String(contentsOf: excluded, encoding: .utf8))
                guard let i = t.column("name") else { throw InputError(path: excluded.path, message: "missing column \"name\"") }
                build.excludedCommunes = Set(t.rows.compactMap { $0.fields.count > i ? NameFolding.fold($0.fields[i]) : nil })
            }
        }
        let result = try build.build(regions: areas)
        let text = CSVTable.format(header: result.header, rows: result.rows)
        try emit(Array(text.utf8), to: dir.appendingPathComponent("gazetteer.csv").path)
        for n in result.notes { note("  " + n) }
        note("wrote \(result.rows.count) places")
    }
}

struct GeoDataCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load GeoData, check it, and print its figures.",
        discussion: """
            Checks that the regions are valid and do not overlap, that their union is one polygon \
            without holes (no gaps), that zones cover every region once, and that every place lies \
            in its region; prints counts, areas and the places whose region differs from their \
            source's. Exits non-zero on any fault.
            """
    )

    @OptionGroup var geodata: GeoDataOptions

    func run() async throws {
        let atlas = try geodata.atlas()
        let report = try AtlasCheck(atlas: atlas).run()
        print(report.text)
        if !report.faults.isEmpty {
            for f in report.faults { note("fault: \(f)") }
            throw ExitCode.failure
        }
    }
}

struct GeoDataImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a GeoData folder from your own admin-1 boundaries (any vector format GDAL reads, any CRS).",
        discussion: """
            Reads the regions file through GDAL (Shapefile, GeoPackage, GeoJSON, FlatGeobuf, ...; its first layer \
            unless --layer), reprojects it to WGS 84 with PROJ, and matches each feature to our regions by its name \
            (--name-field; else the first of name, ADM1_FR, ADM1_EN, admin1Name_fr, admin1Name, NAME_1, shapeName, \
            nom, region present) or its code (--code-field: ISO 3166-2 such as ML-7, or OCHA P-code such as ML07), \
            ignoring case and accents ("Menaka" is menaka). A name that matches no region becomes a new region, \
            which needs a zone: --zone nioro=southern. Invalid polygons are repaired with GEOS; borders between \
            neighbours are made one (overlaps and gaps up to --sliver-km2 closed and reported, larger ones stop the \
            import, named with their area and place). Regions the file does not draw (Ménaka in a pre-2016 file) \
            stand in the region holding their seat.

            --cercles adds admin-2 units (Mali's cercles, or any finer division such as communes): each is put in \
            its region by --cercle-region-field (matched as region names are) or, without it, by the region holding \
            most of it, and cut to that region, borders made one as for regions. Without --regions the current \
            regions are kept. The cercles become a sixth layer, incidents get their cercle, and texts that name a \
            cercle ("cercle de Bandiagara") map to its polygon. The gazetteer is re-placed in the new regions and \
            cercles.

            DIR becomes a complete GeoData folder (a copy of --geodata with the new regions.geojson, regions.csv, \
            zones.json and gazetteer.csv) that every command takes with --geodata DIR or THREATMAP_GEODATA. It is \
            written beside DIR and renamed into place only once `geodata check` passes on it: a failed import \
            leaves nothing behind.
            """
    )

    @Option(help: ArgumentHelp("The admin-1 boundary file (default: keep the current regions, to add cercles to them).", valueName: "file"))
    var regions: String?

    @Option(help: ArgumentHelp("The layer of the regions file to read (default: the file's first).", valueName: "name"))
    var layer: String?

    @Option(name: .customLong("name-field"), help: ArgumentHelp("The field holding each region's name.", valueName: "field"))
    var nameField: String?

    @Option(name: .customLong("code-field"), help: ArgumentHelp("A field holding each region's ISO 3166-2 code or P-code, used where the name matches nothing.", valueName: "field"))
    var codeField: String?

    @Option(help: ArgumentHelp("The admin-2 (cercle) boundary file: adds the cercles layer and each incident's cercle.", valueName: "file"))
    var cercles: String?

    @Option(name: .customLong("cercle-layer"), help: ArgumentHelp("The layer of the cercles file to read (default: its first).", valueName: "name"))
    var cercleLayer: String?

    @Option(name: .customLong("cercle-name-field"), help: ArgumentHelp("The field holding each cercle's name.", valueName: "field"))
    var cercleNameField: String?

    @Option(name: .customLong("cercle-region-field"), help: ArgumentHelp("The field holding each cercle's region (name or code); without it, or where it matches no region, the region holding most of the cercle.", valueName: "field"))
    var cercleRegionField: String?

    @Option(name: .customLong("zone"), help: ArgumentHelp("The zone of a region the file adds (by its name or id).", valueName: "region=zone"))
    var zones: [String] = []

    @Option(name: .customLong("sliver-km2"), help: "Overlaps and gaps between neighbours up to this area are closed; larger ones stop the import.")
    var sliverKm2 = 10.0

    @Option(name: .short, help: ArgumentHelp("The GeoData folder to write (new, or empty).", valueName: "dir"))
    var o: String

    @OptionGroup var geodata: GeoDataOptions

    static let nameFields = ["name", "adm1_fr", "adm1_en", "admin1name_fr", "admin1name", "name_1", "shapename", "nom", "region", "adm1_name"]
    static let codeFields = ["adm1_pcode", "admin1pcode", "pcode", "iso_3166_2", "iso3166_2", "shapeiso", "iso"]
    static let cercleNameFields = ["adm2_fr", "adm2_en", "admin2name_fr", "admin2name", "name_2", "cercle", "name", "shapename", "nom", "adm2_name"]
    static let cercleRegionFields = ["adm1_fr", "adm1_en", "admin1name_fr", "admin1name", "name_1", "adm1_pcode", "admin1pcode", "region", "adm1_name"]

    func validate() throws {
        if regions == nil && cercles == nil { throw ValidationError("give --regions FILE, --cercles FILE, or both") }
        if cercles == nil && (cercleLayer != nil || cercleNameField != nil || cercleRegionField != nil) {
            throw ValidationError("--cercle-layer, --cercle-name-field and --cercle-region-field need --cercles FILE")
        }
        guard sliverKm2 >= 0, sliverKm2 <= 10_000 else { throw ValidationError("--sliver-km2 must be between 0 and 10000") }
        for z in zones where z.split(separator: "=").count != 2 {
            throw ValidationError("--zone \(z): expected REGION=ZONE, as in --zone nioro=southern")
        }
    }

    /// The field named `wanted` (any case), else the first of `defaults` the layer has.
    static func field(_ wanted: String?, defaults: [String], in layer: VectorLayer, option: String) throws -> String? {
        if let wanted {
            guard let f = layer.fieldNames.first(where: { $0.lowercased() == wanted.lowercased() }) else {
                throw InputError(path: layer.path, message: "no field \"\(wanted)\" (\(option)); its fields: \(layer.fieldNames.joined(separator: ", "))")
            }
            return f
        }
        return defaults.lazy.compactMap { d in layer.fieldNames.first { $0.lowercased() == d } }.first
    }

    /// The polygon features of a boundary file, with their name, code and region fields.
    static func units(_ path: String, layer wanted: String?, name nameField: String?, names: [String], nameOption: String,
                      code codeField: String?, codes: [String], codeOption: String, kind: String) throws -> [BoundaryUnit] {
        let layer = try VectorFile.read(path, layer: wanted)
        for n in layer.notes { note("\(path): \(n)") }
        guard let name = try field(nameField, defaults: names, in: layer, option: nameOption) else {
            throw InputError(path: path, message: "no name field found; name one with \(nameOption) (its fields: \(layer.fieldNames.joined(separator: ", ")))")
        }
        let code = try field(codeField, defaults: codes, in: layer, option: codeOption)
        var units: [BoundaryUnit] = []
        var skipped = 0
        for f in layer.features {
            guard let g = f.geometry, !g.polygons.isEmpty else {
                skipped += 1
                continue
            }
            let value = code.flatMap { f.fields[$0] } ?? ""
            units.append(BoundaryUnit(name: f.fields[name] ?? "", code: kind == "cercle" ? "" : value, parent: kind == "cercle" ? value : "",
                                      geometry: .multiPolygon(g.polygons), origin: "feature \(f.index)"))
        }
        guard !units.isEmpty else {
            throw InputError(path: path, message: "none of its \(layer.features.count) features is a polygon; \(kind) boundaries are polygons")
        }
        note("\(path): \(layer.features.count) features (GDAL \(layer.driver), layer \(layer.name), \(layer.crs)), names from \(name)" +
             (code.map { kind == "cercle" ? ", regions from \($0)" : ", codes from \($0)" } ?? "") + (skipped > 0 ? "; \(skipped) without polygons skipped" : ""))
        return units
    }

    func run() async throws {
        let started = Date()
        let mali = try GeoDataLocation.maliDirectory(explicit: geodata.directory)
        let atlas = try Atlas.load(from: mali)
        let context = GEOSContext()
        let outline = try context.collection(atlas.regions.map { try GEOSObject($0.geometry, context: context) }).unaryUnion().geometry()
        var job = BoundaryImport(table: atlas.table, zones: try Atlas.zonesAsWritten(mali.appendingPathComponent("zones.json")), outline: outline)
        job.sliverKm2 = sliverKm2
        for z in zones {
            let parts = z.split(separator: "=").map { String($0).trimmingCharacters(in: .whitespaces) }
            job.zoneOf[NameFolding.fold(parts[0])] = parts[1]
            job.zoneOf[NameFolding.slug(parts[0])] = parts[1]
        }
        let source = regions ?? cercles!
        var result: BoundaryImport.Result
        if let regions {
            let units = try Self.units(regions, layer: layer, name: nameField, names: Self.nameFields, nameOption: "--name-field",
                                       code: codeField, codes: Self.codeFields, codeOption: "--code-field", kind: "admin-1")
            do {
                result = try job.run(units)
            } catch let e as BoundaryImportError {
                throw InputError(path: regions, message: "import stopped, nothing written:\n\(e)")
            }
        } else {
            result = BoundaryImport.Result(
                regions: FeatureCollection(atlas.regions.map { r in
                    Feature(id: .string(r.region.id), geometry: r.geometry, properties: [
                        "id": .string(r.region.id), "name": .string(r.region.name), "aliases": .string(r.region.aliases.joined(separator: "|")),
                        "seat_lon": r.seat.map { .double($0.x) } ?? .null, "seat_lat": r.seat.map { .double($0.y) } ?? .null,
                    ])
                }),
                table: atlas.table, zones: job.zones, report: ["regions kept as \(mali.path) draws them"])
        }
        for line in result.report { note("  " + line) }
        var made: [CercleArea] = []
        if let cercles {
            let units = try Self.units(cercles, layer: cercleLayer, name: cercleNameField, names: Self.cercleNameFields,
                                       nameOption: "--cercle-name-field", code: cercleRegionField, codes: Self.cercleRegionFields,
                                       codeOption: "--cercle-region-field", kind: "cercle")
            let areas = result.regions.features.map { f in
                RegionArea(region: Region(id: f.properties["id"]?.stringValue ?? "", name: f.properties["name"]?.stringValue ?? "", aliases: []),
                           geometry: f.geometry ?? .geometryCollection([]), seat: nil)
            }
            do {
                let c = try job.cercles(units, regions: areas, table: result.table)
                for line in c.report { note("  " + line) }
                made = c.cercles
            } catch let e as BoundaryImportError {
                throw InputError(path: cercles, message: "import stopped, nothing written:\n\(e)")
            }
        }
        let notes: [String]
        do {
            notes = try job.write(result, cercles: made, from: mali.deletingLastPathComponent(), places: atlas.places, to: URL(fileURLWithPath: o))
        } catch let e as BoundaryImportError {
            throw InputError(path: source, message: "the imported boundaries fail the GeoData check, nothing written:\n\(e)")
        }
        for line in notes { note("  " + line) }
        print("wrote \(o): \(result.regions.features.count) regions" + (made.isEmpty ? "" : ", \(made.count) cercles")
              + " in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; use it with --geodata \(o)")
    }
}
