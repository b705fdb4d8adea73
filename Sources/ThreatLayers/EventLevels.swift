import Foundation
import Geo
import ThreatModel

/// Which statements set an area's level: the active alerts, the event record, or the higher of
/// the two (the default).
public enum LevelBasis: String, CaseIterable, Sendable {
    case alerts, events, both
}

/// An indicator of the event record, as the thresholds file names it.
public enum EventIndicator: String, CaseIterable, Sendable {
    case events, fatalities
    case civilianEvents = "civilian_events"
    case civilianShare = "civilian_share"
    case intensity, diffusion
}

/// What the event record says of one area, for one category or all of them, over the window.
public struct EventMeasures: Sendable, Equatable {
    public var events = 0
    public var fatalities = 0
    public var civilianEvents = 0
    /// Events weighted by recency: each weighs 0.5^(age / half-life).
    public var intensity = 0.0
    /// The share of the area's surface in grid cells where an event happened, 0 to 1.
    public var diffusion = 0.0

    public init() {}

    public var civilianShare: Double { events == 0 ? 0 : Double(civilianEvents) / Double(events) }

    public func value(_ i: EventIndicator) -> Double {
        switch i {
        case .events: Double(events)
        case .fatalities: Double(fatalities)
        case .civilianEvents: Double(civilianEvents)
        case .civilianShare: civilianShare
        case .intensity: intensity
        case .diffusion: diffusion
        }
    }
}

/// A failure to read the thresholds file, with the JSON path of the fault.
public struct EventLevelRulesError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var path: String
    public var message: String
    public var description: String { "\(file): \(path): \(message)" }
}

/// How the event record sets levels: GeoData's `indicators/event-levels.json` (its `about` says
/// the rule in words).
public struct EventLevelRules: Sendable {
    public struct Rule: Sendable {
        public var indicator: EventIndicator
        /// The categories it applies to; nil: all.
        public var categories: Set<ThreatCategory>?
        public var minimumEvents: Int
        /// Highest level first.
        public var thresholds: [(level: ThreatLevel, atLeast: Double)]
    }

    public var windowDays: Int
    public var halfLifeDays: Double
    public var cellKilometres: Double
    public var rules: [Rule]

    public init(windowDays: Int = 30, halfLifeDays: Double = 7, cellKilometres: Double = 10, rules: [Rule] = []) {
        self.windowDays = windowDays
        self.halfLifeDays = halfLifeDays
        self.cellKilometres = cellKilometres
        self.rules = rules
    }

    /// Where the file lies in a GeoData folder.
    public static func file(in root: URL) -> URL { root.appendingPathComponent("indicators/event-levels.json") }

    public static func load(from url: URL) throws -> EventLevelRules {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url)) } catch {
            throw EventLevelRulesError(file: url.path, path: "$", message: "cannot be read (\(error.localizedDescription)); every GeoData folder needs it: copy it from the shipped GeoData")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw EventLevelRulesError(file: url.path, path: "$", message: "\(error)")
        }
        return try EventLevelRules(json: value, file: url.path)
    }

    public init(json: JSONValue, file: String) throws {
        func fail(_ path: String, _ message: String) -> EventLevelRulesError { EventLevelRulesError(file: file, path: path, message: message) }
        guard let root = json.objectValue else { throw fail("$", "expected an object") }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
            guard let n = root[key]?.numberValue, range.contains(n) else {
                throw fail("$.\(key)", "expected a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        let window = try number("window_days", 1...3_660)
        guard window == window.rounded() else { throw fail("$.window_days", "expected a whole number of days") }
        windowDays = Int(window)
        halfLifeDays = try number("half_life_days", 0.01...3_660)
        cellKilometres = try number("cell_km", 0.1...1_000)
        guard let list = root["rules"]?.arrayValue else { throw fail("$.rules", "expected an array of rules") }
        rules = try list.enumerated().map { i, v in
            let path = "$.rules[\(i)]"
            guard let o = v.objectValue else { throw fail(path, "expected an object") }
            guard let name = o["indicator"]?.stringValue, let indicator = EventIndicator(rawValue: name) else {
                throw fail("\(path).indicator", "expected one of \(EventIndicator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var categories: Set<ThreatCategory>?
            if let c = o["categories"] {
                guard let a = c.arrayValue else { throw fail("\(path).categories", "expected an array of categories") }
                categories = Set(try a.enumerated().map { j, v in
                    guard let s = v.stringValue, ThreatCategory.standard.map(\.rawValue).contains(s) else {
                        throw fail("\(path).categories[\(j)]", "expected one of \(ThreatCategory.standard.map(\.rawValue).joined(separator: ", "))")
                    }
                    return ThreatCategory(rawValue: s)
                })
            }
            var minimumEvents = 1
            if let m = o["min_events"] {
                guard let n = m.intValue, n >= 1 else { throw fail("\(path).min_events", "expected a count of at least 1") }
                minimumEvents = n
            }
            guard let levels = o["levels"]?.objectValue, !levels.isEmpty else {
                throw fail("\(path).levels", "expected an object of level (2-5) to threshold")
            }
            var thresholds: [(level: ThreatLevel, atLeast: Double)] = []
            for (k, v) in levels {
                guard let n = Int(k), let level = ThreatLevel(rawValue: n), level > .minimal else {
                    throw fail("\(path).levels.\(k)", "expected a level from 2 to 5 as the key")
                }
                guard let t = v.numberValue, t > 0 else { throw fail("\(path).levels.\(k)", "expected a threshold above 0") }
                thresholds.append((level, t))
            }
            thresholds.sort { $0.level > $1.level }
            // A higher level must not ask for less than a lower one: it would never be reached
            // in the order an analyst reads the file.
            for (a, b) in zip(thresholds, thresholds.dropFirst()) where a.atLeast < b.atLeast {
                throw fail("\(path).levels", "level \(a.level.rawValue) asks for \(a.atLeast), less than level \(b.level.rawValue)'s \(b.atLeast)")
            }
            return Rule(indicator: indicator, categories: categories, minimumEvents: minimumEvents, thresholds: thresholds)
        }
    }

    /// A category's event level from its measures, and the rule that set it ("fatalities 12 ≥
    /// 10"); 1 and nil without events.
    public func level(of m: EventMeasures, category: ThreatCategory) -> (level: ThreatLevel, rule: String?) {
        var best: (level: ThreatLevel, rule: String?) = (.minimal, nil)
        guard m.events > 0 else { return best }
        for r in rules where m.events >= r.minimumEvents && (r.categories?.contains(category) ?? true) {
            let v = m.value(r.indicator)
            guard let hit = r.thresholds.first(where: { v >= $0.atLeast }), hit.level > best.level else { continue }
            best = (hit.level, "\(r.indicator.rawValue.replacingOccurrences(of: "_", with: " ")) \(Self.format(v)) ≥ \(Self.format(hit.atLeast))")
        }
        return best
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return String(format: "%.3g", v)
    }
}

/// The event record of one area (region, cercle or zone) over the window, and the levels it sets.
public struct AreaEvents: Sendable {
    public var total = EventMeasures()
    public var byCategory: [ThreatCategory: EventMeasures] = [:]
    public var levels: [ThreatCategory: ThreatLevel] = [:]
    /// Per category with a level above 1, the words that say why.
    public var reasons: [ThreatCategory: String] = [:]
    /// The most recent event (then the deadliest, then by id), of all and per category.
    public var latest: Incident?
    public var latestByCategory: [ThreatCategory: Incident] = [:]

    public init() {}

    public var level: ThreatLevel { levels.values.max() ?? .minimal }

    /// The reason behind the highest level: of its categories, the first in the standard order.
    public var topReason: String? {
        let top = level
        guard top > .minimal else { return nil }
        let c = ThreatCategory.standard.first { levels[$0] == top } ?? levels.keys.sorted().first { levels[$0] == top }
        return c.flatMap { reasons[$0] }
    }
}

/// Counts events on an equal-area grid: each area's cells (`cell_km` squares on a Lambert
/// azimuthal equal-area projection centred on the country, made with PROJ) with the part of the
/// area in each (intersected with GEOS), so that diffusion is the share of an area's surface
/// where events happened. Made once per set of areas; owns a PROJ transform, so one task at a time.
final class EventGrid {
    let transform: CoordinateTransform
    let cell: Double
    /// Per area id, the square metres of the area in each cell it touches.
    private(set) var cells: [String: [Int64: Double]] = [:]
    private(set) var areas: [String: Double] = [:]

    init(areas objects: [(id: String, object: GEOSObject)], centre: Position, cellKilometres: Double) throws {
        transform = try CoordinateTransform(
            from: "EPSG:4326",
            to: "+proj=laea +lat_0=\(centre.y) +lon_0=\(centre.x) +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs")
        cell = cellKilometres * 1000
        for (id, object) in objects {
            let projected = try transform.transform(object)
            guard let b = projected.bounds else { continue }
            areas[id] = try projected.area()
            var mine: [Int64: Double] = [:]
            let y0 = Int((b.minY / cell).rounded(.down)), y1 = Int((b.maxY / cell).rounded(.down))
            let x0 = Int((b.minX / cell).rounded(.down)), x1 = Int((b.maxX / cell).rounded(.down))
            for iy in y0...y1 {
                // One row of cells at a time: each cell is clipped from its row, not the whole area.
                let row = try projected.clipped(to: BoundingBox(minX: b.minX - 1, minY: Double(iy) * cell, maxX: b.maxX + 1, maxY: Double(iy + 1) * cell))
                guard !row.isEmpty, let rb = row.bounds else { continue }
                let rx0 = max(x0, Int((rb.minX / cell).rounded(.down))), rx1 = min(x1, Int((rb.maxX / cell).rounded(.down)))
                guard rx0 <= rx1 else { continue }
                for ix in rx0...rx1 {
                    let piece = try row.clipped(to: BoundingBox(minX: Double(ix) * cell, minY: Double(iy) * cell, maxX: Double(ix + 1) * cell, maxY: Double(iy + 1) * cell))
                    let a = piece.isEmpty ? 0 : try piece.area()
                    if a > 0 { mine[Self.key(ix, iy)] = a }
                }
            }
            cells[id] = mine
        }
    }

    static func key(_ ix: Int, _ iy: Int) -> Int64 { (Int64(ix) << 32) | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: iy))) }

    /// The cell a position falls in; nil where PROJ cannot project it.
    func key(_ p: Position) -> Int64? {
        guard let q = try? transform.transform(p) else { return nil }
        return Self.key(Int((q.x / cell).rounded(.down)), Int((q.y / cell).rounded(.down)))
    }

    /// The share of area `id` in `keys`' cells.
    func share(_ id: String, _ keys: Set<Int64>) -> Double {
        guard let mine = cells[id], let total = areas[id], total > 0 else { return 0 }
        var covered = 0.0
        for k in keys { covered += mine[k] ?? 0 }
        return min(1, covered / total)
    }
}

/// Measures the event record per area and sets its levels.
struct EventScoring {
    let rules: EventLevelRules

    /// Per area, the measures of the incidents `area` assigns to it (dated within the window),
    /// with `cells[i]` the grid cell of incident i.
    func measure(_ incidents: [Incident], cells: [Int64?], at moment: Date, windowDays: Int, grid: EventGrid,
                 area: (Incident) -> String?) -> [String: AreaEvents] {
        let start = UTCDate.windowStart(endingWith: moment, days: windowDays)
        var out: [String: AreaEvents] = [:]
        var touched: [String: Set<Int64>] = [:]
        var touchedByCategory: [String: [ThreatCategory: Set<Int64>]] = [:]
        for (n, i) in incidents.enumerated() {
            guard i.date >= start, i.date <= moment, let id = area(i) else { continue }
            let ageDays = max(0, moment.timeIntervalSince(i.date.addingTimeInterval(43_200)) / 86_400)
            let weight = pow(0.5, ageDays / rules.halfLifeDays)
            func add(_ m: inout EventMeasures) {
                m.events += 1
                m.fatalities += i.fatalities
                if i.civilianTargeting { m.civilianEvents += 1 }
                m.intensity += weight
            }
            func later(_ l: Incident?) -> Bool { l.map { (i.date, i.fatalities, $0.id) > ($0.date, $0.fatalities, i.id) } ?? true }
            // In place: a copy out of the dictionary and back would copy its tables per incident.
            func update(_ e: inout AreaEvents) {
                add(&e.total)
                for (k, c) in i.categories.enumerated() where !i.categories[..<k].contains(c) {
                    add(&e.byCategory[c, default: EventMeasures()])
                    if later(e.latestByCategory[c]) { e.latestByCategory[c] = i }
                }
                if later(e.latest) { e.latest = i }
            }
            update(&out[id, default: AreaEvents()])
            if let k = cells[n] {
                touched[id, default: []].insert(k)
                for c in i.categories { touchedByCategory[id, default: [:]][c, default: []].insert(k) }
            }
        }
        for (id, var e) in out {
            e.total.diffusion = grid.share(id, touched[id] ?? [])
            for (c, keys) in touchedByCategory[id] ?? [:] { e.byCategory[c]?.diffusion = grid.share(id, keys) }
            setLevels(&e, windowDays: windowDays, moment: moment)
            out[id] = e
        }
        return out
    }

    func setLevels(_ e: inout AreaEvents, windowDays: Int, moment: Date) {
        for (c, m) in e.byCategory {
            let (level, rule) = rules.level(of: m, category: c)
            guard level > .minimal else { continue }
            e.levels[c] = level
            e.reasons[c] = Self.reason(c, level, m, rule: rule, latest: e.latestByCategory[c], windowDays: windowDays, moment: moment)
        }
    }

    /// A zone's event record: per category the highest level of its regions, with that region's
    /// reason; counts summed (diffusion, a share of each region, is not carried up).
    static func zone(_ regions: [(name: String, events: AreaEvents)]) -> AreaEvents? {
        guard !regions.isEmpty else { return nil }
        var z = AreaEvents()
        for (name, e) in regions {
            z.total.events += e.total.events
            z.total.fatalities += e.total.fatalities
            z.total.civilianEvents += e.total.civilianEvents
            z.total.intensity += e.total.intensity
            for (c, level) in e.levels where level > (z.levels[c] ?? .minimal) {
                z.levels[c] = level
                z.reasons[c] = "in \(name), " + (e.reasons[c] ?? "")
            }
        }
        return z
    }

    /// "armed conflict 4 (High) from events: 12 fatalities in 1 event in the 30 days to
    /// 2024-06-22, the latest 'Battles near Menaka' on 2024-06-21 (fatalities 12 ≥ 10)".
    static func reason(_ c: ThreatCategory, _ level: ThreatLevel, _ m: EventMeasures, rule: String?, latest: Incident?,
                       windowDays: Int, moment: Date) -> String {
        var s = "\(c.rawValue.replacingOccurrences(of: "_", with: " ")) \(level.rawValue) (\(level.label)) from events: "
        s += "\(m.fatalities) \(m.fatalities == 1 ? "fatality" : "fatalities") in \(m.events) \(m.events == 1 ? "event" : "events")"
        if m.civilianEvents > 0 { s += " (\(m.civilianEvents) against civilians)" }
        s += " in the \(windowDays) days to \(UTCDate.formatDay(moment))"
        if let l = latest {
            let what = l.eventType.isEmpty ? "an event" : l.eventType
            s += ", the latest '\(what)\(l.location.isEmpty ? "" : " near " + l.location)' on \(UTCDate.formatDay(l.date))"
        }
        if let rule { s += " (\(rule))" }
        return s
    }
}
