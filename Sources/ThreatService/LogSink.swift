import Foundation
import Logging
import ThreatModel

/// Log lines for a busy server: formatted without time-zone lookups (UTC, our own formatter) and
/// written to standard error in batches by a thread of their own, at most 100 ms after they were
/// logged, so that a request never waits on a write. Each thread appends to a buffer of its own,
/// so that two event loops logging at once do not wait for each other; within a batch, lines are
/// in order per thread (each carries its time). `flush()` writes what is pending (the server
/// calls it when it stops).
/// `@unchecked Sendable`: the list of buffers is read and written only with `lock` held, and
/// each buffer's bytes only with its own lock.
public final class LogSink: @unchecked Sendable {
    public static let standardError = LogSink(descriptor: 2)

    /// One thread's pending bytes; `orphaned` once its thread has ended.
    final class Buffer: @unchecked Sendable {
        let lock = NSLock()
        var bytes: [UInt8] = []
        var orphaned = false
    }

    let descriptor: Int32
    let lock = NSLock()
    var buffers: [Buffer] = []
    var key = pthread_key_t()

    init(descriptor: Int32) {
        self.descriptor = descriptor
        // The thread's buffer is retained by the key's value and released when the thread ends.
        pthread_key_create(&key) { raw in
            guard let raw else { return }
            let buffer = Unmanaged<Buffer>.fromOpaque(raw).takeRetainedValue()
            buffer.lock.withLock { buffer.orphaned = true }
        }
        let thread = Thread { [unowned self] in self.drain() }
        thread.name = "threatmap-log"
        thread.start()
    }

    /// The calling thread's buffer, made and registered the first time.
    func buffer() -> Buffer {
        if let raw = pthread_getspecific(key) { return Unmanaged<Buffer>.fromOpaque(raw).takeUnretainedValue() }
        let b = Buffer()
        b.bytes.reserveCapacity(1 << 14)
        pthread_setspecific(key, Unmanaged.passRetained(b).toOpaque())
        lock.withLock { buffers.append(b) }
        return b
    }

    func append(_ line: String) {
        let b = buffer()
        b.lock.lock()
        b.bytes.append(contentsOf: line.utf8)
        b.lock.unlock()
    }

    /// Writes what is pending now.
    public func flush() {
        let all = lock.withLock { buffers }
        var out: [UInt8] = []
        var ended = false
        for b in all {
            b.lock.lock()
            out.append(contentsOf: b.bytes)
            b.bytes.removeAll(keepingCapacity: true)
            ended = ended || b.orphaned
            b.lock.unlock()
        }
        if ended { lock.withLock { buffers.removeAll { b in b.lock.withLock { b.orphaned && b.bytes.isEmpty } } } }
        write(out)
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
