import CCrypto
import Foundation

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
            // This is safe: position < bytes.count and n ≤ bytes.count − position.
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
    private let digest: SHA256Stream?
    /// Called once with the SHA-256 when the end of the file is reached.
    var onEnd: ((String?) -> Void)?

    /// A header probe of standard input (its bytes are kept for the real reader).
    var probe = false

    public init(path: String, checksum: Bool = false) throws {
        name = path
        digest = checksum ? SHA256Stream() : nil
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
    }

    /// Hex SHA-256 of everything read so far (call once, at the end).
    public func sha256() -> String? { digest?.hex() }

    public func read(into p: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            let n =
                fd == 0 && !owns ? StdinReplay.shared.read(into: p, capacity: capacity, position: fileOffset, probe: probe) : Foundation.read(fd, p, capacity)
            if n >= 0 {
                fileOffset += n
                if let digest, n > 0 { digest.update(p, n) }
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

/// SHA-256 of a byte stream, fed as it is read.
final class SHA256Stream {
    private let ctx: OpaquePointer?

    init() {
        ctx = EVP_MD_CTX_new()
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(ctx) }

    func update(_ p: UnsafeRawPointer, _ n: Int) { EVP_DigestUpdate(ctx, p, n) }

    /// The digest in hex (call once, at the end).
    func hex() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        return out.map { String(format: "%02x", $0) }.joined()
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
/// A zip member (`archive.zip#Member.csv`) is streamed from its archive, and inflated if it is
/// itself gzip.
public func openInput(_ path: String, backend: InflateBackend = .isal, checksum: ((String?) -> Void)? = nil, probe: Bool = false) throws -> ByteSource {
    let f: ByteSource
    if let z = ZipPath.split(path), let member = z.member {
        let r = try ZipMemberReader(archive: z.archive, member: member, backend: backend, checksum: checksum != nil)
        r.onEnd = checksum
        f = r
    } else {
        let r = try FileReader(path: path, checksum: checksum != nil)
        r.probe = probe
        r.onEnd = checksum
        f = r
    }
    var head = [UInt8](repeating: 0, count: 2)
    var got = 0
    while got < 2 {
        // This is safe: got < 2 = head.count.
        let n = try head.withUnsafeMutableBufferPointer { try f.read(into: $0.baseAddress! + got, capacity: 2 - got) }
        if n == 0 { break }
        got += n
    }
    head.removeLast(2 - got)
    let src = PeekedSource(f, head: head)
    if got == 2 && head[0] == 0x1F && head[1] == 0x8B {
        switch backend {
        case .isal: return try GzipMemberReader(src, name: path, inflater: ISALInflater())
        case .zlib: return try GzipMemberReader(src, name: path, inflater: ZlibInflater(name: path))
        }
    }
    return src
}
