import Geo

/// Checks the atlas as a whole and measures it: the regions tile the country (valid, no overlap,
/// no gap), every place lies in the region it names, and how far our regions agree with the
/// gazetteer's sources.
public struct AtlasCheck {
    public var atlas: Atlas
    /// Mali's area as its government and the UN give it, in km², to compare ours with.
    public static let referenceAreaKm2 = 1_240_192.0

    /// A place this close outside every region may be listed in the nearest one.
    public static let placeToleranceMetres = 5_000.0

    public init(atlas: Atlas) { self.atlas = atlas }

    public struct Report {
        public var regionCount = 0
        public var vertexCount = 0
        public var areaKm2: [String: Double] = [:]
        public var totalAreaKm2 = 0.0
        public var unionAreaKm2 = 0.0
        public var unionHoles = 0
        public var unionParts = 0
        public var placesCompared = 0
        public var placesAgreeing = 0
        /// Places whose source names another region than the one they lie in.
        public var disagreements: [String] = []
        public var cercleCount = 0
        /// Places listed in a cercle, and those lying in it.
        public var placesInCercles = 0
        public var faults: [String] = []

        public var agreement: Double { placesCompared == 0 ? 1 : Double(placesAgreeing) / Double(placesCompared) }

        public var text: String {
            var lines = ["regions: \(regionCount), vertices: \(vertexCount)"]
            for (id, a) in areaKm2.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(id): \(Int(a.rounded())) km²")
            }
            lines.append("total area: \(Int(totalAreaKm2.rounded())) km² (\(String(format: "%.2f", totalAreaKm2 / AtlasCheck.referenceAreaKm2 * 100))% of Mali's official 1,240,192 km²)")
            lines.append("union: \(unionParts) polygon(s), \(unionHoles) hole(s), \(Int(unionAreaKm2.rounded())) km²")
            lines.append("places: \(placesCompared) with a source region, \(placesAgreeing) agree (\(String(format: "%.1f", agreement * 100))%)")
            for d in disagreements { lines.append("  differs: \(d)") }
            if cercleCount > 0 { lines.append("cercles: \(cercleCount), \(placesInCercles) places placed in one") }
            lines.append(faults.isEmpty ? "no faults" : "\(faults.count) fault(s)")
            return lines.joined(separator: "\n")
        }
    }

    public func run() throws -> Report {
        var report = Report()
        let locator = try RegionLocator(atlas.regions)
        let context = locator.context
        let objects = atlas.regions.map { locator.object($0.region.id)! }
        report.regionCount = atlas.regions.count
        for (r, o) in zip(atlas.regions, objects) {
            report.vertexCount += o.vertexCount
            let a = Geodesic.wgs84.area(of: r.geometry) / 1e6
            report.areaKm2[r.region.id] = a
            report.totalAreaKm2 += a
            if !(try o.isValid()) { report.faults.append("\(r.region.id) is invalid: \(try o.validityReason())") }
        }
        for i in objects.indices {
            for j in objects.indices where j > i {
                // Interiors meeting is an overlap; sharing a border is not.
                if try objects[i].relate(objects[j], pattern: "T********") {
                    let a = try objects[i].intersection(objects[j]).area()
                    report.faults.append("\(atlas.regions[i].region.id) and \(atlas.regions[j].region.id) overlap (\(a) square degrees)")
                }
            }
        }
        let union = try context.collection(objects).coverageUnion()
        let unionGeometry = try union.geometry()
        report.unionParts = unionGeometry.polygons.count
        report.unionHoles = unionGeometry.polygons.reduce(0) { $0 + $1.holes.count }
        report.unionAreaKm2 = Geodesic.wgs84.area(of: unionGeometry) / 1e6
        if report.unionParts != 1 || report.unionHoles != 0 {
            report.faults.append("the regions' union has \(report.unionParts) parts and \(report.unionHoles) holes: gaps between regions")
        }

        for p in atlas.places {
            let covering = try locator.regions(covering: p.position)
            if covering.isEmpty, case let (id, metres) = try locator.nearest(to: p.position), id == p.regionID, metres <= Self.placeToleranceMetres {
                // Just outside the outline, placed in the nearest region as events are.
            } else if !covering.contains(p.regionID) {
                report.faults.append("\(p.name) \(p.position) is listed in \(p.regionID) but lies in [\(covering.joined(separator: ", "))]")
            }
            guard !p.sourceRegionID.isEmpty else { continue }
            report.placesCompared += 1
            if p.sourceRegionID == p.regionID {
                report.placesAgreeing += 1
            } else {
                report.disagreements.append("\(p.name) (\(p.source) \(p.sourceID)) lies in \(p.regionID); its source says \(p.sourceRegionID)")
            }
        }
        try checkCercles(into: &report, regions: locator)
        for z in atlas.zones where z.regionIDs.isEmpty {
            report.faults.append("zone \(z.id) has no drawn region")
        }
        return report
    }

    /// Cercles: valid, not overlapping each other, inside the region they name; each place listed
    /// in a cercle lies in it (or within the tolerance of it, as for regions).
    func checkCercles(into report: inout Report, regions: RegionLocator) throws {
        guard !atlas.cercles.isEmpty else { return }
        report.cercleCount = atlas.cercles.count
        let cercles = try RegionLocator(atlas.cercles.map(\.area), context: regions.context)
        for (i, c) in atlas.cercles.enumerated() {
            let o = cercles.objects[i]
            if !(try o.isValid()) { report.faults.append("cercle \(c.id) is invalid: \(try o.validityReason())"); continue }
            for j in try cercles.index.candidates(intersecting: o) where j > i {
                if try o.relate(cercles.objects[j], pattern: "T********") {
                    let km2 = Geodesic.wgs84.area(of: try o.intersection(cercles.objects[j]).geometry()) / 1e6
                    report.faults.append("cercles \(c.id) and \(atlas.cercles[j].id) overlap by \(String(format: "%.3f", km2)) km²")
                }
            }
            // Noding on the 1e-7° grid can leave slivers of a few square metres: a share of
            // 1e-5 of the cercle (a few hundred m² for a typical one) is the tolerance.
            if let region = regions.object(c.regionID) {
                let share = try o.difference(region).area() / max(try o.area(), .leastNonzeroMagnitude)
                if share > 1e-5 {
                    report.faults.append("cercle \(c.id) reaches \(String(format: "%.3f", share * 100))% of its area outside its region \(c.regionID)")
                }
            }
        }
        for p in atlas.places where !p.cercleID.isEmpty {
            report.placesInCercles += 1
            let covering = try cercles.regions(covering: p.position)
            if covering.contains(p.cercleID) { continue }
            if covering.isEmpty, case let (id, metres) = try cercles.nearest(to: p.position), id == p.cercleID, metres <= Self.placeToleranceMetres { continue }
            report.faults.append("\(p.name) \(p.position) is listed in cercle \(p.cercleID) but lies in [\(covering.joined(separator: ", "))]")
        }
    }
}
