/// An open-addressing hash map keyed by byte strings, looked up with byte slices: no `String`
/// and no allocation per lookup (keys are copied into one arena on insert only).
public struct ByteMap<Value> {
    private var arena: [UInt8] = []
    private var keyStart: [Int] = []
    private var keyLen: [Int32] = []
    public private(set) var values: [Value] = []
    /// Per slot: the key's 32-bit hash tag in the high half, entry + 1 in the low half; 0 is empty.
    /// One load per probe decides most mismatches without touching the keys.
    private var slots: [UInt64]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = Array(repeating: 0, count: n)
        mask = n - 1
    }

    public var count: Int { values.count }

    /// Entry index of `key`, if present.
    @inline(__always) public func find(_ key: Bytes) -> Int? {
        let h = hashBytes(key)
        var s = Int(truncatingIfNeeded: h) & mask
        let tag = h & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { sl in
            while true {
                let v = sl[s]
                if v == 0 { return nil }
                if v & 0xFFFF_FFFF_0000_0000 == tag {
                    let e = Int(v & 0xFFFF_FFFF) - 1
                    if equal(e, key) { return e }
                }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always) private func equal(_ e: Int, _ key: Bytes) -> Bool {
        let n = Int(keyLen[e])
        guard n == key.count else { return false }
        if n == 0 { return true }
        // This is safe: n > 0, so both buffers are non-empty.
        return arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + keyStart[e], key.baseAddress!, n) == 0 }
    }

    /// Entry index of `key`, inserting `make()` first when absent.
    @inline(__always) public mutating func findOrInsert(_ key: Bytes, _ make: () -> Value) -> Int {
        let h = hashBytes(key)
        var s = Int(truncatingIfNeeded: h) & mask
        let tag = h & 0xFFFF_FFFF_0000_0000
        let found: Int? = slots.withUnsafeBufferPointer { sl in
            while true {
                let v = sl[s]
                if v == 0 { return nil }
                if v & 0xFFFF_FFFF_0000_0000 == tag {
                    let e = Int(v & 0xFFFF_FFFF) - 1
                    if equal(e, key) { return e }
                }
                s = (s + 1) & mask
            }
        }
        if let found { return found }
        let e = values.count
        keyStart.append(arena.count)
        keyLen.append(Int32(key.count))
        arena.append(contentsOf: key)
        values.append(make())
        slots[s] = tag | UInt64(e + 1)
        if values.count * 2 > slots.count { grow() }
        return e
    }

    @inline(__always) public subscript(entry e: Int) -> Value {
        get { values[e] }
        set { values[e] = newValue }
    }

    /// Calls `body` with the bytes of entry `e`'s key (no copy).
    @inline(__always) public func withKey<R>(_ e: Int, _ body: (Bytes) -> R) -> R {
        arena.withUnsafeBufferPointer { a in body(Bytes(start: a.baseAddress.map { $0 + keyStart[e] }, count: Int(keyLen[e]))) }
    }

    /// Key bytes of `e` ordered before `other` (ties: false).
    @inline(__always) public func keyLess(_ e: Int, _ other: Bytes) -> Bool {
        withKey(e) { $0.lexicographicallyPrecedes(other) }
    }

    public func key(_ e: Int) -> [UInt8] { Array(arena[keyStart[e]..<(keyStart[e] + Int(keyLen[e]))]) }
    public func keyString(_ e: Int) -> String { String(decoding: arena[keyStart[e]..<(keyStart[e] + Int(keyLen[e]))], as: UTF8.self) }

    private mutating func grow() {
        let n = slots.count * 2
        slots = Array(repeating: 0, count: n)
        mask = n - 1
        for e in 0..<values.count {
            let h = arena.withUnsafeBufferPointer { a in hashBytes(Bytes(start: a.baseAddress.map { $0 + keyStart[e] }, count: Int(keyLen[e]))) }
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(e + 1)
        }
    }
}

import Glibc

extension ByteMap: @unchecked Sendable where Value: Sendable {}
