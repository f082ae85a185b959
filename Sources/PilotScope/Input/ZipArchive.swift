import Foundation

/// An input path that names a zip archive or a member of one: `exports/WE_00D.zip#Lead.csv`.
/// The archive part is everything up to the first `#` that follows a name ending in `.zip`
/// (any case); a path ending in `.zip` names the archive alone (its `.csv` members).
public struct ZipPath: Equatable, Sendable {
    public var archive: String
    /// Nil when the path names the whole archive.
    public var member: String?

    public static func split(_ path: String) -> ZipPath? {
        let u = Array(path.utf8)
        func endsWithZip(_ end: Int) -> Bool {
            end >= 4 && u[end - 4] == 0x2E && (u[end - 3] | 0x20) == 0x7A && (u[end - 2] | 0x20) == 0x69 && (u[end - 1] | 0x20) == 0x70
        }
        for (i, b) in u.enumerated() where b == 0x23 && endsWithZip(i) {
            return ZipPath(archive: String(decoding: u[..<i], as: UTF8.self), member: String(decoding: u[(i + 1)...], as: UTF8.self))
        }
        return endsWithZip(u.count) ? ZipPath(archive: path, member: nil) : nil
    }

    public var text: String { member.map { archive + "#" + $0 } ?? archive }
}

/// One member of an archive, as its central directory describes it.
public struct ZipMember: Sendable {
    public var name: String
    var nameBytes: [UInt8]
    /// 0 stored, 8 deflated (anything else is refused when the member is read).
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
    public var isDirectory: Bool
}

/// The central directory of an archive, kept per archive for the run. It is read here, bounded
/// by the file's size at every step, and not with ZIPFoundation's reader, which traps on a
/// hostile offset (found by FuzzZip at once), stops listing without an error at an encrypted
/// entry, and keeps each entry's data offset internal (docs/DECISIONS.md). Multi-disk archives
/// are refused; zip64 end records and extra fields are read.
public enum ZipDirectory {
    nonisolated(unsafe) private static var cache: [String: [ZipMember]] = [:]
    private static let lock = NSLock()

    /// The members of `archive` (directories included), in central-directory order.
    public static func members(_ archive: String) throws -> [ZipMember] {
        lock.lock()
        if let m = cache[archive] {
            lock.unlock()
            return m
        }
        lock.unlock()
        let listed = try read(archive)
        lock.lock()
        cache[archive] = listed
        lock.unlock()
        return listed
    }

    /// Drops what is kept of `archive` (the fuzzer writes a new archive at each path).
    public static func forget(_ archive: String) {
        lock.lock()
        cache[archive] = nil
        lock.unlock()
    }

    /// The member named `name` (the first, if two have it), or an error that names the archive
    /// and lists what it holds.
    public static func member(_ archive: String, _ name: String) throws -> ZipMember {
        let all = try members(archive)
        if let m = all.first(where: { $0.name == name && !$0.isDirectory }) { return m }
        let files = all.filter { !$0.isDirectory }.map(\.name)
        let shown = files.prefix(10).joined(separator: ", ") + (files.count > 10 ? ", …" : "")
        throw InputError(.missingMember, file: archive, "the archive has no member '\(name)' (it holds: \(files.isEmpty ? "no files" : shown))")
    }

    /// A member's uncompressed and compressed sizes and its local header's offset.
    typealias Sizes = (u: UInt64, c: UInt64, offset: UInt64)

    /// Where the central directory lies and how many entries it holds.
    struct Directory { var offset: UInt64, size: UInt64, entries: UInt64 }

    static func read(_ archive: String) throws -> [ZipMember] {
        var st = stat()
        guard stat(archive, &st) == 0 else { throw InputError(.unreadable, file: archive, "cannot open: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(.unreadable, file: archive, "is a directory, not a zip archive") }
        let file = try PositionalFile(archive)
        let dir = try directory(file, archive)
        var cd = [UInt8](repeating: 0, count: Int(dir.size))
        try file.read(&cd, at: dir.offset, archive: archive)
        var out: [ZipMember] = []
        var at = 0
        while UInt64(out.count) < dir.entries {
            let (m, next) = try record(cd, at, file.size, archive, base: dir.offset)
            out.append(m)
            at = next
        }
        return out
    }

    private static func corrupt(_ archive: String, _ why: String, at offset: UInt64? = nil) -> InputError {
        InputError(.corruptArchive, file: archive, "not a readable zip archive: " + why, offset: offset.map { Int(clamping: $0) })
    }

    /// The end record (the last one whose comment reaches the end of the file), and the zip64
    /// end record when its locator precedes it.
    static func directory(_ file: PositionalFile, _ archive: String) throws -> Directory {
        let tailLength = Int(min(file.size, 22 + 65535))
        guard tailLength >= 22 else { throw corrupt(archive, "too short for an end-of-central-directory record") }
        var tail = [UInt8](repeating: 0, count: tailLength)
        let tailStart = file.size - UInt64(tailLength)
        try file.read(&tail, at: tailStart, archive: archive)
        guard
            let e = stride(from: tailLength - 22, through: 0, by: -1).first(where: {
                LittleEndian.u32(tail, $0) == 0x0605_4B50 && $0 + 22 + Int(LittleEndian.u16(tail, $0 + 20)) <= tailLength
            })
        else { throw corrupt(archive, "no end-of-central-directory record (not a zip file, or cut short)") }
        let eocd = tailStart + UInt64(e)
        guard LittleEndian.u16(tail, e + 4) == 0, LittleEndian.u16(tail, e + 6) == 0 else {
            throw corrupt(archive, "a multi-disk (split) archive", at: eocd)
        }
        var d = Directory(
            offset: UInt64(LittleEndian.u32(tail, e + 16)), size: UInt64(LittleEndian.u32(tail, e + 12)), entries: UInt64(LittleEndian.u16(tail, e + 10)))
        var end = eocd
        if e >= 20, LittleEndian.u32(tail, e - 20) == 0x0706_4B50 {
            (d, end) = try zip64Directory(file, archive, locator: Array(tail[(e - 20)..<e]), before: eocd - 20)
        }
        guard d.offset <= end, d.size <= end - d.offset else { throw corrupt(archive, "the central directory lies outside the file", at: eocd) }
        guard d.entries <= d.size / 46 else { throw corrupt(archive, "\(d.entries) entries cannot fit in a central directory of \(d.size) bytes", at: eocd) }
        return d
    }

    private static func zip64Directory(_ file: PositionalFile, _ archive: String, locator: [UInt8], before: UInt64) throws -> (Directory, UInt64) {
        let at = LittleEndian.u64(locator, 8)
        guard at <= before, before - at >= 56 else { throw corrupt(archive, "the zip64 end record lies outside the file", at: before) }
        var r = [UInt8](repeating: 0, count: 56)
        try file.read(&r, at: at, archive: archive)
        guard LittleEndian.u32(r, 0) == 0x0606_4B50 else { throw corrupt(archive, "no zip64 end record where its locator points", at: at) }
        guard LittleEndian.u32(r, 16) == 0, LittleEndian.u32(r, 20) == 0 else { throw corrupt(archive, "a multi-disk (split) archive", at: at) }
        return (Directory(offset: LittleEndian.u64(r, 48), size: LittleEndian.u64(r, 40), entries: LittleEndian.u64(r, 32)), at)
    }

    /// One central-directory record at `i` of `cd`: the member and where the next record starts.
    static func record(_ cd: [UInt8], _ i: Int, _ fileSize: UInt64, _ archive: String, base: UInt64) throws -> (ZipMember, Int) {
        let here = base + UInt64(i)
        guard i <= cd.count - 46, LittleEndian.u32(cd, i) == 0x0201_4B50 else {
            throw corrupt(archive, "a central-directory record is missing or damaged", at: here)
        }
        let n = Int(LittleEndian.u16(cd, i + 28)), m = Int(LittleEndian.u16(cd, i + 30)), k = Int(LittleEndian.u16(cd, i + 32))
        let next = i + 46 + n + m + k
        guard next <= cd.count else { throw corrupt(archive, "a central-directory record runs past the directory", at: here) }
        let nameBytes = Array(cd[(i + 46)..<(i + 46 + n)])
        let name = String(decoding: nameBytes, as: UTF8.self)
        var sizes: Sizes = (u: UInt64(LittleEndian.u32(cd, i + 24)), c: UInt64(LittleEndian.u32(cd, i + 20)), offset: UInt64(LittleEndian.u32(cd, i + 42)))
        if sizes.u == 0xFFFF_FFFF || sizes.c == 0xFFFF_FFFF || sizes.offset == 0xFFFF_FFFF {
            sizes = try zip64Sizes(Array(cd[(i + 46 + n)..<(i + 46 + n + m)]), sizes, archive + "#" + name, at: here)
        }
        guard sizes.offset < fileSize else {
            throw InputError(.corruptArchive, file: archive + "#" + name, "the member's local header lies outside the archive", offset: Int(clamping: here))
        }
        let member = ZipMember(
            name: name, nameBytes: nameBytes, method: LittleEndian.u16(cd, i + 10), flags: LittleEndian.u16(cd, i + 8), crc32: LittleEndian.u32(cd, i + 16),
            compressedSize: sizes.c, uncompressedSize: sizes.u, localHeaderOffset: sizes.offset, isDirectory: name.hasSuffix("/"))
        return (member, next)
    }

    /// The zip64 extended information (extra field 0x0001): the 8-byte values of the fields
    /// the record marks 0xFFFFFFFF, in the order uncompressed size, compressed size, offset.
    static func zip64Sizes(_ extra: [UInt8], _ s: Sizes, _ name: String, at: UInt64) throws -> Sizes {
        var i = 0
        while i + 4 <= extra.count {
            let id = LittleEndian.u16(extra, i), length = Int(LittleEndian.u16(extra, i + 2))
            guard i + 4 + length <= extra.count else { break }
            if id == 1 {
                var out = s
                var p = i + 4
                func take(_ v: inout UInt64) throws {
                    guard v == 0xFFFF_FFFF else { return }
                    guard p + 8 <= i + 4 + length else {
                        throw InputError(.corruptArchive, file: name, "zip64 extra field too short", offset: Int(clamping: at))
                    }
                    v = LittleEndian.u64(extra, p)
                    p += 8
                }
                try take(&out.u)
                try take(&out.c)
                try take(&out.offset)
                return out
            }
            i += 4 + length
        }
        throw InputError(.corruptArchive, file: name, "the central-directory record needs zip64 sizes and has none", offset: Int(clamping: at))
    }
}

/// Little-endian fields of zip records.
enum LittleEndian {
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}

/// A file read with pread(2) at given offsets (zip records and member data).
final class PositionalFile {
    let fd: Int32
    let size: UInt64

    init(_ path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        fstat(fd, &st)
        size = UInt64(st.st_size)
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into p: UnsafeMutableRawPointer, count: Int, at offset: UInt64, archive: String) throws -> Int {
        var got = 0
        while got < count {
            let n = pread(fd, p + got, count - got, off_t(offset) + off_t(got))
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(.unreadable, file: archive, "read failed: \(String(cString: strerror(errno)))", offset: Int(offset) + got)
            }
            got += n
        }
        return got
    }

    /// Fills `b` from `offset`; an error when the file ends first.
    func read(_ b: inout [UInt8], at offset: UInt64, archive: String) throws {
        let want = b.count
        let got = try b.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: want, at: offset, archive: archive) }
        guard got == want else {
            throw InputError(.corruptArchive, file: archive, "the archive ends inside a record", offset: Int(offset) + got)
        }
    }
}
