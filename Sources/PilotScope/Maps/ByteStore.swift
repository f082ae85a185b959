import Glibc

/// Bytes appended back to back in one block of malloc memory that grows with `realloc`.
///
/// The binary has malloc map every block of a mebibyte or more (`CPilotShims_map_large_blocks`),
/// and glibc grows a mapped block with `mremap`: its pages move to the larger mapping. So a
/// store of tens of megabytes grows without copying its bytes and without faulting in a second
/// copy of them, where an array's doubling does both (and on a VM every fresh page is a costly
/// fault). A class: whoever holds it appends to the one store. `ByteMap` copies it on write.
public final class ByteStore: @unchecked Sendable {
    /// The bytes: valid until the next append (growing may move them).
    public private(set) var base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0
    private var capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = Self.resized(nil, self.capacity)
    }

    /// A copy with its own block.
    public convenience init(copying other: ByteStore) {
        self.init(capacity: other.count)
        append(other.bytes)
    }

    deinit { free(base) }

    /// The bytes as a slice: valid until the next append.
    public var bytes: Bytes { Bytes(start: base, count: count) }

    /// Makes room for `extra` more bytes.
    @inline(__always) public func reserve(_ extra: Int) {
        if extra > capacity - count { grow(count + extra) }
    }

    /// Appends `b` and returns where it starts. `b` must not point into this store (growing may
    /// move the store's bytes before they are copied).
    @inline(__always) @discardableResult public func append(_ b: Bytes) -> Int {
        let start = count
        guard b.count > 0, let p = b.baseAddress else { return start }
        assert(p + b.count <= base || p >= base + capacity, "ByteStore.append: bytes of the store itself")
        reserve(b.count)
        // This is safe: `reserve` made room for b.count bytes after `count`.
        (base + count).update(from: p, count: b.count)
        count += b.count
        return start
    }

    /// Appends one byte.
    @inline(__always) public func append(_ byte: UInt8) {
        reserve(1)
        // This is safe: `reserve` made room for one byte after `count`.
        base[count] = byte
        count += 1
    }

    private func grow(_ needed: Int) {
        var c = capacity
        while c < needed { c = c > Int.max / 2 ? needed : c * 2 }
        base = Self.resized(base, c)
        capacity = c
    }

    private static func resized(_ p: UnsafeMutablePointer<UInt8>?, _ n: Int) -> UnsafeMutablePointer<UInt8> {
        guard let q = realloc(p, n) else {
            // Running out of memory is not an input error; say how much was asked for.
            fatalError("out of memory: a byte store of \(n) bytes")
        }
        return q.assumingMemoryBound(to: UInt8.self)
    }
}
