import CGDAL
import Foundation
import Geo

/// One table of a GeoPackage to write: its features, typed by `schema` (the columns and
/// geometry type are made from the schema, so a table with no feature still has them).
public struct GeoPackageLayer: Sendable {
    public var name: String
    public var description: String
    public var schema: FeatureSchema
    public var features: [Feature]

    public init(name: String, description: String, schema: FeatureSchema, features: [Feature]) {
        self.name = name
        self.description = description
        self.schema = schema
        self.features = features
    }
}

/// Writes GeoPackage 1.x files through GDAL's GPKG driver: WGS 84 (EPSG:4326, longitude
/// first), one table per layer with an R-tree spatial index, the dataset's metadata in
/// `gpkg_metadata`. Written under a temporary name beside the target and renamed, so a failure
/// never leaves half a file.
public enum GeoPackage {
    public static func write(_ layers: [GeoPackageLayer], metadata: [(key: String, value: String)], to path: String) throws(VectorFileError) {
        _ = VectorFile.setUp
        func fail(_ message: String) -> VectorFileError { VectorFileError(path: path, message: message) }
        let target = URL(fileURLWithPath: path)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid()).gpkg").path
        try? FileManager.default.removeItem(atPath: partial)
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(atPath: partial) } }

        guard let driver = GDALGetDriverByName("GPKG") else { throw fail("GDAL has no GPKG driver") }
        CPLErrorReset()
        guard let dataset = GDALCreate(driver, partial, 0, 0, 0, GDT_Unknown, nil) else {
            throw fail("cannot be created: \(VectorFile.lastMessage())")
        }
        var closed = false
        defer { if !closed { GDALClose(dataset) } }
        guard let srs = OSRNewSpatialReference(nil) else { throw fail("no spatial reference: \(VectorFile.lastMessage())") }
        defer { OSRRelease(srs) }
        guard OSRImportFromEPSG(srs, 4326) == OGRERR_NONE else { throw fail("EPSG:4326 is unknown to PROJ: \(VectorFile.lastMessage())") }
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER)

        guard GDALDatasetStartTransaction(dataset, 0) == OGRERR_NONE else { throw fail("cannot start a transaction: \(VectorFile.lastMessage())") }
        for layer in layers {
            try write(layer, into: dataset, srs: srs, path: path)
        }
        guard GDALDatasetCommitTransaction(dataset) == OGRERR_NONE else { throw fail("cannot commit: \(VectorFile.lastMessage())") }
        for (key, value) in metadata where GDALSetMetadataItem(dataset, key, value, nil) != CE_None {
            throw fail("cannot set metadata \(key): \(VectorFile.lastMessage())")
        }
        CPLErrorReset()
        GDALClose(dataset)
        closed = true
        if CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
            throw fail("GDAL failed to finish it: \(VectorFile.lastMessage())")
        }
        guard rename(partial, path) == 0 else { throw fail("cannot be renamed into place: \(String(cString: strerror(errno)))") }
        renamed = true
    }

    static func write(_ layer: GeoPackageLayer, into dataset: GDALDatasetH, srs: OGRSpatialReferenceH, path: String) throws(VectorFileError) {
        func fail(_ message: String) -> VectorFileError { VectorFileError(path: path, message: "layer \(layer.name): \(message)") }
        var options: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        options = CSLSetNameValue(options, "FID", "fid")
        options = CSLSetNameValue(options, "DESCRIPTION", layer.description)
        options = CSLSetNameValue(options, "IDENTIFIER", layer.name)
        defer { CSLDestroy(options) }
        let type = layer.schema.geometry == .point ? wkbPoint : wkbMultiPolygon
        CPLErrorReset()
        guard let handle = GDALDatasetCreateLayer(dataset, layer.name, srs, type, options) else {
            throw fail("cannot be created: \(VectorFile.lastMessage())")
        }
        for field in layer.schema.fields {
            let (kind, subtype): (OGRFieldType, OGRFieldSubType) = switch field.type {
            case .integer: (OFTInteger64, OFSTNone)
            case .real: (OFTReal, OFSTNone)
            case .string: (OFTString, OFSTNone)
            case .boolean: (OFTInteger, OFSTBoolean)
            case .date: (OFTDate, OFSTNone)
            case .dateTime: (OFTDateTime, OFSTNone)
            }
            guard let definition = OGR_Fld_Create(field.name, kind) else { throw fail("field \(field.name): \(VectorFile.lastMessage())") }
            OGR_Fld_SetSubType(definition, subtype)
            let created = OGR_L_CreateField(handle, definition, 1)
            OGR_Fld_Destroy(definition)
            guard created == OGRERR_NONE else { throw fail("field \(field.name) cannot be created: \(VectorFile.lastMessage())") }
        }
        let definition = OGR_L_GetLayerDefn(handle)
        for (n, feature) in layer.features.enumerated() {
            guard let f = OGR_F_Create(definition) else { throw fail("feature \(n): \(VectorFile.lastMessage())") }
            defer { OGR_F_Destroy(f) }
            for (i, field) in layer.schema.fields.enumerated() {
                set(f, Int32(i), field.type, feature.properties[field.name])
            }
            if let g = feature.geometry { OGR_F_SetGeometryDirectly(f, ogr(g, multi: layer.schema.geometry == .multiPolygon)) }
            guard OGR_L_CreateFeature(handle, f) == OGRERR_NONE else {
                throw fail("feature \(n) (\(feature.id.map { "\($0)" } ?? "no id")) cannot be written: \(VectorFile.lastMessage())")
            }
        }
    }

    /// Field `i` of `f` from a JSON value; arrays and objects as their JSON text.
    static func set(_ f: OGRFeatureH, _ i: Int32, _ type: FeatureSchema.FieldType, _ value: JSONValue?) {
        switch value {
        case nil, .null?: OGR_F_SetFieldNull(f, i)
        case .int(let v)?:
            if type == .real { OGR_F_SetFieldDouble(f, i, Double(v)) } else { OGR_F_SetFieldInteger64(f, i, Int64(v)) }
        case .double(let d)?:
            if type == .integer, let v = Int64(exactly: d.rounded()) { OGR_F_SetFieldInteger64(f, i, v) } else { OGR_F_SetFieldDouble(f, i, d) }
        case .bool(let b)?: OGR_F_SetFieldInteger(f, i, b ? 1 : 0)
        case .string(let s)?: OGR_F_SetFieldString(f, i, s)
        case let v?: OGR_F_SetFieldString(f, i, v.jsonText)
        }
    }

    /// An OGR geometry of ours; with `multi`, a polygon as a multipolygon of one.
    static func ogr(_ g: Geometry, multi: Bool = false) -> OGRGeometryH? {
        func ring(_ type: OGRwkbGeometryType, _ positions: [Position]) -> OGRGeometryH? {
            let r = OGR_G_CreateGeometry(type)
            OGR_G_SetPointCount(r, Int32(positions.count))
            for (k, p) in positions.enumerated() { OGR_G_SetPoint_2D(r, Int32(k), p.x, p.y) }
            return r
        }
        func polygon(_ p: Polygon) -> OGRGeometryH? {
            let o = OGR_G_CreateGeometry(wkbPolygon)
            for r in p.rings { OGR_G_AddGeometryDirectly(o, ring(wkbLinearRing, r)) }
            return o
        }
        func collection(_ type: OGRwkbGeometryType, _ parts: [OGRGeometryH?]) -> OGRGeometryH? {
            let o = OGR_G_CreateGeometry(type)
            for p in parts { OGR_G_AddGeometryDirectly(o, p) }
            return o
        }
        switch g {
        case .point(let p):
            let o = OGR_G_CreateGeometry(wkbPoint)
            OGR_G_SetPoint_2D(o, 0, p.x, p.y)
            return o
        case .multiPoint(let ps): return collection(wkbMultiPoint, ps.map { ogr(.point($0)) })
        case .lineString(let ps): return ring(wkbLineString, ps)
        case .multiLineString(let ls): return collection(wkbMultiLineString, ls.map { ring(wkbLineString, $0) })
        case .polygon(let p): return multi ? collection(wkbMultiPolygon, [polygon(p)]) : polygon(p)
        case .multiPolygon(let ps): return collection(wkbMultiPolygon, ps.map(polygon))
        case .geometryCollection(let gs): return collection(wkbGeometryCollection, gs.map { ogr($0) })
        }
    }
}
