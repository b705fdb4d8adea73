import Foundation
import Geo
import ThreatModel

/// Reads conflict-event tables in ACLED's layouts, current and older: columns found by header
/// name in any order (others ignored), one incident per `event_id_cnty` (ACLED repeats an event
/// once per actor; the repeats are merged), dates as `2021-03-21` or `21 March 2021`. A bad row
/// is reported with its line and reason; the good rows are kept.
///
/// Categories come from `event_type` and `sub_event_type` by the lexicon's `acled` table (the
/// sub-event wins), plus terrorism where an actor is a jihadist group the lexicon knows. Level:
/// 5 with 10 or more fatalities, 4 with any, else the type's own level.
public struct EventCSVReader {
    public let context: ResolutionContext
    /// At most this many row errors are listed; the rest are counted.
    public var maximumErrors = 1000

    public init(context: ResolutionContext) { self.context = context }

    static let idColumns = ["event_id_cnty", "data_id", "event_id"]
    static let actorColumns = ["actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "ally_actor_1", "ally_actor_2"]

    /// The column index of each field the reader uses, looked up once from the header.
    struct Columns {
        var ids: [Int?], actors: [Int?]
        var event_date, latitude, longitude, fatalities, event_type, sub_event_type, admin1, admin2, location, notes, civilian_targeting: Int?

        init(_ c: [String: Int]) {
            ids = EventCSVReader.idColumns.map { c[$0] }
            actors = EventCSVReader.actorColumns.map { c[$0] }
            event_date = c["event_date"]; latitude = c["latitude"]; longitude = c["longitude"]; fatalities = c["fatalities"]
            event_type = c["event_type"]; sub_event_type = c["sub_event_type"]; admin1 = c["admin1"]; admin2 = c["admin2"]; location = c["location"]; notes = c["notes"]
            civilian_targeting = c["civilian_targeting"]
        }
    }

    /// Reads the table. With `emit`, incidents are also handed over in batches as they are read
    /// (an incident merged with a later row comes again, complete), so that storing can overlap
    /// reading.
    public func read(_ bytes: [UInt8], emit: (([Incident]) -> Void)? = nil, batchSize: Int = 2_000) throws -> EventTable {
        var header: [String] = []
        var columns: [String: Int] = [:]
        var incidents: [Incident] = []
        var byID: [String: Int] = [:]
        var pending: [Incident] = []
        func hand(_ i: Incident) {
            guard let emit else { return }
            pending.append(i)
            if pending.count >= batchSize {
                emit(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        var errors: [RowError] = []
        var errorCount = 0
        var merged = 0
        var cache: [Position: PointLocation] = [:]
        // Event types, admin1 names and actors repeat: resolve each once.
        var folded: [String: String] = [:]
        func fold(_ s: String) -> String {
            if let f = folded[s] { return f }
            let f = NameFolding.fold(s)
            folded[s] = f
            return f
        }
        var actorKinds: [String: String] = [:]
        func actorKind(_ a: String) -> String {
            if let k = actorKinds[a] { return k }
            let k = lexicon.actorKinds[actorName(a)] ?? ""
            actorKinds[a] = k
            return k
        }
        let lexicon = context.lexicon
        func fail(_ line: Int, _ message: String) {
            errorCount += 1
            if errors.count < maximumErrors { errors.append(RowError(line: line, message: message)) }
        }
        var headerError: AlertParseError?
        var timedOut: TimeLimitExceeded?
        let deadline = context.deadline
        var rows = 0
        var col = Columns([:])
        // Lenient: a row with the wrong number of fields comes to `skipped` and is reported.
        do {
            try CSVScanner(.lenient).scan(bytes, header: { fields in
                header = (0..<fields.count).map { fields[$0].lowercased() }
                for (i, h) in header.enumerated() where columns[h] == nil { columns[h] = i }
                let missing = ["event_date", "latitude", "longitude"].filter { columns[$0] == nil }
                    + (Self.idColumns.contains { columns[$0] != nil } ? [] : ["event_id_cnty"])
                col = Columns(columns)
                if !missing.isEmpty {
                    headerError = AlertParseError("line \(fields.line)", "the header lacks the column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); found: \(header.prefix(40).joined(separator: ", "))")
                    return false
                }
                return true
            }, row: { fields in
                let line = fields.line
                rows += 1
                if rows & 255 == 0, let exceeded = deadline.exceeded {
                    timedOut = exceeded
                    return false
                }
                func field(_ column: Int?) -> String {
                    guard let i = column, i < fields.count else { return "" }
                    return fields[i]
                }
                let id = col.ids.lazy.map(field).first { !$0.isEmpty } ?? ""
                guard !id.isEmpty else { fail(line, "no event id (event_id_cnty)"); return true }
                let actors = col.actors.map(field).flatMap { $0.split(separator: ";").map { String($0).trimmingSpaces } }.filter { !$0.isEmpty }
                if let k = byID[id] {
                    var added = false
                    for a in actors where !incidents[k].actors.contains(a) {
                        incidents[k].actors.append(a)
                        added = true
                    }
                    if added { hand(incidents[k]) }
                    merged += 1
                    return true
                }
                let dateText = field(col.event_date)
                guard let date = DateParsing.day(dateText) else {
                    fail(line, dateText.isEmpty ? "no event_date" : "event_date \"\(dateText)\" is not a date (2021-03-21 or 21 March 2021)")
                    return true
                }
                let latText = field(col.latitude), lonText = field(col.longitude)
                guard !latText.isEmpty, !lonText.isEmpty else { fail(line, "no coordinates (latitude, longitude)"); return true }
                guard let lat = Double(latText), let lon = Double(lonText), lat.isFinite, lon.isFinite else {
                    fail(line, "coordinates \"\(latText)\", \"\(lonText)\" are not numbers")
                    return true
                }
                guard abs(lat) <= 90, abs(lon) <= 180 else { fail(line, "coordinates \(lat), \(lon) are out of range"); return true }
                let fatalText = field(col.fatalities)
                guard let fatalities = fatalText.isEmpty ? 0 : Int(fatalText), fatalities >= 0 else {
                    fail(line, "fatalities \"\(fatalText)\" is not a count")
                    return true
                }
                let position = Position(lon, lat)
                let location: PointLocation
                if let hit = cache[position] {
                    location = hit
                } else {
                    do { location = try context.locate(position) } catch { fail(line, "cannot locate the point: \(error)"); return true }
                    cache[position] = location
                }
                let eventType = field(col.event_type), subEventType = field(col.sub_event_type)
                var categories: [ThreatCategory] = []
                var level = ThreatLevel.minimal
                var remarks: [String] = []
                let sub = lexicon.acledSubEventTypes[fold(subEventType)]
                let main = lexicon.acledEventTypes[fold(eventType)]
                if let rule = sub ?? main {
                    if let c = rule.category { categories.append(c) }
                    level = rule.level
                } else if !eventType.isEmpty {
                    remarks.append("event type \"\(eventType)\" is not in the lexicon: no category")
                }
                if actors.contains(where: { actorKind($0) == "jihadist" }), !categories.contains(.terrorism), !categories.isEmpty {
                    categories.append(.terrorism)
                }
                if !categories.isEmpty {
                    if fatalities >= 10 { level = .extreme } else if fatalities > 0 { level = max(level, .high) }
                }
                if let note = location.note { remarks.append(note) }
                let admin1 = field(col.admin1)
                if !admin1.isEmpty, let region = location.regionID {
                    if let said = context.regionByName[fold(admin1)] {
                        if said != region { remarks.append("the source's admin1 is \(admin1) (\(said)); the point lies in \(region), which we keep") }
                    } else {
                        remarks.append("the source's admin1 \"\(admin1)\" is no region we know")
                    }
                }
                let admin2 = field(col.admin2)
                if !admin2.isEmpty, let cercle = location.cercleID {
                    let said = context.cercleByName[fold(admin2)] ?? []
                    if said.isEmpty {
                        remarks.append("the source's admin2 \"\(admin2)\" is no cercle we know")
                    } else if !said.contains(cercle) {
                        remarks.append("the source's admin2 is \(admin2) (\(said.joined(separator: ", "))); the point lies in cercle \(cercle), which we keep")
                    }
                }
                byID[id] = incidents.count
                incidents.append(Incident(
                    id: id, date: date, position: position, regionID: location.regionID, zoneID: location.zoneID,
                    categories: categories, level: level, fatalities: fatalities, eventType: eventType, subEventType: subEventType,
                    actors: actors, sourceAdmin1: admin1, location: field(col.location), notes: field(col.notes), line: line, remarks: remarks,
                    cercleID: location.cercleID,
                    civilianTargeting: !field(col.civilian_targeting).isEmpty || lexicon.civilianEventTypes.contains(fold(eventType))
                        || lexicon.civilianEventTypes.contains(fold(subEventType))))
                hand(incidents[incidents.count - 1])
                return true
            }, skipped: { fail($0.line, $0.message) })
        } catch {
            throw AlertParseError("line \(error.line)", error.message)
        }
        if let headerError { throw headerError }
        if let timedOut { throw timedOut }
        if let emit, !pending.isEmpty { emit(pending) }
        if header.isEmpty { throw AlertParseError("", "the file is empty: a header row is needed") }
        if errorCount > errors.count {
            errors.append(RowError(line: 0, message: "\(errorCount - errors.count) more row errors not listed"))
        }
        return EventTable(incidents: incidents, errors: errors, merged: merged)
    }

    /// The lexicon's name for an actor as ACLED writes it: "JNIM: Group for Support of Islam and
    /// Muslims" → "JNIM".
    func actorName(_ actor: String) -> String {
        let tokens = Tokenizer.tokens(actor)
        for m in context.lexicon.actors.scan(tokens) { return m.payload.name }
        return actor
    }
}
