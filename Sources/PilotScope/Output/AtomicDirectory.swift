import CPilotShims
import Foundation

/// Replaces an output directory atomically: everything is written into a fresh sibling directory,
/// which is then renamed over the target. A failed or interrupted run leaves the previous
/// directory exactly as it was; the temporary directory is removed.
public final class AtomicDirectory {
    public let target: String
    public let staging: String
    private var committed = false
    nonisolated(unsafe) public static var active: AtomicDirectory?

    public init(target: String) throws {
        // The path as given (trailing slashes dropped), never resolved: a symlink at the output
        // path is replaced by the new directory; its target is not touched.
        var t = target
        while t.count > 1 && t.hasSuffix("/") { t.removeLast() }
        self.target = t
        let parent = (self.target as NSString).deletingLastPathComponent
        let base = (self.target as NSString).lastPathComponent
        let dir = parent.isEmpty ? "." : parent
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw InputError(.unreadable, file: target, "cannot write output: \(dir) is not a folder that can be created")
        }
        // mkdtemp: a new, private directory beside the target (never follows a planted symlink).
        var template = Array("\(dir)/.\(base).tmp-XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw InputError(.unreadable, file: target, "cannot write output beside it: \(String(cString: strerror(errno)))")
        }
        staging = String(cString: p)
        Self.active = self
    }

    public func write(_ name: String, _ text: String) throws {
        let path = staging + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw InputError(.unreadable, file: path, "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(.unreadable, file: path, "write failed: \(String(cString: strerror(errno)))")
            }
            off += n
        }
        if fsync(fd) != 0 { throw InputError(.unreadable, file: path, "fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// Moves the finished directory into place. The old one is renamed aside first, then removed.
    public func commit() throws {
        let fm = FileManager.default
        var old: String?
        // Where the kernel allows it, swap the two directories in one step.
        if (try? fm.attributesOfItem(atPath: target)) != nil, CPilotShims_exchange(staging, target) == 0 {
            committed = true
            Self.active = nil
            try? fm.removeItem(atPath: staging)
            return
        }
        if (try? fm.attributesOfItem(atPath: target)) != nil {
            let aside = staging + ".old"
            guard rename(target, aside) == 0 else {
                throw InputError(.unreadable, file: target, "cannot replace: \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        guard rename(staging, target) == 0 else {
            let e = String(cString: strerror(errno))
            if let old { _ = rename(old, target) }
            throw InputError(.unreadable, file: target, "cannot move the new output into place: \(e)")
        }
        committed = true
        Self.active = nil
        if let old { try? fm.removeItem(atPath: old) }
    }

    /// Removes the staging directory (failure, interrupt).
    public func discard() {
        if !committed { try? FileManager.default.removeItem(atPath: staging) }
        Self.active = nil
    }

    deinit { discard() }
}
