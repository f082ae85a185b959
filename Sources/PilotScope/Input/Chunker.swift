import CPilotShims
import Foundation

/// A buffer of whole records cut from one file, numbered so results merge back in order.
public struct Chunk: @unchecked Sendable {
    public var buffer: UnsafeMutablePointer<UInt8>
    public var capacity: Int
    public var length: Int
    public var index: Int
    public var fileIndex: Int
    /// The chunk ends the file.
    public var isLast: Bool
    /// Uncompressed byte offset of the chunk's first byte.
    public var offset: Int
}

/// Fixed-size buffers recycled between the chunker and the workers; acquiring blocks while all
/// are in flight, which bounds memory whatever the input size.
public final class BufferPool: @unchecked Sendable {
    private var free: [(UnsafeMutablePointer<UInt8>, Int)] = []
    private var outstanding = 0
    private let limit: Int
    public let size: Int
    private let cond = NSCondition()

    public init(size: Int, limit: Int) {
        self.size = size
        self.limit = limit
    }

    deinit { for (p, _) in free { p.deallocate() } }

    public func acquire() -> (UnsafeMutablePointer<UInt8>, Int) {
        cond.lock()
        defer { cond.unlock() }
        while free.isEmpty && outstanding >= limit { cond.wait() }
        outstanding += 1
        if let b = free.popLast() { return b }
        // Pooled buffers are raw memory: recycled between threads, freed in deinit or on release.
        return (.allocate(capacity: size), size)
    }

    public func release(_ p: UnsafeMutablePointer<UInt8>, _ cap: Int) {
        cond.lock()
        outstanding -= 1
        if cap == size { free.append((p, cap)) } else { p.deallocate() }
        cond.signal()
        cond.unlock()
    }
}

/// Cuts a byte stream into chunks on true record ends: a line end outside quotes, found by quote
/// parity (the reader thread's only per-byte work besides inflate: a vectorised quote count).
public final class Chunker {
    public static let maxRecordBytes = 64 << 20
    private let source: ByteSource
    private let name: String
    private let pool: BufferPool
    private let fileIndex: Int
    private var carry: [UInt8] = []
    private var eof = false
    private var index = 0
    private var offset = 0
    private var atStart = true
    public private(set) var finished = false
    /// Bytes consumed from the file (compressed bytes for gzip): progress.
    public var sourceOffset: Int { source.fileOffset }

    public init(source: ByteSource, name: String, pool: BufferPool, fileIndex: Int) {
        self.source = source
        self.name = name
        self.pool = pool
        self.fileIndex = fileIndex
    }

    /// The next chunk, or nil after the last one.
    public func next() throws -> Chunk? {
        if finished { return nil }
        var (buf, cap) = pool.acquire()
        if carry.count >= cap {
            // The carried partial record (cut from a grown buffer) does not fit a pooled buffer.
            var bigger = cap
            while bigger <= carry.count { bigger *= 2 }
            pool.release(buf, cap)
            pool.acquireUncounted()
            buf = .allocate(capacity: bigger)
            cap = bigger
        }
        var filled = carry.count
        // This is safe: the buffer was grown above to hold the whole carry.
        carry.withUnsafeBufferPointer { c in if c.count > 0 { buf.update(from: c.baseAddress!, count: c.count) } }
        carry.removeAll(keepingCapacity: true)
        do {
            while true {
                while filled < cap && !eof {
                    let n = try source.read(into: buf + filled, capacity: cap - filled)
                    if n == 0 { eof = true } else { filled += n }
                }
                if atStart && filled >= 3 || eof && atStart {
                    atStart = false
                    if filled >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF {
                        (buf + 0).update(from: buf + 3, count: filled - 3)
                        filled -= 3
                        offset += 3
                        continue
                    }
                }
                if eof {
                    finished = true
                    return emit(buf, cap, filled, last: true)
                }
                if let cut = Self.findCut(buf, filled) {
                    carry.append(contentsOf: UnsafeBufferPointer(start: buf + cut, count: filled - cut))
                    return emit(buf, cap, cut, last: false)
                }
                // No record end yet: one record is larger than the buffer. Grow, up to the cap.
                guard cap < Self.maxRecordBytes + pool.size else {
                    throw InputError(
                        .recordTooLarge, file: name,
                        "a record is larger than \(Self.maxRecordBytes >> 20) MiB (an unterminated quote, or not a CSV file) starting at uncompressed byte \(offset)"
                    )
                }
                // A grown buffer replaces the pooled one; release frees it (its size is not the pool's).
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap * 2)
                bigger.update(from: buf, count: filled)
                pool.release(buf, cap)
                pool.acquireUncounted()
                buf = bigger
                cap *= 2
            }
        } catch {
            pool.release(buf, cap)
            throw error
        }
    }

    private func emit(_ buf: UnsafeMutablePointer<UInt8>, _ cap: Int, _ len: Int, last: Bool) -> Chunk {
        let c = Chunk(buffer: buf, capacity: cap, length: len, index: index, fileIndex: fileIndex, isLast: last, offset: offset)
        index += 1
        offset += len
        return c
    }

    /// Position just after the last line end outside quotes in `p[0..<n]`, if any.
    static func findCut(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int? {
        var k = n - 1
        var quotes = -1
        var prev = 0
        while k >= 0 {
            let b = p[k]
            if b == 0x0A || (b == 0x0D && k + 1 < n && p[k + 1] != 0x0A) {
                if quotes < 0 {
                    quotes = CPilotShimsCount(p, k)
                } else {
                    quotes -= CPilotShimsCount(p + k, prev - k)
                }
                if quotes & 1 == 0 { return k + 1 }
                prev = k
            }
            k -= 1
        }
        return nil
    }
}

@inline(__always) func CPilotShimsCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    CPilotShims_count_byte(p, n, 0x22)
}

extension BufferPool {
    /// Counts a grown buffer that replaced a pooled one (it is freed, not pooled, on release).
    func acquireUncounted() {
        cond.lock()
        outstanding += 1
        cond.unlock()
    }
}
