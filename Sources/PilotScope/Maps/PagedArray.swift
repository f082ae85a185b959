/// An append-only array in pages: one buffer that doubles up to `pageSize` elements, then more
/// pages of that size. Appending never copies a full page again, so a store of millions of
/// elements grows without moving them (an array's doubling copies them all and holds the old and
/// the new buffer at once, and on a VM every fresh page is a costly fault). The memory held exceeds
/// the elements by less than a page. An index is a page (`i >> pageShift`) and a place in it.
/// A value with copy on write, like `Array`.
public struct PagedArray<Element>: Sequence {
    static var pageShift: Int { 16 }
    static var pageSize: Int { 1 << pageShift }
    static var pageMask: Int { pageSize - 1 }

    final class Storage: @unchecked Sendable {
        /// The pages, as a raw table (no array in the lookup path: no reference counting).
        var table: UnsafeMutablePointer<UnsafeMutablePointer<Element>>
        var pageCount = 1
        var tableCapacity = 4
        var count = 0
        /// Elements the first page holds until it reaches `pageSize`.
        var firstCapacity: Int

        init(capacity: Int) {
            firstCapacity = Swift.min(Swift.max(capacity, 16), PagedArray.pageSize)
            table = .allocate(capacity: tableCapacity)
            table.initialize(to: .allocate(capacity: firstCapacity))
        }

        /// A copy with its own pages (copy on write).
        private init(copying o: Storage) {
            (firstCapacity, pageCount, tableCapacity, count) = (o.firstCapacity, o.pageCount, o.tableCapacity, o.count)
            table = .allocate(capacity: tableCapacity)
            for p in 0..<pageCount {
                let page = UnsafeMutablePointer<Element>.allocate(capacity: p == 0 ? firstCapacity : PagedArray.pageSize)
                page.initialize(from: o.table[p], count: o.filled(p))
                (table + p).initialize(to: page)
            }
        }

        deinit {
            for p in 0..<pageCount {
                table[p].deinitialize(count: filled(p))
                table[p].deallocate()
            }
            table.deallocate()
        }

        func copy() -> Storage { Storage(copying: self) }

        /// Elements on page `p`.
        private func filled(_ p: Int) -> Int { Swift.max(0, Swift.min(count - p * PagedArray.pageSize, PagedArray.pageSize)) }

        @inline(__always) func at(_ i: Int) -> UnsafeMutablePointer<Element> { PagedArray.element(table, i) }

        @inline(__always) func append(_ e: Element) {
            let place = count & PagedArray.pageMask
            if count < PagedArray.pageSize {
                if count == firstCapacity { growFirst() }
            } else if place == 0 {
                addPage()
            }
            // This is safe: the page for `count` exists and has room at `place` (made above).
            (table[count >> PagedArray.pageShift] + place).initialize(to: e)
            count += 1
        }

        private func addPage() {
            if pageCount == tableCapacity {
                let t = UnsafeMutablePointer<UnsafeMutablePointer<Element>>.allocate(capacity: tableCapacity * 2)
                t.moveInitialize(from: table, count: pageCount)
                table.deallocate()
                table = t
                tableCapacity *= 2
            }
            (table + pageCount).initialize(to: .allocate(capacity: PagedArray.pageSize))
            pageCount += 1
        }

        private func growFirst() {
            let c = Swift.min(firstCapacity * 2, PagedArray.pageSize)
            let fresh = UnsafeMutablePointer<Element>.allocate(capacity: c)
            fresh.moveInitialize(from: table[0], count: count)
            table[0].deallocate()
            table[0] = fresh
            firstCapacity = c
        }
    }

    private var storage: Storage

    public init(capacity: Int = 16) { storage = Storage(capacity: capacity) }

    /// Element `i` of a page table: its page, then its place in the page.
    @inline(__always) static func element(_ table: UnsafePointer<UnsafeMutablePointer<Element>>, _ i: Int) -> UnsafeMutablePointer<Element> {
        // This is safe: callers pass indices below the count, and every such index is on a page.
        table[i >> pageShift] + (i & pageMask)
    }

    public var count: Int { storage.count }

    @inline(__always) private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    @inline(__always) public subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < storage.count, "PagedArray index out of range")
            return storage.at(i).pointee
        }
        set { update(i) { $0 = newValue } }
    }

    /// The elements through their page table, without the checks of `pointer` (for loops that
    /// read many): valid inside `body`, while nothing is appended.
    public struct PageTable {
        let pages: UnsafePointer<UnsafeMutablePointer<Element>>
        /// Element `i` (below the array's count: unchecked).
        @inline(__always) public func at(_ i: Int) -> UnsafePointer<Element> { UnsafePointer(PagedArray.element(pages, i)) }
    }

    public func withPageTable<R>(_ body: (PageTable) throws -> R) rethrows -> R {
        // The storage stays alive (`self` holds it), and nothing appends while `body` runs.
        try withExtendedLifetime(storage) { try body(PageTable(pages: UnsafePointer(storage.table))) }
    }

    /// Element `i` in place, unchecked: for a map's own entry ids (below `count` by construction).
    @inline(__always) func uncheckedPointer(_ i: Int) -> UnsafePointer<Element> { UnsafePointer(storage.at(i)) }

    /// Changes element `i` in place.
    @inline(__always) public mutating func update(_ i: Int, _ body: (inout Element) -> Void) {
        precondition(i >= 0 && i < storage.count, "PagedArray index out of range")
        body(&unique().at(i).pointee)
    }

    /// Element `i` in place, without a copy: valid while the array is alive and nothing is
    /// appended to it (the first page moves while it grows); a write to the array while it is
    /// shared copies it, and the pointer then no longer sees the array's later values.
    @inline(__always) public func pointer(_ i: Int) -> UnsafePointer<Element> {
        precondition(i >= 0 && i < storage.count, "PagedArray index out of range")
        return UnsafePointer(storage.at(i))
    }

    @inline(__always) public mutating func append(_ e: Element) { unique().append(e) }

    /// Gives the array storage of its own (copied when shared), so `sharedPointer` writes reach
    /// this array only.
    public mutating func makeUnique() { _ = unique() }

    /// Element `i` in place and writable, unchecked, with no copy on write: a write through it
    /// reaches every copy that shares this array's storage. For threads that update distinct
    /// elements of an array made unique just before (`makeUnique`); valid while nothing is appended.
    @inline(__always) func sharedPointer(_ i: Int) -> UnsafeMutablePointer<Element> { storage.at(i) }

    public struct Iterator: IteratorProtocol {
        let storage: Storage
        var i = 0
        public mutating func next() -> Element? {
            guard i < storage.count else { return nil }
            defer { i += 1 }
            return storage.at(i).pointee
        }
    }

    public func makeIterator() -> Iterator { Iterator(storage: storage) }
    public var underestimatedCount: Int { storage.count }
}

extension PagedArray: @unchecked Sendable where Element: Sendable {}
