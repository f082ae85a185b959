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

    public func wait() throws -> T {
        done.wait()
        // This is safe: `result` is set before `done` is signalled, and read only after.
        return try result!.get()
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
