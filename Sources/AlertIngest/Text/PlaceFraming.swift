import ThreatModel

/// Which places of a sentence only frame what happened, and which clauses are background; the
/// rules, with their words in the lexicon:
///
/// - A route's ends ("from Sévaré towards Douentza", "between Bamako and Gao", "entre Kayes et
///   Diéma": `route_starts`, then a place, `route_joins`, a place) are where the event happened
///   only when the sentence names no other place and their clause names a threat: "a convoy
///   travelling from Sévaré towards Douentza was ambushed near Boni" happened at Boni; "flights
///   between Bamako and Gao were suspended" happened nowhere; "ambushed on the road between
///   Bandiagara and Sévaré" happened on that road.
/// - Two places joined by a hyphen ("the Ségou-Mopti road") are a route's ends too.
/// - The far side of a comparison ("calmer than the centre and the north"; "plus calme que le
///   nord": `comparisons`, or a `comparative_words` word before a `comparative_joins` one) is
///   context; so is its near side where the clause names no threat.
/// - A clause that dates itself before the alert's year ("in 2012", "since 2016") or speaks of
///   the past or of habit (`background_markers`: "a similar attack", "over the past decade") is
///   background: its places are context and its threat words count for nothing.
struct PlaceFraming {
    let lexicon: Lexicon
    let text: String
    let tokens: [Token]
    let hits: [TextResolver.Hit]
    /// The clause of each token, and the tokens of each clause.
    let clauseOf: [Int]
    let clauseRanges: [Range<Int>]
    let alertYear: Int?

    static func isPlace(_ h: TextResolver.Hit) -> Bool {
        switch h.entity {
        case .place, .zone, .area, .unknownPlace(_, _?): true
        default: false
        }
    }

    /// The background clauses of the sentence: those that date themselves before the alert or
    /// carry a background marker; a dated clause that is only a date ("In 2012, rebels seized
    /// Kidal") dates the rest of the sentence too.
    func backgroundClauses(count: Int, threatIn: (Int) -> Bool) -> Set<Int> {
        var out = Set<Int>()
        let clausesWithPlaces = Set(hits.filter(Self.isPlace).map { clauseOf[$0.range.lowerBound] })
        for c in 0..<count where isBackground(clause: c) {
            out.insert(c)
            if isDated(clause: c) && !clausesWithPlaces.contains(c) && !threatIn(c) {
                out.formUnion(c..<count)
                break
            }
        }
        return out
    }

    func isDated(clause c: Int) -> Bool {
        guard let year = alertYear else { return false }
        for k in clauseRanges[c] {
            let t = tokens[k].folded
            if t.count == 4, let y = Int(t), (1900..<year).contains(y) { return true }
        }
        return false
    }

    func isBackground(clause c: Int) -> Bool {
        guard !clauseRanges[c].isEmpty else { return false }
        if isDated(clause: c) { return true }
        return !lexicon.backgroundMarkers.scan(Array(tokens[clauseRanges[c]])).isEmpty
    }

    /// The indices (into `hits`) of places that only frame the event. `threatIn` says whether a
    /// clause names a threat.
    func framedPlaces(threatIn: (Int) -> Bool) -> Set<Int> {
        var framed = Set<Int>()
        let places = hits.indices.filter { Self.isPlace(hits[$0]) }
        // Routes: start word, place, join words, place.
        var endpoints = Set<Int>()
        for (n, a) in places.enumerated() where n + 1 < places.count {
            let b = places[n + 1]
            let start = hits[a].range.lowerBound
            // "the Ségou-Mopti road": two places joined by a hyphen.
            let gap = text[tokens[hits[a].range.upperBound - 1].text.endIndex..<tokens[hits[b].range.lowerBound].text.startIndex]
            if hits[a].range.upperBound == hits[b].range.lowerBound, gap == "-" || gap == "–" {
                endpoints.formUnion([a, b])
                continue
            }
            guard start > 0, lexicon.routeStarts.contains(tokens[start - 1].folded) else { continue }
            let between = Array(tokens[hits[a].range.upperBound..<hits[b].range.lowerBound])
            guard !between.isEmpty, let m = lexicon.routeJoins.match(between, at: 0), m.length == between.count else { continue }
            endpoints.formUnion([a, b])
        }
        if !endpoints.isEmpty {
            let others = places.contains { !endpoints.contains($0) }
            for e in endpoints where others || !threatIn(clauseOf[hits[e].range.lowerBound]) { framed.insert(e) }
        }
        // Comparisons: the places after "than" in its clause.
        // The first comparison of each clause: where its far side starts.
        var comparisonAt: [Int: Int] = [:]
        for m in lexicon.comparisons.scan(tokens) {
            let c = clauseOf[m.range.lowerBound]
            comparisonAt[c] = min(comparisonAt[c] ?? .max, m.range.upperBound)
        }
        var comparativeSeen = -1  // the clause of the last "plus"/"moins"
        for (k, t) in tokens.enumerated() {
            if lexicon.comparativeWords.contains(t.folded) { comparativeSeen = clauseOf[k] }
            if lexicon.comparativeJoins.contains(t.folded), comparativeSeen == clauseOf[k] {
                comparisonAt[clauseOf[k]] = min(comparisonAt[clauseOf[k]] ?? .max, k + 1)
            }
        }
        for p in places {
            let c = clauseOf[hits[p].range.lowerBound]
            guard let at = comparisonAt[c] else { continue }
            // Both sides, where the clause names no threat ("the west remains calmer than the north").
            if !threatIn(c) || hits[p].range.lowerBound >= at { framed.insert(p) }
        }
        return framed
    }
}
