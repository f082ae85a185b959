import CPilotShims
import Foundation

/// Replaces a checked folder (`OutputTarget`) atomically: everything is written into a fresh
/// sibling folder, which then takes the target's place in one step. A failed or interrupted run
/// leaves the previous folder exactly as it was and removes the sibling. The folder and its files
/// follow the umask, like any Unix tool's output.
public final class AtomicDirectory: @unchecked Sendable {
    public let target: OutputTarget
    public let staging: String
    /// Held while a file is written, the folder is swapped in, or it is discarded: a signal's
    /// clean-up waits for the step in progress instead of racing it.
    private let lock = NSLock()
    private var state = State.open

    private enum State { case open, committed, discarded }

    public init(target: OutputTarget) throws {
        self.target = target
        let parent = Paths.parent(target.path)
        let name = Paths.lastComponent(target.path)
        try Self.createParents(parent, for: target)
        // mkdtemp: a new folder beside the target (never follows a planted symlink). Made and
        // registered under the registry's lock, so a signal's clean-up never misses it, and
        // never made once the clean-up has begun.
        var template = Array("\(parent)/.\(name).tmp-XXXXXX".utf8CString)
        Self.registry.lock()
        guard !Self.closing else {
            Self.registry.unlock()
            throw OutputError(.cannotCreate, path: target.given, "the run is being interrupted")
        }
        // This is safe: the template is a NUL-terminated C string mkdtemp rewrites in place.
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            let e = errno
            Self.registry.unlock()
            let code: OutputError.Code = e == EACCES || e == EPERM || e == EROFS ? .refused : .cannotCreate
            throw OutputError(code, path: target.given, "cannot create the new \(target.role.option) folder beside it", cause: Errno(e))
        }
        staging = String(cString: p)
        Self.openFolders[ObjectIdentifier(self)] = Weak(folder: self)
        Self.registry.unlock()
        // mkdtemp makes the folder private (0700): give it the mode any new folder would get.
        chmod(staging, 0o777 & ~FileIO.umaskValue)
        try write(target.role.marker, target.role.markerText)
    }

    private static func createParents(_ dir: String, for target: OutputTarget) throws {
        switch Paths.kind(dir, followingLinks: true) {
        case .directory: return
        case .missing:
            try createParents(Paths.parent(dir), for: target)
            if mkdir(dir, 0o777) != 0 && errno != EEXIST {
                throw OutputError(.cannotCreate, path: target.given, "cannot create the folder \(dir)", cause: Errno(errno))
            }
        default:
            throw OutputError(.cannotCreate, path: target.given, "\(dir) is not a folder")
        }
    }

    /// Writes one file into the new folder (created exclusively, never through a link, synced).
    public func write(_ name: String, _ text: String) throws {
        var text = text
        try text.withUTF8 { try write(name, UnsafeRawBufferPointer($0)) }
    }

    /// `write` of bytes.
    public func write(_ name: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(name, $0) }
    }

    private func write(_ name: String, _ b: UnsafeRawBufferPointer) throws {
        lock.lock()
        defer { lock.unlock() }
        guard state == .open else { throw OutputError(.writeFailed, path: target.given, "the output is no longer open") }
        let path = staging + "/" + name
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw OutputError(.writeFailed, path: path, "cannot create", cause: Errno(errno)) }
        defer { close(fd) }
        if let base = b.baseAddress, let e = FileIO.writeAll(fd, base, b.count) {
            throw OutputError(.writeFailed, path: path, "write failed", cause: Errno(e))
        }
        if fsync(fd) != 0 { throw OutputError(.writeFailed, path: path, "fsync failed", cause: Errno(errno)) }
    }

    /// Puts an existing file into the new folder under `name`: a hard link (the staging folder
    /// is beside the target, on its file system), else a copy.
    public func keep(_ name: String, from existing: String) throws {
        lock.lock()
        let open = state == .open
        lock.unlock()
        guard open else { throw OutputError(.writeFailed, path: target.given, "the output is no longer open") }
        if link(existing, staging + "/" + name) == 0 { return }
        switch FileIO.readFile(existing) {
        case .success(let bytes): try write(name, bytes: bytes)
        case .failure(let e): throw OutputError(.writeFailed, path: existing, "cannot read", cause: e)
        }
    }

    /// Moves the finished folder into place. Where the kernel allows it the two folders swap in
    /// one step; else the old one is renamed aside first. The old content is then removed.
    public func commit() throws {
        lock.lock()
        defer { lock.unlock() }
        guard state == .open else { throw OutputError(.writeFailed, path: target.given, "the output is no longer open") }
        let fm = FileManager.default
        let dest = target.path
        let exists = Paths.kind(dest) != .missing
        if exists && CPilotShims_exchange(staging, dest) == 0 {
            state = .committed
            try? fm.removeItem(atPath: staging)
            Self.unregister(self, committed: true)
            return
        }
        var aside: String?
        if exists {
            let old = staging + ".old"
            guard rename(dest, old) == 0 else {
                throw OutputError(.cannotReplace, path: target.given, "cannot move the previous folder aside", cause: Errno(errno))
            }
            aside = old
        }
        guard rename(staging, dest) == 0 else {
            let e = errno
            if let aside { _ = rename(aside, dest) }
            throw OutputError(.cannotReplace, path: target.given, "cannot move the new folder into place", cause: Errno(e))
        }
        state = .committed
        if let aside { try? fm.removeItem(atPath: aside) }
        Self.unregister(self, committed: true)
    }

    /// Removes the new folder (failure, interrupt); the previous one is untouched.
    public func discard() {
        lock.lock()
        defer { lock.unlock() }
        guard state == .open else { return }
        state = .discarded
        try? FileManager.default.removeItem(atPath: staging)
        Self.unregister(self)
    }

    deinit { discard() }

    // MARK: the folders a signal must clean up

    private struct Weak { weak var folder: AtomicDirectory? }
    nonisolated(unsafe) private static var openFolders: [ObjectIdentifier: Weak] = [:]
    /// Set by `discardAll`: no new folder is made after it.
    nonisolated(unsafe) private static var closing = false
    private static let registry = NSLock()

    /// Set when a folder has replaced its target.
    nonisolated(unsafe) private static var committedAny = false

    private static func unregister(_ d: AtomicDirectory, committed: Bool = false) {
        registry.lock()
        openFolders[ObjectIdentifier(d)] = nil
        if committed { committedAny = true }
        registry.unlock()
    }

    /// Discards every folder still being written (SIGINT/SIGTERM): each waits for its file or
    /// swap in progress. The process must exit right after. Returns whether a folder of the run
    /// had already replaced its target (the signal came after the output was in place).
    @discardableResult
    public static func discardAll() -> Bool {
        registry.lock()
        closing = true
        let all = openFolders.values.compactMap(\.folder)
        let committed = committedAny
        registry.unlock()
        for d in all { d.discard() }
        return committed
    }
}
