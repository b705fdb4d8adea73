import Foundation
import NIOCore
import Testing
import ThreatService

/// The server against clients that hold connections, send slowly, send too much, or send what
/// takes too long to read: each refused on its own, over real sockets, with nothing stored.
@Suite struct ConnectionTests {
    static func text(_ r: RawConnection.Reading) -> String {
        if case .data(let bytes) = r { return String(decoding: bytes, as: UTF8.self) }
        return "\(r)"
    }

    @Test func idleConnectionsAndSlowHeadsAreClosed() async throws {
        let f = try Fixture(samples: false) { $0.idleSeconds = 0.5 }
        try await withLiveServer(f.routes) { client in
            try await blocking {
                let idle = try RawConnection(port: client.port)
                let start = Date()
                #expect(idle.read(within: 60) == .closed)
                #expect(Date().timeIntervalSince(start) < 30)

                // A head that never ends is not answered: the connection closes.
                let slow = try RawConnection(port: client.port)
                slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                Thread.sleep(forTimeInterval: 0.3)
                slow.send("a")
                #expect(slow.read(within: 60) == .closed)

                // A client that asks in time is answered on a kept-alive connection, which then
                // closes once idle.
                let kept = try RawConnection(port: client.port)
                kept.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(Self.text(kept.read(within: 60)).hasPrefix("HTTP/1.1 200"))
                kept.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(Self.text(kept.read(within: 60)).hasPrefix("HTTP/1.1 200"))
                #expect(kept.read(within: 60) == .closed)
            }
        }
    }

    @Test func aSlowBodyIs408AndABigOneIs413WhileItStreams() async throws {
        // The idle limit, which also ends a body that stalls, is kept out of the way.
        let f = try Fixture(samples: false) {
            $0.bodySeconds = 0.5
            $0.idleSeconds = 60
            $0.maxBodyBytes = 64 * 1024
        }
        let before = try f.fingerprint()
        try await withLiveServer(f.routes) { client in
            try await blocking {
                let slow = try RawConnection(port: client.port)
                slow.send("POST /alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nMali: ")
                let answer = Self.text(slow.read(within: 60))
                #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
                #expect(answer.lowercased().contains("connection: close"))
                #expect(slow.read(within: 60) == .closed)

                // Chunked, so no length to check first: refused once past the limit, before its end.
                let big = try RawConnection(port: client.port)
                big.send("POST /alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunk = String(16 * 1024, radix: 16) + "\r\n" + String(repeating: "a", count: 16 * 1024) + "\r\n"
                for _ in 0..<8 { big.send(chunk) }
                let refused = Self.text(big.read(within: 60))
                #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused)")
                #expect(big.read(within: 60) == .closed)
            }
        }
        #expect(try f.fingerprint() == before)
    }

    @Test func aDocumentThatTakesTooLongToReadIs422WithNothingStored() async throws {
        let f = try Fixture(samples: false) { $0.readSeconds = 1e-9 }
        let before = try f.fingerprint()
        try await withLiveServer(f.routes) { client in
            let r = try await client.execute(uri: "/alerts", method: .post, headers: [.authorization: "Bearer secret", .contentType: "application/json"],
                                             body: ByteBuffer(string: kidalAlert))
            #expect(r.status == .unprocessableContent)
            let message = try json(r.body).objectValue?["error"]?.objectValue?["message"]?.stringValue ?? ""
            #expect(message.contains("took longer than its limit"), "\(message)")
        }
        #expect(try f.fingerprint() == before)
    }

    @Test func connectionsPastTheCapWaitTheirTurn() async throws {
        let f = try Fixture(samples: false) {
            $0.maxConnections = 2
            $0.idleSeconds = 30
        }
        try await withLiveServer(f.routes) { client in
            try await blocking {
                var held: [RawConnection] = []
                for _ in 0..<2 {
                    held.append(try RawConnection(port: client.port))
                    Thread.sleep(forTimeInterval: 0.2)
                }
                let waiting = try RawConnection(port: client.port)
                waiting.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(waiting.read(within: 0.5) == .silent)
                held[0].hangUp()
                // Seen closed by the server in its own time: on a busy test machine, seconds.
                #expect(Self.text(waiting.read(within: 60)).hasPrefix("HTTP/1.1 200"))
            }
        }
    }
}
