import Crypto

/// The SHA-256 (FIPS 180-4) of `bytes` as 64 lower-case hex digits, through swift-crypto: the
/// fingerprint of a stored document, and the service's tile ETags.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for b in SHA256.hash(data: bytes) {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
