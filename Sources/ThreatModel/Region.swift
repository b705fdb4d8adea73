/// One of Mali's first-level administrative regions (or the Bamako capital district).
public struct Region: Hashable, Identifiable, Sendable {
    /// The lower-case ASCII slug of the name: `bamako`, `tombouctou`, `segou`...
    public var id: String
    /// The name in French, as Mali writes it: "Ségou", "Tombouctou".
    public var name: String
    /// Other names the region goes by: without accents, in English ("Timbuktu"), older spellings.
    public var aliases: [String]

    public init(id: String, name: String, aliases: [String] = []) {
        self.id = id
        self.name = name
        self.aliases = aliases
    }

    /// The name and every alias.
    public var allNames: [String] { [name] + aliases }
}

/// A threat zone: a set of regions that advisories speak of together ("northern Mali").
public struct Zone: Hashable, Identifiable, Sendable {
    /// `northern`, `central`, `bamako` or `southern`.
    public var id: String
    public var name: String
    /// The ids of the regions that form the zone.
    public var regionIDs: [String]
    /// For a zone that reaches past its regions (Bamako and its surrounding area): how far, in
    /// kilometres on the ground, beyond the regions' boundary. Nil for a zone of whole regions.
    public var surroundingRadiusKilometres: Double?

    public init(id: String, name: String, regionIDs: [String], surroundingRadiusKilometres: Double? = nil) {
        self.id = id
        self.name = name
        self.regionIDs = regionIDs
        self.surroundingRadiusKilometres = surroundingRadiusKilometres
    }
}
