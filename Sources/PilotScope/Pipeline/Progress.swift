import Foundation

/// Progress of a run, fed by the pipeline's threads: compressed bytes read of the total, rows
/// parsed. A reporter thread draws it on stderr (only when stderr is a terminal).
public final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = 0
    private var rows = 0
    private var phase = ""
    public private(set) var totalBytes = 0
    private let start = Date()
    private var stopped = false

    public init() {}

    public func begin(_ phase: String, totalBytes: Int) {
        lock.lock()
        self.phase = phase
        self.totalBytes += totalBytes
        lock.unlock()
    }

    public func add(bytes b: Int = 0, rows r: Int = 0) {
        lock.lock()
        bytes += b
        rows += r
        lock.unlock()
    }

    /// One status line: phase, share of input read, rows/s, ETA.
    public func line() -> String {
        lock.lock()
        defer { lock.unlock() }
        let secs = max(Date().timeIntervalSince(start), 0.001)
        let share = totalBytes > 0 ? Double(bytes) / Double(totalBytes) : 0
        let eta = share > 0.01 ? secs / share - secs : 0
        return String(
            format: "%@: %3.0f%%  %.0f of %.0f MB  %.1fM rows/s  ETA %.0f s", phase, share * 100, Double(bytes) / 1e6, Double(totalBytes) / 1e6,
            Double(rows) / secs / 1e6, max(0, eta))
    }

    /// Redraws the line on fd 2 every half second until `stop()`.
    public func startDrawing() {
        Thread.detachNewThread { [self] in
            while true {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done { break }
                if totalBytes == 0 {
                    Thread.sleep(forTimeInterval: 0.2)
                    continue
                }
                let text = "\r\u{1B}[2K" + line()
                text.utf8CString.withUnsafeBufferPointer { p in _ = write(2, p.baseAddress, p.count - 1) }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    public func stop() {
        lock.lock()
        let wasDrawing = !stopped
        stopped = true
        lock.unlock()
        if wasDrawing { "\r\u{1B}[2K".utf8CString.withUnsafeBufferPointer { p in _ = write(2, p.baseAddress, p.count - 1) } }
    }
}
