import Foundation

/// A partitioned touch read: worker `w` owns the emails and visitors whose key hash falls in
/// partition `w`, with their stitching state and their folds, so each identity is held once
/// (not once per worker and again in a merged copy). A worker parses any chunk; the updates of
/// a row whose email or visitor another worker owns are written into a buffer for that owner
/// (`TouchRecords`) and handed over at the chunk's end through its inbox. Each worker applies
/// its inbox at its own chunk ends, and after its last chunk until every worker is done.
///
/// Inboxes are bounded: a worker whose owner's inbox is full applies its own inbox meanwhile.
/// A worker waits only with an empty inbox, so two workers never wait on each other.
public final class TouchRouter: @unchecked Sendable {
    public let partitions: Int
    /// The fewest workers a read is partitioned for. Measured at 8x on 2 cores (Benchmarks/README.md,
    /// issue 17 step 8): with 2 workers the records and the join cost more than the merge they
    /// replace (wall +4.7 %, CPU +3.9 %, peak RSS -3 %); with 4, the merge of four states that each
    /// hold nearly every visitor costs more (wall -4.4 %, peak RSS -16 %), and it grows with them.
    public static let minimumWorkers = 3
    /// Buffers an inbox holds before a sender waits (each about a chunk's remote rows).
    static let inboxLimit = 4
    private let cond = NSCondition()
    private var inboxes: [[[UInt8]]]
    private var spare: [[UInt8]] = []
    private var working: Int

    public init(partitions: Int) {
        self.partitions = partitions
        inboxes = Array(repeating: [], count: partitions)
        working = partitions
    }

    /// The partition of a key's hash (`hashBytes`): its low half, which a map's slot position
    /// (the high half) does not use.
    @inline(__always) static func partition(_ hash: UInt64, of n: Int) -> Int {
        Int(truncatingIfNeeded: hash & 0xFFFF_FFFF) % n
    }

    /// Hands `buffer` to `owner`'s inbox; returns an empty buffer (a recycled one when there is
    /// one). While the inbox is full, `apply` is called on the buffers of `me`'s own inbox.
    func send(_ buffer: [UInt8], to owner: Int, from me: Int, apply: ([UInt8]) -> Void) -> [UInt8] {
        cond.lock()
        while inboxes[owner].count >= Self.inboxLimit {
            if inboxes[me].isEmpty {
                cond.wait()
            } else {
                applyInbox(me, apply)
            }
        }
        inboxes[owner].append(buffer)
        let fresh = spare.popLast() ?? []
        cond.broadcast()
        cond.unlock()
        return fresh
    }

    /// Applies what `me`'s inbox holds now, without waiting.
    func receive(_ me: Int, apply: ([UInt8]) -> Void) {
        cond.lock()
        if !inboxes[me].isEmpty { applyInbox(me, apply) }
        cond.unlock()
    }

    /// After `me`'s last chunk (its buffers sent): applies its inbox until every worker is done
    /// and nothing is left for it.
    func finish(_ me: Int, apply: ([UInt8]) -> Void) {
        cond.lock()
        working -= 1
        cond.broadcast()
        while true {
            if !inboxes[me].isEmpty {
                applyInbox(me, apply)
            } else if working == 0 {
                break
            } else {
                cond.wait()
            }
        }
        cond.unlock()
    }

    /// Called with the lock held; applies the inbox's buffers with the lock released, then
    /// keeps the emptied buffers for reuse. Returns with the lock held.
    private func applyInbox(_ me: Int, _ apply: ([UInt8]) -> Void) {
        var got = inboxes[me]
        inboxes[me] = []
        cond.broadcast()
        cond.unlock()
        // In place: each buffer has one reference, so emptying it keeps its memory.
        for i in got.indices {
            apply(got[i])
            got[i].removeAll(keepingCapacity: true)
        }
        cond.lock()
        spare += got
    }
}

/// The updates one row sends to the owner of its email or visitor, as bytes (native byte order:
/// they never leave the process). Two kinds:
/// - an email record: the email, then the row's matched touches (they fold on the email);
/// - a visitor record: the visitor id, the row's time, its email (or none), then its matched
///   touches when it has no email (they fold on the visitor).
/// A matched touch: pilot, flags, event, time, link evidence, and its UTM evidence text.
enum TouchRecords {
    static let email: UInt8 = 1, visitor: UInt8 = 2
    /// The length written for an absent byte string.
    static let absent = UInt32.max

    struct Writer {
        @inline(__always) static func put<T: FixedWidthInteger>(_ v: T, _ b: inout [UInt8]) {
            withUnsafeBytes(of: v) { b.append(contentsOf: $0) }
        }

        @inline(__always) static func put(_ s: Bytes?, _ b: inout [UInt8]) {
            guard let s else { return put(TouchRecords.absent, &b) }
            put(UInt32(s.count), &b)
            b.append(contentsOf: s)
        }
    }

    /// Reads a buffer written by `Writer`, front to back.
    struct Reader {
        let base: UnsafeRawPointer
        let end: Int
        var at = 0

        init(_ b: UnsafeRawBufferPointer) {
            base = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            end = b.count
        }

        var atEnd: Bool { at >= end }

        @inline(__always) mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) -> T {
            precondition(at + MemoryLayout<T>.size <= end, "touch record overrun")
            let v = (base + at).loadUnaligned(as: T.self)
            at += MemoryLayout<T>.size
            return v
        }

        /// A byte string, or nil when absent; valid while the buffer is.
        @inline(__always) mutating func bytes() -> Bytes? {
            let n = get(UInt32.self)
            guard n != TouchRecords.absent else { return nil }
            precondition(at + Int(n) <= end, "touch record overrun")
            let s = Bytes(start: (base + at).assumingMemoryBound(to: UInt8.self), count: Int(n))
            at += Int(n)
            return s
        }
    }
}
