import XCTest

@testable import PilotScope

/// The hand-written maps of the hot path against Swift's Dictionary, through several growths.
final class MapTests: XCTestCase {
    /// Keys of 0 to 40 bytes (inline heads and arena tails), with shared prefixes and case variants.
    static func keys(_ n: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { i in
            let len = [0, 1, 7, 8, 15, 16, 17, 24, 40][i % 9]
            var k = Array("visitor-\(rng.below(n / 2))".utf8)
            while k.count < len { k.append(UInt8(0x41 + rng.below(26))) }
            return Array(k.prefix(max(len, 1 + i % 3)))
        }
    }

    func testByteMapAgreesWithDictionaryThroughGrowth() {
        let keys = Self.keys(50_000, seed: 7)
        var map = ByteMap<Int32>(capacity: 4)
        var reference: [[UInt8]: Int] = [:]
        var ids: [[UInt8]: Int] = [:]
        for (i, k) in keys.enumerated() {
            // Alternate the plain path and the prepared (batched) path.
            let e = k.withUnsafeBufferPointer { b in
                i % 2 == 0 ? map.findOrInsert(b) { 0 } : map.findOrInsert(b, ByteMap<Int32>.Prepared(b)) { 0 }
            }
            if let known = ids[k] { XCTAssertEqual(known, e, "a key keeps its entry id") } else { ids[k] = e }
            map[entry: e] += 1
            reference[k, default: 0] += 1
        }
        XCTAssertEqual(map.count, reference.count)
        for (k, n) in reference {
            guard let e = k.withUnsafeBufferPointer({ map.find($0) }) else { return XCTFail("lost key \(k)") }
            XCTAssertEqual(Int(map[entry: e]), n)
            XCTAssertEqual(map.withKey(e) { Array($0) }, k)
        }
        let absent = Array("not-a-visitor-at-all".utf8)
        XCTAssertNil(absent.withUnsafeBufferPointer { map.find($0) })
    }

    /// Past the first page of entries (`PagedArray`: 65,536 a page), with every entry read back.
    func testByteMapEntriesAcrossPages() {
        let n = 3 * PagedArray<Int>.pageSize + 17
        var map = ByteMap<Int32>(capacity: 4)
        for i in 0..<n {
            let k = Array("v\(i)".utf8)
            let e = k.withUnsafeBufferPointer { map.findOrInsert($0) { Int32(i) } }
            XCTAssertEqual(e, i, "ids are insertion order")
        }
        XCTAssertEqual(map.count, n)
        for i in Array(stride(from: 0, to: n, by: 997)) + [n - 1, PagedArray<Int>.pageSize, PagedArray<Int>.pageSize - 1] {
            let k = Array("v\(i)".utf8)
            XCTAssertEqual(k.withUnsafeBufferPointer { map.find($0) }, i)
            XCTAssertEqual(map[entry: i], Int32(i))
            XCTAssertEqual(map.withKey(i) { Array($0) }, k)
        }
    }

    /// The paged array: appends across pages, reads by index, page table and iteration agree, and
    /// a copy changed (in place or by appending) leaves the original as it was.
    func testPagedArray() {
        let n = 2 * PagedArray<Int>.pageSize + 5
        var a = PagedArray<Int>(capacity: 1)
        for i in 0..<n { a.append(i * 3) }
        XCTAssertEqual(a.count, n)
        XCTAssertEqual(Array(a), (0..<n).map { $0 * 3 })
        a.withPageTable { t in for i in [0, 1, PagedArray<Int>.pageSize - 1, PagedArray<Int>.pageSize, n - 1] { XCTAssertEqual(t.at(i).pointee, i * 3) } }
        var b = a
        b.update(7) { $0 = -1 }
        b[8] = -2
        b.append(42)
        XCTAssertEqual(a[7], 21)
        XCTAssertEqual(a[8], 24)
        XCTAssertEqual(a.count, n)
        XCTAssertEqual([b[7], b[8], b[n]], [-1, -2, 42])
        XCTAssertEqual(b.pointer(n - 1).pointee, (n - 1) * 3)
        // A copy of an array still on its first, partly filled page.
        var c = PagedArray<Int>(capacity: 1)
        for i in 0..<100 { c.append(i) }
        var d = c
        d.append(100)
        d[0] = -1
        XCTAssertEqual(Array(c), Array(0..<100))
        XCTAssertEqual(Array(d), [-1] + Array(1...100))
        for i in 101..<(PagedArray<Int>.pageSize + 3) { d.append(i) }
        XCTAssertEqual(d[PagedArray<Int>.pageSize + 2], PagedArray<Int>.pageSize + 2)
        XCTAssertEqual(c.count, 100)
    }

    /// A copied map is a value: changing the copy (a value, a new key) leaves the original as it was.
    func testByteMapCopyOnWrite() {
        var a = ByteMap<Int32>(capacity: 4)
        for k in ["x", "a-key-longer-than-sixteen-bytes"] { _ = Array(k.utf8).withUnsafeBufferPointer { a.findOrInsert($0) { 1 } } }
        var b = a
        b[entry: 0] = 7
        _ = Array("new".utf8).withUnsafeBufferPointer { b.findOrInsert($0) { 2 } }
        XCTAssertEqual(a[entry: 0], 1)
        XCTAssertEqual(a.count, 2)
        XCTAssertNil(Array("new".utf8).withUnsafeBufferPointer { a.find($0) })
        XCTAssertEqual(b[entry: 0], 7)
        XCTAssertEqual(b.count, 3)
        XCTAssertEqual(b.withKey(1) { String(decoding: $0, as: UTF8.self) }, "a-key-longer-than-sixteen-bytes")
        // Long keys live in the map's byte store: a new one in either copy stays out of the other.
        let longB = "a-second-key-longer-than-sixteen", longA = "a-third-key-longer-than-sixteen-bytes"
        let arenaA = a.longKeyBytes
        _ = Array(longB.utf8).withUnsafeBufferPointer { b.findOrInsert($0) { 3 } }
        XCTAssertEqual(a.longKeyBytes, arenaA, "the copy's new key went into the original's arena")
        _ = Array(longA.utf8).withUnsafeBufferPointer { a.findOrInsert($0) { 4 } }
        XCTAssertEqual(a.longKeyBytes, arenaA + longA.utf8.count)
        XCTAssertEqual(b.longKeyBytes, arenaA + longB.utf8.count)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(b.count, 4)
        XCTAssertNil(Array(longB.utf8).withUnsafeBufferPointer { a.find($0) })
        XCTAssertNil(Array(longA.utf8).withUnsafeBufferPointer { b.find($0) })
        XCTAssertEqual(a.keyString(2), longA)
        XCTAssertEqual(b.keyString(3), longB)
        XCTAssertEqual(a.keyString(1), "a-key-longer-than-sixteen-bytes")
        XCTAssertEqual(b.keyString(1), "a-key-longer-than-sixteen-bytes")
    }

    /// A byte store keeps every byte through growths from 16 bytes to past three mebibytes, and a
    /// copy is its own. (Whether realloc moves pages or copies is malloc's choice; the bytes are
    /// the same either way.)
    func testByteStoreGrowsAndCopies() {
        let store = ByteStore(capacity: 1)
        var expected: [UInt8] = []
        var rng = SeededRandom(seed: 11)
        var starts: [Int] = []
        while expected.count < 3 << 20 {
            let chunk = (0..<(1 + rng.below(300))).map { _ in UInt8(truncatingIfNeeded: rng.below(256)) }
            starts.append(chunk.withUnsafeBufferPointer { store.append($0) })
            XCTAssertEqual(starts.last, expected.count)
            expected += chunk
            if rng.below(7) == 0 {
                store.append(UInt8(9))
                expected.append(9)
            }
        }
        _ = [UInt8]().withUnsafeBufferPointer { store.append($0) }  // empty: nothing moves
        XCTAssertEqual(store.count, expected.count)
        XCTAssertTrue(store.bytes.elementsEqual(expected))
        let copy = ByteStore(copying: store)
        store.append(UInt8(1))
        XCTAssertEqual(copy.count, expected.count)
        XCTAssertTrue(copy.bytes.elementsEqual(expected))
        XCTAssertEqual(store.bytes.last, 1)
    }

    /// Batched lookups (keys copied, slots and entries prefetched) give the ids of one-at-a-time
    /// lookups in the same order, repeated keys within a batch included.
    func testKeyBatchEqualsOneAtATimeLookups() {
        let keys = Self.keys(20_000, seed: 3)
        var batched = ByteMap<Int32>(capacity: 4), plain = ByteMap<Int32>(capacity: 4)
        var batch = KeyBatch<Int32>()
        var start = 0
        while start < keys.count {
            let end = min(start + mapLookupBatch, keys.count)
            for k in keys[start..<end] { _ = k.withUnsafeBufferPointer { batch.add($0, prefetchingIn: batched) } }
            XCTAssertEqual(batch.count, end - start)
            batch.resolve(in: &batched) { 0 }
            let expected = keys[start..<end].map { k in Int32(k.withUnsafeBufferPointer { plain.findOrInsert($0) { 0 } }) }
            XCTAssertEqual(batch.ids, expected)
            batch.removeAll()
            XCTAssertEqual(batch.count, 0)
            start = end
        }
        XCTAssertEqual(batched.count, plain.count)
    }

    /// The contacts of the touch emails, looked up in prefetched batches over any range, are
    /// the one-at-a-time `contact` of each: absent emails stay -1, present ones take their
    /// group's contact, and the returned sum counts exactly the present emails' touches.
    func testBatchedContactLookupsEqualOneAtATime() {
        let all = Self.keys(3_000, seed: 11)
        var keys = ByteMap<UInt8>(capacity: 4)
        var emails = ByteMap<Int32>(capacity: 4)
        for (i, k) in all.enumerated() {
            // Every third key is a contact's email (keys carry the email prefix); every key is a
            // touch email with i % 5 + 1 touches (repeated keys add up).
            // The other emails are in the map without the prefix, so a lookup that dropped it fails.
            let key = i % 3 == 0 ? ContactEmails.prefix + k : k
            _ = key.withUnsafeBufferPointer { keys.findOrInsert($0) { 0 } }
            let e = k.withUnsafeBufferPointer { emails.findOrInsert($0) { 0 } }
            emails[entry: e] += Int32(i % 5 + 1)
        }
        let contactOfGroup = (0..<keys.count).map { Int32(keys.count - 1 - $0) }
        let ce = ContactEmails(keys: keys, contactOfGroup: contactOfGroup)
        var expected = [Int32](repeating: -1, count: emails.count)
        var expectedSum = 0
        // The expectation is built here, not by `contact`: "e:" and the email, found in the keys.
        for e in 0..<emails.count {
            let key = Array("e:".utf8) + emails.withKey(e) { Array($0) }
            if let g = key.withUnsafeBufferPointer({ keys.find($0) }) {
                expected[e] = contactOfGroup[g]
                expectedSum += Int(emails[entry: e])
            }
            XCTAssertEqual(emails.withKey(e) { ce.contact($0) }, expected[e] >= 0 ? expected[e] : nil)
        }
        XCTAssertGreaterThan(expectedSum, 0)
        XCTAssertTrue(expected.contains(-1))
        for split in [1, 7, 33, emails.count] {
            var got = [Int32](repeating: -1, count: emails.count)
            var sum = 0
            got.withUnsafeMutableBufferPointer { out in
                var from = 0
                while from < emails.count {
                    let to = min(emails.count, from + split)
                    sum += ce.contacts(from..<to, of: emails, into: out)
                    from = to
                }
            }
            XCTAssertEqual(got, expected, "split \(split)")
            XCTAssertEqual(sum, expectedSum, "split \(split)")
        }
    }

    func testU64MapAgreesWithDictionaryThroughGrowth() {
        var rng = SeededRandom(seed: 11)
        var map = U64Map(capacity: 2)
        var reference: [UInt64: Int32] = [:]
        for _ in 0..<100_000 {
            // Keys include 0, UInt64.max - 1 and UInt64.max (keys are stored plus one internally:
            // the largest key once wrapped to the empty mark and was never found).
            let k: UInt64 = [0, UInt64.max - 1, UInt64.max, UInt64(rng.below(30_000)) << 40 | UInt64(rng.below(1 << 20))][rng.below(4)]
            let next = Int32(reference.count)
            let (v, inserted) = map.findOrInsert(k) { next }
            if let known = reference[k] {
                XCTAssertFalse(inserted)
                XCTAssertEqual(v, known)
            } else {
                XCTAssertTrue(inserted)
                reference[k] = v
            }
        }
        XCTAssertEqual(map.count, reference.count)
        // `find` sees what `findOrInsert` stored, and nothing else.
        for (k, v) in reference { XCTAssertEqual(map.find(k), v) }
        for k in [UInt64(1) << 63, UInt64(30_001) << 40] where reference[k] == nil { XCTAssertNil(map.find(k)) }
        XCTAssertNil(U64Map().find(UInt64.max), "the aside key is absent until stored")
    }

    /// `ByteMap.absorb` (the merge of two workers' maps) against `findOrInsert` of the other map's
    /// keys one by one in its order: the same ids, keys and merged values at any thread count,
    /// with keys both maps hold, keys only one holds, and long keys; a copy taken before is unchanged.
    func testByteMapAbsorbEqualsOneByOne() {
        let keys = Self.keys(40_000, seed: 23)
        for threads in [1, 2, 3, 8] {
            var mine = ByteMap<Int32>(capacity: 4), theirs = ByteMap<Int32>(capacity: 4)
            // Mine: the first 60 % of the keys; theirs: the last 60 % (short keys repeat, so the
            // maps share more than the 20 % of the list both take); the empty key in both.
            [UInt8]().withUnsafeBufferPointer { b in
                mine[entry: mine.findOrInsert(b) { 0 }] += 1
                theirs[entry: theirs.findOrInsert(b) { 0 }] += 10
            }
            for (i, k) in keys.enumerated() {
                if i < keys.count * 6 / 10 { k.withUnsafeBufferPointer { mine[entry: mine.findOrInsert($0) { 0 }] += Int32(1 + i % 3) } }
                if i >= keys.count * 4 / 10 { k.withUnsafeBufferPointer { theirs[entry: theirs.findOrInsert($0) { 0 }] += 10 } }
            }
            var reference = mine
            var expected: [Int32] = []
            for o in 0..<theirs.count {
                let e = theirs.withKey(o) { reference.findOrInsert($0) { 100 } }
                reference[entry: e] += theirs[entry: o]
                expected.append(Int32(e))
            }
            let before = mine
            let ids = mine.absorb(theirs, threads: threads, { 100 }) { m, t in m += t }
            XCTAssertEqual(ids, expected, "ids at \(threads) threads")
            XCTAssertEqual(mine.count, reference.count)
            XCTAssertLessThan(before.count, mine.count, "some of their keys are new")
            XCTAssertGreaterThan(expected.filter { $0 < before.count }.count, 1000, "many of their keys are found")
            for e in 0..<reference.count {
                XCTAssertEqual(mine.withKey(e) { Array($0) }, reference.withKey(e) { Array($0) })
                XCTAssertEqual(mine[entry: e], reference[entry: e], "entry \(e) at \(threads) threads")
            }
            // The copy taken before keeps its own values: recount it from the keys.
            var recount = ByteMap<Int32>(capacity: 4)
            [UInt8]().withUnsafeBufferPointer { recount[entry: recount.findOrInsert($0) { 0 }] += 1 }
            for (i, k) in keys.enumerated() where i < keys.count * 6 / 10 {
                k.withUnsafeBufferPointer { recount[entry: recount.findOrInsert($0) { 0 }] += Int32(1 + i % 3) }
            }
            for e in 0..<before.count { XCTAssertEqual(before[entry: e], recount[entry: e], "the copy of entry \(e) is unchanged") }
        }
    }

    func testFieldIndexHoldsTheMapping() {
        let index = (0..<32).map { $0 % 5 == 0 ? -1 : $0 * 3 }
        let f = FieldIndex(index)
        for (i, x) in index.enumerated() { XCTAssertEqual(f[i], x) }
        XCTAssertEqual(FieldIndex()[7], -1)
    }
}
