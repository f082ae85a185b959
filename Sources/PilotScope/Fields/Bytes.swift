import Glibc

/// Byte-slice helpers for the per-field hot path: no `String`, no allocation.
public typealias Bytes = UnsafeBufferPointer<UInt8>

@inline(__always) func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
@inline(__always) func asciiLower(_ b: UInt8) -> UInt8 { (b &- 0x41) < 26 ? b | 0x20 : b }
@inline(__always) func isDigit(_ b: UInt8) -> Bool { (b &- 0x30) < 10 }

extension UnsafeBufferPointer where Element == UInt8 {
    /// The slice without leading and trailing ASCII white space (space, tab, CR, LF).
    @inline(__always) public func trimmed() -> Bytes {
        guard let base = baseAddress else { return self }
        var lo = 0, hi = count
        while lo < hi && isASCIISpace(base[lo]) { lo += 1 }
        while hi > lo && isASCIISpace(base[hi - 1]) { hi -= 1 }
        return Bytes(start: base + lo, count: hi - lo)
    }

    @inline(__always) public func slice(_ from: Int, _ to: Int) -> Bytes {
        Bytes(start: baseAddress.map { $0 + from }, count: to - from)
    }

    /// ASCII case-insensitive equality with an already lower-cased needle.
    @inline(__always) public func equalsLowered(_ lower: [UInt8]) -> Bool {
        guard count == lower.count else { return false }
        for i in 0..<count where asciiLower(self[i]) != lower[i] { return false }
        return true
    }

    public var string: String { String(decoding: self, as: UTF8.self) }

    /// Trimmed, ASCII-lower-cased copy: the normal form of matched text (SPEC 2.4).
    public func normalizedText() -> [UInt8] { trimmed().map(asciiLower) }

    /// The first position at or after `from` that holds `byte` (libc's vectorized `memchr`).
    @inline(__always) public func firstIndex(ofByte byte: UInt8, from: Int = 0) -> Int? {
        guard from < count, let base = baseAddress else { return nil }
        // This is safe: `from..<count` is inside the buffer.
        guard let hit = memchr(base + from, Int32(byte), count - from) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }
}

extension Array where Element == UInt8 {
    /// A buffer written by position (`write`), never shrunk: at least `n` bytes, the contents
    /// kept, grown at least twofold (zeros after them).
    @inline(__always) mutating func ensureCount(_ n: Int) {
        if n > count { self += repeatElement(0, count: Swift.max(n - count, count, 256)) }
    }

    /// Copies `v` to `self[at..<at + v.count]`, growing the buffer first if needed: one copy,
    /// not an `append` (a call and a uniqueness check per use).
    @inline(__always) mutating func write(_ v: Bytes, at: Int) {
        ensureCount(at + v.count)
        guard let src = v.baseAddress, v.count > 0 else { return }
        // This is safe: the buffer holds `at + v.count` bytes (made sure of above).
        withUnsafeMutableBufferPointer { ($0.baseAddress! + at).update(from: src, count: v.count) }
    }
}

extension String {
    /// Trimmed, ASCII-lower-cased bytes of a configured value.
    public var normalizedText: [UInt8] {
        Array(utf8).withUnsafeBufferPointer { $0.normalizedText() }
    }
}

/// FNV-1a over bytes, 64-bit; the hash of byte-slice keys in the hot path.
@inline(__always) public func hashBytes(_ b: Bytes) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    guard let p = b.baseAddress else { return h }
    var i = 0
    let n = b.count
    // 8 bytes at a time: mix whole words, then the tail byte by byte.
    while i + 8 <= n {
        let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
        h = (h ^ w) &* 0x0000_0100_0000_01B3
        h ^= h >> 29
        i += 8
    }
    while i < n { h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01B3; i += 1 }
    return h ^ (h >> 32)
}
