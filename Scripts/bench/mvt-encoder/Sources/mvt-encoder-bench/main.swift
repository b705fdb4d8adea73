// Encodes the same tiles with ThreatMap's MVT encoder and with swift-protobuf (code generated
// from vector_tile.proto), checks that both give the same tile, and times them.
import Foundation
import SwiftProtobuf
import VectorTiles

/// The two encoders, each used the way the tiler uses ThreatMap's: one layer builder per layer,
/// one feature added at a time, then the tile encoded.
enum Encoder: CaseIterable {
    case threatMap
    case swiftProtobuf

    var label: String {
        switch self {
        case .threatMap: "ThreatMap MVTEncoder"
        case .swiftProtobuf: "swift-protobuf (generated)"
        }
    }

    func encode(_ content: TileContent) throws -> [UInt8] {
        switch self {
        case .threatMap:
            var layer = MVTLayerBuilder(name: content.layerName)
            for f in content.features { layer.add(id: f.id, properties: f.properties, geometry: f.geometry) }
            var tile = MVTTileBuilder()
            tile.add(layer)
            return tile.encoded()
        case .swiftProtobuf:
            return try Self.protobufTile(content).encoded()
        }
    }

    static func protobufTile(_ content: TileContent) -> ProtobufTileBuilder {
        var layer = ProtobufLayerBuilder(name: content.layerName)
        for f in content.features { layer.add(id: f.id, properties: f.properties, geometry: f.geometry) }
        var tile = ProtobufTileBuilder()
        tile.add(layer)
        return tile
    }
}

/// Fails unless ThreatMap's bytes, decoded by swift-protobuf, are the tile swift-protobuf built;
/// says whether the bytes themselves are identical.
func check(_ content: TileContent) throws {
    let ours = try Encoder.threatMap.encode(content)
    let theirs = try Encoder.swiftProtobuf.encode(content)
    let decoded = try VectorTile_Tile(serializedBytes: ours)
    guard decoded == Encoder.protobufTile(content).message else {
        FileHandle.standardError.write(Data("\(content.kind): ThreatMap's tile decodes to a different message\n".utf8))
        exit(1)
    }
    // Equal messages: bytes that still differ hold the same fields in another order.
    let identical = ours == theirs ? "yes" : "no, same fields in another order"
    print("\(content.kind): \(content.features.count) features; ThreatMap \(ours.count) bytes, swift-protobuf \(theirs.count) bytes; "
        + "decode to the same Tile: yes; byte-identical: \(identical)")
}

/// `text` padded with spaces to `width` characters, on the right or, for numbers, on the left.
func left(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }

let rounds = 5
let iterations = 200
let warmUp = 20
let contents = [TileContent.incidents(), TileContent.regions()]

for content in contents { try check(content) }

for content in contents {
    for encoder in Encoder.allCases {
        for _ in 0..<warmUp { _ = try encoder.encode(content) }
    }
}

// Rounds interleave the variants, so that a slow spell of the machine hits them alike.
let clock = ContinuousClock()
var roundTimes: [String: [Duration]] = [:]
var bytesPerTile: [String: Int] = [:]
for _ in 0..<rounds {
    for content in contents {
        for encoder in Encoder.allCases {
            var bytes = 0
            let elapsed = try clock.measure {
                for _ in 0..<iterations { bytes += try encoder.encode(content).count }
            }
            roundTimes["\(encoder)/\(content.kind)", default: []].append(elapsed)
            bytesPerTile["\(encoder)/\(content.kind)"] = bytes / iterations
        }
    }
}
// The median round, as microseconds per tile.
let microsecondsPerTile = roundTimes.mapValues { times in
    let median = times.sorted()[rounds / 2].components
    return (Double(median.seconds) * 1e6 + Double(median.attoseconds) / 1e12) / Double(iterations)
}

print()
print("MVT encoding: median of \(rounds) rounds of \(iterations) tiles each, after \(warmUp) warm-up tiles; this machine")
print(left("variant", 28) + left("tile", 10) + right("µs/tile", 10) + right("MB/s", 9) + right("bytes/tile", 12))
for content in contents {
    for encoder in Encoder.allCases {
        let key = "\(encoder)/\(content.kind)"
        let us = microsecondsPerTile[key]!, bytes = bytesPerTile[key]!
        print(left(encoder.label, 28) + left(content.kind, 10) + right(String(format: "%.1f", us), 10)
            + right(String(format: "%.1f", Double(bytes) / us), 9) + right("\(bytes)", 12))
    }
}
for content in contents {
    let ratio = microsecondsPerTile["\(Encoder.swiftProtobuf)/\(content.kind)"]! / microsecondsPerTile["\(Encoder.threatMap)/\(content.kind)"]!
    print("\(content.kind): swift-protobuf takes \(String(format: "%.2f", ratio)) times as long as ThreatMap's encoder")
}
