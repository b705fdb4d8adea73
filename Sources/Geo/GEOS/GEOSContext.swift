import CGEOS

/// A GEOS failure, with GEOS's own message and the operation that raised it.
public struct GEOSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String

    public var description: String { "GEOS \(operation) failed: \(message)" }
}

/// One GEOS context (`GEOS_init_r`), the unit of GEOS's reentrant API. It collects GEOS's error and
/// notice messages instead of letting GEOS print them, and finishes the context when released.
///
/// A context is not thread-safe, so the type is not `Sendable`: make one per task or thread, and
/// keep the objects made with it on that task.
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    private let messages = Messages()

    final class Messages {
        var lastError: String?
        var notices: [String] = []
    }

    public init() {
        guard let h = GEOS_init_r() else { fatalError("GEOS_init_r returned no context: out of memory") }
        handle = h
        let box = Unmanaged.passUnretained(messages).toOpaque()
        _ = GEOSContext_setErrorMessageHandler_r(handle, { message, userdata in
            guard let userdata, let message else { return }
            Unmanaged<Messages>.fromOpaque(userdata).takeUnretainedValue().lastError = String(cString: message)
        }, box)
        _ = GEOSContext_setNoticeMessageHandler_r(handle, { message, userdata in
            guard let userdata, let message else { return }
            let m = Unmanaged<Messages>.fromOpaque(userdata).takeUnretainedValue()
            if m.notices.count < 100 { m.notices.append(String(cString: message)) }
        }, box)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// GEOS's notices since the last call to `takeNotices()` (at most 100 kept).
    public func takeNotices() -> [String] {
        defer { messages.notices.removeAll() }
        return messages.notices
    }

    /// The error for a failed call: GEOS's last message, which is then cleared.
    func error(_ operation: String) -> GEOSError {
        defer { messages.lastError = nil }
        return GEOSError(operation: operation, message: messages.lastError ?? "no message from GEOS")
    }

    /// Takes ownership of a geometry GEOS returned, or throws GEOS's message if it returned null.
    func own(_ pointer: OpaquePointer?, _ operation: String) throws(GEOSError) -> GEOSObject {
        guard let pointer else { throw error(operation) }
        return GEOSObject(owning: pointer, context: self)
    }

    /// A GEOS predicate answers 0, 1, or 2 for an exception.
    func predicate(_ result: CChar, _ operation: String) throws(GEOSError) -> Bool {
        if result == 2 { throw error(operation) }
        return result == 1
    }
}

@available(*, unavailable, message: "a GEOS context must not be shared between threads; make one per task")
extension GEOSContext: Sendable {}
