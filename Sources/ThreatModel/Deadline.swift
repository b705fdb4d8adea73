/// A time limit on reading one document: readers call `check()` in their loops (per sentence,
/// per row, per area), so that a document that would take too long is given up between two
/// steps, with nothing stored, instead of holding a server's writer for as long as it takes.
/// `.none` never passes; the CLI reads without a limit, `threatmap serve` with one.
public struct Deadline: Sendable {
    /// The limit as given, for the error.
    public let seconds: Double
    private let end: ContinuousClock.Instant?

    public static let none = Deadline(seconds: .infinity, end: nil)

    /// The deadline `seconds` from now.
    public static func after(seconds: Double) -> Deadline {
        guard seconds.isFinite, seconds >= 0 else { return .none }
        return Deadline(seconds: seconds, end: .now + .milliseconds(Int64(seconds * 1000)))
    }

    private init(seconds: Double, end: ContinuousClock.Instant?) {
        self.seconds = seconds
        self.end = end
    }

    public var isPast: Bool { end.map { ContinuousClock.now >= $0 } ?? false }

    /// The error for this deadline once it has passed, nil before.
    public var exceeded: TimeLimitExceeded? { isPast ? TimeLimitExceeded(seconds: seconds) : nil }

    /// Throws once the deadline has passed.
    @inline(__always)
    public func check() throws(TimeLimitExceeded) {
        if let end, ContinuousClock.now >= end { throw TimeLimitExceeded(seconds: seconds) }
    }
}

/// Reading a document took longer than its deadline allowed; nothing of it was stored.
public struct TimeLimitExceeded: Error, Equatable, CustomStringConvertible {
    public let seconds: Double

    public var description: String {
        "reading the document took longer than its limit of \(Deadline.figure(seconds)) s; nothing of it was stored"
    }
}

extension Deadline {
    /// "10", "2.5": a number of seconds as a person writes it.
    public static func figure(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}
