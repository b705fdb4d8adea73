import AlertIngest
import Atlas
import Foundation
import Geo
import Testing
import ThreatModel

@Suite struct DateTests {
    @Test(arguments: [
        ("21 Mar 2021 | 09:09 AM UTC", "2021-03-21T09:09:00Z"),
        ("21 Mar 2021 | 09:09 PM UTC", "2021-03-21T21:09:00Z"),
        ("March 21, 2021", "2021-03-21T00:00:00Z"),
        ("21 March 2021", "2021-03-21T00:00:00Z"),
        ("2021-03-21", "2021-03-21T00:00:00Z"),
        ("2003-04-02T14:39:01-05:00", "2003-04-02T19:39:01Z"),
        ("21/03/2021", "2021-03-21T00:00:00Z"),
        ("21 mars 2021", "2021-03-21T00:00:00Z"),
    ])
    func parses(text: String, iso: String) {
        #expect(DateParsing.firstDate(in: text).map(DateParsing.format) == iso)
    }

    @Test func rejectsImpossibleDates() {
        #expect(DateParsing.firstDate(in: "2024-02-30") == nil)
        #expect(DateParsing.firstDate(in: "31 Feb 2024") == nil)
        #expect(DateParsing.firstDate(in: "no date here") == nil)
    }
}

@Suite struct TextTests {
    @Test func sentencesSplitButNotAtAbbreviations() throws {
        let abbreviations = try Lexicon.load(from: geodataRoot.appendingPathComponent("lexicon/lexicon.json")).sentenceAbbreviations
        #expect(Sentences.split("The U.S. Embassy warned. Attacks are likely. Avoid Gen. Lee St.", abbreviations: abbreviations) ==
            ["The U.S. Embassy warned.", "Attacks are likely.", "Avoid Gen. Lee St."])
        #expect(Sentences.split("One. two", abbreviations: abbreviations) == ["One. two"])
        #expect(Sentences.split("Avoid Gen. Lee.", abbreviations: []) == ["Avoid Gen.", "Lee."])
    }

    @Test func tokensFold() {
        #expect(Tokenizer.tokens("Jama'at Nasr, Ségou-Koro (Mali)").map(\.folded) == ["jamaat", "nasr", "segou", "koro", "mali"])
    }

    @Test func placesInTextAccentsOrNotFrenchOrEnglish() throws {
        let context = try makeContext()
        let resolver = TextResolver(context: context)
        func regions(_ text: String) throws -> [String] {
            let r = try resolver.resolve([TextUnit(field: "t", text: text, section: .event)], baseline: .moderate)
            return Array(Set(r.places.filter { $0.role != .context }.flatMap(\.regionIDs))).sorted()
        }
        #expect(try regions("Clashes near Segou and Sevare") == ["mopti", "segou"])
        #expect(try regions("Clashes near Ségou and Sévaré") == ["mopti", "segou"])
        #expect(try regions("An attack in Timbuktu") == ["tombouctou"])
        #expect(try regions("Une attaque à Tombouctou") == ["tombouctou"])
        #expect(try regions("Gunmen attacked Tessit, Gao Region") == ["gao"])
        #expect(try regions("Militants near Bandiagara") == ["mopti"])
        #expect(try regions("Attacks in the central regions") == ["mopti", "segou"])
        #expect(try regions("Attacks in northern Mali") == ["gao", "kidal", "menaka", "tombouctou"])
        #expect(try regions("Protests are expected nationwide") .count == 10)
        #expect(try regions("Protests in all regions") .count == 10)
        #expect(try regions("Fighting in the Mopti and Ségou regions") == ["mopti", "segou"])
        // A lower-case common word is not a place: "san" is a town only when written San.
        #expect(try regions("an attack in san francisco") == [])
        #expect(try regions("Attack on convoy near the Niger River") == [])
    }

    @Test func negationCancelsACue() throws {
        let context = try makeContext()
        let r = try TextResolver(context: context).resolve(
            [TextUnit(field: "t", text: "No specific intelligence pointed to an imminent attack in Gao.", section: .event)], baseline: .moderate)
        #expect(r.assessments.allSatisfy { $0.level < .extreme })
    }

    @Test func contextMentionsWeighLessThanTheEvent() throws {
        let context = try makeContext()
        let r = try TextResolver(context: context).resolve([
            TextUnit(field: "Event", text: "Militants attacked a checkpoint in Kidal.", section: .event),
            TextUnit(field: "Context", text: "Militant attacks have increased in the central regions.", section: .context),
            TextUnit(field: "Context", text: "The minister visited Kayes last year.", section: .context),
        ], baseline: .high)
        let kidal = try #require(r.places.first { $0.regionIDs == ["kidal"] })
        let central = try #require(r.places.first { $0.zoneIDs == ["central"] })
        let kayes = try #require(r.places.first { $0.regionIDs == ["kayes"] })
        #expect(kidal.role == .event && central.role == .threat && kayes.role == .context)
        #expect(central.weight < kidal.weight)
        #expect(!r.assessments.contains { $0.place.map { r.places[$0].regionIDs } == ["kayes"] })
    }
}

@Suite struct ToleranceTests {
    @Test func pointsJustOutsideGoToTheNearestRegionWithinTheTolerance() throws {
        let zambla = Position(-6.98682, 10.24245)  // 832 m outside our boundary
        let strict = try makeContext(toleranceMetres: 0)
        #expect(try strict.locate(zambla).regionID == nil)
        let loose = try makeContext()
        let located = try loose.locate(zambla)
        #expect(located.regionID == "sikasso")
        #expect(located.note?.contains("nearest region") == true)
    }

    @Test func kati(){
        // Kati lies in Koulikoro region but inside the Bamako zone (the district plus 50 km).
        let context = try! makeContext()
        let kati = try! context.locate(Position(-8.07257, 12.74409))
        #expect(kati.regionID == "koulikoro")
        #expect(kati.zoneID == "bamako")
    }
}

@Suite struct FormatDetectionTests {
    @Test func detectsFromContent() {
        #expect(AlertReader.detect(Array("  <?xml version=\"1.0\"?><alert/>".utf8)) == .cap)
        #expect(AlertReader.detect(Array("\u{FEFF}{\"id\": 1}".utf8)) == .json)
        #expect(AlertReader.detect(Array("event_id_cnty,event_date,latitude\n".utf8)) == .csv)
        #expect(AlertReader.detect(Array("21 Mar 2021\nMali: something".utf8)) == .text)
    }
}

@Suite struct LexiconTests {
    /// The repository's lexicon with `change` made to it, written to a file of its own.
    func changedLexicon(_ change: (inout JSONObject) -> Void) throws -> URL {
        let url = geodataRoot.appendingPathComponent("lexicon/lexicon.json")
        guard case .object(var o) = try JSONParser.parse(Array(try Data(contentsOf: url))) else { throw AlertParseError("", "shape") }
        change(&o)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID()).json")
        try Data(JSONValue.object(o).jsonText.utf8).write(to: file)
        return file
    }

    @Test(arguments: [
        ("list_connectors", JSONValue.array(["and", "and then"]), "$.list_connectors[1]"),
        ("region_list_words", JSONValue.array(["regions", 3]), "$.region_list_words[1]"),
        ("zone_phrase_of_words", nil, "$.zone_phrase_of_words"),
        ("sentence_abbreviations", JSONValue.array(["u.s", "e g"]), "$.sentence_abbreviations[1]"),
        ("title_update_words", JSONValue.array([]), "$.title_update_words"),
    ])
    func aBadWordListEntryIsNamed(key: String, value: JSONValue?, path: String) throws {
        let file = try changedLexicon { $0[key] = value }
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try Lexicon.load(from: file)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains(path)
        }
    }

    @Test func anUnknownCAPCategoryIsNamed() throws {
        let file = try changedLexicon { o in
            guard case .object(var cap)? = o["cap"] else { return }
            cap["security_categories"] = ["Security", "Weather"]
            o["cap"] = .object(cap)
        }
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try Lexicon.load(from: file)
        } throws: { error in
            "\(error)".contains("$.cap.security_categories[1]") && "\(error)".contains("CAP 1.2 category")
        }
    }

    @Test func anAnalystCanAddWords() throws {
        let file = try changedLexicon { o in
            o["title_update_words"] = ["update", "mise à jour"]
            o["list_connectors"] = ["and", "et", "or", "ou"]
        }
        defer { try? FileManager.default.removeItem(at: file) }
        let atlas = try Atlas.load(from: geodataRoot.appendingPathComponent("mali"))
        let context = try ResolutionContext(atlas: atlas, lexicon: try Lexicon.load(from: file))
        let alert = try readAlert(Array("Mali : attaque près de Bandiagara / Mise à jour 2\nUne attaque près de Bandiagara.\n".utf8), context: context)
        #expect(alert.id == "text-mali-attaque-pres-de-bandiagara-update-2")
        #expect(alert.references.count == 2)
        let found = try TextResolver(context: context).resolve([TextUnit(field: "t", text: "Attaques à Gao ou Tessit régions", section: .event)], baseline: .moderate)
        // "Gao ... régions": a town named like its region, in a list ending with a plural region word.
        #expect(found.places.map(\.kind) == [.region, .place])
        let before = try TextResolver(context: try makeContext()).resolve([TextUnit(field: "t", text: "Attaques à Gao ou Tessit régions", section: .event)], baseline: .moderate)
        #expect(before.places.map(\.kind) == [.place, .place])
    }

    @Test func aBadLexiconEntryIsNamed() throws {
        let url = geodataRoot.appendingPathComponent("lexicon/lexicon.json")
        var json = try JSONParser.parse(Array(try Data(contentsOf: url)))
        guard case .object(var o) = json, case .array(var cues) = o["cues"]! else { Issue.record("shape"); return }
        cues[2] = ["phrase": "x", "level": 9]
        o["cues"] = .array(cues)
        json = .object(o)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID()).json")
        try Data(json.jsonText.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try Lexicon.load(from: file)
            Issue.record("loaded a bad lexicon")
        } catch {
            #expect("\(error)".contains("$.cues[2].level"))
        }
    }
}

@Suite struct StemmerTests {
    @Test(arguments: [
        (["abducting", "abducted", "abductors", "abduction", "abduct"], "abduct"),
        (["kidnapping", "kidnappers", "kidnapped", "kidnap"], "kidnap"),
        (["enlevement", "enleves", "enlevee", "enlever"], "enlev"),
        (["deconseille", "deconseillee", "deconseilles"], "deconseil"),
        (["clashes", "clashed", "clash"], "clash"),
        (["robberies", "robbery"], "robbery"),
    ])
    func inflectionsShareAStem(words: [String], stem: String) {
        for w in words { #expect(Stemmer.stem(w) == stem, "\(w)") }
    }

    @Test func shortWordsAndNumbersStayAsTheyAre() {
        for w in ["is", "was", "gao", "2024", "g5"] { #expect(Stemmer.stem(w) == w) }
    }

    @Test func frenchElisionsAreWordsOfTheirOwn() {
        #expect(Tokenizer.tokens("l'attaque d'enlèvement jusqu'à Jama'at").map(\.folded) == ["l", "attaque", "d", "enlevement", "jusqu", "a", "jamaat"])
    }
}
