import Glibc

/// Bytes appended back to back in one block of malloc memory that grows with `realloc`.
///
/// The binary has malloc map every block of a mebibyte or more (`CPilotShims_map_large_blocks`),
/// and glibc grows a mapped block with `mremap`: its pages move to the larger mapping. So a
/// store of tens of megabytes grows without copying its bytes and without faulting in a second
/// copy of them, where an array's doubling does both (and on a VM every fresh page is a costly
/// fault). A class: whoever holds it appends to the one store. `ByteMap` copies it on write.
///
/// Its state lives in raw memory behind a `let` pointer, not in stored `var`s: a class's stored
/// `var` is checked for exclusive access at run time (`swift_beginAccess`) wherever the compiler
/// cannot rule out an overlap, which was once per probe of every `ByteMap`.
public final class ByteStore: @unchecked Sendable {
    private struct State {
        var base: UnsafeMutablePointer<UInt8>
        var count: Int
        var capacity: Int
    }

    private let state: UnsafeMutablePointer<State>

    /// The bytes: valid until the next append (growing may move them).
    public var base: UnsafeMutablePointer<UInt8> { state.pointee.base }
    public var count: Int { state.pointee.count }

    public init(capacity: Int = 4096) {
        let c = max(capacity, 16)
        state = .allocate(capacity: 1)
        state.initialize(to: State(base: Self.resized(nil, c), count: 0, capacity: c))
    }

    /// A copy with its own block.
    public convenience init(copying other: ByteStore) {
        self.init(capacity: other.count)
        append(other.bytes)
    }

    deinit {
        free(state.pointee.base)
        state.deallocate()
    }

    /// The bytes as a slice: valid until the next append.
    public var bytes: Bytes { Bytes(start: base, count: count) }

    /// Makes room for `extra` more bytes.
    @inline(__always) public func reserve(_ extra: Int) {
        if extra > state.pointee.capacity - state.pointee.count { grow(state.pointee.count + extra) }
    }

    /// Appends `b` and returns where it starts. `b` must not point into this store (growing may
    /// move the store's bytes before they are copied).
    @inline(__always) @discardableResult public func append(_ b: Bytes) -> Int {
        let start = count
        guard b.count > 0, let p = b.baseAddress else { return start }
        assert(p + b.count <= base || p >= base + state.pointee.capacity, "ByteStore.append: bytes of the store itself")
        reserve(b.count)
        // This is safe: `reserve` made room for b.count bytes after `count`.
        (base + start).update(from: p, count: b.count)
        state.pointee.count = start + b.count
        return start
    }

    /// Appends one byte.
    @inline(__always) public func append(_ byte: UInt8) {
        reserve(1)
        // This is safe: `reserve` made room for one byte after `count`.
        base[count] = byte
        state.pointee.count += 1
    }

    private func grow(_ needed: Int) {
        var c = state.pointee.capacity
        while c < needed { c = c > Int.max / 2 ? needed : c * 2 }
        state.pointee.base = Self.resized(state.pointee.base, c)
        state.pointee.capacity = c
    }

    private static func resized(_ p: UnsafeMutablePointer<UInt8>?, _ n: Int) -> UnsafeMutablePointer<UInt8> {
        guard let q = realloc(p, n) else {
            // Running out of memory is not an input error; say how much was asked for.
            fatalError("out of memory: a byte store of \(n) bytes")
        }
        return q.assumingMemoryBound(to: UInt8.self)
    }
}
