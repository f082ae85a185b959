import PilotScope

/// An in-memory byte stream handing out its bytes `step` at a time (every chunk size from 1 up).
public final class MemorySource: ByteSource {
    public let bytes: [UInt8]
    public private(set) var pos = 0
    public let step: Int

    public init(_ b: [UInt8], step: Int = Int.max) {
        bytes = b
        self.step = max(1, step)
    }

    public var fileOffset: Int { pos }

    public func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = min(capacity, bytes.count - pos, step)
        bytes.withUnsafeBufferPointer { b in
            // This is safe: `n` bytes from `pos` lie inside `bytes`, and `capacity` ≥ n at `p`.
            if n > 0 { p.update(from: b.baseAddress! + pos, count: n) }
        }
        pos += n
        return n
    }
}

/// What a CSV engine produced: records with their start lines, blank lines, and the first error.
public struct ParsedCSV: Equatable, CustomStringConvertible {
    public var records: [(line: Int, fields: [[UInt8]])] = []
    public var blank = 0
    public var lines = 0
    public var error: CSVSyntaxError?
    /// An error that is no CSV error (a bug in the harness or the chunker).
    public var failure: String?

    public static func == (a: ParsedCSV, b: ParsedCSV) -> Bool {
        a.records.count == b.records.count && zip(a.records, b.records).allSatisfy { $0.line == $1.line && $0.fields == $1.fields }
            && a.error == b.error && a.failure == b.failure && (a.error != nil || (a.lines == b.lines && a.blank == b.blank))
    }

    public var description: String {
        let shown = records.map { r in "\(r.line): " + r.fields.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "|") }
        return "records \(shown) blank \(blank) lines \(lines) error \(String(describing: error)) \(failure ?? "")"
    }
}

struct Collector: RecordHandler {
    var records: [(line: Int, fields: [[UInt8]])] = []
    var base = 0
    mutating func record(_ r: inout RecordView) throws {
        records.append((base + r.line, (0..<r.count).map { Array(r[$0]) }))
    }
}

/// The two CSV engines on the same input: the differential tests and the CSV fuzzer compare them.
public enum CSVEngines {
    /// The production path: the chunker cuts on quote parity from a source read `chunk / 2`
    /// bytes at a time into `chunk`-byte buffers, the fast scanner parses each chunk.
    public static func fast(_ input: [UInt8], chunk: Int, delimiter: UInt8 = 0x2C) -> ParsedCSV {
        var out = ParsedCSV()
        let pool = BufferPool(size: chunk, limit: 1 << 20)
        let chunker = Chunker(source: MemorySource(input, step: max(1, chunk / 2)), name: "mem", pool: pool, fileIndex: 0)
        var c = Collector()
        var scanner = FastCSVScanner(delimiter: delimiter)
        do {
            while let ch = try chunker.next() {
                defer { pool.release(ch.buffer, ch.capacity) }
                do {
                    let st = try scanner.scan(ch.buffer, ch.length, atEOF: ch.isLast, handler: &c)
                    out.blank += st.blankLines
                    c.base += st.lines
                } catch let e as CSVSyntaxError {
                    out.error = CSVSyntaxError(kind: e.kind, line: c.base + e.line)
                    break
                }
            }
        } catch {
            out.failure = "chunker: \(error)"
        }
        out.records = c.records
        out.lines = c.base
        return out
    }

    /// libcsv (the parser of record), fed in pieces of `piece` bytes; a BOM is stripped first,
    /// as the chunker does.
    public static func libcsv(_ input: [UInt8], piece: Int, delimiter: UInt8 = 0x2C) -> ParsedCSV {
        var out = ParsedCSV()
        var bytes = input
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let p = LibCSVParser(delimiter: delimiter)
        var c = Collector()
        do {
            var i = 0
            while i < bytes.count {
                let n = min(max(1, piece), bytes.count - i)
                try bytes.withUnsafeBufferPointer { try p.feed($0.baseAddress! + i, n, handler: &c) }
                i += n
            }
            let st = try p.finish(handler: &c)
            out.blank = st.blankLines
            out.lines = st.lines
        } catch let e as CSVSyntaxError {
            out.error = e
        } catch {
            out.failure = "libcsv: \(error)"
        }
        out.records = c.records
        return out
    }
}
