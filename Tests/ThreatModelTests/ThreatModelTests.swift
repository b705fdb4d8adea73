import Testing
import ThreatModel

@Suite struct ThreatLevelTests {
    @Test func scaleColoursAndLabels() {
        #expect(ThreatLevel.allCases.map(\.rawValue) == [1, 2, 3, 4, 5])
        #expect(ThreatLevel.allCases.map(\.colour) == ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"])
        #expect(ThreatLevel.allCases.map(\.label) == ["Minimal", "Low", "Moderate", "High", "Extreme"])
        #expect(ThreatLevel.high > .moderate)
        #expect(ThreatLevel.allCases.max() == .extreme)
    }

    @Test func categoryKeys() {
        #expect(ThreatCategory.standard.map(\.rawValue) == ["terrorism", "kidnapping", "armed_conflict", "crime", "civil_unrest"])
    }
}

@Suite struct NameFoldingTests {
    @Test(arguments: [
        ("Ségou", "segou"), ("SEGOU", "segou"), ("Tombouctou", "tombouctou"), ("Gourma-Rharous", "gourma rharous"),
        ("N'Débougou", "ndebougou"), ("  Sévaré ", "sevare"), ("Ménaka", "menaka"), ("Taoudénit", "taoudenit"),
    ])
    func folds(name: String, folded: String) {
        #expect(NameFolding.fold(name) == folded)
    }

    @Test func slugs() {
        #expect(NameFolding.slug("Ségou") == "segou")
        #expect(NameFolding.slug("Gourma-Rharous") == "gourma-rharous")
    }

    @Test func latinScript() {
        #expect(NameFolding.isLatin("Ségou"))
        #expect(!NameFolding.isLatin("Кати"))
        #expect(!NameFolding.isLatin("廷巴克图"))
    }
}
