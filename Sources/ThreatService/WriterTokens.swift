import Crypto
import Foundation

/// The bearer tokens that may write, each with its writer's name: THREATMAP_TOKEN (named
/// `THREATMAP_TOKEN`) and the lines of THREATMAP_TOKEN_FILE, one `NAME TOKEN` a line (`#` starts
/// a comment). Tokens are kept as SHA-256 digests; a request's token is hashed and compared with
/// every one of them with swift-crypto's constant-time `==`, all of them every time, so neither
/// which token matched nor how much of it shows in the timing.
public struct WriterTokens: Sendable {
    // SHA256Digest is an immutable 32-byte value that swift-crypto 3.12 does not mark Sendable;
    // nothing here mutates it after it is made.
    struct Writer: @unchecked Sendable {
        let name: String
        let digest: SHA256Digest
    }

    var writers: [Writer] = []

    public init() {}

    public var isEmpty: Bool { writers.isEmpty }
    public var names: [String] { writers.map(\.name) }

    /// Adds a writer. Names are letters, digits, `.`, `_`, `-`; a token is any run of characters
    /// without spaces.
    public mutating func add(name: String, token: String) throws(WriterTokenError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw WriterTokenError("the writer name \"\(name)\" is not letters, digits, '.', '_' or '-'")
        }
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw WriterTokenError("the token of \(name) is empty or holds spaces")
        }
        guard !writers.contains(where: { $0.name == name }) else { throw WriterTokenError("the writer name \(name) is given twice") }
        let digest = SHA256.hash(data: Array(token.utf8))
        guard !writers.contains(where: { $0.digest == digest }) else { throw WriterTokenError("the token of \(name) is another writer's too") }
        writers.append(Writer(name: name, digest: digest))
    }

    /// Reads a token file: one `NAME TOKEN` a line; blank lines and `#` comments are skipped.
    public mutating func load(file path: String) throws(WriterTokenError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WriterTokenError("\(path): cannot be read as UTF-8 text (\(error.localizedDescription))")
        }
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if fields.isEmpty { continue }
            guard fields.count == 2 else { throw WriterTokenError("\(path): line \(i + 1): expected NAME TOKEN, found \(fields.count) fields") }
            do {
                try add(name: fields[0], token: fields[1])
            } catch {
                throw WriterTokenError("\(path): line \(i + 1): \(error.message)")
            }
        }
    }

    /// The name of the writer whose token this is, or nil.
    public func writer(of token: String) -> String? {
        let given = SHA256.hash(data: Array(token.utf8))
        var found: String?
        for w in writers where w.digest == given { found = w.name }
        return found
    }
}

public struct WriterTokenError: Error, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
