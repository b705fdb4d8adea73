import ThreatModel

/// Travel-advice levels, as national advisories give them: a level phrase of a publisher ("we
/// advise against all travel", "Level 4: Do Not Travel", "formellement déconseillé") gives its
/// level to the places it is said of. The rules, which an analyst can check by hand:
///
/// - In a sentence, a place takes the level phrase before it in its part of the sentence (parts
///   end at semicolons); a place before every phrase of its part takes the first one after it
///   ("Kidal region: avoid all travel").
/// - A sentence or heading with a level phrase and no place, ending in a colon or standing as a
///   short line of its own, leads in: the places of the lines after it take its level ("...
///   against all travel to:" then "• the regions of Kidal and Gao"). A colon's lead-in ends after
///   its list; a heading's at the next level phrase or section.
/// - A place after an exception word ("except", "à l'exception de") is left out of the phrase
///   before it, and takes the next phrase of its sentence if there is one.
/// - Naming Mali (or "nationwide") gives the level to every region; "the rest of the country" to
///   every region no other advice of the alert names. Both give way to advice that names a
///   region, a zone or a place: "all travel to Mali is advised against except Bamako, where ..."
///   reads as Bamako at its own level and the other regions at the first.
/// - A line that lists three or more levels and no place is the publisher's legend: no level.
struct AdviceReading {
    enum Scope {
        /// Names a place, region or zone.
        case specific
        /// Mali, or "nationwide".
        case country
        /// "the rest of the country".
        case remainder
    }

    struct Claim {
        var hit: TextResolver.Hit
        var scope: Scope
        var level: ThreatLevel
        var phrase: String
        var provenance: Provenance
        /// The categories of its sentence (and of its lead-in); empty when they name none.
        var categories: [ThreatCategory]
        /// Places the sentence leaves out of this advice ("except Bamako").
        var excluded: [TextResolver.Hit]
    }

    struct LeadIn {
        var level: ThreatLevel
        var phrase: String
        var provenance: Provenance
        var categories: [ThreatCategory]
        var colon: Bool
        var sawItem = false
        var section: Lexicon.SectionRole
    }

    let lexicon: Lexicon
    var leadIn: LeadIn?
    var claims: [Claim] = []

    init(lexicon: Lexicon) { self.lexicon = lexicon }

    static let maximumExcluded = 1000

    static func scope(of hit: TextResolver.Hit) -> Scope? {
        switch hit.entity {
        case .place, .zone, .area, .unknownPlace(_, _?): .specific
        case .country, .nationwide: .country
        case .remainder: .remainder
        case .outside, .notPlace, .source, .actor, .unknownPlace: nil
        }
    }

    /// Reads one unit, given its tokens, its entities and the threat categories it names, and
    /// returns the token positions of the places it gave a level: their level is the advice's,
    /// not the sentence's other words'.
    @discardableResult
    mutating func read(_ unit: TextUnit, tokens: [Token], hits: [TextResolver.Hit], matches: [(payload: Lexicon.AdviceLevel, range: Range<Int>)],
                       categories: [ThreatCategory], provenance: Provenance) -> Set<Int> {
        let before = claims.count
        readClaims(unit, tokens: tokens, hits: hits, matches: matches, categories: categories, provenance: provenance)
        return Set(claims[before...].map(\.hit.range.lowerBound))
    }

    private mutating func readClaims(_ unit: TextUnit, tokens: [Token], hits: [TextResolver.Hit], matches: [(payload: Lexicon.AdviceLevel, range: Range<Int>)],
                                     categories: [ThreatCategory], provenance: Provenance) {
        let colon = unit.text.last == ":"
        // "...against all travel to the following areas of Mali:" names the country only to
        // say which country its list is in.
        let places = hits.filter { h in
            guard let s = Self.scope(of: h) else { return false }
            return !(colon && s == .country)
        }
        var inPhrase = [Bool](repeating: false, count: tokens.count)
        for m in matches { for k in m.range { inPhrase[k] = true } }
        // Sorted, as the scan finds them left to right; searched by halves below, so that a text
        // without sentence breaks (one sentence of many phrases and places) stays fast.
        let exceptions = lexicon.adviceExceptions.scan(tokens).map(\.range.lowerBound).filter { !inPhrase[$0] }
        if matches.isEmpty {
            guard var lead = leadIn, lead.section == unit.section, !(lead.colon && lead.sawItem && unit.layout != .listItem) else {
                leadIn = nil
                return
            }
            if unit.layout == .listItem { lead.sawItem = true }
            leadIn = lead
            var kept: [TextResolver.Hit] = []
            var left: [TextResolver.Hit] = []
            for h in places {
                if let first = exceptions.first, first < h.range.lowerBound { left.append(h) } else { kept.append(h) }
            }
            let cats = lead.categories + categories.filter { !lead.categories.contains($0) }
            for h in kept {
                claims.append(Claim(hit: h, scope: Self.scope(of: h)!, level: lead.level, phrase: lead.phrase, provenance: provenance,
                                    categories: cats, excluded: left))
            }
            return
        }
        if places.isEmpty || colon {
            let levels = Set(matches.map(\.payload.level))
            if places.isEmpty && levels.count >= 3 {
                leadIn = nil  // a legend of the publisher's levels
                return
            }
            if colon || unit.layout == .heading, let last = matches.last {
                leadIn = LeadIn(level: last.payload.level, phrase: last.payload.phrase, provenance: provenance, categories: categories,
                                colon: colon, section: unit.section)
            } else {
                leadIn = nil
            }
            if places.isEmpty { return }
        } else {
            leadIn = nil
        }
        // The parts of the sentence, split at semicolons.
        var partOf = [Int](repeating: 0, count: tokens.count)
        for k in 1..<max(tokens.count, 1) where k < tokens.count {
            let gap = unit.text[tokens[k - 1].text.endIndex..<tokens[k].text.startIndex]
            partOf[k] = partOf[k - 1] + (gap.contains(";") ? 1 : 0)
        }
        var matchesInPart: [Int: [Int]] = [:]
        for (n, m) in matches.enumerated() { matchesInPart[partOf[m.range.lowerBound], default: []].append(n) }
        let allMatches = Array(matches.indices)
        /// The first index of `pool` (sorted by position) whose value passes `isAfter`, by halves.
        func firstIndex(_ pool: [Int], _ isAfter: (Int) -> Bool) -> Int {
            var low = 0, high = pool.count
            while low < high {
                let mid = (low + high) / 2
                if isAfter(pool[mid]) { high = mid } else { low = mid + 1 }
            }
            return low
        }
        func firstException(atOrAfter k: Int) -> Int? {
            var low = 0, high = exceptions.count
            while low < high {
                let mid = (low + high) / 2
                if exceptions[mid] >= k { high = mid } else { low = mid + 1 }
            }
            return low < exceptions.count ? exceptions[low] : nil
        }
        var statementOf: [Int?] = []
        for h in places {
            let p = h.range.lowerBound
            let pool = matchesInPart[partOf[p]] ?? allMatches
            // The phrase before it in its part, or else the first after it.
            let after = firstIndex(pool) { matches[$0].range.upperBound > p }
            var chosen: Int? = after > 0 ? pool[after - 1] : pool.indices.contains(after) ? pool[after] : nil
            // "except Bamako": left out of the phrase before it, given the next one if any.
            if let c = chosen, matches[c].range.upperBound <= p, let e = firstException(atOrAfter: matches[c].range.upperBound), e < p {
                let next = firstIndex(allMatches) { matches[$0].range.lowerBound > p }
                chosen = next < allMatches.count ? allMatches[next] : nil
            }
            statementOf.append(chosen)
        }
        // What a phrase said of the whole country leaves out: the places of its part after an
        // exception word after it that took another phrase or none ("all of Mali, except
        // Bamako"). Only such phrases need it; at most `maximumExcluded` places each.
        var leftOut: [Int: [TextResolver.Hit]] = [:]
        var placesInPart: [Int: [Int]] = [:]
        for (k, h) in places.enumerated() { placesInPart[partOf[h.range.lowerBound], default: []].append(k) }
        for (k, h) in places.enumerated() where Self.scope(of: h) != .specific {
            guard let c = statementOf[k], leftOut[c] == nil, let e = firstException(atOrAfter: matches[c].range.upperBound) else { continue }
            let candidates = placesInPart[partOf[matches[c].range.lowerBound]] ?? []
            leftOut[c] = candidates.lazy.filter { statementOf[$0] != c && places[$0].range.lowerBound > e }.prefix(Self.maximumExcluded).map { places[$0] }
        }
        for (k, h) in places.enumerated() {
            guard let c = statementOf[k] else { continue }
            let left = leftOut[c] ?? []
            claims.append(Claim(hit: h, scope: Self.scope(of: h)!, level: matches[c].payload.level, phrase: matches[c].payload.phrase,
                                provenance: provenance, categories: categories, excluded: left))
        }
    }
}
