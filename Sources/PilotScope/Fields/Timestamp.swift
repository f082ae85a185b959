/// The timestamp forms of SPEC 2.4 / B4, recognised by a hand-written scanner over bytes.
public enum TimestampFormat: String, CaseIterable, Sendable, Codable {
    /// Detect any form below.
    case auto
    /// `2026-03-04`, `2026-03-04T10:22[:31][.fff][Z|±hh:mm|±hhmm|±hh]`, space instead of `T`, 12-hour clocks.
    case iso
    /// `3/4/2026 [10:22[:31] [AM|PM]]`, always month/day/year.
    case us
    /// 10 digits.
    case epochSeconds = "epoch_seconds"
    /// 13 digits.
    case epochMillis = "epoch_millis"
}

/// Which form a value was recognised as; counted by `scan`.
public enum TimestampKind: Int, CaseIterable, Sendable {
    case isoDate, isoDateTime, isoDateTimeZoned, twelveHour, usDate, usDateTime, epochSeconds, epochMillis

    public var label: String {
        switch self {
        case .isoDate: return "YYYY-MM-DD"
        case .isoDateTime: return "YYYY-MM-DD hh:mm[:ss] (local)"
        case .isoDateTimeZoned: return "YYYY-MM-DDThh:mm[:ss]±zone"
        case .twelveHour: return "YYYY-MM-DD hh:mm am/pm (local)"
        case .usDate: return "M/D/YYYY"
        case .usDateTime: return "M/D/YYYY h:mm [AM|PM] (local)"
        case .epochSeconds: return "epoch seconds"
        case .epochMillis: return "epoch milliseconds"
        }
    }
}

/// Hand-written timestamp parser: bytes in, epoch milliseconds (UTC) out. No allocation.
public struct TimestampParser: Sendable {
    public let format: TimestampFormat
    public let zone: TimeZoneTable
    /// Reads the common ISO shape by `Cursor.isoDateTime` first (off only in the tests that
    /// check it against the general path).
    var shortcut = true

    public init(format: TimestampFormat = .auto, zone: TimeZoneTable = .utc) {
        self.format = format
        self.zone = zone
    }

    /// Epoch milliseconds, or nil when the value is not a valid timestamp of the format.
    @inline(__always) public func parse(_ raw: Bytes) -> Int64? {
        parseKind(raw)?.millis
    }

    public func parseKind(_ raw: Bytes) -> (millis: Int64, kind: TimestampKind)? {
        let b = raw.trimmed()
        let n = b.count
        guard n >= 8, let p = b.baseAddress else { return nil }
        var cur = Cursor(p: p, n: n)
        if isDigit(p[0]) && isDigit(p[1]) && isDigit(p[2]) && isDigit(p[3]) && p[4] == 0x2D {
            guard format == .auto || format == .iso else { return nil }
            return cur.iso(zone, shortcut: shortcut)
        }
        if n == 10 || n == 13, cur.allDigits() {
            let v = cur.number(0, n)
            if n == 10, format == .auto || format == .epochSeconds { return (v * 1000, .epochSeconds) }
            if n == 13, format == .auto || format == .epochMillis { return (v, .epochMillis) }
            return nil
        }
        guard format == .auto || format == .us else { return nil }
        return cur.us(zone)
    }
}

/// A read position over one field's bytes.
private struct Cursor {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0

    init(p: UnsafePointer<UInt8>, n: Int) { self.p = p; self.n = n }

    func allDigits() -> Bool {
        for k in 0..<n where !isDigit(p[k]) { return false }
        return true
    }

    func number(_ a: Int, _ b: Int) -> Int64 {
        var v: Int64 = 0
        for k in a..<b { v = v * 10 + Int64(p[k] - 0x30) }
        return v
    }

    /// Reads exactly `width` digits.
    @inline(__always) mutating func fixed(_ width: Int) -> Int? {
        guard i + width <= n else { return nil }
        var v = 0
        for k in i..<(i + width) { guard isDigit(p[k]) else { return nil }; v = v * 10 + Int(p[k] - 0x30) }
        i += width
        return v
    }

    /// Reads 1 or 2 digits.
    @inline(__always) mutating func oneOrTwo() -> Int? {
        guard i < n, isDigit(p[i]) else { return nil }
        var v = Int(p[i] - 0x30)
        i += 1
        if i < n, isDigit(p[i]) { v = v * 10 + Int(p[i] - 0x30); i += 1 }
        return v
    }

    @inline(__always) mutating func eat(_ c: UInt8) -> Bool {
        if i < n, p[i] == c { i += 1; return true }
        return false
    }

    /// `hh:mm[:ss[.fff]]` with a 1- or 2-digit hour; returns milliseconds of the day part and
    /// the hour (for 12-hour clocks).
    mutating func clock() -> (hour: Int, minute: Int, second: Int, millis: Int)? {
        guard let h = oneOrTwo(), eat(0x3A), let m = fixed(2) else { return nil }
        var s = 0, ms = 0
        if eat(0x3A) {
            guard let ss = fixed(2) else { return nil }
            s = ss
            guard let f = fraction() else { return nil }
            ms = f
        }
        guard m < 60, s < 60 else { return nil }
        return (h, m, s, ms)
    }

    /// An optional `.fff` or `,fff` after the seconds (any number of digits, at least one; the
    /// first three count): milliseconds, 0 without one, nil when malformed.
    @inline(__always) mutating func fraction() -> Int? {
        guard i < n, p[i] == 0x2E || p[i] == 0x2C else { return 0 }
        i += 1
        var ms = 0, digits = 0
        while i < n, isDigit(p[i]) {
            if digits < 3 { ms = ms * 10 + Int(p[i] - 0x30) }
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        if digits == 1 { ms *= 100 } else if digits == 2 { ms *= 10 }
        return ms
    }

    /// The common shape `YYYY-MM-DD?hh:mm:ss` (`?`: `T`, `t` or a space) and any fraction,
    /// read from the start by position: the days and the clock, with `i` after them. Nil for any
    /// other shape or an impossible value, which the general path then reads (the same result
    /// for this shape: it is a shortcut, not a second grammar).
    @inline(__always) mutating func isoDateTime() -> (days: Int64, clock: (hour: Int, minute: Int, second: Int, millis: Int))? {
        guard n >= 19, p[7] == 0x2D, p[10] == 0x54 || p[10] == 0x74 || p[10] == 0x20, p[13] == 0x3A, p[16] == 0x3A else { return nil }
        // Two digits at `k`, or nil (a byte minus "0" is a digit below 10).
        func two(_ k: Int) -> Int? {
            let (a, b) = (p[k] &- 0x30, p[k + 1] &- 0x30)
            return a < 10 && b < 10 ? Int(a) * 10 + Int(b) : nil
        }
        guard let c = two(0), let yy = two(2), let mo = two(5), let d = two(8), let h = two(11), let m = two(14), let s = two(17)
        else { return nil }
        let y = c * 100 + yy
        guard mo >= 1, mo <= 12, d >= 1, d <= Civil.daysInMonth(y, mo), m < 60, s < 60 else { return nil }
        i = 19
        guard let ms = fraction() else { return nil }
        return (Civil.days(year: y, month: mo, day: d), (h, m, s, ms))
    }

    /// Optional ` am`/` pm` (either case, space optional); adjusts a 12-hour clock.
    mutating func meridiem(_ hour: inout Int) -> Bool? {
        var j = i
        while j < n, p[j] == 0x20 { j += 1 }
        guard j + 1 < n else { return false }
        let a = asciiLower(p[j]), m = asciiLower(p[j + 1])
        guard (a == 0x61 || a == 0x70) && m == 0x6D else { return false }
        guard hour >= 1 && hour <= 12 else { return nil }
        if a == 0x61 { hour = hour == 12 ? 0 : hour } else { hour = hour == 12 ? 12 : hour + 12 }
        i = j + 2
        return true
    }

    /// Optional zone: `Z`, `±hh:mm`, `±hhmm`, `±hh`, optionally after one space. Seconds east of UTC.
    mutating func zoneOffset() -> Int64?? {
        var j = i
        if j < n, p[j] == 0x20 { j += 1 }
        guard j < n else { return .some(nil) }
        if p[j] == 0x5A || p[j] == 0x7A { i = j + 1; return .some(0) }
        guard p[j] == 0x2B || p[j] == 0x2D else { return .some(nil) }
        let sign: Int64 = p[j] == 0x2D ? -1 : 1
        i = j + 1
        guard let hh = fixed(2) else { return nil }
        var mm = 0
        if eat(0x3A) {
            guard let m = fixed(2) else { return nil }
            mm = m
        } else if i < n, isDigit(p[i]) {
            guard let m = fixed(2) else { return nil }
            mm = m
        }
        guard hh <= 18, mm < 60 else { return nil }
        return .some(sign * Int64(hh * 3600 + mm * 60))
    }

    mutating func iso(_ zone: TimeZoneTable, shortcut: Bool = true) -> (millis: Int64, kind: TimestampKind)? {
        let days: Int64
        var c: (hour: Int, minute: Int, second: Int, millis: Int)
        if shortcut, let fast = isoDateTime() {
            (days, c) = fast
        } else {
            i = 0
            guard let y = fixed(4), eat(0x2D), let mo = fixed(2), eat(0x2D), let d = fixed(2) else { return nil }
            guard mo >= 1, mo <= 12, d >= 1, d <= Civil.daysInMonth(y, mo) else { return nil }
            days = Civil.days(year: y, month: mo, day: d)
            if i == n { return (zone.utc(fromLocal: days * 86_400) * 1000, .isoDate) }
            guard p[i] == 0x54 || p[i] == 0x74 || p[i] == 0x20 else { return nil }
            i += 1
            guard let general = clock() else { return nil }
            c = general
        }
        guard let twelve = meridiem(&c.hour) else { return nil }
        guard c.hour < 24 else { return nil }
        guard let off = zoneOffset() else { return nil }
        guard i == n else { return nil }
        let local = days * 86_400 + Int64(c.hour * 3600 + c.minute * 60 + c.second)
        if let off {
            return ((local - off) * 1000 + Int64(c.millis), .isoDateTimeZoned)
        }
        return (zone.utc(fromLocal: local) * 1000 + Int64(c.millis), twelve ? .twelveHour : .isoDateTime)
    }

    mutating func us(_ zone: TimeZoneTable) -> (millis: Int64, kind: TimestampKind)? {
        guard let mo = oneOrTwo(), eat(0x2F), let d = oneOrTwo(), eat(0x2F), let y = fixed(4) else { return nil }
        guard mo >= 1, mo <= 12, d >= 1, d <= Civil.daysInMonth(y, mo) else { return nil }
        let days = Civil.days(year: y, month: mo, day: d)
        if i == n { return (zone.utc(fromLocal: days * 86_400) * 1000, .usDate) }
        guard p[i] == 0x20 else { return nil }
        while i < n, p[i] == 0x20 { i += 1 }
        guard var c = clock() else { return nil }
        guard meridiem(&c.hour) != nil else { return nil }
        guard c.hour < 24 else { return nil }
        guard let off = zoneOffset() else { return nil }
        guard i == n else { return nil }
        let local = days * 86_400 + Int64(c.hour * 3600 + c.minute * 60 + c.second)
        if let off { return ((local - off) * 1000 + Int64(c.millis), .usDateTime) }
        return (zone.utc(fromLocal: local) * 1000 + Int64(c.millis), .usDateTime)
    }
}
