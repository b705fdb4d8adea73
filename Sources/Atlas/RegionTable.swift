import Foundation
import Geo

/// `regions.csv`: the regions the boundary build looks for, their names and aliases, the seat
/// that identifies each face, and the code GeoNames gives each region.
public struct RegionTable: Sendable {
    public struct Row: Sendable {
        public var id: String
        public var name: String
        public var aliases: [String]
        public var seat: Position
        /// GeoNames' admin1 code for the region, to compare a place's region with GeoNames'.
        public var geonamesAdmin1: String
        /// For a region the boundary data does not draw: the drawn region that holds it.
        public var partOf: String
        /// The ISO 3166-2 code ("ML-4"), which CAP geocodes use.
        public var iso3166_2: String = ""
        /// OCHA's P-code ("ML04"), which humanitarian boundary files carry.
        public var pcode: String = ""
        /// The seat's name, as regions.csv writes it.
        public var seatName: String = ""

        public init(id: String, name: String, aliases: [String], seat: Position, geonamesAdmin1: String = "", partOf: String = "",
                    iso3166_2: String = "", pcode: String = "") {
            self.id = id
            self.name = name
            self.aliases = aliases
            self.seat = seat
            self.geonamesAdmin1 = geonamesAdmin1
            self.partOf = partOf
            self.iso3166_2 = iso3166_2
            self.pcode = pcode
        }

        /// The drawn region that stands for this one: itself, or the one holding it.
        public var drawnID: String { partOf.isEmpty ? id : partOf }
    }

    public var rows: [Row]

    /// The regions the boundary data draws.
    public var drawn: [Row] { rows.filter { $0.partOf.isEmpty } }

    /// Our region id for a GeoNames admin1 code, following `partOf` for undrawn regions.
    public func regionID(geonamesAdmin1 code: String) -> String? {
        guard let row = rows.first(where: { $0.geonamesAdmin1 == code }) else { return nil }
        return row.partOf.isEmpty ? row.id : row.partOf
    }

    public static func load(_ url: URL) throws -> RegionTable {
        let csv = try GeoDataCSV(url, columns: ["id", "name", "aliases", "seat_lon", "seat_lat", "geonames_admin1", "part_of", "iso_3166_2"], optional: ["seat", "pcode"])
        var rows: [Row] = []
        for r in csv.table.rows {
            func f(_ n: String) -> String { csv.field(r, n) }
            guard let lon = Double(f("seat_lon")), let lat = Double(f("seat_lat")) else {
                throw AtlasError(file: url.path, message: "line \(r.line): seat_lon and seat_lat must be numbers")
            }
            rows.append(Row(id: f("id"), name: f("name"), aliases: f("aliases").split(separator: "|").map(String.init),
                            seat: Position(lon, lat), geonamesAdmin1: f("geonames_admin1"), partOf: f("part_of"),
                            iso3166_2: f("iso_3166_2"), pcode: f("pcode")))
            rows[rows.count - 1].seatName = f("seat")
        }
        for r in rows where !r.partOf.isEmpty && !rows.contains(where: { $0.id == r.partOf && $0.partOf.isEmpty }) {
            throw AtlasError(file: url.path, message: "\(r.id): part_of names \"\(r.partOf)\", which is not a drawn region")
        }
        return RegionTable(rows: rows)
    }

    public init(rows: [Row]) { self.rows = rows }

    /// The table as `regions.csv` holds it.
    public var csv: String {
        CSVTable.format(header: ["id", "name", "aliases", "seat", "seat_lon", "seat_lat", "geonames_admin1", "part_of", "iso_3166_2", "pcode"],
                        rows: rows.map { r in
                            [r.id, r.name, r.aliases.joined(separator: "|"), r.seatName, String(r.seat.x), String(r.seat.y), r.geonamesAdmin1,
                             r.partOf, r.iso3166_2, r.pcode]
                        })
    }
}
