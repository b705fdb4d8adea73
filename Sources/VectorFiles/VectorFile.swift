import CGDAL
import Foundation
import Geo

/// A vector file GDAL could not open or read, naming the file and what went wrong.
public struct VectorFileError: Error, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

/// One feature of a vector layer: its attributes as text and its geometry in WGS 84
/// longitude/latitude (nil when it has none).
public struct VectorFeature: Sendable {
    /// The feature's position in the layer, from 0, for messages.
    public var index: Int
    /// Each set field's value as GDAL writes it as text; unset and null fields are absent.
    public var fields: [String: String]
    public var geometry: Geometry?
}

/// A layer read whole: its fields, where its coordinates came from, and its features.
public struct VectorLayer: Sendable {
    public var path: String
    public var name: String
    /// The GDAL driver that read it ("ESRI Shapefile", "GPKG", "GeoJSON").
    public var driver: String
    public var fieldNames: [String]
    /// The layer's coordinate system as its authority names it ("EPSG:3857"), or its name.
    public var crs: String
    public var features: [VectorFeature]
    /// What a reader should know: other layers left unread, a missing coordinate system.
    public var notes: [String]
}

/// Reads vector files through GDAL's C API (OGR), whatever the format its drivers read
/// (Shapefile, GeoPackage, GeoJSON, FlatGeobuf, KML, ...), in any coordinate system: each
/// geometry is made linear (curves become segments), flattened to 2D, and reprojected to WGS 84
/// longitude/latitude with PROJ (`CoordinateTransform`, axis order as GIS tools use it).
public enum VectorFile {
    /// GDAL's drivers, registered once; GDAL's own messages are kept from standard error and
    /// read back as each call's error.
    static let setUp: Void = {
        GDALAllRegister()
        CPLSetErrorHandler(CPLQuietErrorHandler)
    }()

    static func lastMessage() -> String {
        guard let m = CPLGetLastErrorMsg(), m.pointee != 0 else { return "" }
        return String(cString: m)
    }

    /// The layer named `layer`, else the file's first layer.
    public static func read(_ path: String, layer wanted: String? = nil) throws(VectorFileError) -> VectorLayer {
        _ = setUp
        func fail(_ message: String) -> VectorFileError { VectorFileError(path: path, message: message) }
        var isDirectory: ObjCBool = false
        if !path.hasPrefix("/vsi"), !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw fail("no such file")
        }
        CPLErrorReset()
        guard let dataset = GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            let why = lastMessage()
            throw fail("not a vector file GDAL can read" + (why.isEmpty ? "" : " (\(why))"))
        }
        defer { GDALClose(dataset) }
        let driver = GDALGetDriverShortName(GDALGetDatasetDriver(dataset)).map { String(cString: $0) } ?? "?"
        let count = Int(GDALDatasetGetLayerCount(dataset))
        guard count > 0 else { throw fail("holds no vector layer (read by GDAL's \(driver) driver)") }
        var names: [String] = []
        for i in 0..<count {
            if let l = GDALDatasetGetLayer(dataset, Int32(i)), let n = OGR_L_GetName(l) { names.append(String(cString: n)) }
        }
        let handle: OGRLayerH
        if let wanted {
            guard let l = GDALDatasetGetLayerByName(dataset, wanted) else {
                throw fail("has no layer \"\(wanted)\"; its layers: \(names.joined(separator: ", "))")
            }
            handle = l
        } else {
            guard let l = GDALDatasetGetLayer(dataset, 0) else { throw fail("cannot open its first layer: \(lastMessage())") }
            handle = l
        }
        let name = OGR_L_GetName(handle).map { String(cString: $0) } ?? ""
        var notes: [String] = []
        if wanted == nil, count > 1 { notes.append("read its first layer, \"\(name)\", of \(count): \(names.joined(separator: ", "))") }

        let definition = OGR_L_GetLayerDefn(handle)
        let fieldCount = Int(OGR_FD_GetFieldCount(definition))
        let fieldNames = (0..<fieldCount).map { i in
            OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(definition, Int32(i))).map { String(cString: $0) } ?? "field\(i)"
        }

        let (crs, transform) = try coordinates(of: handle, path: path, notes: &notes)
        var features: [VectorFeature] = []
        OGR_L_ResetReading(handle)
        var index = 0
        var gdalErrors: [String] = []
        func readError() {
            let kind = CPLGetLastErrorType()
            if kind == CE_Failure || kind == CE_Fatal { gdalErrors.append("feature \(index): \(lastMessage())") }
            CPLErrorReset()
        }
        CPLErrorReset()
        while let feature = OGR_L_GetNextFeature(handle) {
            readError()
            defer {
                OGR_F_Destroy(feature)
                index += 1
            }
            var fields: [String: String] = [:]
            for (i, field) in fieldNames.enumerated() where OGR_F_IsFieldSetAndNotNull(feature, Int32(i)) != 0 {
                fields[field] = OGR_F_GetFieldAsString(feature, Int32(i)).map { String(cString: $0) } ?? ""
            }
            var geometry: Geometry?
            if let g = OGR_F_GetGeometryRef(feature), OGR_G_IsEmpty(g) == 0 {
                geometry = try lonLat(g, transform: transform, at: "feature \(index)", path: path)
            }
            features.append(VectorFeature(index: index, fields: fields, geometry: geometry))
        }
        readError()
        if let first = gdalErrors.first {
            notes.append("GDAL reported \(gdalErrors.count) error(s) reading it (a damaged file?), the first: \(first)")
        }
        return VectorLayer(path: path, name: name, driver: driver, fieldNames: fieldNames, crs: crs, features: features, notes: notes)
    }

    /// The layer's coordinate system and the transform from it to WGS 84 (nil when it is WGS 84
    /// longitude/latitude already, or has none, which GeoJSON's RFC 7946 reads as WGS 84).
    static func coordinates(of layer: OGRLayerH, path: String, notes: inout [String]) throws(VectorFileError) -> (String, CoordinateTransform?) {
        guard let srs = OGR_L_GetSpatialRef(layer) else {
            notes.append("no coordinate system given: read as WGS 84 longitude/latitude")
            return ("none (read as EPSG:4326)", nil)
        }
        let authority = OSRGetAuthorityName(srs, nil).map { String(cString: $0) }
        let code = OSRGetAuthorityCode(srs, nil).map { String(cString: $0) }
        let label: String
        if let authority, let code { label = "\(authority):\(code)" } else { label = OSRGetName(srs).map { String(cString: $0) } ?? "unnamed" }
        if label == "EPSG:4326" || label == "OGC:CRS84" { return (label, nil) }
        var json: UnsafeMutablePointer<CChar>?
        guard OSRExportToPROJJSON(srs, &json, nil) == OGRERR_NONE, let json else {
            throw VectorFileError(path: path, message: "cannot describe its coordinate system \(label) to PROJ: \(lastMessage())")
        }
        let definition = String(cString: json)
        VSIFree(json)
        do {
            return (label, try CoordinateTransform(from: definition, to: "EPSG:4326"))
        } catch {
            throw VectorFileError(path: path, message: "no transform from its coordinate system \(label) to WGS 84: \(error)")
        }
    }

    /// A geometry in WGS 84 longitude/latitude: linear, 2D, through GDAL's GeoJSON writer.
    static func lonLat(_ g: OGRGeometryH, transform: CoordinateTransform?, at: String, path: String) throws(VectorFileError) -> Geometry {
        guard let linear = OGR_G_GetLinearGeometry(g, 0, nil) else {
            throw VectorFileError(path: path, message: "\(at): its geometry cannot be made linear: \(lastMessage())")
        }
        defer { OGR_G_DestroyGeometry(linear) }
        OGR_G_FlattenTo2D(linear)
        guard let text = OGR_G_ExportToJson(linear) else {
            throw VectorFileError(path: path, message: "\(at): its geometry cannot be written out: \(lastMessage())")
        }
        let json = String(cString: text)
        VSIFree(text)
        do {
            var reader = GeoJSONReader()
            reader.checksCoordinateRange = transform == nil
            let geometry = try reader.geometry(try JSONParser.parse(json))
            return try transform?.transform(geometry) ?? geometry
        } catch {
            throw VectorFileError(path: path, message: "\(at): \(error)")
        }
    }
}
