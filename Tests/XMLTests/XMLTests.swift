import Foundation
import Testing
import XML

@Suite struct XMLReaderTests {
    func refuse(_ text: String, _ expect: String, limits: XMLLimits = XMLLimits(), sourceLocation: SourceLocation = #_sourceLocation) {
        refuse(Array(text.utf8), expect, limits: limits, sourceLocation: sourceLocation)
    }

    func refuse(_ bytes: [UInt8], _ expect: String, limits: XMLLimits = XMLLimits(), sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try XMLReader.parse(bytes, limits: limits)
            Issue.record("accepted; wanted an error mentioning \(expect)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.lowercased().contains(expect.lowercased()), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func namespacesResolvedWhateverThePrefix() throws {
        let doc = """
            <?xml version="1.0" encoding="UTF-8"?>
            <cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2" xmlns:x="urn:other">
              <cap:identifier>A-1</cap:identifier>
              <cap:info lang="fr-FR"><cap:headline><![CDATA[Attaque & <enlèvement>]]></cap:headline>
              <x:extra a="1 &amp; 2"/></cap:info>
            </cap:alert>
            """
        let root = try XMLReader.parse(Array(doc.utf8))
        #expect(root.name == "alert" && root.namespace == "urn:oasis:names:tc:emergency:cap:1.2" && root.line == 2)
        #expect(root.first("identifier")?.text == "A-1")
        let info = try #require(root.first("info"))
        #expect(info.attributes["lang"] == "fr-FR" && info.line == 4)
        #expect(info.first("headline")?.text == "Attaque & <enlèvement>")
        #expect(info.first("extra")?.namespace == "urn:other" && info.first("extra")?.attributes["a"] == "1 & 2")
    }

    @Test func malformedDocumentsSayWhere() {
        refuse("<alert><info></alert>", "line 1")
        refuse("<alert>\n<info>\n", "line")
        refuse("", "empty")
        refuse("<1alert/>", "line 1")
        refuse("<alert><a:b:c/></alert>", "line 1")
    }

    /// Billion laughs, an external entity, an external DTD: refused at the DOCTYPE, nothing expanded
    /// or loaded.
    @Test func noDTDNoEntitiesNoNetwork() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
            <alert>&lol4;</alert>
            """
        // libxml2 stops the expansion itself (its entity checks), before our DOCTYPE rule.
        refuse(laughs, "entity")
        refuse("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<alert>&x;</alert>", "DOCTYPE")
        refuse("<?xml version=\"1.0\"?>\n<!DOCTYPE alert SYSTEM \"http://127.0.0.1:9/cap.dtd\">\n<alert/>", "DOCTYPE")
    }

    @Test func invalidUTF8() {
        refuse(Array("<alert>".utf8) + [0xC3, 0x28, 0xFF] + Array("</alert>".utf8), "line 1")
    }

    @Test func limits() {
        refuse(String(repeating: "<a>", count: 4_000) + String(repeating: "</a>", count: 4_000), "depth")
        refuse(String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100), "deeper than 64")
        refuse("<alert>" + String(repeating: "<a/>", count: 50) + "</alert>", "elements", limits: { var l = XMLLimits(); l.maxElements = 20; return l }())
        refuse("<" + String(repeating: "n", count: 300) + "/>", "name")
        refuse(String(repeating: " ", count: 100) + "<a/>", "limit", limits: { var l = XMLLimits(); l.maxBytes = 50; return l }())
    }
}

/// Mutated copies of our CAP samples (bytes flipped, cut, names broken), as a feed might corrupt
/// them: each either parses or is an error with a line; none traps, as Foundation's XMLParser did
/// on malformed names.
@Suite struct MutatedCAPTests {
    static let samples: [[UInt8]] = {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GeoData/alerts")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".xml") }.sorted().compactMap { FileManager.default.contents(atPath: dir.appendingPathComponent($0).path).map { [UInt8]($0) } }
    }()

    @Test func noMutationTraps() {
        #expect(!Self.samples.isEmpty)
        var generator = SplitMix(seed: 0x7e57)
        let nasty: [[UInt8]] = [[0x3A], [0x3C], [0x3E], [0x26], [0x00], [0xFF], [0xC3], Array(":1:".utf8), Array("<!".utf8), Array("&#0;".utf8)]
        var refused = 0
        for sample in Self.samples {
            for _ in 0..<400 {
                var bytes = sample
                for _ in 0..<(1 + Int(generator.next() % 3)) {
                    let i = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes[i] = UInt8(truncatingIfNeeded: generator.next())
                    case 1: bytes.insert(contentsOf: nasty[Int(generator.next() % UInt64(nasty.count))], at: i)
                    default: bytes.removeSubrange(i..<min(bytes.count, i + Int(generator.next() % 40)))
                    }
                    if bytes.isEmpty { bytes = [0x3C] }
                }
                do { _ = try XMLReader.parse(bytes) } catch { refused += 1; #expect(error.line >= 0) }
            }
        }
        #expect(refused > 0)
    }
}

/// A small deterministic generator, so that a failure repeats.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
