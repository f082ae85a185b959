/// The entries of a `ByteMap`: one buffer that doubles up to a page of `pageSize` entries, then
/// more pages of that size. Appending never copies a full page again (a two-million-entry map no
/// longer moves 80 MB to grow by one), and the memory held exceeds the entries by less than a
/// page, where an array's doubling holds up to twice them (2.1M visitors took a 4.2M-entry array).
/// An entry index is a page (`i >> pageShift`) and a place in it (`i & pageMask`).
final class EntryPages<Entry>: @unchecked Sendable {
    static var pageShift: Int { 16 }
    static var pageSize: Int { 1 << pageShift }
    static var pageMask: Int { pageSize - 1 }

    private(set) var pages: [UnsafeMutablePointer<Entry>] = []
    private(set) var count = 0
    /// Entries the first page holds until it reaches `pageSize`.
    private var firstCapacity: Int

    init(capacity: Int) {
        firstCapacity = min(max(capacity, 16), Self.pageSize)
        pages.append(.allocate(capacity: firstCapacity))
    }

    deinit {
        for (p, page) in pages.enumerated() {
            page.deinitialize(count: min(count - p * Self.pageSize, Self.pageSize))
            page.deallocate()
        }
    }

    /// A copy with its own memory (copy on write: a `ByteMap` copied, then changed).
    func copy() -> EntryPages {
        let c = EntryPages(capacity: firstCapacity)
        c.pages[0].deallocate()
        c.pages = pages.enumerated().map { p, page in
            let n = min(count - p * Self.pageSize, Self.pageSize)
            let fresh = UnsafeMutablePointer<Entry>.allocate(capacity: p == 0 ? firstCapacity : Self.pageSize)
            fresh.initialize(from: page, count: n)
            return fresh
        }
        c.count = count
        return c
    }

    /// The entry at `i` (below `count`).
    @inline(__always) func at(_ i: Int) -> UnsafeMutablePointer<Entry> {
        // This is safe: callers pass indices below `count`, and every such index is on a page.
        pages.withUnsafeBufferPointer { $0[i >> Self.pageShift] + (i & Self.pageMask) }
    }

    @inline(__always) func append(_ e: Entry) {
        let place = count & Self.pageMask
        if count < Self.pageSize {
            if count == firstCapacity { growFirst() }
        } else if place == 0 {
            pages.append(.allocate(capacity: Self.pageSize))
        }
        // This is safe: the page for `count` exists and has room at `place` (made above).
        (pages[count >> Self.pageShift] + place).initialize(to: e)
        count += 1
    }

    private func growFirst() {
        let c = min(firstCapacity * 2, Self.pageSize)
        let fresh = UnsafeMutablePointer<Entry>.allocate(capacity: c)
        fresh.moveInitialize(from: pages[0], count: count)
        pages[0].deallocate()
        pages[0] = fresh
        firstCapacity = c
    }
}
