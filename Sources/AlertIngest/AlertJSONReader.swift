import Foundation
import Geo
import ThreatModel

/// Reads alerts in ThreatMap's own JSON schema (`GeoData/schemas/alert.schema.json`): one alert
/// object, an array of them, or `{"alerts": [...]}`. Places may be given (by name, region, zone,
/// coordinates or GeoJSON geometry) or left to be found in the text; categories may be given
/// with levels or left to the text's words.
public struct AlertJSONReader {
    public let context: ResolutionContext

    public init(context: ResolutionContext) { self.context = context }

    public func read(_ bytes: [UInt8]) throws -> [Alert] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw AlertParseError("line \(error.line), column \(error.column)", "malformed JSON: \(error.message)")
        }
        switch value {
        case .array(let list):
            guard !list.isEmpty else { throw AlertParseError("$", "an empty array holds no alert") }
            return try list.enumerated().map { try alert($1, at: "$[\($0)]") }
        case .object(let o) where o["alerts"] != nil:
            guard let list = o["alerts"]?.arrayValue, !list.isEmpty else { throw AlertParseError("$.alerts", "expected a non-empty array of alerts") }
            return try list.enumerated().map { try alert($1, at: "$.alerts[\($0)]") }
        case .object:
            return [try alert(value, at: "$")]
        default:
            throw AlertParseError("$", "expected an alert object, found \(value.kindName)")
        }
    }

    func alert(_ value: JSONValue, at path: String) throws -> Alert {
        guard let o = value.objectValue else { throw AlertParseError(path, "expected an alert object, found \(value.kindName)") }
        func string(_ key: String, required: Bool = false) throws -> String? {
            switch o[key] {
            case nil, .null?:
                if required { throw AlertParseError("\(path).\(key)", "missing; this member is required") }
                return nil
            case .string(let s)?:
                if required && s.trimmingCharacters(in: .whitespaces).isEmpty { throw AlertParseError("\(path).\(key)", "must not be empty") }
                return s
            case let v?: throw AlertParseError("\(path).\(key)", "expected a string, found \(v.kindName)")
            }
        }
        func strings(_ key: String) throws -> [String] {
            switch o[key] {
            case nil, .null?: return []
            case .string(let s)?: return [s]
            case .array(let a)?:
                return try a.enumerated().map { i, v in
                    guard let s = v.stringValue else { throw AlertParseError("\(path).\(key)[\(i)]", "expected a string, found \(v.kindName)") }
                    return s
                }
            case let v?: throw AlertParseError("\(path).\(key)", "expected a string or an array of strings, found \(v.kindName)")
            }
        }
        func date(_ key: String) throws -> Date? {
            guard let s = try string(key) else { return nil }
            guard let d = DateParsing.iso8601(s) else { throw AlertParseError("\(path).\(key)", "\"\(s)\" is not an ISO 8601 date-time") }
            return d
        }
        let lexicon = context.lexicon
        let id = try string("id", required: true)!
        let title = try string("title", required: true)!
        var severityWord: String?
        var baseline = lexicon.baselineLevel
        switch o["severity"] {
        case nil, .null?: break
        case .string(let s)?:
            guard let w = lexicon.severityWords[NameFolding.fold(s)] else {
                throw AlertParseError("\(path).severity", "\"\(s)\" is not a severity word the lexicon knows (\(lexicon.severityWords.values.map(\.word).sorted().joined(separator: ", ")))")
            }
            severityWord = s
            baseline = w.level
        case let v?:
            guard let n = v.intValue, let l = ThreatLevel(rawValue: n) else { throw AlertParseError("\(path).severity", "expected a severity word or a level from 1 to 5") }
            baseline = l
        }
        let updates = try strings("updates")
        let cancels = try strings("cancels")
        if !updates.isEmpty && !cancels.isEmpty { throw AlertParseError(path, "an alert may update or cancel, not both") }

        var units = [TextUnit(field: "\(path).title", text: title, section: .event)]
        for (key, role) in [("summary", Lexicon.SectionRole.event), ("text", .event), ("context", .context), ("advice", .advice)] {
            for (k, s) in Sentences.split(try string(key) ?? "", abbreviations: context.lexicon.sentenceAbbreviations).enumerated() {
                units.append(TextUnit(field: "\(path).\(key) sentence \(k + 1)", text: s, section: role))
            }
        }
        var found = try TextResolver(context: context).resolve(units, baseline: baseline)

        // Places the document gives replace those found in its text.
        if let places = o["places"], places != .null {
            guard let list = places.arrayValue else { throw AlertParseError("\(path).places", "expected an array, found \(places.kindName)") }
            var given: [PlaceMention] = []
            for (i, p) in list.enumerated() { given.append(try place(p, at: "\(path).places[\(i)]")) }
            let textCategories = found.assessments.reduce(into: [ThreatCategory: ThreatLevel]()) { $0[$1.category] = max($0[$1.category] ?? .minimal, $1.level) }
            found.places = found.places.filter { $0.kind == .outside } + given
            let offset = found.places.count - given.count
            found.assessments = found.assessments.filter { $0.place == nil }
            for (i, m) in given.enumerated() where m.role != .context && m.kind != .outside {
                for (c, l) in textCategories.sorted(by: { $0.key < $1.key }) {
                    found.assessments.append(ThreatAssessment(category: c, level: l, place: offset + i, provenance: m.provenance))
                }
            }
        }
        // Categories the document gives, with levels, apply at every event and threat place.
        if let cats = o["categories"], cats != .null {
            var levels: [(ThreatCategory, ThreatLevel)] = []
            switch cats {
            case .object(let c):
                for (k, v) in c {
                    guard let n = v.intValue, let l = ThreatLevel(rawValue: n) else { throw AlertParseError("\(path).categories.\(k)", "expected a level from 1 to 5") }
                    levels.append((ThreatCategory(rawValue: k), l))
                }
            case .array(let a):
                for (i, v) in a.enumerated() {
                    guard let k = v.stringValue else { throw AlertParseError("\(path).categories[\(i)]", "expected a category name") }
                    levels.append((ThreatCategory(rawValue: k), baseline))
                }
            default: throw AlertParseError("\(path).categories", "expected an object of levels or an array of names, found \(cats.kindName)")
            }
            let prov = Provenance(field: "\(path).categories", text: cats.jsonText)
            found.assessments.removeAll { a in levels.contains { $0.0 == a.category } }
            let targets = found.places.indices.filter { found.places[$0].role != .context && found.places[$0].kind != .outside }
            for (c, l) in levels {
                if targets.isEmpty { found.assessments.append(ThreatAssessment(category: c, level: l, place: nil, provenance: prov)) }
                for p in targets { found.assessments.append(ThreatAssessment(category: c, level: l, place: p, provenance: prov)) }
            }
        }
        return Alert(
            id: id, format: .json, title: title,
            language: try string("language") ?? context.lexicon.language(of: [title, try string("summary"), try string("text")].compactMap { $0 }.joined(separator: " ")),
            summary: try string("summary"), published: try date("published"),
            effective: try date("effective") ?? (try date("published")), expires: try date("expires"), severityWord: severityWord,
            status: try string("status") ?? "Actual", messageType: !updates.isEmpty ? .update : !cancels.isEmpty ? .cancel : .alert,
            references: updates + cancels, sources: Array(Set(try strings("sources") + found.sources)).sorted(),
            actors: Array(Set(try strings("actors") + found.actors)).sorted(), tactics: Array(Set(try strings("tactics") + found.tactics)).sorted(),
            advice: try string("advice"), places: found.places, assessments: found.assessments, levelFloor: found.alertWideLevel,
            notes: found.notes)
    }

    /// One given place: `{"name"}`, `{"region"}`, `{"zone"}`, `{"nationwide": true}`,
    /// `{"lon", "lat", "radius_km"?}` or `{"geometry": GeoJSON}`, each with an optional `role`.
    func place(_ value: JSONValue, at path: String) throws -> PlaceMention {
        try context.deadline.check()
        guard let o = value.objectValue else { throw AlertParseError(path, "expected a place object, found \(value.kindName)") }
        var role = PlaceRole.event
        if let r = o["role"] {
            guard let s = r.stringValue, let parsed = PlaceRole(rawValue: s) else {
                throw AlertParseError("\(path).role", "expected \"event\", \"threat\" or \"context\"")
            }
            role = parsed
        }
        let prov = Provenance(field: path, text: value.jsonText)
        let atlas = context.atlas
        if let name = o["name"]?.stringValue {
            let found = try TextResolver(context: context).resolve([TextUnit(field: path, text: name, section: .event)], baseline: .moderate)
            guard var m = found.places.first else { throw AlertParseError("\(path).name", "\"\(name)\" is no place the gazetteer or lexicon knows") }
            m.role = m.kind == .outside ? .context : role
            m.provenance = prov
            return m
        }
        if let r = o["region"]?.stringValue {
            guard let id = context.regionByName[NameFolding.fold(r)] else {
                throw AlertParseError("\(path).region", "\"\(r)\" is no region of Mali (\(atlas.regions.map(\.region.id).joined(separator: ", ")))")
            }
            return PlaceMention(text: r, kind: .region, role: role, name: atlas.region(id)?.region.name, regionIDs: [id],
                                zoneIDs: context.zoneIDs(ofRegions: [id]), provenance: prov)
        }
        if let z = o["zone"]?.stringValue {
            guard let zone = atlas.zones.first(where: { $0.id == z }) else {
                throw AlertParseError("\(path).zone", "\"\(z)\" is no zone (\(atlas.zones.map(\.id).joined(separator: ", ")))")
            }
            return PlaceMention(text: z, kind: .zone, role: role, name: zone.name, regionIDs: zone.regionIDs, zoneIDs: [z], provenance: prov)
        }
        if o["nationwide"] == .bool(true) {
            let all = atlas.regions.map(\.region.id)
            return PlaceMention(text: "nationwide", kind: .country, role: role, name: "Mali", regionIDs: all, zoneIDs: atlas.zones.map(\.id), provenance: prov)
        }
        if o["lon"] != nil || o["lat"] != nil {
            guard let lon = o["lon"]?.numberValue, let lat = o["lat"]?.numberValue, abs(lon) <= 180, abs(lat) <= 90 else {
                throw AlertParseError(path, "lon and lat must be numbers in degrees (-180...180, -90...90)")
            }
            let p = Position(lon, lat)
            if let km = o["radius_km"] {
                guard let r = km.numberValue, r > 0, r <= 2000 else { throw AlertParseError("\(path).radius_km", "expected kilometres in (0, 2000]") }
                let disc = try GEOSObject(.point(p), context: context.regions.context).bufferKilometres(r).geometry()
                return try area(disc, role: role, text: "\(lat),\(lon) \(r) km", provenance: prov, position: p)
            }
            let loc = try context.locate(p)
            return PlaceMention(text: "\(lat),\(lon)", kind: loc.isOutside ? .outside : .point, role: loc.isOutside ? .context : role,
                                regionIDs: loc.regionID.map { [$0] } ?? [], zoneIDs: loc.zoneID.map { [$0] } ?? [],
                                cercleIDs: loc.cercleID.map { [$0] }, position: p, weight: loc.isOutside ? 0 : 1, provenance: prov, notes: loc.note.map { [$0] } ?? [])
        }
        if let g = o["geometry"] {
            let geometry: Geometry
            do { geometry = try GeoJSONReader().geometry(g, at: "\(path).geometry") } catch { throw AlertParseError(error.path, error.message) }
            return try area(geometry, role: role, text: o["description"]?.stringValue ?? geometry.typeName, provenance: prov)
        }
        throw AlertParseError(path, "a place needs one of name, region, zone, nationwide, lon/lat or geometry")
    }

    func area(_ g: Geometry, role: PlaceRole, text: String, provenance: Provenance, position: Position? = nil) throws -> PlaceMention {
        let located = try context.locate(area: g)
        let outside = located.regions.isEmpty
        return PlaceMention(text: text, kind: outside ? .outside : .area, role: outside ? .context : role, regionIDs: located.regions,
                            zoneIDs: located.zones, cercleIDs: try context.cercles(overlapping: g, in: located.regions), position: position, geometry: g, weight: outside ? 0 : 1, provenance: provenance,
                            notes: located.note.map { [$0] } ?? [])
    }
}
