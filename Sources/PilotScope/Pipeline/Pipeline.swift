import Foundation

/// Work done on each data row by one worker, into thread-local state merged at the end.
public protocol RowProcessor {
    mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount)
    /// Called on the worker's thread after each chunk it parsed.
    mutating func chunkDone()
    /// Called on the worker's thread after its last chunk (before the run's threads end).
    mutating func inputDone()
    /// Called once after the worker's last row, when every thread has ended: completes work a
    /// processor batches.
    mutating func finish()
}

extension RowProcessor {
    public mutating func chunkDone() {}
    public mutating func inputDone() {}
    public mutating func finish() {}
}

/// Adapts a processor to the CSV engines: skips the header, holds footer candidates, counts rows.
struct ChunkHandler<P: RowProcessor>: RecordHandler {
    var processor: UnsafeMutablePointer<P>
    var file: FileContext
    var acc = ChunkAccount()
    var skipHeader: Bool

    mutating func record(_ r: inout RecordView) throws {
        if skipHeader {
            skipHeader = false
            return
        }
        if file.mapping.footer && r.count == 1 && file.mapping.header.count > 1 {
            acc.oneFieldRows.append((r.line, r.csvLine(delimiter: file.delimiter)))
            return
        }
        acc.lastRecordLine = r.line
        acc.rowsRead += 1
        if r.count != file.mapping.header.count {
            acc.reject(&r, "column_count", file: file)
            return
        }
        let before = acc.rejects.count
        processor.pointee.row(&r, file: file, acc: &acc)
        if acc.rejects.count == before { acc.rowsKept += 1 }
    }
}

/// What the footer of a file may be (B28), gathered over its chunks in order: the one-field rows,
/// the blank lines after the last record, and that record's line (absolute, 0-based).
struct FooterCandidates {
    var oneField: [(Int, String)] = []
    var trailingBlank: [Int] = []
    var lastRecord = -1

    mutating func add(_ acc: ChunkAccount, _ stats: ChunkScanStats, lineBase base: Int) {
        for (l, row) in acc.oneFieldRows { oneField.append((l + base, row)) }
        if acc.lastRecordLine >= 0 {
            lastRecord = acc.lastRecordLine + base
            trailingBlank = []
        }
        trailingBlank += stats.trailingBlankLines.map { $0 + base }
    }
}

extension FileAccount {
    /// Adds a chunk's counts, rejects (their lines made absolute) and time ranges.
    mutating func add(_ acc: ChunkAccount, stats: ChunkScanStats, lineBase base: Int) {
        rowsRead += acc.rowsRead
        rowsKept += acc.rowsKept
        blankLines += stats.blankLines
        for (k, v) in acc.rejected { rejected[k, default: 0] += v }
        for (k, v) in acc.badValues { badValues[k, default: 0] += v }
        for var r in acc.rejects {
            r.line += base + 1
            rejects.append(r)
        }
        for (i, v) in acc.timestampKinds.enumerated() { timestampKinds[i] += v }
        if minTime.count < acc.minTime.count {
            minTime += Array(repeating: Int64.max, count: acc.minTime.count - minTime.count)
            maxTime += Array(repeating: Int64.min, count: acc.maxTime.count - maxTime.count)
        }
        for i in 0..<acc.minTime.count {
            minTime[i] = min(minTime[i], acc.minTime[i])
            maxTime[i] = max(maxTime[i], acc.maxTime[i])
        }
    }
}

/// What a chunk produced, kept until the file's chunks merge in order.
struct ChunkOutcome {
    var index: Int
    var stats = ChunkScanStats()
    var acc = ChunkAccount()
    var error: Error?
}

/// The parallel pipeline: reader threads inflate and cut chunks on record ends (several files at
/// once), workers parse and process them into thread-local processors; bounded by a buffer pool.
/// Results and line numbers merge in chunk order, so output does not depend on thread timing.
public final class Pipeline<P: RowProcessor>: @unchecked Sendable {
    public let threads: Int
    public let engine: CSVEngine
    public let backend: InflateBackend
    public let keepPII: Bool
    /// SHA-256 of each input file (compressed bytes as stored), by file index, when `checksums` is set.
    public var checksums: [Int: String] = [:]
    public var computeChecksums = false
    /// Fed with compressed bytes read and rows parsed, when set.
    public var progress: Progress?
    private let checksumLock = NSLock()
    public static var chunkSize: Int { 4 << 20 }

    public init(threads: Int, engine: CSVEngine = .fast, backend: InflateBackend = .isal, keepPII: Bool = false) {
        self.threads = max(1, threads)
        self.engine = engine
        self.backend = backend
        self.keepPII = keepPII
    }

    /// Runs every file through `makeProcessor()`-made workers; returns the workers' states and the
    /// per-file accounts in file order. Throws the first error in file and chunk order.
    public func run(files: [FileContext], chunkSize: Int = Pipeline.chunkSize, makeProcessor: () -> P) throws -> ([P], [FileAccount]) {
        try run(files: files, chunkSize: chunkSize) { _, _ in makeProcessor() }
    }

    /// `run`, with each worker made by `makeProcessor(worker, workers)`.
    public func run(files: [FileContext], chunkSize: Int = Pipeline.chunkSize, makeProcessor: (Int, Int) -> P) throws -> ([P], [FileAccount]) {
        let workers = files.isEmpty ? 1 : threads
        progress?.begin(
            files.first.map { $0.kind == .touches ? "touch logs" : "CRM exports" } ?? "", totalBytes: files.reduce(0) { $0 + fileSize($1.location) })
        // Raw memory: each worker thread mutates only its own element, without exclusivity checks on an array.
        let procs = UnsafeMutablePointer<P>.allocate(capacity: workers)
        for i in 0..<workers { (procs + i).initialize(to: makeProcessor(i, workers)) }
        defer {
            procs.deinitialize(count: workers)
            procs.deallocate()
        }
        let pool = BufferPool(size: chunkSize, limit: workers * 2 + 2)
        let shared = SharedRunState(files: files.count)
        if threads == 1 {
            readSerially(files, pool: pool, shared: shared, processor: procs)
            procs[0].inputDone()
        } else {
            readInParallel(files, pool: pool, shared: shared, processors: PointerBox(procs), workers: workers)
        }
        var accounts: [FileAccount] = []
        for f in files { accounts.append(try account(f, shared)) }
        for i in 0..<workers { procs[i].finish() }
        return ((0..<workers).map { procs[$0] }, accounts)
    }

    /// The one loop from a file to its chunks: opens it, cuts chunks on record ends and hands each
    /// to `emit`, until the end or until `stop` says an error earlier in (file, chunk) order makes
    /// the rest worthless. A read error (bad gzip) is recorded at the chunk where reading stopped.
    private func cut(_ f: FileContext, pool: BufferPool, shared: SharedRunState, emit: (Chunk) -> Void) {
        var position = 0
        do {
            let source = try openInput(f.location, backend: backend, checksum: checksumCallback(f.index))
            let chunker = Chunker(source: source, name: f.path, pool: pool, fileIndex: f.index)
            // A zip member's offsets are the archive's: its data start past 0.
            var seen = chunker.sourceOffset
            while !shared.failedBefore(file: f.index, chunk: position), let c = try chunker.next() {
                progress?.add(bytes: chunker.sourceOffset - seen)
                seen = chunker.sourceOffset
                position = c.index + 1
                emit(c)
            }
        } catch {
            shared.readError(error, file: f.index, chunk: position)
        }
    }

    /// One thread: read, cut and parse in turn.
    private func readSerially(_ files: [FileContext], pool: BufferPool, shared: SharedRunState, processor: UnsafeMutablePointer<P>) {
        for f in files {
            cut(f, pool: pool, shared: shared) { c in self.parse(c, files, pool: pool, shared: shared, processor: processor) }
        }
    }

    /// Reader threads (one per file at a time, largest files first) cut chunks into a bounded
    /// queue; worker threads parse them into their own processors.
    private func readInParallel(_ files: [FileContext], pool: BufferPool, shared: SharedRunState, processors: PointerBox<P>, workers: Int) {
        let queue = BlockingQueue<Chunk?>(capacity: workers * 2)
        let order = files.indices.sorted { fileSize(files[$0].location) > fileSize(files[$1].location) }
        let readers = DispatchGroup()
        for _ in 0..<min(files.count, max(1, threads)) {
            readers.enter()
            Thread.detachNewThread {
                while let k = shared.takeFile(limit: order.count) {
                    self.cut(files[order[k]], pool: pool, shared: shared) { queue.push($0) }
                }
                readers.leave()
            }
        }
        let done = DispatchGroup()
        for w in 0..<workers {
            done.enter()
            Thread.detachNewThread {
                while let c = queue.pop() { self.parse(c, files, pool: pool, shared: shared, processor: processors.pointer + w) }
                processors.pointer[w].inputDone()
                done.leave()
            }
        }
        readers.wait()
        for _ in 0..<workers { queue.push(nil) }
        done.wait()
    }

    /// Parses one chunk (unless an earlier error makes it worthless) and files its outcome.
    private func parse(_ c: Chunk, _ files: [FileContext], pool: BufferPool, shared: SharedRunState, processor: UnsafeMutablePointer<P>) {
        let skip = shared.failedBefore(file: c.fileIndex, chunk: c.index)
        let o = skip ? ChunkOutcome(index: c.index) : process(c, file: files[c.fileIndex], processor: processor)
        pool.release(c.buffer, c.capacity)
        progress?.add(rows: o.acc.rowsRead)
        shared.add(o, file: c.fileIndex)
    }

    /// A file's chunks merged in order into its account: line numbers made absolute, the first
    /// error in chunk order thrown (a read error wins only after the chunks before it), the
    /// footer resolved (B28).
    private func account(_ f: FileContext, _ shared: SharedRunState) throws -> FileAccount {
        var a = FileAccount(path: f.path, kind: f.kind)
        a.bytes = fileSize(f.location)
        var base = 0
        let readError = shared.readErrors[f.index]
        let readErrorChunk = readError == nil ? Int.max : (shared.readErrorChunks[f.index] ?? Int.max)
        var footer = FooterCandidates()
        for o in shared.outcomes[f.index].sorted(by: { $0.index < $1.index }) {
            if o.index >= readErrorChunk { break }
            if let e = o.error { throw locate(e, file: f, base: base) }
            a.add(o.acc, stats: o.stats, lineBase: base)
            footer.add(o.acc, o.stats, lineBase: base)
            base += o.stats.lines
        }
        if let readError { throw readError }
        if f.mapping.footer { resolveFooter(&a, file: f, footer) }
        return a
    }

    private func checksumCallback(_ i: Int) -> ((String?) -> Void)? {
        guard computeChecksums else { return nil }
        return { [self] h in
            checksumLock.lock()
            checksums[i] = h
            checksumLock.unlock()
        }
    }

    /// B28: after the last data record, a blank line followed only by one-field rows is a footer.
    private func resolveFooter(_ a: inout FileAccount, file: FileContext, _ c: FooterCandidates) {
        let after = c.oneField.filter { $0.0 > c.lastRecord }
        let blanksAfter = c.trailingBlank.filter { $0 > c.lastRecord }
        var footer = false
        if let firstRow = after.map(\.0).min(), let firstBlank = blanksAfter.min(), firstBlank < firstRow { footer = true }
        for (line, row) in c.oneField {
            if footer && line > c.lastRecord {
                a.footerLines += 1
            } else {
                a.rowsRead += 1
                a.rejected["column_count", default: 0] += 1
                a.rejects.append(RejectRow(file: file.path, line: line + 1, reason: "column_count", row: keepPII ? row : maskEmails(in: row)))
            }
        }
        if footer {
            a.footerLines += blanksAfter.count
            a.blankLines -= blanksAfter.count
        }
        a.rejects.sort { $0.line < $1.line }
    }

    private func locate(_ e: Error, file: FileContext, base: Int) -> Error {
        if let s = e as? CSVSyntaxError {
            return InputError(
                s.kind == .fieldTooLarge ? .fieldTooLarge : s.kind == .unterminatedQuote ? .unterminatedQuote : .csvSyntax, file: file.path, s.message,
                line: base + s.line + 1)
        }
        return e
    }

    private func process(_ c: Chunk, file: FileContext, processor: UnsafeMutablePointer<P>) -> ChunkOutcome {
        var h = ChunkHandler(processor: processor, file: file, skipHeader: c.index == 0)
        h.acc.keepPII = keepPII
        h.acc.chunk = c.index
        var o = ChunkOutcome(index: c.index)
        do {
            switch engine {
            case .fast:
                var scanner = FastCSVScanner(delimiter: file.delimiter)
                o.stats = try scanner.scan(c.buffer, c.length, atEOF: c.isLast, handler: &h)
            case .libcsv:
                o.stats = try LibCSVParser.scan(c.buffer, c.length, delimiter: file.delimiter, handler: &h)
            }
        } catch {
            o.error = error
        }
        processor.pointee.chunkDone()
        o.acc = h.acc
        return o
    }
}

/// Bytes a read of the file consumes: the file's size, or a zip member's stored size.
func fileSize(_ path: String) -> Int {
    if let z = ZipPath.split(path), let m = z.member {
        return (try? ZipDirectory.member(z.archive, m)).map { Int(clamping: $0.compressedSize) } ?? 0
    }
    var st = stat()
    return path != "-" && stat(path, &st) == 0 ? Int(st.st_size) : 0
}

/// A bounded blocking FIFO between pipeline stages.
final class BlockingQueue<T>: @unchecked Sendable {
    private var items: [T] = []
    private var head = 0
    private let capacity: Int
    private let cond = NSCondition()

    init(capacity: Int) { self.capacity = capacity }

    func push(_ x: T) {
        cond.lock()
        while items.count - head >= capacity { cond.wait() }
        items.append(x)
        cond.broadcast()
        cond.unlock()
    }

    func pop() -> T {
        cond.lock()
        while items.count == head { cond.wait() }
        let x = items[head]
        head += 1
        if head > 1024 { items.removeFirst(head); head = 0 }
        cond.broadcast()
        cond.unlock()
        return x
    }
}

/// What the pipeline's threads share, behind one lock.
final class SharedRunState: @unchecked Sendable {
    private let lock = NSLock()
    private var nextFile = 0
    /// The earliest (file, chunk) known to have failed.
    private var firstError: (file: Int, chunk: Int)?
    var outcomes: [[ChunkOutcome]]
    var readErrors: [Error?]
    var readErrorChunks: [Int: Int] = [:]

    init(files: Int) {
        outcomes = Array(repeating: [], count: files)
        readErrors = Array(repeating: nil, count: files)
    }

    /// An error is known at a position before (file, chunk): work there would be thrown away.
    func failedBefore(file: Int, chunk: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let e = firstError else { return false }
        return e.file < file || (e.file == file && e.chunk < chunk)
    }

    private func noteError(file: Int, chunk: Int) {
        if let e = firstError, e.file < file || (e.file == file && e.chunk <= chunk) { return }
        firstError = (file, chunk)
    }

    func takeFile(limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard nextFile < limit else { return nil }
        nextFile += 1
        return nextFile - 1
    }

    func readError(_ e: Error, file: Int, chunk: Int) {
        lock.lock(); defer { lock.unlock() }
        readErrors[file] = e
        readErrorChunks[file] = chunk
        noteError(file: file, chunk: chunk)
    }

    func add(_ o: ChunkOutcome, file: Int) {
        lock.lock(); defer { lock.unlock() }
        if o.error != nil { noteError(file: file, chunk: o.index) }
        outcomes[file].append(o)
    }
}

/// Hands the workers' state array to their threads; each thread touches only its own element.
struct PointerBox<P>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<P>
    init(_ p: UnsafeMutablePointer<P>) { pointer = p }
}
