/// How severe a threat is, on ThreatMap's five-step scale. The raw value is the level number
/// that layers carry as their integer `level` property.
public enum ThreatLevel: Int, CaseIterable, Comparable, Codable, Sendable, CustomStringConvertible {
    case minimal = 1
    case low = 2
    case moderate = 3
    case high = 4
    case extreme = 5

    public static func < (a: ThreatLevel, b: ThreatLevel) -> Bool { a.rawValue < b.rawValue }

    /// The label maps and legends show: "Minimal" ... "Extreme".
    public var label: String {
        switch self {
        case .minimal: "Minimal"
        case .low: "Low"
        case .moderate: "Moderate"
        case .high: "High"
        case .extreme: "Extreme"
        }
    }

    /// The map colour, from ColorBrewer's RdYlGn diverging scheme (green to red).
    public var colour: String {
        switch self {
        case .minimal: "#1a9850"
        case .low: "#91cf60"
        case .moderate: "#fee08b"
        case .high: "#fc8d59"
        case .extreme: "#d73027"
        }
    }

    public var description: String { "\(rawValue) \(label)" }
}

/// A kind of threat. The five named ones are the keys layers and `resolve` use; the set is open.
public struct ThreatCategory: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let terrorism = ThreatCategory(rawValue: "terrorism")
    public static let kidnapping = ThreatCategory(rawValue: "kidnapping")
    public static let armedConflict = ThreatCategory(rawValue: "armed_conflict")
    public static let crime = ThreatCategory(rawValue: "crime")
    public static let civilUnrest = ThreatCategory(rawValue: "civil_unrest")

    /// The categories every layer reports, in a fixed order.
    public static let standard: [ThreatCategory] = [.terrorism, .kidnapping, .armedConflict, .crime, .civilUnrest]

    public static func < (a: ThreatCategory, b: ThreatCategory) -> Bool { a.rawValue < b.rawValue }

    public var description: String { rawValue }
}
