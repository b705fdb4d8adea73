import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ThreatService

#if canImport(Glibc)
import Glibc
#endif

/// A response as it came over the socket: nothing decompressed, nothing cached.
struct TestResponse {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
}

struct TestClientError: Error, CustomStringConvertible {
    var description: String
}

/// A minimal HTTP/1.1 client for the tests: one request per connection (`Connection: close`) over
/// a POSIX socket on 127.0.0.1, the response read whole, so that what the tests see is exactly
/// what the server sent. The blocking socket work runs off Swift's cooperative threads, which the
/// server's handlers need.
struct TestClient: Sendable {
    let port: Int

    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        var head = "\(method.rawValue) \(uri) HTTP/1.1\r\n"
        if headers[HTTPField.Name("Host")!] == nil { head += "Host: 127.0.0.1:\(port)\r\n" }
        for field in headers { head += "\(field.name.rawName): \(field.value)\r\n" }
        head += "Connection: close\r\nContent-Length: \(body?.readableBytes ?? 0)\r\n\r\n"
        let request = Array(head.utf8) + (body.map { Array($0.readableBytesView) } ?? [])
        let port = self.port
        let raw = try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
            DispatchQueue.global().async { c.resume(with: Result { try Self.exchange(request, port: port) }) }
        }
        return try Self.parse(raw)
    }

    /// Sends the request and reads until the server closes. A server may answer and close before
    /// it has read a large body (413): the send then fails and the answer is read all the same.
    static func exchange(_ request: [UInt8], port: Int) throws -> [UInt8] {
        let connection = try RawConnection(port: port)
        let fd = connection.fd
        // A server that refuses a large body stops reading it: give up sending after a while.
        var sendTimeout = timeval(tv_sec: 2, tv_usec: 0), receiveTimeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receiveTimeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
            if isComplete(response) { break }
        }
        return response
    }

    /// Whether a response has arrived whole (by its Content-Length, or its last chunk), so that
    /// reading need not wait for the server to close.
    static func isComplete(_ raw: [UInt8]) -> Bool {
        guard let end = headEnd(raw) else { return false }
        let head = String(decoding: raw[..<end], as: UTF8.self).lowercased()
        if let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
            return raw.count - (end + 4) >= length
        }
        if head.contains("transfer-encoding: chunked") { return raw.suffix(5).elementsEqual([48, 13, 10, 13, 10]) }
        return head.hasPrefix("http/1.1 204") || head.hasPrefix("http/1.1 304")
    }

    static func headEnd(_ raw: [UInt8]) -> Int? {
        let separator: [UInt8] = [13, 10, 13, 10]
        return (0..<max(0, raw.count - 3)).first(where: { raw[$0..<($0 + 4)].elementsEqual(separator) })
    }

    static func parse(_ raw: [UInt8]) throws -> TestResponse {
        guard let end = headEnd(raw) else {
            throw TestClientError(description: "no complete response head in \(raw.count) bytes")
        }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let code = Int(statusParts[1]) else { throw TestClientError(description: "bad status line \(lines[0])") }
        var headers = HTTPFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
            headers.append(HTTPField(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[(end + 4)...])
        if headers[.transferEncoding]?.lowercased() == "chunked" { body = try unchunk(body) }
        return TestResponse(status: HTTPResponse.Status(code: code), headers: headers, body: ByteBuffer(bytes: body))
    }

    /// The body of a chunked response (RFC 9112, section 7.1).
    static func unchunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = (i..<(data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }),
                  let size = Int(String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else {
                throw TestClientError(description: "bad chunk at byte \(i)")
            }
            if size == 0 { break }
            out.append(contentsOf: data[(lineEnd + 2)..<(lineEnd + 2 + size)])
            i = lineEnd + 2 + size + 2
        }
        return out
    }
}

/// Serves `routes` on a free port of 127.0.0.1 for the length of `body`, a real Hummingbird
/// server on a real socket, then stops it.
func withLiveServer(_ routes: ThreatRoutes, _ body: @Sendable (TestClient) async throws -> Void) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    // The application serve runs, on a free port.
    let app = buildApplication(routes, host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test")))
    let server = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    let result: Result<Void, any Error>
    if let port = await iterator.next(), port > 0 {
        do { result = .success(try await body(TestClient(port: port))) } catch { result = .failure(error) }
    } else {
        result = .failure(TestClientError(description: "the server did not start"))
    }
    await group.triggerGracefulShutdown()
    try await server.value
    try result.get()
}

/// One client connection held open by a test, to send a request piece by piece or not at all,
/// and to see when the server answers or closes.
final class RawConnection: @unchecked Sendable {
    private(set) var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestClientError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestClientError(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit { hangUp() }

    /// Closes the connection from the client's side.
    func hangUp() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends `text`; false once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    enum Reading: Equatable {
        /// What arrived before the server closed, or before `within` passed with data in hand.
        case data([UInt8])
        /// The server closed the connection with nothing (more) to say.
        case closed
        /// Nothing arrived within the time given.
        case silent
    }

    /// Waits up to `within` seconds for the server to send something or close (generous: other
    /// suites running beside the tests can hold the cooperative threads for seconds); reads until it
    /// closes or falls silent for a moment.
    func read(within seconds: Double) -> Reading {
        var received: [UInt8] = []
        var wait = Int32(seconds * 1000)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, wait) > 0 else { return received.isEmpty ? .silent : .data(received) }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return received.isEmpty ? .closed : .data(received) }
            received.append(contentsOf: buffer[0..<n])
            wait = 200
        }
    }
}

/// Runs blocking socket work off Swift's cooperative threads, which the server's handlers need.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        DispatchQueue.global().async { c.resume(with: Result { try work() }) }
    }
}
