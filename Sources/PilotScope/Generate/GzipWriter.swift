import CPilotZlib
import Foundation

/// Streams gzip (zlib deflate, level 1) to a file: no whole file in memory.
public final class GzipWriter {
    private let fd: Int32
    private let path: String
    private let strm: UnsafeMutablePointer<z_stream>
    private var out: [UInt8]
    private let compress: Bool

    public init(path: String, compress: Bool = true) throws {
        self.path = path
        self.compress = compress
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw OutputError(.cannotCreate, path: path, "cannot create", cause: Errno(errno)) }
        // zlib needs a stable address for its stream: raw memory, freed in deinit.
        strm = .allocate(capacity: 1)
        strm.initialize(to: z_stream())
        out = [UInt8](repeating: 0, count: 1 << 20)
        if compress {
            let rc = CZlib_deflateInit2(strm, 1, 15 + 16)
            guard rc == Z_OK else {
                close(fd)
                strm.deallocate()
                throw OutputError(.writeFailed, path: path, "cannot start zlib's deflate (\(ZlibInflater.codeName(rc)))")
            }
        }
    }

    deinit {
        if compress { deflateEnd(strm) }
        strm.deallocate()
        close(fd)
    }

    private func writeAll(_ p: UnsafeRawPointer, _ n: Int) throws {
        if let e = FileIO.writeAll(fd, p, n) { throw OutputError(.writeFailed, path: path, "write failed", cause: Errno(e)) }
    }

    public func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        if !compress {
            // This is safe: `bytes` is not empty (checked above).
            try bytes.withUnsafeBytes { try writeAll($0.baseAddress!, $0.count) }
            return
        }
        try bytes.withUnsafeBufferPointer { b in
            // This is safe: zlib only reads next_in, and the bytes outlive this call.
            strm.pointee.next_in = UnsafeMutablePointer(mutating: b.baseAddress!)
            strm.pointee.avail_in = uInt(b.count)
            try pump(Z_NO_FLUSH)
        }
    }

    private func pump(_ flush: Int32) throws {
        let cap = out.count
        try out.withUnsafeMutableBufferPointer { o in
            repeat {
                // This is safe: `out` has 1 MiB, and zlib writes at most avail_out bytes.
                strm.pointee.next_out = o.baseAddress!
                strm.pointee.avail_out = uInt(cap)
                let rc = deflate(strm, flush)
                guard rc != Z_STREAM_ERROR else { throw OutputError(.writeFailed, path: path, "deflate failed (Z_STREAM_ERROR)") }
                let n = cap - Int(strm.pointee.avail_out)
                try writeAll(o.baseAddress!, n)
                if flush == Z_FINISH && rc == Z_STREAM_END { break }
            } while strm.pointee.avail_out == 0 || (flush == Z_FINISH)
        }
    }

    public func finish() throws {
        if compress { try pump(Z_FINISH) }
    }
}

/// Appends text to a byte buffer without `String` formatting (the generator's hot path).
public struct ByteText {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func add(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    @inline(__always) public mutating func add(_ s: String) { bytes.append(contentsOf: s.utf8) }
    @inline(__always) public mutating func add(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) public mutating func int(_ v: Int, width: Int = 0) {
        var x = v
        if x < 0 { bytes.append(0x2D); x = -x }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            repeat {
                t[n] = UInt8(x % 10) + 0x30
                x /= 10
                n += 1
            } while x > 0
            while n < width { t[n] = 0x30; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(t[i]) }
        }
    }

    /// A quoted CSV cell: doubles inner quotes.
    public mutating func quoted(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    public mutating func clear() { bytes.removeAll(keepingCapacity: true) }
}
