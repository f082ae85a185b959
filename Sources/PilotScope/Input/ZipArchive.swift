import Foundation
import ZIPFoundation

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
    var isDirectory: Bool
}

/// The central directory of an archive, read with ZIPFoundation (end records, zip64, entries)
/// and kept per archive for the run. ZIPFoundation 0.9.20 (pinned exactly in Package.swift)
/// keeps an entry's local-header offset, method and flags internal, and its iteration stops
/// without an error at an encrypted entry: those fields are read through `Mirror`, and the
/// number of entries listed is checked against the end record's count, so no member vanishes.
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
        let listed = try list(archive)
        lock.lock()
        cache[archive] = listed
        lock.unlock()
        return listed
    }

    /// The member named `name`, or an error that names the archive and lists what it holds.
    public static func member(_ archive: String, _ name: String) throws -> ZipMember {
        let all = try members(archive)
        if let m = all.first(where: { $0.name == name && !$0.isDirectory }) { return m }
        let files = all.filter { !$0.isDirectory }.map(\.name)
        let shown = files.prefix(10).joined(separator: ", ") + (files.count > 10 ? ", …" : "")
        throw InputError(.missingMember, file: archive, "the archive has no member '\(name)' (it holds: \(files.isEmpty ? "no files" : shown))")
    }

    private static func list(_ archive: String) throws -> [ZipMember] {
        var st = stat()
        guard stat(archive, &st) == 0 else { throw InputError(.unreadable, file: archive, "cannot open: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw InputError(.unreadable, file: archive, "is a directory, not a zip archive") }
        let zip: Archive
        do {
            zip = try Archive(url: URL(fileURLWithPath: archive), accessMode: .read)
        } catch {
            throw InputError(.corruptArchive, file: archive, "not a readable zip archive (\(error)): its end-of-central-directory record is missing or damaged")
        }
        var out: [ZipMember] = []
        for entry in zip { out.append(try member(of: entry, archive: archive)) }
        let expected = try entryCount(zip, archive: archive)
        if UInt64(out.count) < expected { throw unreadableEntry(archive: archive, zip: zip, index: out.count, of: expected) }
        return out
    }

    private static func member(of entry: Entry, archive: String) throws -> ZipMember {
        let cd = try Reflect.child(entry, "centralDirectoryStructure", archive)
        let nameData: Data = try Reflect.value(cd, "fileNameData", archive)
        let offset32: UInt32 = try Reflect.value(cd, "relativeOffsetOfLocalHeader", archive)
        var offset = UInt64(offset32)
        if offset32 == .max {
            // zip64: the offset is in the entry's zip64 extended information.
            let fields = try Reflect.optional(Reflect.child(cd, "extraFields", archive)).map { Reflect.elements($0) } ?? []
            guard let z = fields.compactMap({ Reflect.maybe($0, "relativeOffsetOfLocalHeader") as UInt64? }).first else {
                throw InputError(.corruptArchive, file: archive, "member '\(entry.path)': zip64 offset missing from its central-directory entry")
            }
            offset = z
        }
        return ZipMember(
            name: entry.path, nameBytes: Array(nameData), method: try Reflect.value(cd, "compressionMethod", archive),
            flags: try Reflect.value(cd, "generalPurposeBitFlag", archive), crc32: entry.checksum,
            compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, localHeaderOffset: offset,
            isDirectory: entry.type == .directory)
    }

    /// The number of entries the end record (or the zip64 end record) announces.
    private static func entryCount(_ zip: Archive, archive: String) throws -> UInt64 {
        if let z64 = Reflect.optional(try Reflect.child(zip, "zip64EndOfCentralDirectory", archive)) {
            return try Reflect.value(Reflect.child(z64, "record", archive), "totalNumberOfEntriesInCentralDirectory", archive)
        }
        let n: UInt16 = try Reflect.value(Reflect.child(zip, "endOfCentralDirectoryRecord", archive), "totalNumberOfEntriesInCentralDirectory", archive)
        return UInt64(n)
    }

    /// The entry ZIPFoundation stopped at: its name and why (read from its central-directory
    /// record: 46 fixed bytes, then the name, extra field and comment).
    private static func unreadableEntry(archive: String, zip: Archive, index: Int, of total: UInt64) -> InputError {
        let why = "the central directory lists \(total) entries and only \(index) can be read"
        guard let name = try? centralRecord(zip, archive: archive, index: index) else {
            return InputError(.corruptArchive, file: archive, why + ": the central directory is damaged")
        }
        if name.flags & 1 != 0 {
            return InputError(.zipMember, file: archive + "#" + name.name, "the member is encrypted: PilotScope reads only unencrypted archives (\(why))")
        }
        return InputError(.corruptArchive, file: archive + "#" + name.name, "the member's local header cannot be read (\(why))")
    }

    private static func centralRecord(_ zip: Archive, archive: String, index: Int) throws -> (name: String, flags: UInt16) {
        var start: UInt64
        if let z64 = Reflect.optional(try Reflect.child(zip, "zip64EndOfCentralDirectory", archive)) {
            start = try Reflect.value(Reflect.child(z64, "record", archive), "offsetToStartOfCentralDirectory", archive)
        } else {
            let s: UInt32 = try Reflect.value(Reflect.child(zip, "endOfCentralDirectoryRecord", archive), "offsetToStartOfCentralDirectory", archive)
            start = UInt64(s)
        }
        let file = try PositionalFile(archive)
        for i in 0...index {
            var fixed = [UInt8](repeating: 0, count: 46)
            try file.read(&fixed, at: start, archive: archive)
            guard LittleEndian.u32(fixed, 0) == 0x0201_4B50 else { throw InputError(.corruptArchive, file: archive, "bad central directory") }
            let n = Int(LittleEndian.u16(fixed, 28)), m = Int(LittleEndian.u16(fixed, 30)), k = Int(LittleEndian.u16(fixed, 32))
            if i == index {
                var name = [UInt8](repeating: 0, count: n)
                try file.read(&name, at: start + 46, archive: archive)
                return (String(decoding: name, as: UTF8.self), LittleEndian.u16(fixed, 8))
            }
            start += UInt64(46 + n + m + k)
        }
        throw InputError(.corruptArchive, file: archive, "bad central directory")
    }
}

/// Little-endian fields of zip records.
enum LittleEndian {
    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
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

/// Named fields of ZIPFoundation's internal records (see `ZipDirectory`). A field that is not
/// there is a build against another ZIPFoundation: an error, never a guess.
enum Reflect {
    static func maybe<T>(_ v: Any, _ label: String) -> T? {
        Mirror(reflecting: v).children.first { $0.label == label }?.value as? T
    }

    static func child(_ v: Any, _ label: String, _ archive: String) throws -> Any {
        guard let c = Mirror(reflecting: v).children.first(where: { $0.label == label }) else { throw missing(label, archive) }
        return c.value
    }

    static func value<T>(_ v: Any, _ label: String, _ archive: String) throws -> T {
        guard let x: T = maybe(v, label) else { throw missing(label, archive) }
        return x
    }

    /// The wrapped value of an `Optional` held as `Any`, or nil.
    static func optional(_ v: Any) -> Any? {
        let m = Mirror(reflecting: v)
        guard m.displayStyle == .optional else { return v }
        return m.children.first?.value
    }

    static func elements(_ v: Any) -> [Any] { Mirror(reflecting: v).children.map(\.value) }

    private static func missing(_ label: String, _ archive: String) -> InputError {
        InputError(.corruptArchive, file: archive, "cannot read the archive: this build's ZIPFoundation has no field '\(label)' (PilotScope needs 0.9.20)")
    }
}
