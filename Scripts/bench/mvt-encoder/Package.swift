// swift-tools-version:6.0
import PackageDescription

/// The MVT encoder benchmark (Scripts/bench-mvt-encoder.sh): ThreatMap's own encoder against
/// swift-protobuf with code generated from vector_tile.proto.
let package = Package(
    name: "mvt-encoder-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "ThreatMap", path: "../../.."),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "mvt-encoder-bench",
            dependencies: [
                .product(name: "VectorTiles", package: "ThreatMap"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
