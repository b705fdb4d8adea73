import Foundation
import Geo
import ThreatModel

/// A fault in the lexicon file, with the JSONPath of the entry.
public struct LexiconError: Error, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String
    public var description: String { "\(file): \(path): \(message)" }
}

/// The phrase lexicon (`GeoData/lexicon/lexicon.json`): what words mean for places, categories and
/// levels. Loaded and checked at start; see the file's own "about" for the rules.
public struct Lexicon: Sendable {
    public struct Cue: Sendable {
        public var phrase: String
        public var level: ThreatLevel
        public var category: ThreatCategory?
        /// An alert-wide cue ("maximum caution") raises the alert's level, not a place's.
        public var alertWide: Bool
    }

    public enum SectionRole: String, Sendable {
        case event, context, advice
        /// A publisher's standing text: background that places nothing and raises nothing.
        case standing
    }

    public struct CategoryPhrase: Sendable, Equatable {
        public var category: ThreatCategory
        /// A word any threat may use ("attack"): its category counts in a sentence that names no
        /// other, and only where the document names no other or names this one too.
        public var generic: Bool
    }

    public struct AdviceLevel: Sendable {
        public var phrase: String
        public var level: ThreatLevel
        /// Whose wording it is ("UK FCDO", "France Diplomatie"), for the README's table.
        public var publisher: String
    }

    public struct Entity: Sendable {
        public var name: String
        public var kind: String
    }

    public struct EventTypeRule: Sendable {
        public var category: ThreatCategory?
        public var level: ThreatLevel
    }

    public var pageNoise: Set<String> = []
    /// Folded word → (word as written in the lexicon, level).
    public var severityWords: [String: (word: String, level: ThreatLevel)] = [:]
    public var baselineLevel: ThreatLevel = .moderate
    public var sections: [String: (name: String, role: SectionRole)] = [:]
    public var categoryPhrases = PhraseIndex<CategoryPhrase>(matching: .stems)
    public var cues = PhraseIndex<Cue>(matching: .stems)
    /// A publisher's travel-advice wording ("advise against all travel", "formellement
    /// déconseillé"), with the level it stands for on our scale: it gives that level to the
    /// places it is said of.
    public var adviceLevels = PhraseIndex<AdviceLevel>(matching: .stems)
    /// "except", "with the exception of", "à l'exception de": the places after it are left out
    /// of the advice before it.
    public var adviceExceptions = PhraseIndex<Bool>(matching: .stems)
    /// "the rest of the country", "le reste du pays": the regions no other advice names.
    public var remainderPhrases = PhraseIndex<Bool>()
    /// "the regions of", "les régions de": the names listed after it are regions.
    public var regionPrefixes = PhraseIndex<Bool>()
    /// The categories a travel-advice level is given in when the advisory names none.
    public var adviceDefaultCategories: [ThreatCategory] = [.terrorism]
    /// Words before a place name ("the village of", "near", "près de"), each true when it says
    /// the name is a place even with no region after it ("village of": true; "near": false).
    public var placeIntroducers = PhraseIndex<Bool>()
    /// "in the", "dans la": between an unknown name and the region it lies in.
    public var regionAppositions = PhraseIndex<Bool>()
    /// Capitalised words that are no place names (days, months, titles).
    public var notNameWords: Set<String> = []
    /// The words of areas drawn by geography (`AreaReader`).
    public var areaDirections: [String: String] = [:]
    public var areaFillers: Set<String> = []
    public var areaLatitudeWords: Set<String> = []
    public var areaLineWords: Set<String> = []
    public var areaLineJoins: Set<String> = []
    public var areaRiverWords: Set<String> = []
    /// "areas", "zones": before a direction, they make "west of Sikasso" an area.
    public var areaNouns: Set<String> = []
    public var areaPartWords = PhraseIndex<Bool>()
    public var borderAreaPhrases = PhraseIndex<Bool>()
    public var borderWords: Set<String> = []
    public var borderJoins: Set<String> = []
    public var distanceUnits: Set<String> = []
    /// Route words (`PlaceFraming`): "from"/"between" before a route's first place, "to"/"and"
    /// between its two.
    public var routeStarts: Set<String> = []
    public var routeJoins = PhraseIndex<Bool>()
    /// "than", "compared with": the places after it are the far side of a comparison.
    public var comparisons = PhraseIndex<Bool>()
    /// "plus" ... "que": a comparison in French.
    public var comparativeWords: Set<String> = []
    public var comparativeJoins: Set<String> = []
    /// "a similar attack", "over the past decade": a clause about the past or about habit.
    public var backgroundMarkers = PhraseIndex<Bool>(matching: .stems)
    /// A paragraph that this many stored documents already hold is a publisher's standing text.
    public var standingTextMinimumDocuments = 2
    /// Words that mark a document's language, by language code, for `Alert.language`.
    public var languageMarkers: [String: Set<String>] = [:]
    public var negations: Set<String> = []
    public var clauseBreaks: Set<String> = []
    /// Lower-cased abbreviations, inner dots kept ("u.s", "gen"), after which a full stop ends no
    /// sentence.
    public var sentenceAbbreviations: Set<String> = []
    /// Folded words after which a zone phrase is part of a place name ("the centre of Timbuktu").
    public var zonePhraseOfWords: Set<String> = []
    /// Folded words that join names in a list ("Gao and Kidal regions").
    public var listConnectors: Set<String> = []
    /// Folded plural region words that make every name of the list before them a region.
    public var regionListWords: Set<String> = []
    /// The "/update N" at the end of an advisory title, by the lexicon's words for "update".
    public var titleUpdateSuffix: NSRegularExpression
    public var zonePhrases = PhraseIndex<String>()
    /// "northern" in "northern and central Mali": folded adjective → zone id.
    public var zoneAdjectives: [String: String] = [:]
    public var nationwidePhrases = PhraseIndex<Bool>()
    public var countryNames = PhraseIndex<Bool>()
    public var regionSuffixes: Set<String> = []
    /// The words that make a name a cercle's: before it ("cercle de"), after it ("cercle").
    public var cerclePrefixes: [String] = []
    public var cercleSuffixes: [String] = []
    public var notPlaces = PhraseIndex<Bool>()
    public var outsidePlaces = PhraseIndex<String>()
    public var sources = PhraseIndex<String>()
    public var actors = PhraseIndex<Entity>()
    public var actorKinds: [String: String] = [:]
    /// Actor kinds that name a threat category where a text names such an actor.
    public var actorCategories: [String: ThreatCategory] = [:]

    /// The phrases that name cercle `name`: each prefix before it, each suffix after it.
    public func cerclePhrases(_ name: String) -> [String] {
        cerclePrefixes.map { "\($0) \(name)" } + cercleSuffixes.map { "\(name) \($0)" }
    }
    public var tactics = PhraseIndex<String>(matching: .stems)
    public var placeRadiusKilometres: [String: Double] = [:]
    public var acledEventTypes: [String: EventTypeRule] = [:]
    public var acledSubEventTypes: [String: EventTypeRule] = [:]
    /// Event and sub-event types (folded) that count as violence against civilians, besides rows
    /// whose `civilian_targeting` column is filled.
    public var civilianEventTypes: Set<String> = []
    public var capSeverity: [String: ThreatLevel] = [:]
    public var capCertaintyAdjustment: [String: Int] = [:]
    public var capDefaultCategory: ThreatCategory = .armedConflict
    public var capRegionGeocodes: Set<String> = []
    /// Lower-cased CAP `category` codes under which an alert places threat levels.
    public var capSecurityCategories: Set<String> = []
    public var defaultLifetimeDays: [ThreatLevel: Int] = [:]

    public static func load(from url: URL) throws -> Lexicon {
        let file = url.path
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(try Data(contentsOf: url)))
        } catch let e as JSONSyntaxError {
            throw LexiconError(file: file, path: "$", message: e.description)
        }
        return try Lexicon(json: value, file: file)
    }

    init(json: JSONValue, file: String) throws {
        func fail(_ path: String, _ message: String) -> LexiconError { LexiconError(file: file, path: path, message: message) }
        guard let root = json.objectValue else { throw fail("$", "expected an object") }
        func strings(_ key: String) throws -> [String] {
            guard let a = root[key]?.arrayValue else { throw fail("$.\(key)", "expected an array of strings") }
            return try a.enumerated().map { i, v in
                guard let s = v.stringValue else { throw fail("$.\(key)[\(i)]", "expected a string") }
                return s
            }
        }
        func object(_ key: String, in o: JSONObject? = nil, at path: String? = nil) throws -> JSONObject {
            guard let v = (o ?? root)[key]?.objectValue else { throw fail(path ?? "$.\(key)", "expected an object") }
            return v
        }
        func level(_ v: JSONValue?, _ path: String) throws -> ThreatLevel {
            guard let n = v?.intValue, let l = ThreatLevel(rawValue: n) else { throw fail(path, "expected a level from 1 to 5") }
            return l
        }
        func category(_ v: JSONValue?, _ path: String) throws -> ThreatCategory? {
            switch v {
            case nil, .null?: return nil
            case .string(let s)?: return ThreatCategory(rawValue: s)
            default: throw fail(path, "expected a category name or null")
            }
        }

        pageNoise = Set(try strings("page_noise").map(NameFolding.fold))
        for (w, v) in try object("severity_words") {
            severityWords[NameFolding.fold(w)] = (w, try level(v, "$.severity_words.\(w)"))
        }
        baselineLevel = try level(root["default_baseline_level"], "$.default_baseline_level")
        for (name, v) in try object("sections") {
            guard let r = v.stringValue.flatMap(SectionRole.init(rawValue:)) else {
                throw fail("$.sections.\(name)", "expected \"event\", \"context\" or \"advice\"")
            }
            sections[NameFolding.fold(name)] = (name, r)
        }
        let generic = Set(try strings("generic_threat_words").map { Tokenizer.tokens($0).map(\.stem) })
        for (c, v) in try object("categories") {
            guard let list = v.arrayValue else { throw fail("$.categories.\(c)", "expected an array of phrases") }
            for (i, p) in list.enumerated() {
                guard let s = p.stringValue else { throw fail("$.categories.\(c)[\(i)]", "expected a string") }
                categoryPhrases.add(s, CategoryPhrase(category: ThreatCategory(rawValue: c), generic: generic.contains(Tokenizer.tokens(s).map(\.stem))))
            }
        }
        guard let cueList = root["cues"]?.arrayValue else { throw fail("$.cues", "expected an array") }
        for (i, c) in cueList.enumerated() {
            let path = "$.cues[\(i)]"
            guard let o = c.objectValue, let phrase = o["phrase"]?.stringValue else { throw fail(path, "expected {\"phrase\", \"level\"}") }
            cues.add(phrase, Cue(phrase: phrase, level: try level(o["level"], "\(path).level"),
                                 category: try category(o["category"], "\(path).category"),
                                 alertWide: o["scope"]?.stringValue == "alert"))
        }
        guard let adviceList = root["advice_levels"]?.arrayValue else { throw fail("$.advice_levels", "expected an array") }
        for (i, c) in adviceList.enumerated() {
            let path = "$.advice_levels[\(i)]"
            guard let o = c.objectValue, let phrase = o["phrase"]?.stringValue else { throw fail(path, "expected {\"phrase\", \"level\", \"publisher\"}") }
            adviceLevels.add(phrase, AdviceLevel(phrase: phrase, level: try level(o["level"], "\(path).level"),
                                                 publisher: o["publisher"]?.stringValue ?? ""))
        }
        for p in try strings("advice_exceptions") { adviceExceptions.add(p, true) }
        for p in try strings("remainder_phrases") { remainderPhrases.add(p, true) }
        for p in try strings("region_prefixes") { regionPrefixes.add(p, true) }
        adviceDefaultCategories = try strings("advice_default_categories").map(ThreatCategory.init(rawValue:))
        for (language, v) in try object("language_markers") {
            guard let list = v.arrayValue?.compactMap(\.stringValue), !list.isEmpty else {
                throw fail("$.language_markers.\(language)", "expected an array of words")
            }
            languageMarkers[language] = Set(list.map(NameFolding.fold))
        }
        guard let standingMinimum = root["standing_text_minimum_documents"]?.intValue, standingMinimum >= 1 else {
            throw fail("$.standing_text_minimum_documents", "expected a number of documents, 1 or more")
        }
        standingTextMinimumDocuments = standingMinimum
        negations = Set(try strings("negations").map(NameFolding.fold))
        /// A nested object of word lists, read with the paths of its entries in errors.
        struct Group {
            let object: JSONObject
            let path: String
            let fail: (String, String) -> LexiconError
            func strings(_ key: String) throws -> [String] {
                guard let a = object[key]?.arrayValue?.compactMap(\.stringValue) else { throw fail("\(path).\(key)", "expected an array of phrases") }
                return a
            }
            /// Single words, folded.
            func words(_ key: String) throws -> Set<String> {
                Set(try strings(key).map { w in
                    guard Tokenizer.key(w).count == 1 else { throw fail("\(path).\(key)", "expected one word each, found \"\(w)\"") }
                    return NameFolding.fold(w)
                })
            }
        }
        func group(_ key: String) throws -> Group { Group(object: try object(key), path: "$.\(key)", fail: fail) }
        let unknown = try group("unknown_places")
        func unknownStrings(_ key: String) throws -> [String] { try unknown.strings(key) }
        for p in try unknownStrings("place_words") { placeIntroducers.add(p, true) }
        for p in try unknownStrings("locators") { placeIntroducers.add(p, false) }
        for p in try unknownStrings("region_appositions") { regionAppositions.add(p, true) }
        notNameWords = Set(try unknownStrings("not_names").map(NameFolding.fold))
        let areas = try group("areas")
        func areaStrings(_ key: String) throws -> [String] { try areas.strings(key) }
        func areaWords(_ key: String) throws -> Set<String> { try areas.words(key) }
        guard let directions = areas.object["directions"]?.objectValue else { throw fail("$.areas.directions", "expected an object") }
        for (side, v) in directions {
            guard ["north", "south", "east", "west"].contains(side), let words = v.arrayValue?.compactMap(\.stringValue) else {
                throw fail("$.areas.directions.\(side)", "expected north, south, east or west, with an array of words")
            }
            for w in words { areaDirections[NameFolding.fold(w)] = side }
        }
        areaFillers = try areaWords("fillers")
        areaLatitudeWords = try areaWords("latitude_words")
        areaLineWords = try areaWords("line_words")
        areaLineJoins = try areaWords("line_joins")
        areaRiverWords = try areaWords("river_words")
        areaNouns = try areaWords("area_nouns")
        for p in try areaStrings("part_words") { areaPartWords.add(p, true) }
        for p in try areaStrings("border_areas") { borderAreaPhrases.add(p, true) }
        borderWords = try areaWords("border_words")
        borderJoins = try areaWords("border_joins")
        distanceUnits = try areaWords("distance_units")
        let framing = try group("place_framing")
        func framingStrings(_ key: String) throws -> [String] { try framing.strings(key) }
        func framingWords(_ key: String) throws -> Set<String> { try framing.words(key) }
        routeStarts = try framingWords("route_starts")
        for p in try framingStrings("route_joins") { routeJoins.add(p, true) }
        for p in try framingStrings("comparisons") { comparisons.add(p, true) }
        comparativeWords = try framingWords("comparative_words")
        comparativeJoins = try framingWords("comparative_joins")
        for p in try framingStrings("background_markers") { backgroundMarkers.add(p, true) }
        clauseBreaks = Set(try strings("clause_breaks").map(NameFolding.fold))
        // Lists compared with one token at a time: each entry must be one word.
        func words(_ key: String) throws -> Set<String> {
            Set(try strings(key).enumerated().map { i, w in
                guard Tokenizer.key(w).count == 1 else { throw fail("$.\(key)[\(i)]", "expected one word, found \"\(w)\"") }
                return NameFolding.fold(w)
            })
        }
        for (i, a) in try strings("sentence_abbreviations").enumerated() {
            var word = Substring(a.lowercased())
            while word.last == "." { word.removeLast() }
            guard !word.isEmpty, word.first != ".", word.allSatisfy({ $0.isLetter || $0 == "." }) else {
                throw fail("$.sentence_abbreviations[\(i)]", "expected an abbreviation of letters and dots, like \"u.s\" or \"gen\", found \"\(a)\"")
            }
            sentenceAbbreviations.insert(String(word))
        }
        zonePhraseOfWords = try words("zone_phrase_of_words")
        listConnectors = try words("list_connectors")
        regionListWords = try words("region_list_words")
        let updateWords = try strings("title_update_words")
        guard !updateWords.isEmpty, !updateWords.contains(where: { Tokenizer.key($0).isEmpty }) else {
            throw fail("$.title_update_words", "expected one or more words for \"update\"")
        }
        // "Mali: ambush near Bandiagara /update 2": case ignored, any spacing.
        let alternatives = updateWords.map { w in
            w.split(whereSeparator: \.isWhitespace).map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: #"\s+"#)
        }
        titleUpdateSuffix = try! NSRegularExpression(pattern: #"\s*/\s*(?:"# + alternatives.joined(separator: "|") + #")\s*([0-9]+)\s*$"#,
                                                     options: [.caseInsensitive])
        for (zone, v) in try object("zones") {
            guard let list = v.arrayValue?.compactMap(\.stringValue) else { throw fail("$.zones.\(zone)", "expected an array of phrases") }
            for p in list { zonePhrases.add(p, zone) }
        }
        for (word, zone) in try object("zone_adjectives") {
            guard let z = zone.stringValue, Tokenizer.key(word).count == 1 else { throw fail("$.zone_adjectives.\(word)", "expected one word mapped to a zone id") }
            zoneAdjectives[NameFolding.fold(word)] = z
        }
        for p in try strings("nationwide") { nationwidePhrases.add(p, true) }
        for p in try strings("country_names") { countryNames.add(p, true) }
        regionSuffixes = Set(try strings("region_suffixes").map(NameFolding.fold))
        cerclePrefixes = try strings("cercle_prefixes")
        cercleSuffixes = try strings("cercle_suffixes")
        for p in try strings("not_places") { notPlaces.add(p, true) }
        for p in try strings("outside_places") { outsidePlaces.add(p, p) }
        func entities(_ key: String, _ body: (String, [String], String) -> Void) throws {
            guard let list = root[key]?.arrayValue else { throw fail("$.\(key)", "expected an array") }
            for (i, e) in list.enumerated() {
                guard let o = e.objectValue, let name = o["name"]?.stringValue else { throw fail("$.\(key)[\(i)]", "expected {\"name\", \"aliases\"}") }
                body(name, o["aliases"]?.arrayValue?.compactMap(\.stringValue) ?? [], o["kind"]?.stringValue ?? "")
            }
        }
        try entities("sources") { name, aliases, _ in
            for p in [name] + aliases { sources.add(p, name) }
        }
        try entities("actors") { name, aliases, kind in
            for p in [name] + aliases { actors.add(p, Entity(name: name, kind: kind)) }
            actorKinds[name] = kind
        }
        for (kind, v) in try object("actor_categories") {
            guard let c = try category(v, "$.actor_categories.\(kind)") else { throw fail("$.actor_categories.\(kind)", "expected a category") }
            actorCategories[kind] = c
        }
        for p in try strings("tactics") { tactics.add(p, p) }
        for (k, v) in try object("place_radius_km") {
            guard let km = v.numberValue, km > 0 else { throw fail("$.place_radius_km.\(k)", "expected kilometres > 0") }
            placeRadiusKilometres[k] = km
        }
        let acled = try object("acled")
        for (key, target) in [("event_types", 0), ("sub_event_types", 1)] {
            for (name, v) in try object(key, in: acled, at: "$.acled.\(key)") {
                let path = "$.acled.\(key).\(name)"
                guard let o = v.objectValue else { throw fail(path, "expected {\"category\", \"level\"}") }
                let rule = EventTypeRule(category: try category(o["category"], "\(path).category"), level: try level(o["level"], "\(path).level"))
                if target == 0 { acledEventTypes[NameFolding.fold(name)] = rule } else { acledSubEventTypes[NameFolding.fold(name)] = rule }
            }
        }
        if let list = acled["civilian_event_types"] {
            guard let a = list.arrayValue else { throw fail("$.acled.civilian_event_types", "expected an array of strings") }
            for (i, v) in a.enumerated() {
                guard let s = v.stringValue else { throw fail("$.acled.civilian_event_types[\(i)]", "expected a string") }
                civilianEventTypes.insert(NameFolding.fold(s))
            }
        }
        let cap = try object("cap")
        for (k, v) in try object("severity", in: cap, at: "$.cap.severity") {
            capSeverity[k.lowercased()] = try level(v, "$.cap.severity.\(k)")
        }
        for (k, v) in try object("certainty_adjustment", in: cap, at: "$.cap.certainty_adjustment") {
            guard let n = v.intValue else { throw fail("$.cap.certainty_adjustment.\(k)", "expected an integer") }
            capCertaintyAdjustment[k.lowercased()] = n
        }
        if let c = try category(cap["default_category"], "$.cap.default_category") { capDefaultCategory = c }
        capRegionGeocodes = Set((cap["region_geocodes"]?.arrayValue ?? []).compactMap { $0.stringValue.map(NameFolding.fold) })
        guard let securityList = cap["security_categories"]?.arrayValue else {
            throw fail("$.cap.security_categories", "expected an array of CAP categories")
        }
        for (i, v) in securityList.enumerated() {
            guard let c = v.stringValue?.lowercased(), Self.capCategories.contains(c) else {
                throw fail("$.cap.security_categories[\(i)]", "expected a CAP 1.2 category (\(Self.capCategories.sorted().joined(separator: ", ")))")
            }
            capSecurityCategories.insert(c)
        }
        for (k, v) in try object("default_lifetime_days") {
            guard let n = Int(k), let l = ThreatLevel(rawValue: n), let days = v.intValue, days > 0 else {
                throw fail("$.default_lifetime_days.\(k)", "expected a level 1-5 mapped to a number of days")
            }
            defaultLifetimeDays[l] = days
        }
    }

    /// The language whose marker words are most of the text's (at least three of them, and more
    /// than any other language's), or nil.
    public func language(of text: String) -> String? {
        var counts: [String: Int] = [:]
        for t in Tokenizer.tokens(text) {
            for (language, words) in languageMarkers where words.contains(t.folded) { counts[language, default: 0] += 1 }
        }
        let ranked = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard let best = ranked.first, best.value >= 3, ranked.count < 2 || ranked[1].value < best.value else { return nil }
        return best.key
    }

    /// CAP 1.2's `category` codes (section 3.2.2), lower-cased.
    static let capCategories: Set<String> = ["geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport", "infra", "cbrne", "other"]

    /// Adds a level step to a level, staying within 1...5.
    public static func adjust(_ level: ThreatLevel, by steps: Int) -> ThreatLevel {
        ThreatLevel(rawValue: min(5, max(1, level.rawValue + steps)))!
    }
}
