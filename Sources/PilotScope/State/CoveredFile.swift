import Foundation

/// Who a touch file is on disk (SPEC §7): its real path (symlinks resolved), size and
/// modification time. A file whose size or time has changed is another file.
public struct FileIdentity: Equatable, Sendable {
    public var realPath: String
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var mtime: Int64

    public init(realPath: String, size: Int64, mtime: Int64) {
        self.realPath = realPath
        self.size = size
        self.mtime = mtime
    }

    /// The identity of the file at `path`, or nil when it cannot be had (standard input, a
    /// file gone): such a file cannot be saved in a state.
    /// A zip member is `real path of the archive#member`, with the archive's size and mtime (a
    /// rewritten archive is read again).
    public static func of(_ path: String) -> FileIdentity? {
        let zip = ZipPath.split(path)
        let file = zip?.member != nil ? zip?.archive ?? path : path
        guard path != "-", let real = realpath(file, nil) else { return nil }
        defer { free(real) }
        var st = stat()
        guard stat(real, &st) == 0 else { return nil }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let name = String(cString: real) + (zip?.member.map { "#" + $0 } ?? "")
        return FileIdentity(realPath: name, size: Int64(st.st_size), mtime: mtime)
    }
}

/// A touch file a state stands for: who it is, its SHA-256 as stored, how it was read, and its
/// account (the quality row and rejected rows, under the scope it was read as).
public struct CoveredFile: Sendable {
    /// Nil only for a file that cannot be saved (standard input).
    public var identity: FileIdentity?
    /// Hex SHA-256 of the file's bytes as stored.
    public var sha256: String
    /// `FileContext.readingDigest` of the file when read.
    public var reading: [UInt8]
    public var account: FileAccount

    public init(identity: FileIdentity?, sha256: String, reading: [UInt8], account: FileAccount) {
        self.identity = identity
        self.sha256 = sha256
        self.reading = reading
        self.account = account
    }

    /// The account under another scope (the name a run gives the file, B13).
    public func account(as scope: String) -> FileAccount {
        var a = account
        a.path = scope
        for i in a.rejects.indices { a.rejects[i].file = scope }
        return a
    }
}
