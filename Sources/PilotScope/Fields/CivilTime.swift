/// Proleptic Gregorian calendar arithmetic on plain integers (Howard Hinnant's algorithms).
public enum Civil {
    @inline(__always) public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inline(__always) public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date.
    @inline(__always) public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146_097 + doe - 719_468)
    }

    /// Civil date of days since 1970-01-01.
    public static func date(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = Int(z0) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// ISO weekday, Monday = 0 … Sunday = 6, of days since 1970-01-01 (a Thursday).
    @inline(__always) public static func weekday(days: Int64) -> Int {
        Int(((days % 7) + 7 + 3) % 7)
    }

    @inline(__always) public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// `YYYY-MM-DD` of days since 1970-01-01.
    public static func dateString(days: Int64) -> String {
        let (y, m, d) = date(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// ISO 8601 UTC of epoch milliseconds, truncated to whole seconds: `2026-03-04T10:22:31Z`.
    public static func isoString(millis: Int64) -> String {
        let s = floorDiv(millis, 1000)
        let day = floorDiv(s, 86_400)
        let sod = Int(s - day * 86_400)
        let (y, m, d) = date(days: day)
        // Years 0...9999 in one buffer (a table cell per attributed contact); others the long way.
        guard (0...9999).contains(y) else {
            return dateString(days: day) + "T" + pad(sod / 3600, 2) + ":" + pad(sod / 60 % 60, 2) + ":" + pad(sod % 60, 2) + "Z"
        }
        // This is safe: an ISO timestamp is 20 ASCII bytes, all written below.
        return String(unsafeUninitializedCapacity: 20) { b in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var x = v
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    b[i] = UInt8(0x30 + x % 10)
                    x /= 10
                }
            }
            put(y, 0, 4)
            b[4] = 0x2D
            put(m, 5, 2)
            b[7] = 0x2D
            put(d, 8, 2)
            b[10] = 0x54
            put(sod / 3600, 11, 2)
            b[13] = 0x3A
            put(sod / 60 % 60, 14, 2)
            b[16] = 0x3A
            put(sod % 60, 17, 2)
            b[19] = 0x5A
            return 20
        }
    }

    @inline(__always) static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Parses `YYYY-MM-DD` (config dates) into days since 1970-01-01.
    public static func parseDate(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b { guard isDigit(u[i]) else { return nil }; v = v * 10 + Int(u[i] - 0x30) }
            return v
        }
        guard let y = num(0, 4), let m = num(5, 7), let d = num(8, 10), (1...12).contains(m), d >= 1,
            d <= daysInMonth(y, m)
        else { return nil }
        return days(year: y, month: m, day: d)
    }
}
