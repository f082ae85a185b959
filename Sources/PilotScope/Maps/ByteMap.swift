import CPilotShims
import Glibc

/// An open-addressing hash map keyed by byte strings, looked up with byte slices: no `String`
/// and no allocation per lookup. Each entry keeps the first 16 key bytes inline beside its value,
/// so a lookup of a short key (visitor ids) costs two memory accesses: the slot, then the entry.
/// Longer keys keep their tail in one arena.
public struct ByteMap<Value> {
    struct Entry {
        var k0: UInt64
        var k1: UInt64
        var length: UInt32
        /// Arena offset of the whole key (keys longer than 16 bytes).
        var tail: UInt32
        var value: Value
    }

    /// Paged: growing never copies the entries, and holds less than a page more than they need.
    private var entries: PagedArray<Entry>
    /// Grows in place (`ByteStore`); copied on write, as the entries are.
    private var arena = ByteStore(capacity: 256)
    /// Per slot: the key's 32-bit hash tag (the hash's high half) in the high half, entry + 1 in
    /// the low half; 0 is empty. The slot's position comes from the tag too, so growing rehashes
    /// from the slots alone (no key is read, no hash stored per entry).
    private var slots: [UInt64]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var n = 16
        while n * 5 < capacity * 8 { n <<= 1 }
        slots = Array(repeating: 0, count: n)
        mask = n - 1
        entries = PagedArray(capacity: capacity)
    }

    public var count: Int { entries.count }

    /// Bytes in the arena of long keys (the tests check that copies do not share it).
    var longKeyBytes: Int { arena.count }

    /// The first 16 bytes of a key as two words, zero-padded.
    @inline(__always) static func head(_ key: Bytes) -> (UInt64, UInt64) {
        guard let p = key.baseAddress, key.count > 0 else { return (0, 0) }
        if key.count >= 16 {
            return (UnsafeRawPointer(p).loadUnaligned(as: UInt64.self), UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self))
        }
        var w: (UInt64, UInt64) = (0, 0)
        // This is safe: key.count < 16 bytes fit the two words.
        withUnsafeMutableBytes(of: &w) { $0.baseAddress!.copyMemory(from: p, byteCount: key.count) }
        return w
    }

    @inline(__always) private func matches(_ e: Int, _ key: Bytes, _ h: (UInt64, UInt64)) -> Bool {
        let x = entries.uncheckedPointer(e).pointee
        guard x.length == UInt32(key.count), x.k0 == h.0, x.k1 == h.1 else { return false }
        if key.count <= 16 { return true }
        // This is safe: the key is longer than 16 bytes, and the arena holds all of it.
        return memcmp(arena.base + Int(x.tail) + 16, key.baseAddress! + 16, key.count - 16) == 0
    }

    @inline(__always) private func probe(_ key: Bytes, _ hash: UInt64, _ h: (UInt64, UInt64)) -> (found: Int?, slot: Int) {
        var s = Self.position(hash) & mask
        let tag = hash & 0xFFFF_FFFF_0000_0000
        return slots.withUnsafeBufferPointer { sl in
            while true {
                let v = sl[s]
                if v == 0 { return (nil, s) }
                if v & 0xFFFF_FFFF_0000_0000 == tag {
                    let e = Int(v & 0xFFFF_FFFF) - 1
                    if matches(e, key, h) { return (e, s) }
                }
                s = (s + 1) & mask
            }
        }
    }

    /// A key hashed ahead of its lookup, so a batch of lookups can prefetch their slots and entries
    /// before probing (the two cache misses of a lookup in a large map overlap instead of queueing).
    public struct Prepared {
        public var hash: UInt64
        var head: (UInt64, UInt64)
        public init(_ key: Bytes) {
            hash = hashBytes(key)
            head = ByteMap.head(key)
        }
    }

    /// Stage one of a batched lookup: the slot's cache line.
    @inline(__always) public func prefetchSlot(_ p: Prepared) {
        // This is safe: the position is masked into the slot array.
        slots.withUnsafeBufferPointer { CPilotShims_prefetch($0.baseAddress! + (Self.position(p.hash) & mask)) }
    }

    /// Stage two: the entry the slot names when its hash tag matches (the slot is cached by now).
    @inline(__always) public func prefetchEntry(_ p: Prepared) {
        let v = slots.withUnsafeBufferPointer { $0[Self.position(p.hash) & mask] }
        guard v != 0, v & 0xFFFF_FFFF_0000_0000 == p.hash & 0xFFFF_FFFF_0000_0000 else { return }
        // This is safe: a non-empty slot names an existing entry (index + 1).
        CPilotShims_prefetch(entries.uncheckedPointer(Int(v & 0xFFFF_FFFF) - 1))
    }

    /// Entry index of `key`, if present.
    @inline(__always) public func find(_ key: Bytes) -> Int? {
        find(key, Prepared(key))
    }

    /// `find` with the key hashed beforehand (`p` must be `Prepared(key)`).
    @inline(__always) public func find(_ key: Bytes, _ p: Prepared) -> Int? {
        probe(key, p.hash, p.head).found
    }

    /// Entry index of `key`, inserting `make()` first when absent.
    @inline(__always) public mutating func findOrInsert(_ key: Bytes, _ make: () -> Value) -> Int {
        findOrInsert(key, Prepared(key), make)
    }

    /// `findOrInsert` with the key hashed beforehand (`p` must be `Prepared(key)`).
    @inline(__always) public mutating func findOrInsert(_ key: Bytes, _ p: Prepared, _ make: () -> Value) -> Int {
        let hash = p.hash
        let h = p.head
        let (found, s) = probe(key, hash, h)
        if let found { return found }
        let e = entries.count
        var tail: UInt32 = 0
        if key.count > 16 {
            if !isKnownUniquelyReferenced(&arena) { arena = ByteStore(copying: arena) }
            tail = UInt32(arena.count)
            arena.append(key)
        }
        entries.append(Entry(k0: h.0, k1: h.1, length: UInt32(key.count), tail: tail, value: make()))
        slots[s] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(e + 1)
        // At most five eighths full: the slot tags keep probes off the entries.
        if entries.count * 8 > slots.count * 5 { grow() }
        return e
    }

    @inline(__always) public subscript(entry e: Int) -> Value {
        get { entries.pointer(e).pointee.value }
        set { entries.update(e) { $0.value = newValue } }
    }

    /// Calls `body` with the bytes of entry `e`'s key.
    @inline(__always) public func withKey<R>(_ e: Int, _ body: (Bytes) -> R) -> R {
        let x = entries.pointer(e).pointee
        let n = Int(x.length)
        var head = (x.k0, x.k1)
        if n <= 16 {
            // This is safe: a key of at most 16 bytes is held whole in its two head words.
            return withUnsafeBytes(of: &head) { body(Bytes(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)) }
        }
        // This is safe: a longer key is stored whole in the arena at `tail`, and `self` holds it.
        return withExtendedLifetime(arena) { body(Bytes(start: arena.base + Int(x.tail), count: n)) }
    }

    /// Key bytes of `e` ordered before `other`.
    @inline(__always) public func keyLess(_ e: Int, _ other: Bytes) -> Bool {
        withKey(e) { $0.lexicographicallyPrecedes(other) }
    }

    public func keyString(_ e: Int) -> String { withKey(e) { String(decoding: $0, as: UTF8.self) } }

    /// A slot position from a hash (or a slot value): its high 32 bits.
    @inline(__always) static func position(_ hashOrSlot: UInt64) -> Int { Int(truncatingIfNeeded: hashOrSlot >> 32) }

    /// Appends every entry of `other`, whose keys this map must not hold (the partitions of a
    /// partitioned read are disjoint by construction): entry `e` of `other` becomes entry
    /// `count + e`, its value passed through `transform`. No key is hashed or compared: the slots
    /// are placed from `other`'s hash tags.
    public mutating func appendDisjoint(_ other: ByteMap, _ transform: (Value) -> Value) {
        let base = entries.count
        precondition(arena.count + other.arena.count <= Int(UInt32.max), "ByteMap: key arena over 4 GiB")
        let arenaBase = UInt32(arena.count)
        if other.arena.count > 0 {
            if !isKnownUniquelyReferenced(&arena) { arena = ByteStore(copying: arena) }
            arena.append(other.arena.bytes)
        }
        for x in other.entries {
            var x = x
            if x.length > 16 { x.tail += arenaBase }
            x.value = transform(x.value)
            entries.append(x)
        }
        while entries.count * 8 > slots.count * 5 { grow() }
        slots.withUnsafeMutableBufferPointer { sl in
            for v in other.slots where v != 0 {
                var s = Self.position(v) & mask
                while sl[s] != 0 { s = (s + 1) & mask }
                sl[s] = (v & 0xFFFF_FFFF_0000_0000) | UInt64(Int(v & 0xFFFF_FFFF) + base)
            }
        }
    }

    private mutating func grow() {
        let old = slots
        let n = slots.count * 2
        slots = Array(repeating: 0, count: n)
        mask = n - 1
        for v in old where v != 0 {
            var s = Self.position(v) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = v
        }
    }
}

extension ByteMap: @unchecked Sendable where Value: Sendable {}

extension ByteMap where Value: Sendable {
    /// Interns every key of `other`, merging each of its values into this map's entry for the key
    /// (`merge(&mine, theirs)`, on a fresh `make()` for a new key); returns the new id of each of
    /// `other`'s entries. The same map and ids as `findOrInsert` of `other`'s keys in its order:
    /// the keys this map holds already are found and merged first, ranges of `other` on up to
    /// `threads` threads in prefetched batches (`other`'s keys are distinct, so each entry is
    /// merged by one thread, once); then the new keys are inserted in `other`'s order.
    public mutating func absorb(_ other: ByteMap, threads: Int, _ make: () -> Value, _ merge: @escaping @Sendable (inout Value, Value) -> Void) -> [Int32] {
        var ids = [Int32](repeating: -1, count: other.count)
        guard other.count > 0 else { return ids }
        // Own entries first, so the merges through `sharedPointer` below reach this map only.
        entries.makeUnique()
        do {
            let mine = self
            let ranges = evenRanges(other.count, parts: 16)
            ids.withUnsafeMutableBufferPointer { out in
                let box = PointerBox(out.baseAddress!)
                concurrently(ranges.count, threads: threads) { part in
                    var batch = KeyBatch<Value>()
                    for base in stride(from: ranges[part].lowerBound, to: ranges[part].upperBound, by: mapLookupBatch) {
                        let end = min(base + mapLookupBatch, ranges[part].upperBound)
                        for o in base..<end { _ = other.withKey(o) { batch.add($0, prefetchingIn: mine) } }
                        batch.find(in: mine) { i, e in
                            // This is safe: entry `e` is merged only here (one key of `other` names
                            // it), `base + i` is this range's, and nothing is appended meanwhile.
                            merge(&mine.entries.sharedPointer(e).pointee.value, other.entries.uncheckedPointer(base + i).pointee.value)
                            box.pointer[base + i] = Int32(e)
                        }
                        batch.removeAll()
                    }
                }
            }
        }
        // The new keys, in prefetched batches.
        var batch = KeyBatch<Value>()
        var queued: [Int] = []
        queued.reserveCapacity(mapLookupBatch)
        func insertQueued() {
            batch.resolve(in: &self, make)
            for (o, e32) in zip(queued, batch.ids) {
                let theirs = other[entry: o]
                entries.update(Int(e32)) { merge(&$0.value, theirs) }
                ids[o] = e32
            }
            batch.removeAll()
            queued.removeAll(keepingCapacity: true)
        }
        for o in 0..<other.count where ids[o] < 0 {
            _ = other.withKey(o) { batch.add($0, prefetchingIn: self) }
            queued.append(o)
            if queued.count == mapLookupBatch { insertQueued() }
        }
        insertQueued()
        return ids
    }
}
