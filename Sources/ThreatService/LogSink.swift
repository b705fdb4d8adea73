import Foundation
import Logging
import ThreatModel

/// Log lines for a busy server: formatted without time-zone lookups (UTC, our own formatter) and
/// written to standard error in batches by a thread of their own, at most 100 ms after they were
/// logged, so that a request never waits on a write. `flush()` writes what is pending (the server
/// calls it when it stops).
/// `@unchecked Sendable`: the pending lines are read and written only with `condition` locked.
public final class LogSink: @unchecked Sendable {
    public static let standardError = LogSink(descriptor: 2)

    let descriptor: Int32
    let condition = NSCondition()
    var pending: [UInt8] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
        pending.reserveCapacity(1 << 16)
        let thread = Thread { [unowned self] in self.drain() }
        thread.name = "threatmap-log"
        thread.start()
    }

    func append(_ line: String) {
        condition.lock()
        pending.append(contentsOf: line.utf8)
        condition.unlock()
    }

    /// Writes what is pending now.
    public func flush() {
        condition.lock()
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        condition.unlock()
        write(bytes)
    }

    func drain() {
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            flush()
        }
    }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// A swift-log handler writing `TIME LEVEL LABEL: METADATA [SOURCE] MESSAGE` lines to a `LogSink`.
public struct SinkLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let label: String
    let sink: LogSink

    public init(label: String, sink: LogSink = .standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var all = metadata
        if let extra { all.merge(extra) { _, new in new } }
        var text = UTCDate.format(Date()) + " " + level.rawValue + " " + label + ":"
        for (k, v) in all.count > 1 ? all.sorted(by: { $0.key < $1.key }) : Array(all) { text += " " + k + "=" + v.description }
        text += " [" + source + "] " + message.description + "\n"
        sink.append(text)
    }
}
