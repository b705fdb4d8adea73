import CZlib

/// gzip (RFC 1952) through zlib, as MBTiles and PMTiles store vector tiles and HTTP sends them.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public var code: Int32
        /// zlib's own message, or why we stopped.
        public var message: String

        public init(code: Int32, message: String = "") {
            self.code = code
            self.message = message
        }

        public var description: String { message.isEmpty ? "zlib error \(code)" : "zlib error \(code): \(message)" }
    }

    /// The most `decompress` produces unless told otherwise: far above any tile or directory we
    /// write (the tiler keeps tiles under 500 KB), low enough that a gzip bomb cannot exhaust memory.
    public static let defaultDecompressionLimit = 64 << 20

    /// The gzip stream of `data`, at zlib's level 6 by default. The same input gives the same bytes
    /// (no file name or time in the header).
    public static func compress(_ data: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Failure(code: rc) }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 32)
        var input = data
        rc = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = outp.baseAddress
                stream.avail_out = UInt32(outp.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw Failure(code: rc) }
        out.removeLast(out.count - Int(stream.total_out))
        return out
    }

    /// The data of a gzip (or zlib) stream, at most `limit` bytes of it: a longer result, a
    /// truncated stream or a bad checksum throws rather than returning part of the data.
    public static func decompress(_ data: [UInt8], limit: Int = defaultDecompressionLimit) throws -> [UInt8] {
        guard data.count <= Int(UInt32.max) else { throw Failure(code: Z_BUF_ERROR, message: "input of \(data.count) bytes is more than zlib takes at once") }
        var stream = z_stream()
        // windowBits 15 + 32: a gzip or zlib header, detected.
        var rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw Failure(code: rc) }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = data
        try input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = UInt32(inp.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { c -> Int in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                guard rc == Z_OK || rc == Z_STREAM_END else {
                    // Z_BUF_ERROR here means the input ended before the stream did.
                    let reason = rc == Z_BUF_ERROR ? "the stream is truncated" : stream.msg.map { String(cString: $0) } ?? ""
                    throw Failure(code: rc, message: reason)
                }
                guard produced <= limit - out.count else {
                    throw Failure(code: Z_BUF_ERROR, message: "the data passes the limit of \(limit) bytes")
                }
                out.append(contentsOf: chunk[0..<produced])
            } while rc != Z_STREAM_END
        }
        return out
    }
}
