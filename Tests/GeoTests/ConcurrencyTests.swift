import Testing
@testable import Geo

/// GEOS contexts are never shared: each task makes its own and keeps its objects. Run under
/// `--sanitize=thread` this shows there is no hidden sharing.
@Suite struct ConcurrencyTests {
    static func work(seed: Int) throws -> [Double] {
        let ctx = GEOSContext()
        var results: [Double] = []
        for i in 0..<50 {
            let x = Double((seed + i) % 7)
            let a = try GEOSObject(box(x, 0, x + 2, 2), context: ctx)
            let b = try GEOSObject(.point(Position(x + 1, 1)), context: ctx).buffer(0.8)
            let u = try a.union(b)
            let prepared = try u.prepared()
            results.append(try a.intersection(b).area())
            results.append(try prepared.contains(GEOSObject(.point(Position(x + 1, 1)), context: ctx)) ? 1 : 0)
            results.append(try u.simplifiedPreservingTopology(tolerance: 0.01).area())
        }
        let t = try CoordinateTransform(fromEPSG: 4326, toEPSG: 32629)
        results.append(try t.transform(Position(-8, 12)).x)
        return results
    }

    @Test func eightTasksEachWithItsOwnContext() async throws {
        let expected = try Self.work(seed: 0)
        let all = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<8 { group.addTask { try Self.work(seed: 0) } }
            var out: [[Double]] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(all.count == 8)
        #expect(all.allSatisfy { $0 == expected })
    }
}
