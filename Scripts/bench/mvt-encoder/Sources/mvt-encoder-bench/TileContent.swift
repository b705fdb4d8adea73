import Foundation
import VectorTiles

/// One feature as the tiler hands it to an encoder: its MVT id, flat properties (the tiler puts
/// the string id first, as property `id`) and geometry in tile coordinates.
struct BenchFeature {
    let id: UInt64
    let properties: [(String, TileValue)]
    let geometry: TileGeometry
}

/// What one benchmark tile holds: a single layer of features.
struct TileContent {
    /// The row label in the results table.
    let kind: String
    let layerName: String
    let features: [BenchFeature]
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): every run builds the same
/// tiles.
struct LCG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next 53 random bits.
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }

    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next()) / 9_007_199_254_740_992 }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// Malian regions with their threat zone: the values incidents and regions carry.
private let regionZones: [(id: String, name: String, zone: String)] = [
    ("kayes", "Kayes", "southern"), ("koulikoro", "Koulikoro", "southern"), ("sikasso", "Sikasso", "southern"),
    ("segou", "Ségou", "central"), ("mopti", "Mopti", "central"), ("tombouctou", "Tombouctou", "northern"),
    ("gao", "Gao", "northern"), ("kidal", "Kidal", "northern"), ("bamako", "Bamako", "bamako"),
]

private let eventTypes = [
    "Battles", "Violence against civilians", "Explosions/Remote violence", "Protests", "Riots", "Strategic developments",
]

private let levelLabels = ["Minimal", "Low", "Moderate", "High", "Extreme"]
private let levelColours = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]

/// The tile extent every benchmark tile uses, and the tiler's buffer around it.
private let extent: Int32 = 4096
private let buffer: Int32 = 64

extension TileContent {
    /// A dense tile of the incidents layer: `count` single-point features clustered around a
    /// dozen towns, each with eight properties whose values mostly repeat (the id never does).
    static func incidents(count: Int = 5_000, seed: UInt64 = 1) -> TileContent {
        var random = LCG(seed: seed)
        let towns = (0..<12).map { _ in (Double(random.below(Int(extent))), Double(random.below(Int(extent)))) }
        let features = (0..<count).map { i -> BenchFeature in
            let town = random.pick(towns)
            // A sum of three uniforms: roughly normal, up to 900 tile units from the town.
            let dx = (random.unit() + random.unit() + random.unit() - 1.5) * 600
            let dy = (random.unit() + random.unit() + random.unit() - 1.5) * 600
            let x = min(max(Int32(town.0 + dx), -buffer), extent + buffer)
            let y = min(max(Int32(town.1 + dy), -buffer), extent + buffer)
            let region = random.pick(regionZones)
            let level = 1 + random.below(5)
            let fatalities = random.below(4) == 0 ? random.below(30) : 0
            let id = "MLI\(31_000 + i)"
            let properties: [(String, TileValue)] = [
                ("id", .string(id)),
                ("event_type", .string(random.pick(eventTypes))),
                ("region", .string(region.id)),
                ("zone", .string(region.zone)),
                ("date", .string("2024-06-\(String(format: "%02d", 1 + random.below(30)))")),
                ("level", .int(Int64(level))),
                ("fatalities", .int(Int64(fatalities))),
                ("confidence", .double(Double(50 + random.below(51)) / 100)),
            ]
            return BenchFeature(id: stableFeatureID(id), properties: properties, geometry: .points([(x, y)]))
        }
        return TileContent(kind: "incidents", layerName: "incidents", features: features)
    }

    /// A tile of the regions layer: nine polygons of about 500 vertices in a 3 × 3 grid, every
    /// third with a hole, each with eight properties.
    static func regions(seed: UInt64 = 2) -> TileContent {
        var random = LCG(seed: seed)
        let cell = Double(extent) / 3
        let radius = cell * 0.38
        let features = regionZones.enumerated().map { i, region -> BenchFeature in
            let centre = (cell * (Double(i % 3) + 0.5), cell * (Double(i / 3) + 0.5))
            var polygon = [ring(around: centre, radius: radius, vertices: 480 + random.below(41), clockwise: true, &random)]
            if i % 3 == 0 {
                let holeCentre = (centre.0 + radius * 0.3, centre.1 - radius * 0.2)
                polygon.append(ring(around: holeCentre, radius: radius * 0.2, vertices: 60, clockwise: false, &random))
            }
            let level = 1 + random.below(5)
            let properties: [(String, TileValue)] = [
                ("id", .string(region.id)),
                ("name", .string(region.name)),
                ("zone", .string(region.zone)),
                ("level", .int(Int64(level))),
                ("level_label", .string(levelLabels[level - 1])),
                ("colour", .string(levelColours[level - 1])),
                ("alert_count", .int(Int64(random.below(40)))),
                ("area_km2", .double(Double(100_000 + random.below(4_000_000)) / 10)),
            ]
            return BenchFeature(id: stableFeatureID(region.id), properties: properties, geometry: .polygons([polygon]))
        }
        return TileContent(kind: "regions", layerName: "regions", features: features)
    }

    /// A closed ring (last point not repeated) wandering between 0.7 and 1.2 times `radius` from
    /// `centre`; clockwise on screen (y down) for an exterior, counter-clockwise for a hole.
    private static func ring(around centre: (Double, Double), radius: Double, vertices: Int, clockwise: Bool,
                             _ random: inout LCG) -> [(Int32, Int32)] {
        var r = radius
        var points: [(Int32, Int32)] = []
        for k in 0..<vertices {
            r = min(max(r + (random.unit() - 0.5) * radius * 0.04, radius * 0.7), radius * 1.2)
            let angle = 2 * Double.pi * Double(k) / Double(vertices) * (clockwise ? 1 : -1)
            points.append((Int32((centre.0 + r * cos(angle)).rounded()), Int32((centre.1 + r * sin(angle)).rounded())))
        }
        return points
    }
}
