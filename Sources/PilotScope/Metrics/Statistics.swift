import Foundation

/// Small numeric rules of Appendix B.
public enum Stats {
    public static let wilsonZ = 1.959963984540054

    /// Excel PERCENTILE.INC (B20): rank h = (n−1)·p, linear between neighbours.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    public static func mean(_ xs: [Double]) -> Double? {
        xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
    }

    /// Wilson score interval for x successes of n, clamped to [0, 1]; nil for n = 0.
    public static func wilson(_ x: Int, _ n: Int, z: Double = wilsonZ) -> (Double, Double)? {
        guard n > 0 else { return nil }
        let nn = Double(n)
        let p = Double(x) / nn
        let z2 = z * z
        let denom = 1 + z2 / nn
        let center = (p + z2 / (2 * nn)) / denom
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
        return (max(0, center - half), min(1, center + half))
    }
}

/// Business time (B21): real seconds inside local weekdays that are not holidays, in the pilot's zone.
public enum BusinessTime {
    /// Business hours between two instants (milliseconds); 0 when `b <= a`. With `atLeast`, stops
    /// as soon as that many hours are reached (a pending-or-breached test needs no more).
    public static func hours(from a: Int64, to b: Int64, pilot p: Pilot, atLeast: Double = .infinity) -> Double {
        guard b > a else { return 0 }
        let firstDay = Civil.floorDiv(p.zone.local(fromUTC: Civil.floorDiv(a, 1000)), 86_400)
        let lastDay = Civil.floorDiv(p.zone.local(fromUTC: Civil.floorDiv(b, 1000)), 86_400)
        var total: Int64 = 0
        var d = firstDay
        while d <= lastDay {
            if Civil.weekday(days: d) < 5 && !p.holidays.contains(d) {
                let s = max(a, p.midnight(d))
                let e = min(b, p.midnight(d + 1))
                if e > s { total += e - s }
                if Double(total) / 3_600_000 >= atLeast { break }
            }
            d += 1
        }
        return Double(total) / 3_600_000
    }
}
