import Foundation
import FuzzSupport
import PilotScope

/// An in-memory stream handing out the input in small pieces.
final class Source: ByteSource {
    let bytes: [UInt8]
    var pos = 0
    let step: Int
    init(_ b: [UInt8], step: Int) { bytes = b; self.step = step }
    var fileOffset: Int { pos }
    func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = min(capacity, bytes.count - pos, step)
        for i in 0..<n { p[i] = bytes[pos + i] }
        pos += n
        return n
    }
}

struct Collect: RecordHandler {
    var rows: [[[UInt8]]] = []
    mutating func record(_ r: inout RecordView) throws { rows.append((0..<r.count).map { Array(r[$0]) }) }
}

/// The fast scanner behind the chunker must give libcsv's records and errors on any input.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = 1 + Int(input.first ?? 0) % 64
    if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
    var reference = Collect()
    var referenceError: CSVSyntaxError?
    do {
        let p = LibCSVParser()
        try input.withUnsafeBufferPointer { b in if let base = b.baseAddress { try p.feed(base, b.count, handler: &reference) } }
        _ = try p.finish(handler: &reference)
    } catch let e as CSVSyntaxError { referenceError = e } catch { fatalError("\(error)") }

    var fast = Collect()
    var fastError: CSVSyntaxError?
    let pool = BufferPool(size: chunk, limit: 1 << 20)
    let chunker = Chunker(source: Source(input, step: chunk), name: "fuzz", pool: pool, fileIndex: 0)
    var scanner = FastCSVScanner()
    var base = 0
    do {
        while let c = try chunker.next() {
            defer { pool.release(c.buffer, c.capacity) }
            do {
                let st = try scanner.scan(c.buffer, c.length, atEOF: c.isLast, handler: &fast)
                base += st.lines
            } catch let e as CSVSyntaxError {
                fastError = CSVSyntaxError(kind: e.kind, line: base + e.line)
                break
            }
        }
    } catch { fatalError("chunker: \(error)") }
    if referenceError != fastError { fatalError("errors differ: libcsv \(String(describing: referenceError)), fast \(String(describing: fastError))") }
    if reference.rows != fast.rows { fatalError("records differ") }
    return 0
}

runLibFuzzer(fuzz)
