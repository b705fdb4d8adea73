import Foundation
import Geo
import ThreatModel

/// A piece of an alert's text to read: a title, a sentence of a section, a CAP field.
public struct TextUnit: Sendable {
    /// Where it is in the source, for provenance: `title`, `Event sentence 2`, `info[0]/description`.
    public var field: String
    public var text: String
    public var section: Lexicon.SectionRole
    public var layout: Layout

    /// How the unit sits on the page: what a travel advisory's lists and headings hang on.
    public enum Layout: Sendable {
        /// A sentence of running text.
        case prose
        /// A bulleted or numbered line ("• the regions of Kidal and Gao").
        case listItem
        /// A short line of its own without a full stop ("Level 4: Do Not Travel").
        case heading
    }

    public init(field: String, text: String, section: Lexicon.SectionRole, layout: Layout = .prose) {
        self.field = field
        self.text = text
        self.section = section
        self.layout = layout
    }
}

/// Reads places, threat categories, levels, sources, actors and tactics out of text, by the
/// lexicon and the gazetteer. The rules, which an analyst can check by hand:
///
/// - A sentence splits into clauses at commas, semicolons and words like "while" and "but".
///   Categories, level cues and places meet within a clause.
/// - A place's role comes from its section: the title, summary and event sections name where the
///   event happened (`event`); advice names where the threat applies (`threat`); in background,
///   a place in a clause that names a threat is `threat` at a lower weight, otherwise `context`.
/// - A category's level at a place is the highest level cue in its clause ("may be imminent" 5,
///   "risk of kidnapping" 4), or else the alert's baseline (its severity word), one step lower
///   in background. A negation in the clause ("No specific intelligence ... imminent") cancels
///   its cues and categories.
/// - A clause with places but no category takes the categories of its sentence at the baseline;
///   a clause of the event with a category but no place applies to the event's places.
public struct TextResolver {
    public let context: ResolutionContext
    var lexicon: Lexicon { context.lexicon }

    public init(context: ResolutionContext) { self.context = context }

    public struct Result {
        public var places: [PlaceMention] = []
        public var assessments: [ThreatAssessment] = []
        public var sources: [String] = []
        public var actors: [String] = []
        public var tactics: [String] = []
        /// The highest alert-wide cue ("maximum caution"), which raises the alert's level only.
        public var alertWideLevel: ThreatLevel?
        public var notes: [String] = []
    }

    enum Entity {
        case place(PlaceReference)
        case zone(String)
        case nationwide
        /// "the rest of the country": every region no travel advice of the alert names.
        case remainder
        case country
        case outside(String)
        case notPlace
        /// An area drawn by geography ("north of the latitude of Nioro").
        case area(AreaFootprint)
        /// A name the gazetteer does not know, placed in the region the text gives it ("the
        /// village of Tadjalalt (Ménaka region)"), or in none.
        case unknownPlace(name: String, region: String?)
        case source(String)
        case actor(Lexicon.Entity)
    }

    struct Hit {
        var entity: Entity
        var range: Range<Int>
        var text: String
    }

    /// The entities of a token list, longest match first at each position; a place or region name
    /// must be capitalised as written, so that common words are not read as places. The word
    /// lists (`zone_phrase_of_words`, `region_suffixes`, `list_connectors`, `region_list_words`)
    /// are the lexicon's.
    func entities(_ tokens: [Token], in text: String) -> [Hit] {
        var hits: [Hit] = []
        var i = 0
        while i < tokens.count {
            var best: (Entity, Int)?
            func consider(_ e: Entity, _ length: Int) {
                if best == nil || length > best!.1 { best = (e, length) }
            }
            if let m = lexicon.notPlaces.match(tokens, at: i) { consider(.notPlace, m.length) }
            if let m = lexicon.sources.match(tokens, at: i) { consider(.source(m.payload), m.length) }
            if let m = lexicon.actors.match(tokens, at: i) { consider(.actor(m.payload), m.length) }
            // "the centre of Timbuktu" is part of a town, not the central zone.
            // "the south-west" is a direction, not the southern zone.
            let compass = { (end: Int) -> Bool in
                end < tokens.count && lexicon.areaDirections[tokens[end].folded] != nil
                    && text[tokens[end - 1].text.endIndex..<tokens[end].text.startIndex] == "-"
            }
            if let m = lexicon.zonePhrases.match(tokens, at: i),
               !(i + m.length < tokens.count && lexicon.zonePhraseOfWords.contains(tokens[i + m.length].folded)), !compass(i + m.length) {
                consider(.zone(m.payload), m.length)
            }
            if let m = lexicon.nationwidePhrases.match(tokens, at: i) { consider(.nationwide, m.length) }
            if let m = lexicon.remainderPhrases.match(tokens, at: i) { consider(.remainder, m.length) }
            if let m = context.cercleNames.match(tokens, at: i) { consider(.place(.cercle(m.payload)), m.length) }
            if tokens[i].isCapitalized {
                if let m = lexicon.outsidePlaces.match(tokens, at: i) { consider(.outside(m.payload), m.length) }
                if let m = lexicon.countryNames.match(tokens, at: i) { consider(.country, m.length) }
                if let m = context.placeNames.match(tokens, at: i) {
                    var ref = m.payload
                    var length = m.length
                    // "Mopti region", "Gao and Kidal regions": a town named like its region,
                    // followed by a region word, is the region.
                    if case .place(let p) = ref, i + length < tokens.count, lexicon.regionSuffixes.contains(tokens[i + length].folded) {
                        let place = context.atlas.places[p]
                        if let region = context.regionByName[NameFolding.fold(place.name)] {
                            ref = .region(region, name: String(tokens[i..<(i + length)].map(\.text).joined(separator: " ")))
                            length += 1
                        }
                    }
                    consider(.place(ref), length)
                }
            }
            if let (e, length) = best {
                let lower = tokens[i].text.startIndex
                let upper = tokens[i + length - 1].text.endIndex
                hits.append(Hit(entity: e, range: i..<(i + length), text: String(text[lower..<upper])))
                i += length
            } else {
                i += 1
            }
        }
        // "the regions of Kidal, Gao and Timbuktu": the names listed after a region word are regions.
        var startingAt: [Int: Int] = [:]
        for (n, h) in hits.enumerated() { startingAt[h.range.lowerBound] = n }
        for m in lexicon.regionPrefixes.scan(tokens) {
            var j = m.range.upperBound
            while let k = startingAt[j] {
                if case .place(.place(let p)) = hits[k].entity,
                   let region = context.regionByName[NameFolding.fold(context.atlas.places[p].name)] {
                    hits[k].entity = .place(.region(region, name: hits[k].text))
                }
                j = hits[k].range.upperBound
                while j < tokens.count, lexicon.listConnectors.contains(tokens[j].folded) { j += 1 }
            }
        }
        hits = unknownPlaces(tokens, in: text, hits: hits)
        // "northern and central Mali", "central and southern regions": a zone adjective joined to
        // a zone phrase names its zone too.
        var zoneHits: [Hit] = []
        for h in hits {
            guard case .zone = h.entity else { continue }
            var j = h.range.lowerBound
            while j >= 2, lexicon.listConnectors.contains(tokens[j - 1].folded), let zone = lexicon.zoneAdjectives[tokens[j - 2].folded],
                  !hits.contains(where: { $0.range.contains(j - 2) }) {
                zoneHits.append(Hit(entity: .zone(zone), range: (j - 2)..<(j - 1), text: String(tokens[j - 2].text)))
                j -= 2
            }
        }
        if !zoneHits.isEmpty { hits = (hits + zoneHits).sorted { $0.range.lowerBound < $1.range.lowerBound } }
        // "Gao and Kidal regions": a place name in a list that ends with a plural region word is
        // a region too.
        var hitStarting: [Int: Int] = [:]
        for (n, h) in hits.enumerated() { hitStarting[h.range.lowerBound] = n }
        // Where the run of places and list words starting at each token ends, made once from the
        // right, so that a list of N places costs N, not N².
        var runEnd = Array(0...tokens.count)
        for j in stride(from: tokens.count - 1, through: 0, by: -1) {
            if let h = hitStarting[j] {
                runEnd[j] = runEnd[min(tokens.count, max(j + 1, hits[h].range.upperBound))]
            } else if lexicon.listConnectors.contains(tokens[j].folded) {
                runEnd[j] = runEnd[j + 1]
            }
        }
        for k in hits.indices {
            guard case .place(.place(let p)) = hits[k].entity else { continue }
            let end = hits[k].range.upperBound
            let j = end <= tokens.count ? runEnd[end] : end
            if j > end, j < tokens.count, lexicon.regionListWords.contains(tokens[j].folded),
               let region = context.regionByName[NameFolding.fold(context.atlas.places[p].name)] {
                hits[k].entity = .place(.region(region, name: hits[k].text))
            }
        }
        return hits
    }

    /// Names the gazetteer does not know, where the text says they are places: after a place
    /// word (`place_introducers`: "the village of", "near", "près de"), capitalised, and followed
    /// by the region they lie in, in brackets or in apposition ("Tadjalalt (Ménaka region)",
    /// "Tadjalalt, Gao Region", "Tadjalalt in the Mopti region", "Tadjalalt (cercle de
    /// Bandiagara)"), each name of a list ("the villages of A and B (Ménaka region)") alike. A name
    /// after a village or town word with no region given is reported, and placed nowhere.
    func unknownPlaces(_ tokens: [Token], in text: String, hits: [Hit]) -> [Hit] {
        var covered = [Bool](repeating: false, count: tokens.count)
        var startingAt: [Int: Int] = [:]
        for (n, h) in hits.enumerated() {
            for k in h.range { covered[k] = true }
            startingAt[h.range.lowerBound] = n
        }
        func hit(at k: Int) -> Hit? { startingAt[k].map { hits[$0] } }
        func gap(_ a: Int, _ b: Int) -> Substring { text[tokens[a].text.endIndex..<tokens[b].text.startIndex] }
        /// The region of the hit at k, when it names a region ("Ménaka region") or a cercle's town.
        func region(at k: Int) -> (String, Int)? {
            guard let h = hit(at: k), case .place(let ref) = h.entity else { return nil }
            switch ref {
            case .region(let id, _): return (id, h.range.upperBound)
            case .place(let p): return (context.atlas.places[p].regionID, h.range.upperBound)
            case .cercle(let id): return context.region(ofCercle: id).map { ($0, h.range.upperBound) }
            }
        }
        var found: [Hit] = []
        var i = 0
        while i < tokens.count {
            guard let intro = lexicon.placeIntroducers.match(tokens, at: i) else { i += 1; continue }
            var k = i + intro.length
            // The names of the list: capitalised runs the gazetteer does not cover, joined by
            // commas or list words.
            var names: [Range<Int>] = []
            while k < tokens.count, !covered[k], tokens[k].isCapitalized, !lexicon.notNameWords.contains(tokens[k].folded) {
                var end = k + 1
                while end < tokens.count, !covered[end], tokens[end].isCapitalized, gap(end - 1, end).allSatisfy({ $0 == " " || $0 == "-" }) { end += 1 }
                names.append(k..<end)
                k = end
                if k < tokens.count, lexicon.listConnectors.contains(tokens[k].folded) || gap(k - 1, k).contains(",") && !covered[k] {
                    if lexicon.listConnectors.contains(tokens[k].folded) { k += 1 }
                    continue
                }
                break
            }
            guard !names.isEmpty else { i += 1; continue }
            // The region that follows: "(Gao region)", ", Gao Region", "in the Mopti region",
            // "(cercle de Bandiagara)".
            var regionID: String?
            if k < tokens.count {
                let g = gap(k - 1, k)
                var r = k
                if let p = lexicon.regionPrefixes.match(tokens, at: r) { r += p.length }
                else if let a = lexicon.regionAppositions.match(tokens, at: r) { r += a.length; if let p = lexicon.regionPrefixes.match(tokens, at: r) { r += p.length } }
                if g.contains("(") || g.contains(",") || r > k, let (id, _) = region(at: r) {
                    let isRegionHit: Bool = { if case .place(.region) = hit(at: r)?.entity { return true }; return false }()
                    // A town after a comma is a second place ("Tadjalalt, Ansongo"), not its region.
                    if isRegionHit || g.contains("(") || r > k { regionID = id }
                }
            }
            if regionID == nil && !intro.payload { i = k; continue }
            for n in names {
                let name = String(text[tokens[n.lowerBound].text.startIndex..<tokens[n.upperBound - 1].text.endIndex])
                found.append(Hit(entity: .unknownPlace(name: name, region: regionID), range: n, text: name))
            }
            i = k
        }
        return (hits + found).sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The words a finding quotes as its provenance: the sentence, cut at `quoteLimit`
    /// characters (a text without sentence breaks is one sentence, and each finding quotes it).
    static func quote(_ sentence: String) -> String {
        sentence.count <= quoteLimit ? sentence : String(sentence.prefix(quoteLimit - 1)) + "…"
    }

    static let quoteLimit = 600

    /// Token indices that start a new clause: after a semicolon, colon, dash or bracket, at a
    /// clause word ("while"), or after a comma when what follows names a threat of its own. A
    /// comma before words that name none continues the clause: it lists places ("in Gao, Ménaka
    /// and Kidal regions") or adds a detail.
    func clauseStarts(_ tokens: [Token], in text: String) -> [Int] {
        var threatWords = Set<Int>()
        for m in lexicon.categoryPhrases.scan(tokens) { threatWords.formUnion(m.range) }
        for m in lexicon.cues.scan(tokens) where m.payload.category != nil { threatWords.formUnion(m.range) }
        var breaks: [(Int, Bool)] = []  // (start, after a comma only)
        for k in 1..<max(tokens.count, 1) where k < tokens.count {
            let gap = text[tokens[k - 1].text.endIndex..<tokens[k].text.startIndex]
            if gap.contains(where: { ";:()–—".contains($0) }) || lexicon.clauseBreaks.contains(tokens[k].folded) {
                breaks.append((k, false))
            } else if gap.contains(",") {
                breaks.append((k, true))
            }
        }
        var starts = [0]
        for (i, (k, comma)) in breaks.enumerated() {
            let end = i + 1 < breaks.count ? breaks[i + 1].0 : tokens.count
            if comma && !(k..<end).contains(where: threatWords.contains) { continue }
            starts.append(k)
        }
        return starts
    }

    /// Reads every unit and returns what it found. `baseline` is the level of the alert's
    /// severity word (the lexicon's default where it has none).
    public func resolve(_ units: [TextUnit], baseline: ThreatLevel, published: Date? = nil) throws -> Result {
        let year = published.map { DateParsing.utc.component(.year, from: $0) }
        var result = Result()
        var mentionIndex: [String: Int] = [:]
        var unplacedEvent: [(ThreatCategory, ThreatLevel, Provenance)] = []
        var sawCountry = false
        var advice = AdviceReading(lexicon: lexicon)
        // The categories the alert names outside its background, and in it.
        var documentCategories: [ThreatCategory] = []
        var backgroundCategories: [ThreatCategory] = []

        func addMention(_ m: PlaceMention) -> Int {
            let key = "\(m.kind)|\(m.name ?? m.text)|\(m.role)"
            if let i = mentionIndex[key] { return i }
            result.places.append(m)
            mentionIndex[key] = result.places.count - 1
            return result.places.count - 1
        }
        func appendUnique(_ list: inout [String], _ s: String) { if !list.contains(s) { list.append(s) } }

        let tokenized = units.map { Tokenizer.tokens($0.text) }
        // The categories the document names by words of their own, which generic words ("attack")
        // defer to.
        var specificCategories = Set<ThreatCategory>()
        for tokens in tokenized {
            for m in lexicon.categoryPhrases.scan(tokens) where !m.payload.generic { specificCategories.insert(m.payload.category) }
        }
        var hitsOfSentence: [String: [Hit]] = [:]
        for (unit, tokens) in zip(units, tokenized) {
            guard !tokens.isEmpty else { continue }
            try context.deadline.check()
            let provenance = Provenance(field: unit.field, text: Self.quote(unit.text))
            // What a sentence names depends on its words alone: a sentence said again (a long
            // page repeats its standing lines) is read once.
            let hits: [Hit]
            if let known = hitsOfSentence[unit.text] {
                hits = known
            } else {
                hits = try AreaReader(context: context).areas(tokens, in: unit.text, hits: entities(tokens, in: unit.text))
                hitsOfSentence[unit.text] = hits
            }
            for h in hits {
                switch h.entity {
                case .unknownPlace(let name, let region):
                    appendUnique(&result.notes, region.map { "unknown place \"\(name)\": not in the gazetteer; placed in \($0), as the text says" }
                                 ?? "unknown place \"\(name)\": not in the gazetteer, and the text gives no region; not placed")
                case .source(let s): appendUnique(&result.sources, s)
                case .actor(let a): appendUnique(&result.actors, a.name)
                case .country: sawCountry = true
                default: break
                }
            }
            for t in lexicon.tactics.scan(tokens) { appendUnique(&result.tactics, t.payload) }

            let starts = clauseStarts(tokens, in: unit.text)
            // The clause of each token, and each clause's tokens, computed once: a text with no
            // sentence breaks is one long unit, and nothing here may grow with its square.
            var clauseOfToken = [Int](repeating: 0, count: tokens.count)
            for (c, start) in starts.enumerated() {
                let end = c + 1 < starts.count ? starts[c + 1] : tokens.count
                for k in start..<end { clauseOfToken[k] = c }
            }
            func clause(of k: Int) -> Int { clauseOfToken[k] }
            let clauseRanges = starts.indices.map { c in starts[c]..<(c + 1 < starts.count ? starts[c + 1] : tokens.count) }
            let clauseCount = starts.count
            var negated = [Bool](repeating: false, count: clauseCount)
            var negationAt = [Int](repeating: Int.max, count: clauseCount)
            // A level phrase's own "not" ("do not travel") negates nothing.
            let adviceMatches = lexicon.adviceLevels.scan(tokens)
            var inAdvice = [Bool](repeating: false, count: tokens.count)
            for m in adviceMatches { for k in m.range { inAdvice[k] = true } }
            for (k, t) in tokens.enumerated() where lexicon.negations.contains(t.folded) && !inAdvice[k] {
                let c = clause(of: k)
                negated[c] = true
                negationAt[c] = min(negationAt[c], k)
            }
            // Categories and cues per clause, skipping those after a negation in the clause.
            var categories = [[ThreatCategory]](repeating: [], count: clauseCount)
            var cues = [[Lexicon.Cue]](repeating: [], count: clauseCount)
            let categoryMatches = lexicon.categoryPhrases.scan(tokens)
            let specificHere = categoryMatches.contains { !$0.payload.generic }
                || hits.contains { if case .actor(let a) = $0.entity { return lexicon.actorCategories[a.kind] != nil }; return false }
            // An actor of a kind the lexicon ties to a category ("jihadist": terrorism) names that
            // threat in its clause, as ACLED's actors do for its rows.
            for h in hits {
                guard case .actor(let a) = h.entity, let category = lexicon.actorCategories[a.kind] else { continue }
                let c = clause(of: h.range.lowerBound)
                if negated[c] && h.range.lowerBound > negationAt[c] { continue }
                if !categories[c].contains(category) { categories[c].append(category) }
            }
            for m in categoryMatches {
                let c = clause(of: m.range.lowerBound)
                if negated[c] && m.range.lowerBound > negationAt[c] { continue }
                let category = m.payload.category
                if m.payload.generic && (specificHere || !(specificCategories.isEmpty || specificCategories.contains(category))) { continue }
                if !categories[c].contains(category) { categories[c].append(category) }
            }
            for m in lexicon.cues.scan(tokens) {
                let c = clause(of: m.range.lowerBound)
                if negated[c] && m.range.lowerBound > negationAt[c] { continue }
                if m.payload.alertWide {
                    result.alertWideLevel = max(result.alertWideLevel ?? .minimal, m.payload.level)
                    continue
                }
                cues[c].append(m.payload)
                if let cat = m.payload.category, !categories[c].contains(cat) { categories[c].append(cat) }
            }
            // Background clauses ("in 2012", "every few months") and places that only frame the
            // event (a route's ends, the far side of a comparison) name no threat.
            let framing = PlaceFraming(lexicon: lexicon, text: unit.text, tokens: tokens, hits: hits, clauseOf: clauseOfToken,
                                       clauseRanges: clauseRanges, alertYear: year)
            let threatIn = { (c: Int) in !categories[c].isEmpty || !cues[c].isEmpty }
            let background = unit.section == .standing ? Set(0..<clauseCount) : framing.backgroundClauses(count: clauseCount, threatIn: threatIn)
            let framed = framing.framedPlaces(threatIn: threatIn)
            for c in background {
                categories[c] = []
                cues[c] = []
            }

            let sentenceCategories = categories.reduce(into: [ThreatCategory]()) { out, cs in
                for c in cs where !out.contains(c) { out.append(c) }
            }
            for c in sentenceCategories where !(unit.section == .context ? backgroundCategories : documentCategories).contains(c) {
                if unit.section == .context { backgroundCategories.append(c) } else { documentCategories.append(c) }
            }
            let advised = advice.read(unit, tokens: tokens, hits: hits, matches: unit.section == .standing ? [] : adviceMatches, categories: sentenceCategories, provenance: provenance)
            // A clause with a level cue but no category ("; exercise increased caution") speaks of
            // the whole sentence: its cues apply in every clause.
            let sentenceCues = (0..<clauseCount).filter { categories[$0].isEmpty }.flatMap { cues[$0] }
            if !sentenceCues.isEmpty {
                for c in 0..<clauseCount where !categories[c].isEmpty { cues[c] += sentenceCues }
            }

            // Places per clause, with their role.
            var placesInClause = [[Int]](repeating: [], count: clauseCount)
            for (hitIndex, h) in hits.enumerated() where !advised.contains(h.range.lowerBound) {
                let c = clause(of: h.range.lowerBound)
                if background.contains(c) || framed.contains(hitIndex) {
                    if let m = try mention(for: h, role: .context, weight: 0.25, provenance: provenance) { _ = addMention(m) }
                    continue
                }
                let threatHere = !categories[c].isEmpty || !cues[c].isEmpty || !sentenceCategories.isEmpty
                let (role, weight): (PlaceRole, Double) = switch unit.section {
                case .event: (.event, 1)
                case .advice: (.threat, 1)
                case .context: threatHere ? (.threat, 0.75) : (.context, 0.25)
                case .standing: (.context, 0.25)
                }
                guard let mention = try mention(for: h, role: role, weight: weight, provenance: provenance) else { continue }
                if mention.kind == .outside {
                    _ = addMention(mention)
                    continue
                }
                placesInClause[c].append(addMention(mention))
            }

            // The level when no cue says otherwise: one lower in background.
            let sectionBaseline = unit.section == .context ? Lexicon.adjust(baseline, by: -1) : baseline
            func level(_ category: ThreatCategory, clause c: Int) -> ThreatLevel {
                let applicable = cues[c].filter { $0.category == nil || $0.category == category }
                return applicable.map(\.level).max() ?? sectionBaseline
            }
            for c in 0..<clauseCount {
                let places = placesInClause[c]
                if !places.isEmpty {
                    let cats = categories[c].isEmpty ? sentenceCategories : categories[c]
                    for p in places where result.places[p].role != .context {
                        for cat in cats {
                            let l = categories[c].isEmpty ? sectionBaseline : level(cat, clause: c)
                            result.assessments.append(ThreatAssessment(category: cat, level: l, place: p, provenance: provenance))
                        }
                    }
                } else if !categories[c].isEmpty && advised.isEmpty {
                    // (In a sentence of travel advice, these are the advice's reasons.)
                    for cat in categories[c] {
                        let l = level(cat, clause: c)
                        if unit.section == .event {
                            unplacedEvent.append((cat, l, provenance))
                        } else {
                            result.assessments.append(ThreatAssessment(category: cat, level: l, place: nil, provenance: provenance))
                        }
                    }
                }
            }
        }

        // The event's categories that named no place apply to the event's places.
        let eventPlaces = result.places.indices.filter { result.places[$0].role == .event && result.places[$0].kind != .outside }
        for (cat, l, prov) in unplacedEvent {
            if eventPlaces.isEmpty {
                result.assessments.append(ThreatAssessment(category: cat, level: l, place: nil, provenance: prov))
            }
            for p in eventPlaces {
                result.assessments.append(ThreatAssessment(category: cat, level: l, place: p, provenance: prov))
            }
        }
        // Event places with no category at all take the alert's event categories at the baseline.
        let eventCategories = Set(result.assessments.map(\.category))
        for p in eventPlaces where !result.assessments.contains(where: { $0.place == p }) {
            for cat in eventCategories.sorted() {
                result.assessments.append(ThreatAssessment(category: cat, level: baseline, place: p, provenance: result.places[p].provenance))
            }
        }
        try applyAdvice(advice.claims, documentCategories: documentCategories.isEmpty ? backgroundCategories : documentCategories, addMention: addMention) { result.assessments.append($0) }
        if sawCountry && !result.places.contains(where: { $0.role != .context && $0.kind != .outside }) {
            result.notes.append("no place in Mali is named; the alert is read as applying to the whole country")
            let all = context.atlas.regions.map(\.region.id)
            let p = addMention(PlaceMention(text: "Mali", kind: .country, role: .threat, name: "Mali", regionIDs: all,
                                            zoneIDs: context.zoneIDs(ofRegions: all), weight: 0.75,
                                            provenance: Provenance(field: "alert", text: "Mali")))
            for cat in Set(result.assessments.map(\.category)).sorted() {
                let l = result.assessments.filter { $0.category == cat }.map(\.level).max() ?? baseline
                result.assessments.append(ThreatAssessment(category: cat, level: l, place: p, provenance: Provenance(field: "alert", text: "applies to the whole country")))
            }
        }
        return result
    }

    /// Gives each region its travel-advice level (`AdviceReading`): advice that names a place,
    /// zone or region first; then the country's and "the rest of the country"'s to the regions
    /// no such advice names, less those the advice leaves out.
    func applyAdvice(_ claims: [AdviceReading.Claim], documentCategories: [ThreatCategory],
                     addMention: (PlaceMention) -> Int, addAssessment: (ThreatAssessment) -> Void) throws {
        guard !claims.isEmpty else { return }
        let atlas = context.atlas
        func categories(_ c: AdviceReading.Claim) -> [ThreatCategory] {
            !c.categories.isEmpty ? c.categories : !documentCategories.isEmpty ? documentCategories : lexicon.adviceDefaultCategories
        }
        func provenance(_ c: AdviceReading.Claim) -> Provenance {
            Provenance(field: c.provenance.field, text: c.provenance.text)
        }
        var named = Set<String>()
        for c in claims where c.scope == .specific {
            guard var m = try mention(for: c.hit, role: .threat, weight: 1, provenance: c.provenance), m.kind != .outside else { continue }
            m.notes.append("travel advice \"\(c.phrase)\": level \(c.level.rawValue)")
            named.formUnion(m.regionIDs)
            let p = addMention(m)
            for cat in categories(c) {
                addAssessment(ThreatAssessment(category: cat, level: c.level, place: p, provenance: provenance(c)))
            }
        }
        let all = atlas.regions.map(\.region.id)
        for c in claims where c.scope != .specific {
            var left = Set<String>()
            for h in c.excluded {
                if let m = try mention(for: h, role: .threat, weight: 1, provenance: c.provenance) { left.formUnion(m.regionIDs) }
            }
            let ids = all.filter { !named.contains($0) && !left.contains($0) }
            guard !ids.isEmpty else { continue }
            let whole = ids.count == all.count
            let name = whole ? "Mali" : c.scope == .remainder ? "the rest of Mali" : "Mali, less the regions named apart"
            let m = PlaceMention(text: c.hit.text, kind: whole ? .country : .region, role: .threat, name: name, regionIDs: ids,
                                 zoneIDs: context.zoneIDs(ofRegions: ids), weight: 1, provenance: c.provenance,
                                 notes: (whole ? [] : ["the regions no other travel advice of the alert names"]) + ["travel advice \"\(c.phrase)\": level \(c.level.rawValue)"])
            let p = addMention(m)
            for cat in categories(c) {
                addAssessment(ThreatAssessment(category: cat, level: c.level, place: p, provenance: provenance(c)))
            }
        }
    }

    /// The mention a hit stands for, or nil for a non-place.
    func mention(for h: Hit, role: PlaceRole, weight: Double, provenance: Provenance) throws -> PlaceMention? {
        let atlas = context.atlas
        switch h.entity {
        case .place(.place(let i)):
            let place = atlas.places[i]
            let zone = try context.zones.zone(covering: place.position) ?? atlas.zone(ofRegion: place.regionID)?.id
            return PlaceMention(text: h.text, kind: .place, role: role, name: place.name, regionIDs: [place.regionID],
                                zoneIDs: zone.map { [$0] } ?? [], cercleIDs: place.cercleID.isEmpty ? nil : [place.cercleID],
                                position: place.position, placeKind: place.kind, weight: weight, provenance: provenance)
        case .place(.cercle(let id)):
            guard let cercle = atlas.cercle(id) else { return nil }
            return PlaceMention(text: h.text, kind: .cercle, role: role, name: cercle.name, regionIDs: [cercle.regionID],
                                zoneIDs: try context.zones(ofCercle: id), cercleIDs: [id], weight: weight, provenance: provenance)
        case .place(.region(let id, let name)):
            var notes: [String] = []
            if let holder = atlas.undrawnRegions.first(where: { $0.value == id && NameFolding.fold(name).contains($0.key) }) {
                notes.append("\(holder.key) is drawn inside \(id) in our boundary data")
            }
            return PlaceMention(text: h.text, kind: .region, role: role, name: atlas.region(id)?.region.name ?? name, regionIDs: [id],
                                zoneIDs: context.zoneIDs(ofRegions: [id]), weight: weight, provenance: provenance, notes: notes)
        case .zone(let z):
            guard let zone = atlas.zones.first(where: { $0.id == z }) else { return nil }
            return PlaceMention(text: h.text, kind: .zone, role: role, name: zone.name, regionIDs: zone.regionIDs, zoneIDs: [z],
                                weight: weight, provenance: provenance)
        case .nationwide:
            let all = atlas.regions.map(\.region.id)
            return PlaceMention(text: h.text, kind: .country, role: role, name: "Mali", regionIDs: all,
                                zoneIDs: atlas.zones.map(\.id), weight: weight, provenance: provenance)
        case .outside(let name):
            return PlaceMention(text: h.text, kind: .outside, role: .context, name: name, regionIDs: [], zoneIDs: [],
                                weight: 0, provenance: provenance, notes: ["outside Mali: \(name)"])
        case .unknownPlace(let name, let region?):
            return PlaceMention(text: h.text, kind: .region, role: role, name: atlas.region(region)?.region.name ?? region, regionIDs: [region],
                                zoneIDs: context.zoneIDs(ofRegions: [region]), placeKind: "unknown", weight: weight, provenance: provenance,
                                notes: ["\(name) is not in the gazetteer: placed in the region the text gives it, at that region's detail"])
        case .area(let f):
            return PlaceMention(text: h.text, kind: .area, role: role, name: f.description, regionIDs: f.regionIDs, zoneIDs: f.zoneIDs,
                                geometry: f.geometry, weight: weight, provenance: provenance, notes: f.notes)
        case .country, .remainder, .notPlace, .source, .actor, .unknownPlace:
            return nil
        }
    }
}
