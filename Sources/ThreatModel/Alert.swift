import Foundation
import Geo

/// Where a statement came from in its source: a section and sentence of an advisory, a field of a
/// CAP or JSON document, a row of a table; and the words themselves.
public struct Provenance: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `title`, `Event sentence 3`, `info[0]/severity`, `line 12`...
    public var field: String
    /// The sentence or value as the source wrote it.
    public var text: String

    public init(field: String, text: String) {
        self.field = field
        self.text = text
    }

    public var description: String { "\(field): \(text)" }
}

/// What a named place is to an alert.
public enum PlaceRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Where the event happened.
    case event
    /// Where the threat applies (advice, warnings, the areas a CAP alert names).
    case threat
    /// Named only as background: it places no threat.
    case context

    public static func < (a: PlaceRole, b: PlaceRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A place an alert names, resolved to regions and zones.
public struct PlaceMention: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A gazetteer place: a town, city or village.
        case place
        case region
        /// A cercle (admin-2 unit), where the GeoData has cercles.
        case cercle
        case zone
        /// The whole country ("nationwide").
        case country
        /// A point given by coordinates (a CSV row, a CAP point).
        case point
        /// An area given by geometry (a CAP polygon or circle, a GeoJSON geometry).
        case area
        /// A place outside Mali: reported, placing nothing.
        case outside
    }

    /// The words as written, or a description of the geometry.
    public var text: String
    public var kind: Kind
    public var role: PlaceRole
    /// The gazetteer or region name it resolved to.
    public var name: String?
    public var regionIDs: [String]
    public var zoneIDs: [String]
    /// The cercles it stands in, where the GeoData has cercles: a named cercle, or the cercle of
    /// a place or point. Nil when it stands for whole regions (or there are no cercles).
    public var cercleIDs: [String]?
    /// A point place's position (lon/lat).
    public var position: Position?
    /// An area's footprint (lon/lat), for CAP polygons and circles.
    public var geometry: Geometry?
    /// The gazetteer kind (`capital`, `city`, `town`, `village`) of a place.
    public var placeKind: String?
    /// How much this mention counts when levels are combined: 1 for the event's own place, less
    /// for a place named in background.
    public var weight: Double
    public var provenance: Provenance
    /// What resolution noticed: near-boundary assignments, disagreements with the source.
    public var notes: [String]

    public init(text: String, kind: Kind, role: PlaceRole, name: String? = nil, regionIDs: [String], zoneIDs: [String],
                cercleIDs: [String]? = nil, position: Position? = nil, geometry: Geometry? = nil, placeKind: String? = nil,
                weight: Double = 1, provenance: Provenance, notes: [String] = []) {
        self.text = text
        self.kind = kind
        self.role = role
        self.name = name
        self.regionIDs = regionIDs
        self.zoneIDs = zoneIDs
        self.cercleIDs = cercleIDs
        self.position = position
        self.geometry = geometry
        self.placeKind = placeKind
        self.weight = weight
        self.provenance = provenance
        self.notes = notes
    }
}

/// One finding: a threat category at a level, in the regions of one place mention (or alert-wide
/// when `place` is nil), and why.
public struct ThreatAssessment: Hashable, Sendable, Codable {
    public var category: ThreatCategory
    public var level: ThreatLevel
    /// The index of the place mention in `Alert.places`, or nil for the alert as a whole.
    public var place: Int?
    public var provenance: Provenance

    public init(category: ThreatCategory, level: ThreatLevel, place: Int?, provenance: Provenance) {
        self.category = category
        self.level = level
        self.place = place
        self.provenance = provenance
    }
}

/// The source formats ThreatMap reads.
public enum AlertFormat: String, Sendable, Codable, CaseIterable {
    case text
    case json
    case cap
    case csv
}

/// How an alert relates to earlier ones.
public enum AlertMessageType: String, Sendable, Codable {
    case alert
    /// Replaces the alerts it references.
    case update
    /// Ends the alerts it references.
    case cancel
}

/// A security alert, whatever its source format, with what resolution made of it.
public struct Alert: Hashable, Sendable, Codable, Identifiable {
    public var id: String
    public var format: AlertFormat
    public var title: String
    /// The language the text is written in, as a code ("en", "fr"), where it was detected or given.
    public var language: String?
    public var summary: String?
    public var published: Date?
    public var effective: Date?
    public var expires: Date?
    /// The source's own severity word ("Warning", CAP "Severe").
    public var severityWord: String?
    /// CAP `status`: Actual, Exercise, System, Test, Draft. Only actual alerts are scored.
    public var status: String
    public var messageType: AlertMessageType
    /// Alerts this one updates or cancels, by id.
    public var references: [String]
    /// Advisory updates: the N of "/update N".
    public var updateNumber: Int?
    /// What every version of one story shares (the title without "/update N").
    public var seriesKey: String?
    public var sources: [String]
    public var actors: [String]
    public var tactics: [String]
    public var advice: String?
    public var places: [PlaceMention]
    public var assessments: [ThreatAssessment]
    /// A level the alert as a whole reaches by words that name no place or category
    /// ("exercise maximum caution"): it raises `level`, not any region's.
    public var levelFloor: ThreatLevel?
    public var notes: [String]

    public init(id: String, format: AlertFormat, title: String, language: String? = nil, summary: String? = nil, published: Date? = nil,
                effective: Date? = nil, expires: Date? = nil, severityWord: String? = nil, status: String = "Actual",
                messageType: AlertMessageType = .alert, references: [String] = [], updateNumber: Int? = nil,
                seriesKey: String? = nil, sources: [String] = [], actors: [String] = [], tactics: [String] = [],
                advice: String? = nil, places: [PlaceMention] = [], assessments: [ThreatAssessment] = [], levelFloor: ThreatLevel? = nil, notes: [String] = []) {
        self.id = id
        self.format = format
        self.title = title
        self.language = language
        self.summary = summary
        self.published = published
        self.effective = effective
        self.expires = expires
        self.severityWord = severityWord
        self.status = status
        self.messageType = messageType
        self.references = references
        self.updateNumber = updateNumber
        self.seriesKey = seriesKey
        self.sources = sources
        self.actors = actors
        self.tactics = tactics
        self.advice = advice
        self.places = places
        self.assessments = assessments
        self.levelFloor = levelFloor
        self.notes = notes
    }

    /// The regions where the event happened or the threat applies, sorted; context-only places
    /// are not among them.
    public var regionIDs: [String] {
        Set(places.filter { $0.role != .context }.flatMap(\.regionIDs)).sorted()
    }

    /// The zones where the event happened or the threat applies, sorted.
    public var zoneIDs: [String] {
        Set(places.filter { $0.role != .context }.flatMap(\.zoneIDs)).sorted()
    }

    /// The highest level of each category anywhere in the alert.
    public var categoryLevels: [ThreatCategory: ThreatLevel] {
        var out: [ThreatCategory: ThreatLevel] = [:]
        for a in assessments { out[a.category] = max(out[a.category] ?? .minimal, a.level) }
        return out
    }

    /// The alert's overall level: its highest category level, or minimal.
    public var level: ThreatLevel {
        max(categoryLevels.values.max() ?? .minimal, levelFloor ?? .minimal)
    }
}

/// A geolocated event from an event table (ACLED) or a CAP point.
public struct Incident: Hashable, Sendable, Codable, Identifiable {
    /// The source's own id (`event_id_cnty`).
    public var id: String
    /// The day it happened (UTC midnight).
    public var date: Date
    public var position: Position
    /// Nil when the point lies outside Mali.
    public var regionID: String?
    public var zoneID: String?
    /// The cercle it lies in, where the GeoData has cercles.
    public var cercleID: String?
    public var categories: [ThreatCategory]
    public var level: ThreatLevel
    public var fatalities: Int
    public var eventType: String
    public var subEventType: String
    public var actors: [String]
    /// The source's own first-level division, as written.
    public var sourceAdmin1: String
    public var location: String
    public var notes: String
    /// The 1-based line of the table where it was first read.
    public var line: Int
    /// What resolution noticed (outside Mali, near the boundary, admin1 disagreement).
    public var remarks: [String]
    /// Whether the event targeted civilians: ACLED's `civilian_targeting` column, or an event
    /// type the lexicon counts as violence against civilians.
    public var civilianTargeting: Bool

    public init(id: String, date: Date, position: Position, regionID: String?, zoneID: String?, categories: [ThreatCategory],
                level: ThreatLevel, fatalities: Int, eventType: String, subEventType: String, actors: [String],
                sourceAdmin1: String, location: String, notes: String, line: Int, remarks: [String], cercleID: String? = nil,
                civilianTargeting: Bool = false) {
        self.id = id
        self.cercleID = cercleID
        self.civilianTargeting = civilianTargeting
        self.date = date
        self.position = position
        self.regionID = regionID
        self.zoneID = zoneID
        self.categories = categories
        self.level = level
        self.fatalities = fatalities
        self.eventType = eventType
        self.subEventType = subEventType
        self.actors = actors
        self.sourceAdmin1 = sourceAdmin1
        self.location = location
        self.notes = notes
        self.line = line
        self.remarks = remarks
    }
}
