// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ThreatMap",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "threatmap", targets: ["threatmap"]),
        .library(name: "Geo", targets: ["Geo"]),
        .library(name: "XML", targets: ["XML"]),
        .library(name: "ThreatModel", targets: ["ThreatModel"]),
        .library(name: "Atlas", targets: ["Atlas"]),
        .library(name: "AlertIngest", targets: ["AlertIngest"]),
        .library(name: "ThreatStore", targets: ["ThreatStore"]),
        .library(name: "ThreatLayers", targets: ["ThreatLayers"]),
        .library(name: "VectorTiles", targets: ["VectorTiles"]),
        .library(name: "ThreatMapCore", targets: ["ThreatMapCore"]),
        .library(name: "ThreatService", targets: ["ThreatService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .target(name: "Geo", dependencies: ["CGEOS", "CPROJ"]),
        // libxml2's C API, used safely (no network, no DTD, limits): CAP is read through it.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "XML", dependencies: ["CLibXML2"]),
        // GDAL's C API, the vector reader every GIS tool uses: boundary files in any format and CRS.
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .target(name: "VectorFiles", dependencies: ["CGDAL", "Geo"]),
        .target(name: "ThreatModel", dependencies: ["Geo"]),
        .target(name: "Atlas", dependencies: ["Geo", "ThreatModel"]),
        .target(name: "AlertIngest", dependencies: ["Geo", "ThreatModel", "Atlas", "XML"]),
        .target(name: "ThreatLayers", dependencies: ["Geo", "ThreatModel", "Atlas"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "VectorTiles", dependencies: ["Geo", "CZlib", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "ThreatStore", dependencies: [
            "ThreatModel", "Geo", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            // The shared store: PostgreSQL with PostGIS, for several servers on one database.
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // The two use cases, under both shells: the map as of a moment, and taking in documents.
        .target(name: "ThreatMapCore", dependencies: ["Geo", "ThreatModel", "Atlas", "AlertIngest", "ThreatStore", "ThreatLayers", "VectorTiles"]),
        .target(name: "ThreatService", dependencies: [
            "Geo", "ThreatModel", "AlertIngest", "ThreatStore", "ThreatLayers", "VectorTiles", "ThreatMapCore",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(
            name: "threatmap",
            dependencies: [
                "Geo", "ThreatModel", "Atlas", "AlertIngest", "ThreatStore", "ThreatLayers", "VectorTiles", "ThreatMapCore", "ThreatService", "VectorFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The readers under libFuzzer (Scripts/fuzz.sh), or a replayer of inputs when built plainly.
        .executableTarget(name: "threatmap-fuzz", dependencies: ["Geo", "ThreatModel", "Atlas", "AlertIngest"]),
        .testTarget(name: "GeoTests", dependencies: ["Geo"]),
        .testTarget(name: "XMLTests", dependencies: ["XML"]),
        .testTarget(name: "ThreatModelTests", dependencies: ["ThreatModel"]),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas", "Geo", "ThreatModel"]),
        .testTarget(name: "AlertIngestTests", dependencies: ["AlertIngest", "Atlas", "Geo", "ThreatModel"]),
        .testTarget(name: "ThreatStoreTests", dependencies: [
            "ThreatStore", "ThreatModel", "Geo", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "VectorTilesTests", dependencies: ["VectorTiles", "Geo"]),
        .testTarget(name: "ThreatLayersTests", dependencies: ["ThreatLayers", "AlertIngest", "Atlas", "Geo", "ThreatModel"]),
        .testTarget(name: "ThreatMapCoreTests", dependencies: ["ThreatMapCore", "ThreatStore", "ThreatModel", "Geo"]),
        .testTarget(name: "ThreatServiceTests", dependencies: [
            "ThreatService", "ThreatMapCore", "ThreatStore", "Geo", "ThreatModel", "ThreatLayers", "AlertIngest", "Atlas", "VectorTiles",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ThreatmapTests", dependencies: ["Geo", "ThreatStore", "VectorTiles"]),
    ],
    swiftLanguageModes: [.v6]
)
