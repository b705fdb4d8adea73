/// Writes compact JSON into a byte buffer. Numbers are written in the shortest form that reads
/// back to the same value, or rounded to a fixed number of decimals where asked, never with
/// a locale's separators.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func raw(_ byte: UInt8) { bytes.append(byte) }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): integer(i)
        case .double(let d): real(d)
        case .string(let s): string(s)
        case .array(let a):
            raw(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { raw(UInt8(ascii: ",")) }
                self.value(v)
            }
            raw(UInt8(ascii: "]"))
        case .object(let o):
            object(o)
        }
    }

    public mutating func object(_ o: JSONObject) {
        raw(UInt8(ascii: "{"))
        for (i, m) in o.members.enumerated() {
            if i > 0 { raw(UInt8(ascii: ",")) }
            string(m.key)
            raw(UInt8(ascii: ":"))
            value(m.value)
        }
        raw(UInt8(ascii: "}"))
    }

    public mutating func integer(_ i: Int) {
        if i < 0 {
            raw(UInt8(ascii: "-"))
            if i == .min { return bytes.append(contentsOf: "9223372036854775808".utf8) }
        }
        digits(UInt64(abs(i)), minimumCount: 1)
    }

    /// The decimal digits of `v`, at least `minimumCount` of them (zero-padded on the left).
    mutating func digits(_ v: UInt64, minimumCount: Int) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = v
        var count = 0
        withUnsafeMutableBytes(of: &buffer) { b in
            repeat {
                b[23 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0 || count < minimumCount
            bytes.append(contentsOf: b[(24 - count)...])
        }
    }

    /// A number in its shortest round-trip form; non-finite values, which JSON cannot hold, as null.
    public mutating func number(_ d: Double) {
        guard d.isFinite else { return raw("null") }
        if d == 0 { return raw(UInt8(ascii: "0")) }
        if d.rounded() == d, abs(d) < 1e15 { return integer(Int(d)) }
        bytes.append(contentsOf: d.description.utf8)
    }

    /// A real number, written so that readers type it as one: an integral value gets a fraction
    /// (`0.0`, `12.0`), so that GDAL, geopandas and QGIS see a Real field even where every value
    /// of a column happens to be whole.
    public mutating func real(_ d: Double) {
        guard d.isFinite else { return raw("null") }
        guard d.rounded() == d, abs(d) < 1e15 else { return bytes.append(contentsOf: d.description.utf8) }
        integer(Int(d))
        raw(".0")
    }

    /// A number rounded half away from zero to `decimals` places, with trailing zeros dropped:
    /// 12.5000001 at 6 places is written `12.5`. Exact, since it prints a scaled integer.
    public mutating func number(_ d: Double, decimals: Int) {
        guard d.isFinite else { return raw("null") }
        let scale = Self.powersOfTen[min(max(decimals, 0), Self.powersOfTen.count - 1)]
        let scaled = (d * scale).rounded()
        guard abs(scaled) < 9.0e15 else { return number(d) }
        var n = Int64(scaled)
        if n == 0 { return raw(UInt8(ascii: "0")) }
        if n < 0 {
            raw(UInt8(ascii: "-"))
            n = -n
        }
        var places = decimals
        while places > 0, n % 10 == 0 {
            n /= 10
            places -= 1
        }
        let unit = UInt64(Self.powersOfTen[places])
        digits(UInt64(n) / unit, minimumCount: 1)
        if places > 0 {
            raw(UInt8(ascii: "."))
            digits(UInt64(n) % unit, minimumCount: places)
        }
    }

    static let powersOfTen: [Double] = (0...15).map { e in (0..<e).reduce(1.0) { r, _ in r * 10 } }

    public mutating func string(_ s: String) {
        raw(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        var plain = true
        for b in s.utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            bytes.append(contentsOf: s.utf8)
            raw(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        raw(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// The value as compact JSON text.
    public var jsonText: String {
        var w = JSONWriter()
        w.value(self)
        return w.string
    }
}
