import Foundation
import Geo
import HTTPTypes
import Hummingbird
import NIOCore
import VectorTiles

/// A tile set exported earlier (`export tiles --format pmtiles|mbtiles|dir`), served beside the
/// live map as Martin serves its sources: `/archives` lists them, `/archives/{name}/tiles.json`
/// is each one's TileJSON (from the archive's own metadata, its moment included) and
/// `/archives/{name}/tiles/{z}/{x}/{y}.mvt` its tiles, with the live tiles' headers (gzip when
/// asked for, a strong ETag, 304 on a match, 204 for a tile the archive does not hold).
public struct ServedArchive: Sendable {
    public let name: String
    public let path: String
    public let reader: any TileArchiveReader
    /// Tiles answered before, ready to send (the archive does not change while served).
    let served = ServedTileCache(capacity: 8192)

    /// Opens `path` by what it is: a folder (`z/x/y.mvt` with `tiles.json`), MBTiles (SQLite) or
    /// PMTiles (by its magic bytes); the name is the file's without its extension.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        name = url.deletingPathExtension().lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw TileArchiveError.notFound(path: path) }
        if isDirectory.boolValue {
            reader = try DirectoryReader(path: path)
            return
        }
        let head = (try? FileHandle(forReadingFrom: url).read(upToCount: 16)) ?? Data()
        if head.starts(with: Array("PMTiles".utf8)) {
            reader = try PMTilesReader(path: path)
        } else if head.starts(with: Array("SQLite format 3".utf8)) {
            reader = try MBTilesReader(path: path)
        } else {
            throw TileArchiveError.unsupported(path: path, what: "a file that is neither PMTiles nor MBTiles (SQLite)")
        }
    }
}

struct ArchiveController: Sendable {
    let routes: ThreatRoutes

    func add<Sink: RouteSink>(to router: inout Sink) {
        router.get("/archives") { request, _ in self.list(request) }
        router.get("/archives/:name/tiles.json") { request, context in try self.tileJSON(request, context) }
        router.get("/archives/:name/tiles/:z/:x/:y") { request, context in try await self.tile(request, context) }
    }

    func archive(_ context: some RequestContext) throws -> ServedArchive {
        let name = context.parameters.get("name") ?? ""
        guard let a = routes.archives.first(where: { $0.name == name }) else {
            let known = routes.archives.map(\.name)
            throw APIError(.notFound, "no archive \"\(name)\"; " + (known.isEmpty ? "serve was started without --tiles" : "the archives are \(known.joined(separator: ", "))"))
        }
        return a
    }

    func document(_ a: ServedArchive, origin: String) -> JSONValue {
        let info = a.reader.info
        var o: JSONObject = [
            "tilejson": "3.0.0", "name": .string(info.name.isEmpty ? a.name : info.name), "description": .string(info.description),
            "attribution": .string(info.attribution), "scheme": "xyz",
            "tiles": [.string(origin + "/archives/\(a.name)/tiles/{z}/{x}/{y}.mvt")],
            "minzoom": .int(info.minZoom), "maxzoom": .int(info.maxZoom),
            "bounds": [.double(info.bounds.minX), .double(info.bounds.minY), .double(info.bounds.maxX), .double(info.bounds.maxY)],
            "vector_layers": info.vectorLayers,
        ]
        if let asOf = info.asOf { o["as_of"] = .string(asOf) }
        return .object(o)
    }

    func list(_ request: Request) -> Response {
        let origin = routes.origin(request)
        return jsonResponse(["archives": .array(routes.archives.map { a in
            .object(["name": .string(a.name), "file": .string(URL(fileURLWithPath: a.path).lastPathComponent),
                     "tilejson": .string(origin + "/archives/\(a.name)/tiles.json"), "as_of": a.reader.info.asOf.map { .string($0) } ?? .null])
        })])
    }

    func tileJSON(_ request: Request, _ context: some RequestContext) throws -> Response {
        jsonResponse(document(try archive(context), origin: routes.origin(request)))
    }

    func tile(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let a = try archive(context)
        let zs = context.parameters.get("z") ?? "", xs = context.parameters.get("x") ?? "", ys = context.parameters.get("y") ?? ""
        guard ys.hasSuffix(".mvt"), let z = Int(zs), let x = Int(xs), let y = Int(ys.dropLast(4)) else {
            throw APIError(.badRequest, "a tile path is /archives/\(a.name)/tiles/{z}/{x}/{y}.mvt with whole numbers")
        }
        let t = TileAddress(z: z, x: x, y: y)
        guard z <= 30, t.isValid else { throw APIError(.notFound, "tile \(z)/\(x)/\(y) is outside the XYZ pyramid") }
        if let known = a.served[t] {
            routes.service.metrics.tile(cached: true)
            return TileController.respond(known, cached: true, request: request)
        }
        let reader = a.reader
        let bytes: [UInt8]?
        do {
            bytes = try await offload { try reader.tile(t) }
        } catch {
            // A damaged archive answers with what is wrong and where, not a crash.
            throw APIError(.internalServerError, "\(error)")
        }
        let served = try bytes.map { try ServedTile(bytes: $0) }
        a.served[t] = .some(served)
        routes.service.metrics.tile(cached: false)
        return TileController.respond(served, cached: false, request: request)
    }
}
