import Foundation
import Geo
import ThreatModel

/// Reads OASIS Common Alerting Protocol 1.2 (and 1.1) alerts.
///
/// - `info` blocks: English ones where there are several languages (else those of the first
///   block's language); their `area`s are merged.
/// - Level: `severity` (Extreme 5, Severe 4, Moderate 3, Minor 2) adjusted by `certainty`
///   (Possible -1, Unlikely -2), as the lexicon's `cap` section says.
/// - Categories: from the words of `event`, `headline` and `description`; an alert whose CAP
///   `category` is one of the lexicon's `security_categories` (Security, Safety...) and that names
///   none counts under the lexicon's default category; other CAP categories place no level.
/// - Places: `polygon` ("lat,lon" pairs) and `circle` ("lat,lon radius_km") by overlap with the
///   regions; `geocode`s naming a region (ISO 3166-2 codes, region names); the place names of
///   `areaDesc`, `headline` and `description`.
/// - `references` ("sender,identifier,sent" triples) make an Update replace and a Cancel end the
///   alerts they name. A Cancel needs no `info`.
public struct CAPReader {
    public let context: ResolutionContext

    public init(context: ResolutionContext) { self.context = context }

    public static let namespaces: Set<String> = [
        "urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1", "urn:oasis:names:tc:emergency:cap:1.0",
    ]

    static func id(_ identifier: String) -> String {
        "cap-" + identifier.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func read(_ bytes: [UInt8]) throws -> Alert {
        let root = try XMLElement.parse(bytes)
        guard root.name == "alert" else {
            throw AlertParseError("line \(root.line)", "the root element is <\(root.name)>, not a CAP <alert>")
        }
        if let ns = root.namespace, !ns.isEmpty, !Self.namespaces.contains(ns) {
            throw AlertParseError("line \(root.line)", "the <alert> is in namespace \(ns), not CAP 1.2 (\(Self.namespaces.sorted().last!))")
        }
        func required(_ e: XMLElement, _ name: String, _ path: String) throws -> String {
            guard let v = e.value(name), !v.isEmpty else {
                throw AlertParseError("\(path)/\(name) (line \(e.line))", "missing required element <\(name)>")
            }
            return v
        }
        let identifier = try required(root, "identifier", "alert")
        let sender = try required(root, "sender", "alert")
        let sentText = try required(root, "sent", "alert")
        guard let sent = DateParsing.iso8601(sentText) else {
            throw AlertParseError("alert/sent (line \(root.first("sent")!.line))", "\"\(sentText)\" is not a CAP date-time (2003-04-02T14:39:01-05:00)")
        }
        let status = try required(root, "status", "alert")
        let msgType = try required(root, "msgType", "alert")
        let references = (root.value("references") ?? "").split(whereSeparator: \.isWhitespace).compactMap { triple -> String? in
            let parts = triple.split(separator: ",", omittingEmptySubsequences: false)
            return parts.count >= 2 ? Self.id(String(parts[1])) : nil
        }
        let messageType: AlertMessageType
        switch msgType.lowercased() {
        case "update": messageType = .update
        case "cancel": messageType = .cancel
        case "alert", "ack", "error": messageType = .alert
        default:
            throw AlertParseError("alert/msgType (line \(root.first("msgType")!.line))", "\"\(msgType)\" is not a CAP message type (Alert, Update, Cancel, Ack, Error)")
        }
        if messageType != .alert && references.isEmpty {
            throw AlertParseError("alert/references", "an \(msgType) must name the alerts it concerns in <references>")
        }

        var alert = Alert(id: Self.id(identifier), format: .cap, title: "", published: sent, effective: sent,
                          status: status, messageType: messageType, references: references, sources: [sender])
        let infos = root.all("info")
        if infos.isEmpty {
            alert.title = messageType == .cancel ? "Cancel of \(references.joined(separator: ", "))" : (root.value("note") ?? identifier)
            if messageType != .cancel { alert.notes.append("no <info> block: the alert places no threat") }
            return alert
        }
        let languages = infos.map { ($0.value("language") ?? "en-US").lowercased() }
        let chosen: [Int] = {
            let english = languages.indices.filter { languages[$0].hasPrefix("en") }
            if !english.isEmpty { return english }
            return languages.indices.filter { languages[$0] == languages[0] }
        }()
        alert.language = languages[chosen[0]].split(separator: "-").first.map(String.init)
        if chosen.count < infos.count {
            alert.notes.append("read the \(languages[chosen[0]]) info blocks; \(infos.count - chosen.count) in other languages describe the same alert")
        }

        let lexicon = context.lexicon
        var units: [TextUnit] = []
        var levels: [ThreatLevel] = []
        var isSecurity = false
        var areaMentions: [PlaceMention] = []
        for i in chosen {
            let info = infos[i]
            let path = "alert/info[\(i + 1)]"
            let categories = info.all("category").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !categories.isEmpty else { throw AlertParseError("\(path)/category (line \(info.line))", "missing required element <category>") }
            if categories.contains(where: { lexicon.capSecurityCategories.contains($0.lowercased()) }) {
                isSecurity = true
            }
            let event = try required(info, "event", path)
            let severity = try required(info, "severity", path)
            let certainty = try required(info, "certainty", path)
            _ = try required(info, "urgency", path)
            guard let base = lexicon.capSeverity[severity.lowercased()] else {
                throw AlertParseError("\(path)/severity", "\"\(severity)\" is not a CAP severity (Extreme, Severe, Moderate, Minor, Unknown)")
            }
            let level = Lexicon.adjust(base, by: lexicon.capCertaintyAdjustment[certainty.lowercased()] ?? 0)
            levels.append(level)
            if alert.severityWord == nil { alert.severityWord = severity }
            let headline = info.value("headline")
            if alert.title.isEmpty { alert.title = headline ?? event }
            if alert.summary == nil { alert.summary = info.value("description") }
            for (name, date) in [("effective", "effective"), ("onset", "onset"), ("expires", "expires")] {
                guard let text = info.value(name) else { continue }
                guard let d = DateParsing.iso8601(text) else {
                    throw AlertParseError("\(path)/\(name) (line \(info.first(name)!.line))", "\"\(text)\" is not a CAP date-time")
                }
                switch date {
                case "effective", "onset": alert.effective = max(alert.effective ?? d, d)
                default: alert.expires = min(alert.expires ?? d, d)
                }
            }
            if let s = info.value("senderName"), !alert.sources.contains(s) { alert.sources.append(s) }
            if let instruction = info.value("instruction") { alert.advice = instruction }
            units.append(TextUnit(field: "\(path)/event", text: event, section: .event))
            if let headline { units.append(TextUnit(field: "\(path)/headline", text: headline, section: .event)) }
            for (k, s) in Sentences.split(info.value("description") ?? "", abbreviations: lexicon.sentenceAbbreviations).enumerated() {
                units.append(TextUnit(field: "\(path)/description sentence \(k + 1)", text: s, section: .event))
            }
            for (k, s) in Sentences.split(info.value("instruction") ?? "", abbreviations: lexicon.sentenceAbbreviations).enumerated() {
                units.append(TextUnit(field: "\(path)/instruction sentence \(k + 1)", text: s, section: .advice))
            }
            for (a, area) in info.all("area").enumerated() {
                areaMentions += try self.area(area, path: "\(path)/area[\(a + 1)]")
            }
        }
        let level = levels.max() ?? lexicon.baselineLevel
        var found = try TextResolver(context: context).resolve(units, baseline: level)
        // The CAP severity is the sender's judgement of the areas it names: text cues do not
        // raise a place above it.
        var categories = Set(found.assessments.map(\.category))
        if categories.isEmpty && isSecurity { categories = [lexicon.capDefaultCategory] }
        if !isSecurity {
            alert.notes.append("CAP category is not a security one: no threat level is placed")
            categories = []
            found.assessments = []
        }
        for m in areaMentions {
            // The same outside place named in the headline and the area description is one mention.
            if m.kind == .outside, found.places.contains(where: { $0.kind == .outside && ($0.name ?? $0.text) == (m.name ?? m.text) }) { continue }
            found.places.append(m)
            guard m.kind != .outside else { continue }
            for c in categories.sorted() {
                found.assessments.append(ThreatAssessment(category: c, level: level, place: found.places.count - 1, provenance: m.provenance))
            }
        }
        alert.places = found.places
        alert.assessments = found.assessments
        alert.sources += found.sources.filter { !alert.sources.contains($0) }
        alert.actors = found.actors
        alert.tactics = found.tactics
        alert.notes += found.notes
        if alert.places.allSatisfy({ $0.kind == .outside }) && areaMentions.contains(where: { $0.kind == .outside }) {
            alert.notes.append("every area of the alert lies outside Mali")
        }
        return alert
    }

    /// The mentions of one `area`: its polygons and circles, region geocodes, and the place names
    /// of its description when it has no geometry.
    func area(_ area: XMLElement, path: String) throws -> [PlaceMention] {
        var out: [PlaceMention] = []
        let desc = area.value("areaDesc") ?? ""
        for (k, p) in area.all("polygon").enumerated() {
            let where_ = "\(path)/polygon[\(k + 1)] (line \(p.line))"
            let ring = try Self.polygon(p.text, at: where_)
            out.append(try mention(for: .polygon(Polygon(exterior: ring)), text: desc.isEmpty ? "polygon" : desc,
                                   provenance: Provenance(field: where_, text: p.text.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        for (k, c) in area.all("circle").enumerated() {
            let where_ = "\(path)/circle[\(k + 1)] (line \(c.line))"
            let (centre, km) = try Self.circle(c.text, at: where_)
            let ctx = context.regions.context
            let disc = km > 0 ? try GEOSObject(.point(centre), context: ctx).bufferKilometres(km).geometry() : .point(centre)
            out.append(try mention(for: disc, text: desc.isEmpty ? "circle" : desc,
                                   provenance: Provenance(field: where_, text: c.text.trimmingCharacters(in: .whitespacesAndNewlines)),
                                   position: centre))
        }
        for (k, g) in area.all("geocode").enumerated() {
            let name = NameFolding.fold(g.value("valueName") ?? "")
            let value = g.value("value") ?? ""
            guard let region = context.regionByName[NameFolding.fold(value)] else {
                if context.lexicon.capRegionGeocodes.contains(name) {
                    out.append(PlaceMention(text: "\(g.value("valueName") ?? "") \(value)", kind: .outside, role: .context, regionIDs: [], zoneIDs: [],
                                            weight: 0, provenance: Provenance(field: "\(path)/geocode[\(k + 1)]", text: value),
                                            notes: ["outside Mali: \(value) is no region of Mali"]))
                }
                continue  // another scheme's code (a FIPS or SAME code): the area's geometry or description says where
            }
            out.append(PlaceMention(text: "\(g.value("valueName") ?? "geocode") \(value)", kind: .region, role: .threat,
                                    name: context.atlas.region(region)?.region.name, regionIDs: [region],
                                    zoneIDs: context.zoneIDs(ofRegions: [region]),
                                    provenance: Provenance(field: "\(path)/geocode[\(k + 1)]", text: value)))
        }
        if !out.contains(where: { $0.kind != .outside }) && !desc.isEmpty {
            // No geometry: the place names of the description say where.
            let found = try TextResolver(context: context).resolve([TextUnit(field: "\(path)/areaDesc", text: desc, section: .advice)],
                                                                   baseline: context.lexicon.baselineLevel)
            out += found.places.map { var m = $0; if m.role == .context && m.kind != .outside { m.role = .threat }; return m }
        }
        return out
    }

    func mention(for geometry: Geometry, text: String, provenance: Provenance, position: Position? = nil) throws -> PlaceMention {
        try context.deadline.check()
        let located = try context.locate(area: geometry)
        let outside = located.regions.isEmpty
        return PlaceMention(text: text, kind: outside ? .outside : .area, role: outside ? .context : .threat, name: nil,
                            regionIDs: located.regions, zoneIDs: located.zones,
                            cercleIDs: try context.cercles(overlapping: geometry, in: located.regions), position: position, geometry: geometry,
                            weight: outside ? 0 : 1, provenance: provenance, notes: located.note.map { [$0] } ?? [])
    }

    /// A CAP polygon: whitespace-separated "lat,lon" pairs, at least four, the first and last the
    /// same (CAP 1.2 section 3.2.4). Returned as lon/lat positions.
    static func polygon(_ text: String, at path: String) throws -> [Position] {
        let pairs = text.split(whereSeparator: \.isWhitespace)
        var ring: [Position] = []
        for (i, pair) in pairs.enumerated() {
            let parts = pair.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else {
                throw AlertParseError(path, "point \(i + 1) \"\(pair)\" is not a \"latitude,longitude\" pair")
            }
            try checkRange(lat: lat, lon: lon, at: path, point: i + 1)
            ring.append(Position(lon, lat))
        }
        guard ring.count >= 4 else { throw AlertParseError(path, "a polygon needs at least four points, found \(ring.count)") }
        guard ring.first == ring.last else {
            throw AlertParseError(path, "the polygon's first and last points must be the same (CAP 1.2 §3.2.4)")
        }
        return ring
    }

    /// A CAP circle: "lat,lon radius" with the radius in kilometres.
    static func circle(_ text: String, at path: String) throws -> (Position, Double) {
        let parts = text.split(whereSeparator: \.isWhitespace)
        let centre = parts.first?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        guard parts.count == 2, centre.count == 2, let lat = Double(centre[0]), let lon = Double(centre[1]), let km = Double(parts[1]) else {
            throw AlertParseError(path, "\"\(text.trimmingCharacters(in: .whitespacesAndNewlines))\" is not a \"latitude,longitude radius\" circle")
        }
        try checkRange(lat: lat, lon: lon, at: path, point: 1)
        guard km >= 0, km <= 2000 else { throw AlertParseError(path, "radius \(km) km is out of range (0 to 2000 km)") }
        return (Position(lon, lat), km)
    }

    static func checkRange(lat: Double, lon: Double, at path: String, point: Int) throws {
        guard lat.isFinite, abs(lat) <= 90 else { throw AlertParseError(path, "point \(point): latitude \(lat) is outside -90...90") }
        guard lon.isFinite, abs(lon) <= 180 else { throw AlertParseError(path, "point \(point): longitude \(lon) is outside -180...180") }
    }
}
