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
/// - A clause that dates itself before the alert's year ("in 2012"; not "since 2016", which runs
///   to now: `since_words`) or speaks of
///   the past or of habit (`background_markers`: "a similar attack", "over the past decade") is
///   background: its places are context and its threat words count for nothing.
struct PlaceFraming {
    let lexicon: Lexicon
    let text: String
    let tokens: [Token]
    let hits: [TextResolver.Hit]
    let clauseOf: (Int) -> Int
    let alertYear: Int?

    static func isPlace(_ h: TextResolver.Hit) -> Bool {
        switch h.entity {
        case .place, .zone, .unknownPlace(_, _?): true
        default: false
        }
    }

    /// The background clauses of the sentence: those that date themselves before the alert or
    /// carry a background marker; a dated clause that is only a date ("In 2012, rebels seized
    /// Kidal") dates the rest of the sentence too.
    func backgroundClauses(count: Int, threatIn: (Int) -> Bool) -> Set<Int> {
        var out = Set<Int>()
        for c in 0..<count where isBackground(clause: c) {
            out.insert(c)
            let placesHere = hits.contains { Self.isPlace($0) && clauseOf($0.range.lowerBound) == c }
            if isDated(clause: c) && !placesHere && !threatIn(c) { out.formUnion(c..<count) }
        }
        return out
    }

    func isDated(clause c: Int) -> Bool {
        guard let year = alertYear else { return false }
        for k in tokens.indices where clauseOf(k) == c {
            let t = tokens[k].folded
            if t.count == 4, let y = Int(t), (1900..<year).contains(y), !(k > 0 && lexicon.sinceWords.contains(tokens[k - 1].folded)) {
                return true
            }
        }
        return false
    }

    func isBackground(clause c: Int) -> Bool {
        let indices = tokens.indices.filter { clauseOf($0) == c }
        guard let first = indices.first, let last = indices.last else { return false }
        if isDated(clause: c) { return true }
        let slice = Array(tokens[first...last])
        return !lexicon.backgroundMarkers.scan(slice).isEmpty
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
            for e in endpoints where others || !threatIn(clauseOf(hits[e].range.lowerBound)) { framed.insert(e) }
        }
        // Comparisons: the places after "than" in its clause.
        var comparisonAt: [Int] = lexicon.comparisons.scan(tokens).map(\.range.upperBound)
        for (k, t) in tokens.enumerated() where lexicon.comparativeJoins.contains(t.folded) {
            let c = clauseOf(k)
            if tokens.indices.contains(where: { $0 < k && clauseOf($0) == c && lexicon.comparativeWords.contains(tokens[$0].folded) }) {
                comparisonAt.append(k + 1)
            }
        }
        for at in comparisonAt {
            let c = clauseOf(max(at - 1, 0))
            // Both sides, where the clause names no threat ("the west remains calmer than the north").
            let bothSides = !threatIn(c)
            for p in places where (bothSides || hits[p].range.lowerBound >= at) && clauseOf(hits[p].range.lowerBound) == c {
                framed.insert(p)
            }
        }
        return framed
    }
}
