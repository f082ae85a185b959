import Foundation

/// Runs a throwing computation on its own thread; `wait()` returns its result or rethrows.
public final class BackgroundRun<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    /// The work's result, once (the run is signalled once): handed over, not kept, so a large
    /// value is freed when its taker lets it go, not when the run object goes.
    public func wait() throws -> T {
        done.wait()
        // This is safe: `result` is set before `done` is signalled, and read only after.
        let r = result!
        result = nil
        return try r.get()
    }
}

/// The machine's cores: the default of `--threads`, and of every stage's `threads`.
public let allCores = ProcessInfo.processInfo.activeProcessorCount

/// `count` indices cut into at most `parts` contiguous ranges of about equal size (the units of
/// work of a `concurrently` over a long array).
func evenRanges(_ count: Int, parts: Int) -> [Range<Int>] {
    let n = max(1, min(parts, count))
    return (0..<n).map { i in (count * i / n)..<(count * (i + 1) / n) }
}

/// `body(i)` for every `i` in `0..<count`, each once, on at most `threads` threads at a time
/// (Dispatch's pool; the calling thread is one of them), each taking the next index left: so
/// `--threads` bounds every stage of a run, not only the read. Callers' results do not depend on
/// which thread runs which index. Not to be called from inside a body (the bound would multiply).
public func concurrently(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    guard count > 0 else { return }
    let workers = min(max(threads, 1), count)
    guard workers > 1 else {
        for i in 0..<count { body(i) }
        return
    }
    let next = NextIndex()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while case let i = next.take(), i < count { body(i) }
    }
}

/// A shared counter: each `take` returns the next integer from 0.
private final class NextIndex: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// One slot per concurrent task, filled once each.
public final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    public init(count: Int) { slots = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ v: T) {
        lock.lock()
        slots[i] = v
        lock.unlock()
    }
    /// Every slot's value (call after every task has set its own).
    public var values: [T] { slots.map { $0! } }
}

/// Measures a run's phases: seconds and resident memory at the end of each.
public struct PhaseClock {
    private var clock = Date()
    public private(set) var timings: [(String, Double)] = []
    public private(set) var memory: [(String, Int)] = []

    public init() {}

    public mutating func lap(_ name: String) {
        timings.append((name, Date().timeIntervalSince(clock)))
        memory.append((name, Memory.residentMiB))
        clock = Date()
    }
}
