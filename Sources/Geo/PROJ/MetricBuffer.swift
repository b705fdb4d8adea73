/// Buffers by a distance on the ground: lon/lat geometries are taken to the UTM zone of their
/// centre (WGS 84, EPSG:326xx north or 327xx south), buffered there in metres, and brought back.
/// Within a zone UTM's scale error stays under 0.1%, so a 50 km buffer is right to about 50 m.
extension GEOSObject {
    /// The buffer of a lon/lat geometry at `kilometres` on the ground. `quadrantSegments` is high
    /// by default so that a circle's area is within 0.05% of a true circle's.
    public func bufferKilometres(_ kilometres: Double, quadrantSegments: Int = 32) throws -> GEOSObject {
        try MetricBuffering().buffer(self, kilometres: kilometres, quadrantSegments: quadrantSegments)
    }
}

/// Metric buffers for many shapes: keeps the UTM transforms it has made, since making a PROJ
/// transform costs far more than using one. One per task, like the PROJ contexts it owns.
public final class MetricBuffering {
    var transforms: [Int: (forward: CoordinateTransform, inverse: CoordinateTransform)] = [:]

    public init() {}

    func transforms(_ epsg: Int) throws -> (forward: CoordinateTransform, inverse: CoordinateTransform) {
        if let t = transforms[epsg] { return t }
        let t = (try CoordinateTransform(fromEPSG: 4326, toEPSG: epsg), try CoordinateTransform(fromEPSG: epsg, toEPSG: 4326))
        transforms[epsg] = t
        return t
    }

    /// The buffer of a lon/lat geometry at `kilometres` on the ground, through the UTM zone of
    /// its centre.
    public func buffer(_ object: GEOSObject, kilometres: Double, quadrantSegments: Int = 32) throws -> GEOSObject {
        guard let box = object.bounds else { return try object.clone() }
        let t = try transforms(UTM.epsgCode(for: box.center))
        let projected = try t.forward.transform(object)
        let buffered = try projected.buffer(kilometres * 1000, quadrantSegments: quadrantSegments)
        return try t.inverse.transform(buffered)
    }
}

@available(*, unavailable)
extension MetricBuffering: Sendable {}

/// Universal Transverse Mercator zones on WGS 84.
public enum UTM {
    /// The zone number, 1-60, of a longitude.
    public static func zone(longitude: Double) -> Int {
        let lon = longitude >= 180 ? longitude - 360 : longitude
        return min(60, max(1, Int(((lon + 180) / 6).rounded(.down)) + 1))
    }

    /// The EPSG code of the WGS 84 UTM zone holding a position: 326xx north, 327xx south.
    public static func epsgCode(for p: Position) -> Int {
        (p.y >= 0 ? 32600 : 32700) + zone(longitude: p.x)
    }
}
