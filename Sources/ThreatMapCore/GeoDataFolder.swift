import AlertIngest
import Atlas
import Foundation
import ThreatLayers

/// A GeoData folder loaded once: Mali's atlas and the lexicon, from which both shells make their
/// resolvers and layer builders. Found as `GeoDataLocation` says (an explicit folder, then
/// `THREATMAP_GEODATA`, then beside the binary, then the source tree).
public struct GeoDataFolder: Sendable {
    public let root: URL
    public let atlas: Atlas
    public let lexicon: Lexicon
    /// How events set levels (`indicators/event-levels.json`).
    public let eventRules: EventLevelRules

    public init(explicit: String? = nil) throws {
        let mali = try GeoDataLocation.maliDirectory(explicit: explicit)
        root = mali.deletingLastPathComponent()
        atlas = try Atlas.load(from: mali)
        lexicon = try Lexicon.load(from: GeoDataLocation.lexiconFile(root))
        eventRules = try EventLevelRules.load(from: EventLevelRules.file(in: root))
    }

    /// A resolver over this folder; it owns GEOS contexts, so make one per task.
    public func resolutionContext(toleranceKilometres: Double = ResolutionContext.defaultToleranceMetres / 1000) throws -> ResolutionContext {
        try ResolutionContext(atlas: atlas, lexicon: lexicon, toleranceMetres: toleranceKilometres * 1000)
    }

    /// A layer builder over the atlas, with the lexicon's default alert lifetimes and place radii
    /// and the event thresholds.
    public func layerBuilder() throws -> LayerBuilder {
        try LayerBuilder(atlas: atlas, settings: LayerSettings(defaultLifetimeDays: lexicon.defaultLifetimeDays,
                                                               placeRadiusKilometres: lexicon.placeRadiusKilometres),
                         eventRules: eventRules)
    }
}
