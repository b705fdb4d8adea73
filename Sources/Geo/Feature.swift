/// A feature identifier: RFC 7946 section 3.2 allows a string or a number.
public enum FeatureID: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case number(Double)

    public var description: String {
        switch self {
        case .string(let s): s
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
        }
    }
}

/// A spatially bounded thing: a geometry (or none), properties, and an optional id.
public struct Feature: Hashable, Sendable {
    public var id: FeatureID?
    public var geometry: Geometry?
    public var properties: JSONObject

    public init(id: FeatureID? = nil, geometry: Geometry?, properties: JSONObject = [:]) {
        self.id = id
        self.geometry = geometry
        self.properties = properties
    }
}

/// An ordered list of features, as a GeoJSON FeatureCollection holds them.
public struct FeatureCollection: Hashable, Sendable {
    public var features: [Feature]

    public init(_ features: [Feature] = []) { self.features = features }

    public var boundingBox: BoundingBox? {
        var box: BoundingBox?
        for f in features {
            guard let b = f.geometry?.boundingBox else { continue }
            if box == nil { box = b } else { box!.extend(b) }
        }
        return box
    }
}
