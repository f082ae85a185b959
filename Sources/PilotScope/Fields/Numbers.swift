/// B8 number forms, parsed by hand from bytes.
public enum NumberParser {
    /// `[+-]?digits` (trimmed); nil for anything else, including overflow.
    @inline(__always) public static func integer(_ raw: Bytes) -> Int64? {
        let b = raw.trimmed()
        guard let p = b.baseAddress, b.count > 0 else { return nil }
        var i = 0
        var neg = false
        if p[0] == 0x2B || p[0] == 0x2D { neg = p[0] == 0x2D; i = 1 }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            guard isDigit(p[i]) else { return nil }
            v = v * 10 + Int64(p[i] - 0x30)
            i += 1
        }
        return neg ? -v : v
    }

    /// `[+-]?digits[.digits]` (trimmed) as a Double; nil for anything else.
    @inline(__always) public static func decimal(_ raw: Bytes) -> Double? {
        let b = raw.trimmed()
        guard let p = b.baseAddress, b.count > 0 else { return nil }
        var i = 0
        var neg = false
        if p[0] == 0x2B || p[0] == 0x2D { neg = p[0] == 0x2D; i = 1 }
        var intDigits = 0
        var mantissa: Double = 0
        while i < b.count, isDigit(p[i]) { mantissa = mantissa * 10 + Double(p[i] - 0x30); i += 1; intDigits += 1 }
        guard intDigits > 0 else { return nil }
        if i < b.count {
            guard p[i] == 0x2E else { return nil }
            i += 1
            var scale: Double = 1
            var fracDigits = 0
            var frac: Double = 0
            while i < b.count, isDigit(p[i]) {
                frac = frac * 10 + Double(p[i] - 0x30)
                scale *= 10
                fracDigits += 1
                i += 1
            }
            guard fracDigits > 0, i == b.count else { return nil }
            mantissa += frac / scale
        }
        guard mantissa.isFinite else { return nil }
        return neg ? -mantissa : mantissa
    }
}
