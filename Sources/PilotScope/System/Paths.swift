import Glibc

/// Path text handled by hand: Foundation's `NSString` path methods trap on some inputs (`.`).
/// Paths are POSIX strings; nothing here touches the file system except `real` and `exists`.
public enum Paths {
    /// The folder part of `path` ("." when there is none, "/" for the root).
    public static func parent(_ path: String) -> String {
        let p = trimmingSlashes(path)
        guard let slash = p.utf8.lastIndex(of: 0x2F) else { return "." }
        if slash == p.utf8.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// The last component of `path` (the path itself for "/" and "").
    public static func lastComponent(_ path: String) -> String {
        let p = trimmingSlashes(path)
        guard let slash = p.utf8.lastIndex(of: 0x2F) else { return p }
        return String(p[p.utf8.index(after: slash)...])
    }

    /// `path` without trailing slashes ("/" stays "/").
    public static func trimmingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return String(p)
    }

    /// `child` joined to `base` unless it is absolute.
    public static func join(_ base: String, _ child: String) -> String {
        if child.hasPrefix("/") || base.isEmpty || base == "." { return child }
        return base.hasSuffix("/") ? base + child : base + "/" + child
    }

    /// The current working directory.
    public static var currentDirectory: String {
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        return String(cString: buf)
    }

    /// An absolute path with `.` and `..` components and repeated slashes removed, by text only.
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        var parts: [Substring] = []
        for c in full.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The real path (symbolic links resolved) of an existing path, or the errno of the failure.
    public static func real(_ path: String) -> Result<String, Errno> {
        guard let r = realpath(path, nil) else { return .failure(Errno(errno)) }
        defer { free(r) }
        return .success(String(cString: r))
    }

    /// The real path of `path` where it exists, else the real path of its longest existing
    /// ancestor with the rest appended as written (a path about to be created).
    public static func resolvedForCreation(_ path: String) -> String {
        let abs = absolute(path)
        if case .success(let r) = real(abs) { return r }
        var head = abs
        var tail: [String] = []
        while head != "/" {
            tail.insert(lastComponent(head), at: 0)
            head = parent(head)
            if case .success(let r) = real(head) {
                return (r == "/" ? "" : r) + "/" + tail.joined(separator: "/")
            }
        }
        return abs
    }

    /// `inner` is `outer` or lies inside it (both absolute, without trailing slashes).
    public static func isInside(_ inner: String, _ outer: String) -> Bool {
        if inner == outer || outer == "/" { return true }
        return inner.hasPrefix(outer + "/")
    }

    /// What `lstat` says of a path.
    public enum Kind: Equatable { case missing, directory, file, symlink, other, error(Int32) }

    public static func kind(_ path: String, followingLinks: Bool = false) -> Kind {
        var st = stat()
        let rc = followingLinks ? stat(path, &st) : lstat(path, &st)
        if rc != 0 { return errno == ENOENT || errno == ENOTDIR ? .missing : .error(errno) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The names in a folder (without `.` and `..`), or the errno of the failure.
    public static func entries(_ dir: String) -> Result<[String], Errno> {
        guard let d = opendir(dir) else { return .failure(Errno(errno)) }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return .success(out.sorted())
    }

    /// `fnmatch` with `/` matched only by `/` and a leading `.` only by `.` (as `glob` expands).
    public static func globMatches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0
    }
}
