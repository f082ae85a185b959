import Glibc

/// The text of an errno value ("No such file or directory").
public func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

/// Thin wrappers of the file system calls the tool makes outside the hot path. Each returns the
/// errno of a failure, so callers wrap it in their own layer's error with the path.
public enum FileIO {
    /// Writes every byte at `p` to `fd`, retrying short writes and EINTR; nil on success, else errno.
    public static func writeAll(_ fd: Int32, _ p: UnsafeRawPointer?, _ count: Int) -> Int32? {
        guard let p, count > 0 else { return nil }
        var off = 0
        while off < count {
            let n = write(fd, p + off, count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            off += n
        }
        return nil
    }

    /// `writeAll` of a byte array.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { writeAll(fd, $0.baseAddress, $0.count) }
    }

    /// `writeAll` of a string's UTF-8.
    public static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        var t = text
        return t.withUTF8 { writeAll(fd, UnsafeRawPointer($0.baseAddress), $0.count) }
    }

    /// The whole content of a file, or the errno that stopped reading it.
    public static func readFile(_ path: String, limit: Int = 1 << 30) -> Result<[UInt8], Errno> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Errno(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(Errno(errno)) }
        if st.st_mode & S_IFMT == S_IFDIR { return .failure(Errno(EISDIR)) }
        var out: [UInt8] = []
        out.reserveCapacity(min(Int(st.st_size), limit))
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(errno))
            }
            if n == 0 { return .success(out) }
            if out.count + n > limit { return .failure(Errno(EFBIG)) }
            out += buf[0..<n]
        }
    }

    /// The process's file-creation mask (read without changing it for longer than the two calls).
    public static var umaskValue: mode_t {
        let m = umask(0o022)
        umask(m)
        return m
    }
}

/// An errno value as an error (the underlying cause of the layers' errors).
public struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public init(_ code: Int32) { self.code = code }
    public var description: String { errnoText(code) }
}
