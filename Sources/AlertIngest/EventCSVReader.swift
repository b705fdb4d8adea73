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

    public func read(_ bytes: [UInt8]) throws -> EventTable {
        var header: [String] = []
        var columns: [String: Int] = [:]
        var incidents: [Incident] = []
        var byID: [String: Int] = [:]
        var errors: [RowError] = []
        var errorCount = 0
        var merged = 0
        var cache: [Position: PointLocation] = [:]
        let lexicon = context.lexicon
        func fail(_ line: Int, _ message: String) {
            errorCount += 1
            if errors.count < maximumErrors { errors.append(RowError(line: line, message: message)) }
        }
        var headerError: AlertParseError?
        try CSVScanner.scan(bytes) { line, fields in
            if header.isEmpty {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                for (i, h) in header.enumerated() where columns[h] == nil { columns[h] = i }
                let missing = ["event_date", "latitude", "longitude"].filter { columns[$0] == nil }
                    + (Self.idColumns.contains { columns[$0] != nil } ? [] : ["event_id_cnty"])
                if !missing.isEmpty {
                    headerError = AlertParseError("line \(line)", "the header lacks the column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); found: \(header.prefix(40).joined(separator: ", "))")
                    return false
                }
                return true
            }
            func field(_ name: String) -> String {
                guard let i = columns[name], i < fields.count else { return "" }
                return fields[i].trimmingCharacters(in: .whitespaces)
            }
            if fields.count != header.count {
                fail(line, "\(fields.count) fields where the header has \(header.count)")
                return true
            }
            let id = Self.idColumns.lazy.map(field).first { !$0.isEmpty } ?? ""
            guard !id.isEmpty else { fail(line, "no event id (event_id_cnty)"); return true }
            let actors = Self.actorColumns.map(field).flatMap { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            if let k = byID[id] {
                for a in actors where !incidents[k].actors.contains(a) { incidents[k].actors.append(a) }
                merged += 1
                return true
            }
            let dateText = field("event_date")
            guard let date = DateParsing.day(dateText) else {
                fail(line, dateText.isEmpty ? "no event_date" : "event_date \"\(dateText)\" is not a date (2021-03-21 or 21 March 2021)")
                return true
            }
            let latText = field("latitude"), lonText = field("longitude")
            guard !latText.isEmpty, !lonText.isEmpty else { fail(line, "no coordinates (latitude, longitude)"); return true }
            guard let lat = Double(latText), let lon = Double(lonText), lat.isFinite, lon.isFinite else {
                fail(line, "coordinates \"\(latText)\", \"\(lonText)\" are not numbers")
                return true
            }
            guard abs(lat) <= 90, abs(lon) <= 180 else { fail(line, "coordinates \(lat), \(lon) are out of range"); return true }
            let fatalText = field("fatalities")
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
            let eventType = field("event_type"), subEventType = field("sub_event_type")
            var categories: [ThreatCategory] = []
            var level = ThreatLevel.minimal
            var remarks: [String] = []
            let sub = lexicon.acledSubEventTypes[NameFolding.fold(subEventType)]
            let main = lexicon.acledEventTypes[NameFolding.fold(eventType)]
            if let rule = sub ?? main {
                if let c = rule.category { categories.append(c) }
                level = rule.level
            } else if !eventType.isEmpty {
                remarks.append("event type \"\(eventType)\" is not in the lexicon: no category")
            }
            if actors.contains(where: { a in lexicon.actorKinds[actorName(a)] == "jihadist" }), !categories.contains(.terrorism), !categories.isEmpty {
                categories.append(.terrorism)
            }
            if !categories.isEmpty {
                if fatalities >= 10 { level = .extreme } else if fatalities > 0 { level = max(level, .high) }
            }
            if let note = location.note { remarks.append(note) }
            let admin1 = field("admin1")
            if !admin1.isEmpty, let region = location.regionID {
                if let said = context.regionByName[NameFolding.fold(admin1)] {
                    if said != region { remarks.append("the source's admin1 is \(admin1) (\(said)); the point lies in \(region), which we keep") }
                } else {
                    remarks.append("the source's admin1 \"\(admin1)\" is no region we know")
                }
            }
            byID[id] = incidents.count
            incidents.append(Incident(
                id: id, date: date, position: position, regionID: location.regionID, zoneID: location.zoneID,
                categories: categories, level: level, fatalities: fatalities, eventType: eventType, subEventType: subEventType,
                actors: actors, sourceAdmin1: admin1, location: field("location"), notes: field("notes"), line: line, remarks: remarks))
            return true
        }
        if let headerError { throw headerError }
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

/// A fast RFC 4180 scanner over bytes: calls `row` with each record's first line and its fields;
/// `row` returns false to stop. Quoted fields may hold commas, doubled quotes and line breaks.
public enum CSVScanner {
    public static func scan(_ bytes: [UInt8], row: (Int, [String]) throws -> Bool) throws {
        var fields: [String] = []
        var line = 1
        var rowLine = 1
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        func text(_ a: Int, _ b: Int) -> String {
            String(decoding: bytes[a..<b], as: UTF8.self)
        }
        while i < n {
            // One field.
            if bytes[i] == UInt8(ascii: "\"") {
                let quoteLine = line
                var j = i + 1
                var escaped = false
                while true {
                    guard j < n else { throw AlertParseError("line \(quoteLine)", "a quoted field is never closed") }
                    if bytes[j] == UInt8(ascii: "\"") {
                        if j + 1 < n, bytes[j + 1] == UInt8(ascii: "\"") { escaped = true; j += 2; continue }
                        break
                    }
                    if bytes[j] == 0x0A { line += 1 }
                    j += 1
                }
                var value = text(i + 1, j)
                if escaped { value = value.replacingOccurrences(of: "\"\"", with: "\"") }
                fields.append(value)
                i = j + 1
                // Anything up to the separator after a closing quote is kept, as lenient readers do.
                let start = i
                while i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                if i > start { fields[fields.count - 1] += text(start, i) }
            } else {
                let start = i
                while i < n, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                fields.append(text(start, i))
            }
            // The separator.
            if i < n, bytes[i] == UInt8(ascii: ",") {
                i += 1
                if i == n { fields.append("") }
                continue
            }
            if i < n, bytes[i] == 0x0D { i += 1 }
            if i < n, bytes[i] == 0x0A { i += 1 }
            if !(fields.count == 1 && fields[0].isEmpty) {
                if try !row(rowLine, fields) { return }
            }
            fields.removeAll(keepingCapacity: true)
            line += 1
            rowLine = line
        }
        if !fields.isEmpty, !(fields.count == 1 && fields[0].isEmpty) { _ = try row(rowLine, fields) }
    }
}
