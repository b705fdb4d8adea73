import Foundation
import ThreatModel

/// A fault in an alert document, with where it is.
public struct AlertParseError: Error, Equatable, CustomStringConvertible {
    /// `line 14`, `info/area/polygon`, `$.places[2]`...
    public var location: String
    public var message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}

/// Reads a travel-security advisory as plain text: a date line, a title "Country: what happened"
/// with an optional "/update N" (the lexicon's `title_update_words`), a summary, a severity word on a line of its own, then sections
/// (Event, Context, Advice and their synonyms in the lexicon). Page noise is dropped.
public struct AdvisoryTextReader {
    public let context: ResolutionContext

    public init(context: ResolutionContext) { self.context = context }

    /// How many earlier updates an update refers to by id (the store also follows the series).
    static let maximumReferencedUpdates = 100

    /// `standing`: fingerprints of paragraphs that earlier documents hold (`StandingText`); such
    /// a paragraph is read as background wherever it stands.
    public func read(_ text: String, standing: Set<String> = []) throws -> Alert {
        let lexicon = context.lexicon
        var lines: [(number: Int, text: String)] = []
        for (i, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || lexicon.pageNoise.contains(NameFolding.fold(line)) { continue }
            lines.append((i + 1, line))
        }
        guard !lines.isEmpty else { throw AlertParseError("", "the document is empty (no text after page noise)") }

        var published: Date?
        if let i = lines.prefix(4).firstIndex(where: { $0.text.count < 80 && DateParsing.firstDate(in: $0.text) != nil }) {
            published = DateParsing.firstDate(in: lines[i].text)
            lines.remove(at: i)
        }
        guard let titleLine = lines.first else { throw AlertParseError("line 1", "no title line after the date") }
        lines.removeFirst()
        var title = titleLine.text
        var update: Int?
        let ns = title as NSString
        if let m = lexicon.titleUpdateSuffix.firstMatch(in: title, range: NSRange(location: 0, length: ns.length)) {
            update = Int(ns.substring(with: m.range(at: 1)))
            title = ns.substring(to: m.range.location).trimmingSpaces
        }

        var severity: (word: String, level: ThreatLevel)?
        var summary: [String] = []
        var sections: [(name: String, role: Lexicon.SectionRole, paragraphs: [String])] = []
        for line in lines {
            let folded = NameFolding.fold(line.text.trimmingCharacters(in: CharacterSet(charactersIn: ":")))
            if severity == nil, let s = lexicon.severityWords[folded], line.text.split(separator: " ").count <= 2 {
                severity = s
                continue
            }
            if let s = lexicon.sections[folded], line.text.count < 40 {
                sections.append((s.name, s.role, []))
                continue
            }
            if sections.isEmpty { summary.append(line.text) } else { sections[sections.count - 1].paragraphs.append(line.text) }
        }

        // The publisher's standing paragraphs, seen in earlier documents: background.
        var standingText: [String] = []
        if !standing.isEmpty {
            func isStanding(_ p: String) -> Bool { StandingText.fingerprint(of: p).map(standing.contains) ?? false }
            standingText = (summary + sections.flatMap(\.paragraphs)).filter(isStanding)
            summary.removeAll(where: isStanding)
            for k in sections.indices { sections[k].paragraphs.removeAll(where: isStanding) }
        }
        var units = [TextUnit(field: "title", text: title, section: .event, layout: .heading)]
        units += Self.units(of: summary, field: "summary", section: .event, lexicon: lexicon)
        for s in sections {
            units += Self.units(of: s.paragraphs, field: s.name, section: s.role, lexicon: lexicon)
        }
        units += Self.units(of: standingText, field: "standing text", section: .standing, lexicon: lexicon)
        let baseline = severity?.level ?? lexicon.baselineLevel
        let found = try TextResolver(context: context).resolve(units, baseline: baseline, published: published)

        var series = String(NameFolding.slug(title).prefix(120))
        while series.hasSuffix("-") { series.removeLast() }
        guard !series.isEmpty else { throw AlertParseError("line \(titleLine.number)", "the title has no words") }
        let id = "text-" + series + (update.map { "-update-\($0)" } ?? "")
        var references: [String] = []
        if let update, update > 0 {
            // The series' first message and the updates before this one, the nearest
            // `maximumReferencedUpdates` of them (an update number is the title's text, any size).
            references = ["text-" + series] + (max(1, update - Self.maximumReferencedUpdates)..<update).map { "text-\(series)-update-\($0)" }
        }
        var notes = found.notes
        if severity == nil { notes.append("no severity word found; baseline level \(baseline.rawValue) (\(baseline.label))") }
        if published == nil { notes.append("no date line found") }
        if !standingText.isEmpty {
            notes.append("\(standingText.count) paragraph\(standingText.count == 1 ? "" : "s") found in earlier documents read as the publisher's standing text (background)")
        }
        return Alert(
            id: id, format: .text, title: title, language: lexicon.language(of: text), summary: summary.isEmpty ? nil : summary.joined(separator: " "),
            published: published, effective: published, expires: nil, severityWord: severity?.word,
            messageType: update == nil ? .alert : .update, references: references, updateNumber: update, seriesKey: "text-" + series,
            sources: found.sources, actors: found.actors, tactics: found.tactics,
            advice: sections.filter { $0.role == .advice }.flatMap(\.paragraphs).joined(separator: "\n").nilIfEmpty,
            places: found.places, assessments: found.assessments, levelFloor: found.alertWideLevel, notes: notes)
    }
}

extension AdvisoryTextReader {
    /// The bullet marks a list line may start with.
    static let bullets: Set<Character> = ["•", "·", "▪", "◦", "‣", "-", "–", "—", "*", "○", "●", "■", "□", "►", "➢", "✓"]

    /// The sentences of a section's lines, each with its layout: a line that starts with a bullet
    /// (or "1." / "a)") is a list item, a short line without a full stop a heading.
    static func units(of paragraphs: [String], field: String, section: Lexicon.SectionRole, lexicon: Lexicon) -> [TextUnit] {
        var out: [TextUnit] = []
        for paragraph in paragraphs {
            var line = Substring(paragraph)
            var layout = TextUnit.Layout.prose
            if let first = line.first, bullets.contains(first) {
                line = line.dropFirst()
                layout = .listItem
            } else if let dot = line.prefix(4).firstIndex(where: { $0 == "." || $0 == ")" }), dot > line.startIndex,
                      line[..<dot].allSatisfy({ $0.isNumber || ($0.isLetter && $0.isLowercase) }), line[..<dot].count <= 2,
                      line.index(after: dot) < line.endIndex, line[line.index(after: dot)].isWhitespace {
                line = line[line.index(after: dot)...]
                layout = .listItem
            }
            let text = String(line).trimmingSpaces
            guard !text.isEmpty else { continue }
            let sentences = Sentences.split(text, abbreviations: lexicon.sentenceAbbreviations)
            if layout == .prose, sentences.count == 1, let last = text.last, !".!?".contains(last), text.split(separator: " ").count <= 10 {
                layout = .heading
            }
            for s in sentences {
                out.append(TextUnit(field: "\(field) sentence \(out.count + 1)", text: s, section: section, layout: layout))
            }
        }
        return out
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
