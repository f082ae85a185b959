import Foundation
import CCrypto
import CISAL
import CZlib

/// A stream of bytes: a plain file, or a gzip file inflated on the fly.
public protocol ByteSource: AnyObject {
    /// Fills up to `capacity` bytes at `into`; 0 at the end of the stream.
    func read(into: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
    /// Bytes consumed from the underlying file so far (the compressed offset for gzip).
    var fileOffset: Int { get }
}

/// Standard input can be read once: what the header probe reads is kept and replayed to the
/// reader that follows, which then goes on reading fd 0 (bounded: only the probe's bytes).
final class StdinReplay: @unchecked Sendable {
    static let shared = StdinReplay()
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var recording = true

    /// Reads for a reader at `position`: replayed bytes first, then fd 0.
    func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int, position: Int, probe: Bool) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if !probe { recording = false }
        if position < bytes.count {
            let n = min(capacity, bytes.count - position)
            bytes.withUnsafeBufferPointer { b in p.update(from: b.baseAddress! + position, count: n) }
            return n
        }
        let n = Foundation.read(0, p, capacity)
        if n > 0 && recording { bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
        return n
    }
}

/// Reads a file descriptor (a path, or `-` for standard input) with read(2).
public final class FileReader: ByteSource {
    public let name: String
    private let fd: Int32
    private let owns: Bool
    public private(set) var fileOffset = 0
    /// SHA-256 of the bytes read, when asked for (summary.json).
    private var digest: OpaquePointer?
    /// Called once with the SHA-256 when the end of the file is reached.
    var onEnd: ((String?) -> Void)?

    /// A header probe of standard input (its bytes are kept for the real reader).
    var probe = false

    public init(path: String, checksum: Bool = false) throws {
        name = path
        if checksum {
            digest = EVP_MD_CTX_new()
            EVP_DigestInit_ex(digest, EVP_sha256(), nil)
        }
        if path == "-" {
            fd = 0
            owns = false
            return
        }
        var st = stat()
        if stat(path, &st) != 0 {
            throw InputError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(.unreadable, file: path, "is a directory, not a file") }
        fd = open(path, O_RDONLY)
        if fd < 0 { throw InputError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        owns = true
    }

    deinit {
        if owns { close(fd) }
        if let digest { EVP_MD_CTX_free(digest) }
    }

    /// Hex SHA-256 of everything read so far (call once, at the end).
    public func sha256() -> String? {
        guard let digest else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(digest, &out, &len)
        return out.map { String(format: "%02x", $0) }.joined()
    }

    public func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            let n = fd == 0 && !owns ? StdinReplay.shared.read(into: p, capacity: capacity, position: fileOffset, probe: probe) : Foundation.read(fd, p, capacity)
            if n >= 0 {
                fileOffset += n
                if let digest, n > 0 { EVP_DigestUpdate(digest, p, n) }
                if n == 0, let cb = onEnd {
                    onEnd = nil
                    cb(sha256())
                }
                return n
            }
            if errno == EINTR { continue }
            throw InputError(.unreadable, file: name, "read failed: \(String(cString: strerror(errno)))", offset: fileOffset)
        }
    }
}

/// A source with the first bytes pushed back (gzip detection by magic bytes).
final class PeekedSource: ByteSource {
    private let inner: ByteSource
    private var head: [UInt8]
    init(_ inner: ByteSource, head: [UInt8]) { self.inner = inner; self.head = head }
    var fileOffset: Int { inner.fileOffset - head.count }
    func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if !head.isEmpty {
            let n = min(capacity, head.count)
            for i in 0..<n { p[i] = head[i] }
            head.removeFirst(n)
            return n
        }
        return try inner.read(into: p, capacity: capacity)
    }
}

public enum InflateBackend: String, Sendable, CaseIterable { case isal, zlib }

/// Opens a path for reading, inflating gzip (recognised by its magic bytes, not the name).
public func openInput(_ path: String, backend: InflateBackend = .isal, checksum: ((String?) -> Void)? = nil, probe: Bool = false) throws -> ByteSource {
    let f = try FileReader(path: path, checksum: checksum != nil)
    f.probe = probe
    f.onEnd = checksum
    var head = [UInt8](repeating: 0, count: 2)
    var got = 0
    while got < 2 {
        let n = try head.withUnsafeMutableBufferPointer { try f.read(into: $0.baseAddress! + got, capacity: 2 - got) }
        if n == 0 { break }
        got += n
    }
    head.removeLast(2 - got)
    let src = PeekedSource(f, head: head)
    if got == 2 && head[0] == 0x1F && head[1] == 0x8B {
        switch backend {
        case .isal: return ISALInflateReader(src, name: path)
        case .zlib: return ZlibInflateReader(src, name: path)
        }
    }
    return src
}

/// gzip inflate with ISA-L (about 2.3× zlib here). Multi-member streams continue after each
/// member; bytes after a member that do not start a new one are an error, as is a short stream.
public final class ISALInflateReader: ByteSource {
    private let src: ByteSource
    private let name: String
    // inflate_state is 87 KB: keep it behind a pointer, off the stack.
    private let state: UnsafeMutablePointer<inflate_state>
    private let inBuf: UnsafeMutablePointer<UInt8>
    private let inCap = 1 << 20
    private var inEOF = false
    private var finished = false
    private var memberStartConsumed = 0

    public init(_ src: ByteSource, name: String) {
        self.src = src
        self.name = name
        state = .allocate(capacity: 1)
        inBuf = .allocate(capacity: inCap)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        state.pointee.avail_in = 0
    }

    deinit {
        state.deallocate()
        inBuf.deallocate()
    }

    /// Compressed bytes consumed so far.
    public var fileOffset: Int { src.fileOffset - Int(state.pointee.avail_in) }

    private func refill() throws {
        let n = try src.read(into: inBuf, capacity: inCap)
        if n == 0 { inEOF = true }
        state.pointee.next_in = inBuf
        state.pointee.avail_in = UInt32(n)
    }

    public func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if finished {
                if state.pointee.avail_in == 0 && !inEOF { try refill() }
                if state.pointee.avail_in == 0 { return 0 }
                // Another member must start with the gzip magic bytes.
                if state.pointee.avail_in < 2 && !inEOF {
                    // Keep the one byte and read more behind it.
                    let b = state.pointee.next_in[0]
                    inBuf[0] = b
                    let n = try src.read(into: inBuf + 1, capacity: inCap - 1)
                    if n == 0 { inEOF = true }
                    state.pointee.next_in = inBuf
                    state.pointee.avail_in = UInt32(1 + n)
                }
                let p = state.pointee.next_in!
                guard state.pointee.avail_in >= 2, p[0] == 0x1F, p[1] == 0x8B else {
                    throw InputError(.trailingGarbage, file: name, "trailing data after the end of a gzip member is not a gzip member", offset: fileOffset)
                }
                let keepIn = state.pointee.next_in
                let keepAvail = state.pointee.avail_in
                isal_inflate_reset(state)
                state.pointee.crc_flag = UInt32(ISAL_GZIP)
                state.pointee.next_in = keepIn
                state.pointee.avail_in = keepAvail
                finished = false
            }
            if state.pointee.avail_in == 0 {
                if inEOF {
                    throw InputError(.truncatedGzip, file: name, "truncated gzip stream: the file ends inside a gzip member", offset: fileOffset)
                }
                try refill()
                if state.pointee.avail_in == 0 {
                    throw InputError(.truncatedGzip, file: name, "truncated gzip stream: the file ends inside a gzip member", offset: fileOffset)
                }
            }
            state.pointee.next_out = out
            state.pointee.avail_out = UInt32(min(capacity, Int(UInt32.max)))
            let ret = isal_inflate(state)
            let produced = capacity - Int(state.pointee.avail_out)
            switch ret {
            case ISAL_DECOMP_OK, ISAL_END_INPUT, ISAL_OUT_OVERFLOW: break
            case ISAL_INCORRECT_CHECKSUM:
                throw InputError(.corruptGzip, file: name, "corrupt gzip stream: CRC or length check failed", offset: fileOffset)
            case ISAL_INVALID_WRAPPER, ISAL_UNSUPPORTED_METHOD:
                throw InputError(.corruptGzip, file: name, "corrupt gzip stream: bad gzip header", offset: fileOffset)
            default:
                throw InputError(.corruptGzip, file: name, "corrupt gzip stream: invalid deflate data (code \(ret))", offset: fileOffset)
            }
            if state.pointee.block_state == ISAL_BLOCK_FINISH { finished = true }
            if produced > 0 { return produced }
        }
    }
}

/// gzip inflate with zlib (`windowBits` 15 + 32): the reference backend and the fallback.
public final class ZlibInflateReader: ByteSource {
    private let src: ByteSource
    private let name: String
    private let strm: UnsafeMutablePointer<z_stream>
    private let inBuf: UnsafeMutablePointer<UInt8>
    private let inCap = 1 << 18
    private var inEOF = false
    private var finished = false

    public init(_ src: ByteSource, name: String) {
        self.src = src
        self.name = name
        strm = .allocate(capacity: 1)
        strm.initialize(to: z_stream())
        inBuf = .allocate(capacity: inCap)
        _ = CZlib_inflateInit2(strm, 15 + 32)
    }

    deinit {
        inflateEnd(strm)
        strm.deallocate()
        inBuf.deallocate()
    }

    public var fileOffset: Int { src.fileOffset - Int(strm.pointee.avail_in) }

    private func refill() throws {
        let n = try src.read(into: inBuf, capacity: inCap)
        if n == 0 { inEOF = true }
        strm.pointee.next_in = inBuf
        strm.pointee.avail_in = uInt(n)
    }

    public func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if finished {
                if strm.pointee.avail_in == 0 && !inEOF { try refill() }
                if strm.pointee.avail_in == 0 { return 0 }
                if strm.pointee.avail_in < 2 && !inEOF {
                    inBuf[0] = strm.pointee.next_in[0]
                    let n = try src.read(into: inBuf + 1, capacity: inCap - 1)
                    if n == 0 { inEOF = true }
                    strm.pointee.next_in = inBuf
                    strm.pointee.avail_in = uInt(1 + n)
                }
                let p = strm.pointee.next_in!
                guard strm.pointee.avail_in >= 2, p[0] == 0x1F, p[1] == 0x8B else {
                    throw InputError(.trailingGarbage, file: name, "trailing data after the end of a gzip member is not a gzip member", offset: fileOffset)
                }
                inflateReset(strm)
                finished = false
            }
            if strm.pointee.avail_in == 0 {
                if !inEOF { try refill() }
                if strm.pointee.avail_in == 0 {
                    throw InputError(.truncatedGzip, file: name, "truncated gzip stream: the file ends inside a gzip member", offset: fileOffset)
                }
            }
            strm.pointee.next_out = out
            strm.pointee.avail_out = uInt(min(capacity, Int(UInt32.max)))
            let ret = inflate(strm, Z_NO_FLUSH)
            let produced = capacity - Int(strm.pointee.avail_out)
            switch ret {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: finished = true
            case Z_DATA_ERROR:
                let msg = strm.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw InputError(.corruptGzip, file: name, "corrupt gzip stream: \(msg)", offset: fileOffset)
            default:
                throw InputError(.corruptGzip, file: name, "corrupt gzip stream (zlib code \(ret))", offset: fileOffset)
            }
            if produced > 0 { return produced }
            if ret == Z_BUF_ERROR && strm.pointee.avail_in == 0 && inEOF {
                throw InputError(.truncatedGzip, file: name, "truncated gzip stream: the file ends inside a gzip member", offset: fileOffset)
            }
        }
    }
}

