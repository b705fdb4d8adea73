import Foundation
import ThreatModel

/// Settings of scoring and layers that GeoData's lexicon holds.
public struct LayerSettings: Sendable {
    /// How long an alert stays active when its source gives no end, by its level.
    public var defaultLifetimeDays: [ThreatLevel: Int]
    /// The radius of the footprint around a named place, by gazetteer kind (`capital`, `city`,
    /// `town`, `village`, `default`).
    public var placeRadiusKilometres: [String: Double]

    public init(defaultLifetimeDays: [ThreatLevel: Int], placeRadiusKilometres: [String: Double]) {
        self.defaultLifetimeDays = defaultLifetimeDays
        self.placeRadiusKilometres = placeRadiusKilometres
    }

    public func lifetime(_ level: ThreatLevel) -> TimeInterval {
        TimeInterval(defaultLifetimeDays[level] ?? 14) * 86_400
    }

    public func radius(_ kind: String?) -> Double {
        placeRadiusKilometres[kind ?? "default"] ?? placeRadiusKilometres["default"] ?? 10
    }
}

/// Why a region or zone has a level: one alert's statement.
public struct LevelReason: Hashable, Sendable {
    public var alertID: String
    public var category: ThreatCategory
    public var level: ThreatLevel
    public var provenance: Provenance
}

/// The threat in one area (region, cercle or zone) at one moment: what the active alerts say,
/// what the event record says, and the levels that `basis` makes of the two.
public struct AreaThreat: Sendable {
    /// The levels the active alerts give, per category.
    public var alertLevels: [ThreatCategory: ThreatLevel] = [:]
    public var reasons: [LevelReason] = []
    public var alertIDs: Set<String> = []
    public var latestUpdate: Date?
    /// The event record over the window, where the area had events.
    public var events: AreaEvents?
    public var basis: LevelBasis = .both

    public init() {}

    /// The levels per category: the alerts', the events' or the higher of the two, by `basis`.
    public var levels: [ThreatCategory: ThreatLevel] {
        switch basis {
        case .alerts: return alertLevels
        case .events: return events?.levels ?? [:]
        case .both: return alertLevels.merging(events?.levels ?? [:], uniquingKeysWith: max)
        }
    }

    /// The highest category level, or minimal when neither alerts nor events touch the area.
    public var level: ThreatLevel { levels.values.max() ?? .minimal }
    public var alertLevel: ThreatLevel { alertLevels.values.max() ?? .minimal }
    public var eventLevel: ThreatLevel { events?.level ?? .minimal }

    /// Which of the two set the level: `alerts`, `events`, `both` (equal, above 1) or `none`.
    public var levelSource: String {
        let a = basis == .events ? .minimal : alertLevel, e = basis == .alerts ? .minimal : eventLevel
        if max(a, e) == .minimal { return "none" }
        return a == e ? "both" : a > e ? "alerts" : "events"
    }

    /// The statement behind the highest level: the first of the highest, by alert id and field,
    /// so that the same store and date always give the same reason.
    public var topReason: LevelReason? {
        reasons.sorted { ($0.level.rawValue, $1.alertID, $1.provenance.field) > ($1.level.rawValue, $0.alertID, $0.provenance.field) }.first
    }

    mutating func add(_ alert: Alert, _ category: ThreatCategory, _ level: ThreatLevel, _ provenance: Provenance) {
        alertLevels[category] = max(alertLevels[category] ?? .minimal, level)
        reasons.append(LevelReason(alertID: alert.id, category: category, level: level, provenance: provenance))
        alertIDs.insert(alert.id)
        if let d = alert.published ?? alert.effective { latestUpdate = max(latestUpdate ?? d, d) }
    }
}

/// Which alerts are active at a moment, and the threat they put on each region and zone.
///
/// The rule, checkable by hand:
/// 1. An alert is active at T when its status is Actual, it is not a cancel, it has started
///    (effective, else published, is at or before T), it has not ended (T is before `expires`,
///    else before its start plus the default lifetime for its level), no update published at or
///    before T replaces it, and no cancel published at or before T ends it. An alert without
///    any date counts as started.
/// 2. Each active alert places each category at the level of its assessments in the regions and
///    zones of the places where its event happened or its threat applies. Places named only as
///    context place nothing; a place named in background carries the level its own clause gave
///    it, one below the alert's baseline unless a cue there says otherwise.
/// 3. A region's (zone's) level in a category is the highest any active alert gives it there;
///    its overall level is the highest across categories; with no active alert it is 1 Minimal.
public struct ThreatScoring: Sendable {
    public var settings: LayerSettings

    public init(settings: LayerSettings) { self.settings = settings }

    public func start(_ a: Alert) -> Date? { a.effective ?? a.published }

    /// When an alert stops counting, if nothing replaces or cancels it first.
    public func end(_ a: Alert) -> Date? {
        if let e = a.expires { return e }
        return start(a).map { $0.addingTimeInterval(settings.lifetime(a.level)) }
    }

    /// The alerts active at `moment`, by id order.
    public func active(_ alerts: [Alert], at moment: Date) -> [Alert] {
        // Ends by updates and cancels published by then.
        var endedBy: [String: Date] = [:]
        for a in alerts where a.messageType != .alert && a.status.lowercased() == "actual" {
            guard let when = a.published ?? a.effective, when <= moment else { continue }
            for r in a.references where r != a.id { endedBy[r] = min(endedBy[r] ?? when, when) }
        }
        return alerts.filter { a in
            guard a.status.lowercased() == "actual", a.messageType != .cancel else { return false }
            if let s = start(a), s > moment { return false }
            if let e = end(a), moment >= e { return false }
            if endedBy[a.id] != nil { return false }
            return true
        }.sorted { $0.id < $1.id }
    }

    /// The threat per region and per zone from the active alerts.
    public func threats(of active: [Alert]) -> (regions: [String: AreaThreat], zones: [String: AreaThreat]) {
        let t = threats(of: active, cerclesOfRegion: [:])
        return (t.regions, t.zones)
    }

    /// The threat per region, zone and cercle. A statement about a cercle, or a place or point
    /// in one, counts in that cercle (and its region); one about whole regions counts in every
    /// cercle of them (`cerclesOfRegion`).
    public func threats(of active: [Alert], cerclesOfRegion: [String: [String]])
        -> (regions: [String: AreaThreat], zones: [String: AreaThreat], cercles: [String: AreaThreat]) {
        var regions: [String: AreaThreat] = [:]
        var zones: [String: AreaThreat] = [:]
        var cercles: [String: AreaThreat] = [:]
        for alert in active {
            for a in alert.assessments {
                guard let p = a.place else { continue }
                let place = alert.places[p]
                guard place.role != .context else { continue }
                for r in place.regionIDs { regions[r, default: AreaThreat()].add(alert, a.category, a.level, a.provenance) }
                for z in place.zoneIDs { zones[z, default: AreaThreat()].add(alert, a.category, a.level, a.provenance) }
                guard !cerclesOfRegion.isEmpty else { continue }
                for c in place.cercleIDs ?? place.regionIDs.flatMap({ cerclesOfRegion[$0] ?? [] }) {
                    cercles[c, default: AreaThreat()].add(alert, a.category, a.level, a.provenance)
                }
            }
        }
        return (regions, zones, cercles)
    }
}
