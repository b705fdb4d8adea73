/// Why a document is not valid GeoJSON, and where: `path` is a JSONPath such as
/// `$.features[3].geometry.coordinates[0]`; syntax errors carry the line and column instead.
public struct GeoJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// Set when the text is not JSON at all.
    public var syntax: JSONSyntaxError?

    public var description: String {
        if let syntax { return "invalid JSON at \(syntax)" }
        return "invalid GeoJSON at \(path): \(message)"
    }
}

/// A decoded GeoJSON document: RFC 7946 allows any of the three at the top.
public enum GeoJSONObject: Hashable, Sendable {
    case featureCollection(FeatureCollection)
    case feature(Feature)
    case geometry(Geometry)

    /// The document as a feature collection: a lone feature becomes a collection of one, a bare
    /// geometry a feature without properties.
    public var featureCollection: FeatureCollection {
        switch self {
        case .featureCollection(let fc): fc
        case .feature(let f): FeatureCollection([f])
        case .geometry(let g): FeatureCollection([Feature(geometry: g)])
        }
    }
}

/// Reads GeoJSON per RFC 7946. It accepts every valid document (foreign members, altitudes, `bbox`,
/// null geometries, string or number ids, the legacy `crs` member when it names WGS 84) and rejects
/// the rest with the path of the first fault.
public struct GeoJSONReader: Sendable {
    /// Reject positions outside longitude -360...360 and latitude -90...90: in practice, projected
    /// coordinates written as if they were WGS 84.
    public var checksCoordinateRange = true

    public init() {}

    public func read(_ text: String) throws(GeoJSONError) -> GeoJSONObject {
        try read(Array(text.utf8))
    }

    public func read(_ bytes: [UInt8]) throws(GeoJSONError) -> GeoJSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw GeoJSONError(path: "$", message: error.message, syntax: error)
        }
        return try read(value)
    }

    public func read(_ value: JSONValue) throws(GeoJSONError) -> GeoJSONObject {
        let root = try object(value, at: "$")
        try checkCRS(root, at: "$")
        let type = try typeName(root, at: "$")
        switch type {
        case "FeatureCollection":
            guard let features = root["features"] else { throw fault("$", "a FeatureCollection needs a \"features\" member") }
            let list = try array(features, at: "$.features")
            var out: [Feature] = []
            out.reserveCapacity(list.count)
            for (i, f) in list.enumerated() {
                out.append(try feature(f, at: "$.features[\(i)]"))
            }
            try checkBBox(root, at: "$")
            return .featureCollection(FeatureCollection(out))
        case "Feature":
            return .feature(try feature(value, at: "$"))
        default:
            return .geometry(try geometry(value, at: "$"))
        }
    }

    func fault(_ path: String, _ message: String) -> GeoJSONError {
        GeoJSONError(path: path, message: message, syntax: nil)
    }

    func object(_ v: JSONValue, at path: String) throws(GeoJSONError) -> JSONObject {
        guard let o = v.objectValue else { throw fault(path, "expected an object, found \(v.kindName)") }
        return o
    }

    func array(_ v: JSONValue, at path: String) throws(GeoJSONError) -> [JSONValue] {
        guard let a = v.arrayValue else { throw fault(path, "expected an array, found \(v.kindName)") }
        return a
    }

    func typeName(_ o: JSONObject, at path: String) throws(GeoJSONError) -> String {
        guard let t = o["type"] else { throw fault(path, "missing the \"type\" member") }
        guard let s = t.stringValue else { throw fault("\(path).type", "expected a string, found \(t.kindName)") }
        return s
    }

    func checkCRS(_ o: JSONObject, at path: String) throws(GeoJSONError) {
        guard let crs = o["crs"], crs != .null else { return }
        // GeoJSON 2008 named the CRS; RFC 7946 dropped the member and fixed WGS 84. Accept it only
        // where it says WGS 84 in longitude, latitude order.
        let name = crs.objectValue?["properties"]?.objectValue?["name"]?.stringValue ?? ""
        let wgs84 = ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"]
        if !wgs84.contains(name) {
            throw fault("\(path).crs", "coordinates must be WGS 84 longitude, latitude (RFC 7946); this document names the CRS \"\(name)\": reproject it first, e.g. ogr2ogr -t_srs EPSG:4326")
        }
    }

    func checkBBox(_ o: JSONObject, at path: String) throws(GeoJSONError) {
        guard let bbox = o["bbox"] else { return }
        let a = try array(bbox, at: "\(path).bbox")
        guard a.count >= 4, a.count % 2 == 0, a.allSatisfy({ $0.numberValue != nil }) else {
            throw fault("\(path).bbox", "a bbox is an array of 2×n numbers (RFC 7946 section 5)")
        }
    }

    func feature(_ v: JSONValue, at path: String) throws(GeoJSONError) -> Feature {
        let o = try object(v, at: path)
        let type = try typeName(o, at: path)
        guard type == "Feature" else { throw fault("\(path).type", "expected \"Feature\", found \"\(type)\"") }
        guard let g = o["geometry"] else { throw fault(path, "a Feature needs a \"geometry\" member (null when it has none)") }
        let geom: Geometry? = g == .null ? nil : try geometry(g, at: "\(path).geometry")
        var properties = JSONObject()
        switch o["properties"] {
        case nil, .null?: break
        case .object(let p)?: properties = p
        case let other?: throw fault("\(path).properties", "expected an object or null, found \(other.kindName)")
        }
        var id: FeatureID?
        switch o["id"] {
        case nil: break
        case .string(let s)?: id = .string(s)
        case let n? where n.numberValue != nil: id = .number(n.numberValue!)
        case let other?: throw fault("\(path).id", "a feature id is a string or a number, found \(other.kindName)")
        }
        try checkBBox(o, at: path)
        return Feature(id: id, geometry: geom, properties: properties)
    }

    public func geometry(_ v: JSONValue, at path: String = "$") throws(GeoJSONError) -> Geometry {
        let o = try object(v, at: path)
        let type = try typeName(o, at: path)
        try checkBBox(o, at: path)
        if type == "GeometryCollection" {
            guard let gs = o["geometries"] else { throw fault(path, "a GeometryCollection needs a \"geometries\" member") }
            let list = try array(gs, at: "\(path).geometries")
            var out: [Geometry] = []
            for (i, g) in list.enumerated() { out.append(try geometry(g, at: "\(path).geometries[\(i)]")) }
            return .geometryCollection(out)
        }
        guard let c = o["coordinates"] else {
            if ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"].contains(type) {
                throw fault(path, "a \(type) needs a \"coordinates\" member")
            }
            throw fault("\(path).type", "unknown geometry type \"\(type)\"")
        }
        let cp = "\(path).coordinates"
        switch type {
        case "Point": return .point(try position(c, at: cp))
        case "MultiPoint": return .multiPoint(try positions(c, at: cp))
        case "LineString": return .lineString(try line(c, at: cp))
        case "MultiLineString":
            let a = try array(c, at: cp)
            var out: [[Position]] = []
            for (i, l) in a.enumerated() { out.append(try line(l, at: "\(cp)[\(i)]")) }
            return .multiLineString(out)
        case "Polygon": return .polygon(try polygon(c, at: cp))
        case "MultiPolygon":
            let a = try array(c, at: cp)
            var out: [Polygon] = []
            for (i, p) in a.enumerated() { out.append(try polygon(p, at: "\(cp)[\(i)]")) }
            return .multiPolygon(out)
        default:
            throw fault("\(path).type", "unknown geometry type \"\(type)\"")
        }
    }

    func position(_ v: JSONValue, at path: String) throws(GeoJSONError) -> Position {
        let a = try array(v, at: path)
        guard a.count >= 2 else { throw fault(path, "a position needs at least two numbers, found \(a.count)") }
        var n: [Double] = []
        for (i, e) in a.prefix(3).enumerated() {
            guard let d = e.numberValue else { throw fault("\(path)[\(i)]", "expected a number, found \(e.kindName)") }
            n.append(d)
        }
        if checksCoordinateRange, abs(n[0]) > 360 || abs(n[1]) > 90 {
            throw fault(path, "position [\(n[0]), \(n[1])] is not WGS 84 longitude, latitude (RFC 7946 section 4); projected coordinates?")
        }
        return Position(n[0], n[1], n.count > 2 ? n[2] : nil)
    }

    func positions(_ v: JSONValue, at path: String) throws(GeoJSONError) -> [Position] {
        let a = try array(v, at: path)
        var out: [Position] = []
        out.reserveCapacity(a.count)
        for (i, p) in a.enumerated() { out.append(try position(p, at: "\(path)[\(i)]")) }
        return out
    }

    func line(_ v: JSONValue, at path: String) throws(GeoJSONError) -> [Position] {
        let ps = try positions(v, at: path)
        guard ps.count >= 2 else { throw fault(path, "a LineString needs two or more positions, found \(ps.count)") }
        return ps
    }

    func polygon(_ v: JSONValue, at path: String) throws(GeoJSONError) -> Polygon {
        let a = try array(v, at: path)
        var rings: [[Position]] = []
        for (i, r) in a.enumerated() {
            let rp = "\(path)[\(i)]"
            let ring = try positions(r, at: rp)
            guard ring.count >= 4 else { throw fault(rp, "a linear ring needs four or more positions, found \(ring.count)") }
            guard ring[0].x == ring[ring.count - 1].x, ring[0].y == ring[ring.count - 1].y else {
                throw fault(rp, "a linear ring must end where it starts (RFC 7946 section 3.1.6)")
            }
            rings.append(ring)
        }
        return Polygon(rings: rings)
    }
}
