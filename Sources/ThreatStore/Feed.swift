import Foundation

/// A hand-over of batches from one thread to another: a producer puts batches while a consumer
/// (the store, inside its transaction) takes them, so that reading a large table and writing it
/// overlap on two cores. The producer ends it with `finish()`, or `abort(_:)` to roll back.
/// `@unchecked Sendable`: every field is read and written with `condition` locked.
public final class Feed<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[Element]] = []
    private var finished = false
    private var failure: String?
    /// Batches waiting at most: the producer blocks beyond, so memory stays bounded.
    private let capacity: Int

    public init(capacity: Int = 32) { self.capacity = capacity }

    /// A feed already holding everything.
    public convenience init(all: [Element]) {
        self.init(capacity: .max)
        if !all.isEmpty { batches = [all] }
        finished = true
    }

    public func put(_ batch: [Element]) {
        guard !batch.isEmpty else { return }
        condition.lock()
        while batches.count >= capacity && !finished { condition.wait() }
        batches.append(batch)
        condition.signal()
        condition.unlock()
    }

    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the feed so that the consumer throws and rolls back.
    public func abort(_ reason: String) {
        condition.lock()
        failure = reason
        finished = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, nil at the end; throws the producer's reason if it aborted.
    func next() throws -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if let failure { throw FeedAborted(reason: failure) }
        if batches.isEmpty { return nil }
        let b = batches.removeFirst()
        condition.signal()
        return b
    }
}

struct FeedAborted: Error {
    var reason: String
}
