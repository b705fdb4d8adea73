import Foundation
import Geo

/// A tile of the Web Mercator (EPSG:3857) XYZ pyramid: x from the west, y from the north.
public struct TileAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var z: Int
    public var x: Int
    public var y: Int

    public init(z: Int, x: Int, y: Int) {
        self.z = z
        self.x = x
        self.y = y
    }

    public var isValid: Bool { z >= 0 && z <= 30 && x >= 0 && y >= 0 && x < (1 << z) && y < (1 << z) }

    public static func < (a: TileAddress, b: TileAddress) -> Bool { (a.z, a.x, a.y) < (b.z, b.x, b.y) }

    public var description: String { "\(z)/\(x)/\(y)" }

    /// The tile's bounds in Web Mercator metres.
    public var mercatorBounds: BoundingBox {
        let size = WebMercator.worldSize / Double(1 << z)
        let minX = -WebMercator.halfWorld + Double(x) * size
        let maxY = WebMercator.halfWorld - Double(y) * size
        return BoundingBox(minX: minX, minY: maxY - size, maxX: minX + size, maxY: maxY)
    }
}

/// Spherical Web Mercator, computed directly (it is closed-form; PROJ gives the same numbers).
public enum WebMercator {
    public static let radius = 6_378_137.0
    public static let halfWorld = Double.pi * radius
    public static let worldSize = 2 * halfWorld
    /// Web Mercator's latitude limit.
    public static let maxLatitude = 85.05112877980659

    public static func project(_ p: Position) -> Position {
        let lat = min(max(p.y, -maxLatitude), maxLatitude)
        let x = radius * p.x * .pi / 180
        let y = radius * log(tan(.pi / 4 + lat * .pi / 360))
        return Position(x, y)
    }

    public static func unproject(_ p: Position) -> Position {
        Position(p.x / radius * 180 / .pi, (2 * atan(exp(p.y / radius)) - .pi / 2) * 180 / .pi)
    }

    /// The ground size of one unit of a tile of extent `extent` at zoom `z`, in metres at the
    /// equator: the tolerance a "pixel" stands for.
    public static func unitSize(zoom z: Int, extent: Int) -> Double {
        worldSize / Double(1 << z) / Double(extent)
    }

    /// The tiles of zoom `z` that a Mercator box touches.
    public static func tiles(covering box: BoundingBox, zoom z: Int) -> [TileAddress] {
        let n = 1 << z
        let size = worldSize / Double(n)
        func col(_ x: Double) -> Int { min(n - 1, max(0, Int(((x + halfWorld) / size).rounded(.down)))) }
        func row(_ y: Double) -> Int { min(n - 1, max(0, Int(((halfWorld - y) / size).rounded(.down)))) }
        var out: [TileAddress] = []
        for x in col(box.minX)...col(box.maxX) {
            for y in row(box.maxY)...row(box.minY) { out.append(TileAddress(z: z, x: x, y: y)) }
        }
        return out
    }
}
