/// How many lookups a batch holds: enough cache misses in flight to cover memory latency
/// (measured on the touch log at 8×: 8 is clearly slower; 16, 32 and 64 are within noise).
let mapLookupBatch = 16

/// Keys queued for a batch of lookups in one `ByteMap`: each key's slot is prefetched as it is
/// queued and every entry just before the batch is probed, so the two cache misses of the
/// lookups overlap instead of queueing. The keys are copied, so they may come from buffers that
/// do not outlive the row.
struct KeyBatch<Value> {
    private var prepared: [ByteMap<Value>.Prepared] = []
    private var ends: [Int] = []
    /// The queued keys back to back in `bytes[0..<used]` (`Array.write`: grown, never shrunk).
    private var bytes: [UInt8] = []
    private var used = 0
    /// Entry ids of the keys, in queue order, after `resolve`.
    private(set) var ids: [Int32] = []

    init() {
        prepared.reserveCapacity(mapLookupBatch)
        ends.reserveCapacity(mapLookupBatch)
        ids.reserveCapacity(mapLookupBatch)
    }

    var count: Int { prepared.count }

    /// Queues `key`; returns its position in the batch.
    @inline(__always) mutating func add(_ key: Bytes, prefetchingIn map: ByteMap<Value>) -> Int {
        add(key, ByteMap<Value>.Prepared(key), prefetchingIn: map)
    }

    /// `add` with the key hashed beforehand (`p` must be `Prepared(key)`).
    @inline(__always) mutating func add(_ key: Bytes, _ p: ByteMap<Value>.Prepared, prefetchingIn map: ByteMap<Value>) -> Int {
        map.prefetchSlot(p)
        prepared.append(p)
        bytes.write(key, at: used)
        used += key.count
        ends.append(used)
        return prepared.count - 1
    }

    /// Finds or inserts every queued key, in queue order (entry ids equal one-at-a-time
    /// lookups); their ids are in `ids` until `removeAll`.
    mutating func resolve(in map: inout ByteMap<Value>, _ make: () -> Value) {
        for p in prepared { map.prefetchEntry(p) }
        ids.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            for (i, p) in prepared.enumerated() {
                ids.append(Int32(map.findOrInsert(Bytes(rebasing: b[start..<ends[i]]), p, make)))
                start = ends[i]
            }
        }
    }

    /// Finds every queued key without inserting any, in queue order: `found(i, entry)` for the
    /// queued key `i` when `map` holds it.
    func find(in map: ByteMap<Value>, _ found: (Int, Int) -> Void) {
        for p in prepared { map.prefetchEntry(p) }
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            for (i, p) in prepared.enumerated() {
                if let e = map.find(Bytes(rebasing: b[start..<ends[i]]), p) { found(i, e) }
                start = ends[i]
            }
        }
    }

    mutating func removeAll() {
        prepared.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        used = 0
        ids.removeAll(keepingCapacity: true)
    }
}
