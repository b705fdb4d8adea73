/// The fields of a collection of features and their types, and the one geometry type they share:
/// what a table in a GIS file is made with, so that a layer with no feature still has its columns.
public struct FeatureSchema: Sendable, Equatable {
    public enum FieldType: String, Sendable {
        case integer, real, string, boolean
        /// "2024-06-21".
        case date
        /// "2024-06-21T08:00:00Z".
        case dateTime
    }

    public enum GeometryType: String, Sendable {
        /// Polygons and multipolygons alike (a table holds one type: the multi one).
        case multiPolygon = "MultiPolygon"
        case point = "Point"
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: FieldType

        public init(_ name: String, _ type: FieldType) {
            self.name = name
            self.type = type
        }
    }

    public var geometry: GeometryType
    public var fields: [Field]

    public init(geometry: GeometryType, fields: [Field]) {
        self.geometry = geometry
        self.fields = fields
    }

    public func type(of field: String) -> FieldType? { fields.first { $0.name == field }?.type }
}
