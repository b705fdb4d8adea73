import CGEOS
import CPROJ

/// A PROJ failure, with PROJ's own message.
public struct PROJError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String

    public var description: String { "PROJ \(operation) failed: \(message)" }
}

/// A transformation between two coordinate reference systems (`proj_create_crs_to_crs`),
/// normalized so that geographic coordinates are longitude, latitude in that order
/// (`proj_normalize_for_visualization`). It owns its PROJ context: PROJ contexts are not
/// thread-safe, so neither is this type. Log messages are silenced; failures throw.
public final class CoordinateTransform {
    public let source: String
    public let target: String
    let context: OpaquePointer
    let pj: OpaquePointer

    /// A transform between two CRS definitions PROJ understands: "EPSG:4326", "EPSG:32629",
    /// a WKT string or a PROJ string.
    public init(from source: String, to target: String) throws(PROJError) {
        guard let ctx = proj_context_create() else { throw PROJError(operation: "context_create", message: "out of memory") }
        _ = proj_log_level(ctx, PJ_LOG_NONE)
        guard let raw = proj_create_crs_to_crs(ctx, source, target, nil) else {
            let e = Self.message(ctx)
            proj_context_destroy(ctx)
            throw PROJError(operation: "create_crs_to_crs(\(source) → \(target))", message: e)
        }
        let normalized = proj_normalize_for_visualization(ctx, raw)
        proj_destroy(raw)
        guard let normalized else {
            let e = Self.message(ctx)
            proj_context_destroy(ctx)
            throw PROJError(operation: "normalize_for_visualization", message: e)
        }
        self.context = ctx
        self.pj = normalized
        self.source = source
        self.target = target
    }

    /// A transform between two EPSG codes.
    public convenience init(fromEPSG source: Int, toEPSG target: Int) throws(PROJError) {
        try self.init(from: "EPSG:\(source)", to: "EPSG:\(target)")
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(context)
    }

    static func message(_ ctx: OpaquePointer) -> String {
        let code = proj_context_errno(ctx)
        guard code != 0, let s = proj_context_errno_string(ctx, code) else { return "unknown error" }
        return String(cString: s)
    }

    /// Transforms one position (altitude kept as it is).
    public func transform(_ p: Position) throws(PROJError) -> Position {
        var xy = (p.x, p.y)
        try transformInPlace(&xy.0, &xy.1)
        return Position(xy.0, xy.1, p.z)
    }

    func transformInPlace(_ x: inout Double, _ y: inout Double) throws(PROJError) {
        let out = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, .infinity))
        let r = out.xy
        guard r.x.isFinite, r.y.isFinite else {
            let e = Self.message(context)
            proj_errno_reset(pj)
            throw PROJError(operation: "transform (\(x), \(y)) from \(source) to \(target)", message: e)
        }
        x = r.x
        y = r.y
    }

    /// Transforms every position of a geometry value.
    public func transform(_ g: Geometry) throws(PROJError) -> Geometry {
        func ring(_ ps: [Position]) throws(PROJError) -> [Position] {
            var out: [Position] = []
            out.reserveCapacity(ps.count)
            for p in ps { out.append(try transform(p)) }
            return out
        }
        func polygon(_ p: Polygon) throws(PROJError) -> Polygon {
            var rings: [[Position]] = []
            for r in p.rings { rings.append(try ring(r)) }
            return Polygon(rings: rings)
        }
        switch g {
        case .point(let p): return .point(try transform(p))
        case .multiPoint(let ps): return .multiPoint(try ring(ps))
        case .lineString(let ps): return .lineString(try ring(ps))
        case .multiLineString(let ls):
            var out: [[Position]] = []
            for l in ls { out.append(try ring(l)) }
            return .multiLineString(out)
        case .polygon(let p): return .polygon(try polygon(p))
        case .multiPolygon(let ps):
            var out: [Polygon] = []
            for p in ps { out.append(try polygon(p)) }
            return .multiPolygon(out)
        case .geometryCollection(let gs):
            var out: [Geometry] = []
            for m in gs { out.append(try transform(m)) }
            return .geometryCollection(out)
        }
    }

    /// Transforms a geometry in GEOS form without leaving it (`GEOSGeom_transformXY_r`).
    public func transform(_ object: GEOSObject) throws -> GEOSObject {
        final class State {
            let transform: CoordinateTransform
            var failure: PROJError?
            init(_ t: CoordinateTransform) { transform = t }
        }
        let state = State(self)
        let result = withExtendedLifetime(state) {
            GEOSGeom_transformXY_r(object.handle, object.pointer, { x, y, userdata in
                guard let x, let y, let userdata else { return 0 }
                let state = Unmanaged<State>.fromOpaque(userdata).takeUnretainedValue()
                do {
                    try state.transform.transformInPlace(&x.pointee, &y.pointee)
                    return 1
                } catch let error as PROJError {
                    state.failure = error
                    return 0
                } catch {
                    return 0
                }
            }, Unmanaged.passUnretained(state).toOpaque())
        }
        if let failure = state.failure {
            if let result { GEOSGeom_destroy_r(object.handle, result) }
            throw failure
        }
        return try object.context.own(result, "transformXY")
    }
}

@available(*, unavailable, message: "a PROJ context must not be shared between threads")
extension CoordinateTransform: Sendable {}
