/// UTM keys in the order of the touch log's columns.
public enum UTMKey: Int, CaseIterable, Sendable {
    case source, medium, campaign, term, content

    public var name: String { ["source", "medium", "campaign", "term", "content"][rawValue] }
    /// The query key, lower-cased: `utm_source` …
    public var queryKey: [UInt8] { Array(("utm_" + name).utf8) }

    /// How many keys there are (a constant the per-row loops count to, allocating nothing).
    public static let count = 5
    /// The keys of UTM evidence, `source/medium/campaign` (B30): the first three.
    public static let evidenceCount = 3
    public var isEvidence: Bool { rawValue < Self.evidenceCount }
}

/// One row's UTM values, per key, in one reused buffer: no array per key, so setting a value
/// costs no uniqueness check or retain. A touch worker keeps two: as given, and normalized.
public struct UTMValues {
    private var buffer: [UInt8] = []
    private var used = 0
    private var starts = SIMD8<Int32>(repeating: 0)
    private var lengths = SIMD8<Int32>(repeating: 0)
    /// Bit `k`: key `k` was given (in the query, even with an empty value, or set).
    public private(set) var present: UInt8 = 0

    public init() {}

    /// Forgets every value; the next `capacity` bytes of values are written without growing.
    public mutating func reset(capacity: Int) {
        used = 0
        present = 0
        lengths = SIMD8(repeating: 0)
        buffer.ensureCount(capacity)
    }

    public func isPresent(_ k: Int) -> Bool { present & (1 << UInt8(k)) != 0 }

    /// Calls `body` with key `k`'s value (empty when it is absent).
    @inline(__always) public func withValue<R>(_ k: Int, _ body: (Bytes) -> R) -> R {
        let (s, n) = (Int(starts[k]), Int(lengths[k]))
        return buffer.withUnsafeBufferPointer { body(Bytes(rebasing: $0[s..<s + n])) }
    }

    /// Whether key `k`'s value is exactly `bytes`.
    @inline(__always) public func value(_ k: Int, equals bytes: [UInt8]) -> Bool {
        guard Int(lengths[k]) == bytes.count else { return false }
        let s = Int(starts[k])
        return buffer.withUnsafeBufferPointer { b in
            for i in 0..<bytes.count where b[s + i] != bytes[i] { return false }
            return true
        }
    }

    /// Sets key `k` to `v` (`lowered`: ASCII lower-cased), after the values written so far.
    public mutating func set(_ k: Int, _ v: Bytes, lowered: Bool = false) {
        let at = used
        if lowered {
            buffer.ensureCount(at + v.count)
            buffer.withUnsafeMutableBufferPointer { out in for i in 0..<v.count { out[at + i] = asciiLower(v[i]) } }
        } else {
            buffer.write(v, at: at)
        }
        starts[k] = Int32(at)
        lengths[k] = Int32(v.count)
        used = at + v.count
        present |= 1 << UInt8(k)
    }

    /// Reads `utm_*` parameters of a URL's query (B7), forgetting any earlier value: only `&`
    /// separates; keys compare case-insensitively and are not decoded; in values `+` becomes a
    /// space, then percent-decoding; the first occurrence of a key wins, even if empty.
    public mutating func parseQuery(of url: Bytes) {
        // Decoding never lengthens a value, so the URL's length bounds them all.
        reset(capacity: url.count)
        guard let q = url.firstIndex(ofByte: 0x3F) else { return }
        var end = url.count
        if let h = url.firstIndex(ofByte: 0x23, from: q + 1) { end = h }
        var (spans, at, given) = ((starts, lengths), 0, UInt8(0))
        buffer.withUnsafeMutableBufferPointer { out in
            var i = q + 1
            while i <= end {
                var j = i
                while j < end && url[j] != 0x26 { j += 1 }
                // One parameter [i, j).
                if j - i > 4 && asciiLower(url[i]) == 0x75 {  // 'u'
                    var eq = i
                    while eq < j && url[eq] != 0x3D { eq += 1 }
                    let key = url.slice(i, eq)
                    for k in 0..<UTMKey.count where given & (1 << UInt8(k)) == 0 && key.equalsLowered(URLFields.utmKeys[k]) {
                        given |= 1 << UInt8(k)
                        let n = eq < j ? URLFields.decode(url.slice(eq + 1, j), into: out, at: at) : 0
                        (spans.0[k], spans.1[k]) = (Int32(at), Int32(n))
                        at += n
                        break
                    }
                }
                i = j + 1
            }
        }
        (starts, lengths, used, present) = (spans.0, spans.1, at, given)
    }
}

public enum URLFields {
    static let utmKeys: [[UInt8]] = UTMKey.allCases.map(\.queryKey)

    /// `+` → space, then `%XX` → byte; malformed escapes stay as written. Writes into `out` from
    /// `at` (room for `v.count` bytes, the most it writes) and returns how many bytes it wrote.
    static func decode(_ v: Bytes, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        var (i, o) = (0, at)
        while i < v.count {
            let c = v[i]
            if c == 0x2B {
                out[o] = 0x20
            } else if c == 0x25, i + 2 < v.count, let h = hex(v[i + 1]), let l = hex(v[i + 2]) {
                out[o] = h << 4 | l
                i += 2
            } else {
                out[o] = c
            }
            o += 1
            i += 1
        }
        return o - at
    }

    @inline(__always) static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Link normalization (B6) into `out`: drop `scheme://`, lower-case the host, drop a leading
    /// `www.`, drop query and fragment, drop trailing `/`; the path keeps its case.
    public static func normalizeLink(_ raw: Bytes, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        let u = raw.trimmed()
        let (i, hostEnd, end) = linkParts(u)
        for j in i..<hostEnd { out.append(asciiLower(u[j])) }
        for j in hostEnd..<end { out.append(u[j]) }
        while let last = out.last, last == 0x2F { out.removeLast() }
    }

    /// B6 on a trimmed URL: where the host starts (after any `scheme://` and a leading `www.`),
    /// where it ends (the first `/` of the path, or `end`), and `end`, the first `?` or `#`.
    @inline(__always) static func linkParts(_ u: Bytes) -> (host: Int, hostEnd: Int, end: Int) {
        let i = schemeEnd(u)
        var end = u.count
        for j in i..<u.count where u[j] == 0x3F || u[j] == 0x23 { end = j; break }
        var hostEnd = end
        for j in i..<end where u[j] == 0x2F { hostEnd = j; break }
        return (afterWWW(u, i, hostEnd), hostEnd, end)
    }

    /// Where the URL continues after `scheme://` (letters, digits, + . - before "://"), else 0.
    @inline(__always) static func schemeEnd(_ u: Bytes) -> Int {
        // Nearly every URL starts `https://` or `http://` (any case): one word compared.
        if u.count >= 8, let p = u.baseAddress {
            // This is safe: the slice holds at least the 8 bytes loaded.
            let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            // The first byte in the low bits; `| 0x20` lower-cases each letter position (and
            // makes no other byte a lower-case letter of these).
            if w | 0x0000_0020_2020_2020 == 0x2F2F_3A73_7074_7468 { return 8 }  // "https://"
            if (w & 0x00FF_FFFF_FFFF_FFFF) | 0x2020_2020 == 0x002F_2F3A_7074_7468 { return 7 }  // "http://"
        }
        return schemeEndByScan(u)
    }

    /// `schemeEnd` read byte by byte (any scheme; the tests check the shortcut against it).
    static func schemeEndByScan(_ u: Bytes) -> Int {
        var k = 0
        while k < u.count {
            let c = u[k]
            if c == 0x3A { break }
            let ok = (asciiLower(c) >= 0x61 && asciiLower(c) <= 0x7A) || isDigit(c) || c == 0x2B || c == 0x2E || c == 0x2D
            if !ok { break }
            k += 1
        }
        return k > 0 && k + 2 < u.count && u[k] == 0x3A && u[k + 1] == 0x2F && u[k + 2] == 0x2F ? k + 3 : 0
    }

    /// A host starting at `i` and ending at `hostEnd`, without a leading `www.`.
    @inline(__always) static func afterWWW(_ u: Bytes, _ i: Int, _ hostEnd: Int) -> Int {
        hostEnd - i >= 4 && asciiLower(u[i]) == 0x77 && asciiLower(u[i + 1]) == 0x77 && asciiLower(u[i + 2]) == 0x77
            && u[i + 3] == 0x2E ? i + 4 : i
    }

    public static func normalizeLink(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        Array(s.utf8).withUnsafeBufferPointer { normalizeLink($0, into: &out) }
        return out
    }

    /// Whether the URL's host, as `normalizeLink` would write it (after `scheme://`, lower-cased,
    /// without a leading `www.`), equals one of `hosts` (which hold no `/`, `?` or `#`). A cheap
    /// test before normalizing: each host is compared from the host's first byte (most differ
    /// there), then the byte after it must end the host; the host's end is never searched for.
    public static func hostIsOneOf(_ raw: Bytes, _ hosts: [[UInt8]]) -> Bool {
        let u = raw.trimmed()
        let start = schemeEnd(u)
        // A leading `www.` is dropped as `afterWWW` drops it: its four bytes end no host.
        let i = afterWWW(u, start, u.count)
        for h in hosts where i + h.count <= u.count {
            let n = h.count
            if i + n < u.count {
                let c = u[i + n]
                guard c == 0x2F || c == 0x3F || c == 0x23 else { continue }
            }
            var same = true
            for j in 0..<n where asciiLower(u[i + j]) != h[j] {
                same = false
                break
            }
            if same { return true }
        }
        return false
    }

    /// An event URL (normalized) matches a link (normalized) if equal or continuing after a `/`.
    @inline(__always) public static func linkMatches(_ url: [UInt8], _ link: [UInt8]) -> Bool {
        if url.count == link.count { return url == link }
        guard url.count > link.count, url[link.count] == 0x2F, !link.isEmpty else { return false }
        for i in 0..<link.count where url[i] != link[i] { return false }
        return true
    }
}
