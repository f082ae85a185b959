/// CSV engine: the hand-written scanner (default) or libcsv (the parser of record).
public enum CSVEngine: String, Sendable, CaseIterable { case fast, libcsv }

/// Field bounds storage: grown when needed, never shrunk, reused for every record of a worker.
final class FieldBounds {
    var starts: UnsafeMutablePointer<Int>
    var lens: UnsafeMutablePointer<Int>
    var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
        // Raw bounds storage: the per-field path touches no class and no array; freed in deinit.
        starts = .allocate(capacity: capacity)
        lens = .allocate(capacity: capacity)
    }

    func grow() {
        let bigger = capacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: bigger), l = UnsafeMutablePointer<Int>.allocate(capacity: bigger)
        s.update(from: starts, count: capacity)
        l.update(from: lens, count: capacity)
        starts.deallocate()
        lens.deallocate()
        starts = s
        lens = l
        capacity = bigger
    }

    deinit {
        starts.deallocate()
        lens.deallocate()
    }
}

/// One CSV record as byte slices into a buffer: valid only inside the handler call.
public struct RecordView {
    public var base: UnsafePointer<UInt8>
    let bounds = FieldBounds()
    // Raw pointers into `bounds`, so the per-field path touches no class and no array.
    var starts: UnsafeMutablePointer<Int>
    var lens: UnsafeMutablePointer<Int>
    var capacity: Int
    public private(set) var count = 0
    /// Chunk-relative physical line (0-based) where the record starts.
    public var line = 0

    public init() {
        base = UnsafePointer(bitPattern: 1)!
        starts = bounds.starts
        lens = bounds.lens
        capacity = bounds.capacity
    }

    @inline(__always) mutating func append(_ start: Int, _ length: Int) {
        if count == capacity {
            bounds.grow()
            starts = bounds.starts
            lens = bounds.lens
            capacity = bounds.capacity
        }
        // This is safe: count < capacity after the growth check.
        starts[count] = start
        lens[count] = length
        count += 1
    }

    /// Replaces the fields with the given bounds (the libcsv path).
    mutating func set(starts s: [Int], lens l: [Int]) {
        count = 0
        for i in 0..<s.count { append(s[i], l[i]) }
    }

    @inline(__always) public subscript(i: Int) -> Bytes {
        Bytes(start: base + starts[i], count: lens[i])
    }

    /// Field `i`, or an empty slice when the column is absent (-1) or out of range.
    @inline(__always) public func field(_ i: Int) -> Bytes {
        i >= 0 && i < count ? Bytes(start: base + starts[i], count: lens[i]) : Bytes(start: nil, count: 0)
    }

    @inline(__always) mutating func reset(line: Int) {
        count = 0
        self.line = line
    }

    /// One field of empty or white-space-only content: a blank line (B11).
    var isBlankLine: Bool {
        guard count == 1 else { return false }
        let f = self[0]
        for b in f where b != 0x20 && b != 0x09 { return false }
        return true
    }

    /// The record re-encoded as one CSV line (rejects.csv, B12).
    public func csvLine(delimiter: UInt8 = 0x2C) -> String {
        var out = ""
        for i in 0..<count {
            if i > 0 { out.unicodeScalars.append(UnicodeScalar(delimiter)) }
            out += csvQuote(self[i].string, delimiter: delimiter)
        }
        return out
    }
}

/// RFC 4180 quoting of one cell when needed.
public func csvQuote(_ s: String, delimiter: UInt8 = 0x2C) -> String {
    let needs = s.utf8.contains { $0 == 0x22 || $0 == delimiter || $0 == 0x0A || $0 == 0x0D }
    guard needs else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Receives records from either CSV engine.
public protocol RecordHandler {
    mutating func record(_ r: inout RecordView) throws
}

/// A CSV syntax problem at a chunk-relative line; the caller names the file and absolute line.
public struct CSVSyntaxError: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case quoteInUnquotedField, charAfterClosingQuote, unterminatedQuote, fieldTooLarge }
    public var kind: Kind
    public var line: Int

    public init(kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    public var message: String {
        switch kind {
        case .quoteInUnquotedField: return "CSV syntax error: a quote inside an unquoted field (quote the field and double its quotes)"
        case .charAfterClosingQuote: return "CSV syntax error: text after a closing quote (a quote inside a quoted field must be doubled)"
        case .unterminatedQuote: return "CSV syntax error: a quoted field is never closed (unterminated quote at end of file)"
        case .fieldTooLarge: return "a field is larger than 16 MiB (a stray quote can swallow the rest of the file)"
        }
    }
}

/// Result of scanning one chunk.
public struct ChunkScanStats: Equatable {
    /// Physical line breaks seen (the next chunk starts this many lines later).
    public var lines = 0
    public var blankLines = 0
    /// Chunk-relative lines of the blank lines after the chunk's last record of more than one field
    /// (footer detection, B28: one-field rows after the blank line may be the footer).
    public var trailingBlankLines: [Int] = []
}

public let maxFieldBytes = 16 << 20

extension ChunkAccount {
    /// Rejects the row (B10, B12): counts the reason and keeps its raw text, emails masked unless `keepPII`.
    public mutating func reject(_ r: inout RecordView, _ reason: String, file: FileContext) {
        rejected[reason, default: 0] += 1
        let raw = r.csvLine(delimiter: file.delimiter)
        rejects.append(RejectRow(file: file.path, line: r.line, reason: reason, row: keepPII ? raw : maskEmails(in: raw)))
    }

}
