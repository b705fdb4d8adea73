// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ThreatMap",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "threatmap", targets: ["threatmap"]),
        .library(name: "Geo", targets: ["Geo"]),
        .library(name: "ThreatModel", targets: ["ThreatModel"]),
        .library(name: "Atlas", targets: ["Atlas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .target(name: "Geo", dependencies: ["CGEOS", "CPROJ"]),
        .target(name: "ThreatModel"),
        .target(name: "Atlas", dependencies: ["Geo", "ThreatModel"]),
        .executableTarget(
            name: "threatmap",
            dependencies: [
                "Geo", "ThreatModel", "Atlas",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GeoTests", dependencies: ["Geo"]),
        .testTarget(name: "ThreatModelTests", dependencies: ["ThreatModel"]),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas", "Geo", "ThreatModel"]),
        .testTarget(name: "ThreatmapTests", dependencies: ["Geo"]),
    ],
    swiftLanguageModes: [.v6]
)
