/// ICP field values of many records in one owned byte buffer: per record, each value as a 16-bit
/// length and its bytes (values longer than 65535 bytes are cut: no ICP rule compares such text).
/// One buffer instead of an array of strings per record. Slices returned by `value` point into
/// raw memory that only moves when appending grows it, and nothing appends once the arena is
/// read (a worker fills its own; the merge fills the contacts' one before any read).
public final class ValueArena: @unchecked Sendable {
    /// Grows in place (`ByteStore`): a worker's arena of tens of megabytes is never copied.
    private let store: ByteStore

    public init(capacity: Int = 1 << 12) { store = ByteStore(capacity: capacity) }

    /// Appends one record's values; returns where they start.
    public func append(_ values: [Bytes]) -> UInt32 {
        let start = UInt32(store.count)
        for v in values {
            let n = min(v.count, 65535)
            store.reserve(2 + n)
            store.append(UInt8(n & 0xFF))
            store.append(UInt8(n >> 8))
            store.append(Bytes(rebasing: v[..<n]))
        }
        return start
    }

    /// The arena's bytes, for reads without the class (valid while nothing appends).
    public var bytes: UnsafePointer<UInt8> { UnsafePointer(store.base) }

    /// Value `k` of the record starting at `start`.
    @inline(__always) public func value(_ start: UInt32, _ k: Int) -> Bytes { Self.value(bytes, start, k) }

    /// Value `k` of the record starting at `start` in an arena's `bytes`.
    @inline(__always) public static func value(_ base: UnsafePointer<UInt8>, _ start: UInt32, _ k: Int) -> Bytes {
        var i = Int(start)
        for _ in 0..<k { i += 2 + (Int(base[i]) | Int(base[i + 1]) << 8) }
        let n = Int(base[i]) | Int(base[i + 1]) << 8
        return Bytes(start: base + i + 2, count: n)
    }
}
