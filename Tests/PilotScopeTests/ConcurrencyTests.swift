import Foundation
import XCTest

@testable import PilotScope

/// `concurrently`: every index once, never more than `threads` at a time (what `--threads`
/// promises of the stages after the read), and in order on the calling thread with one.
final class ConcurrencyTests: XCTestCase {
    /// Counts the bodies running at once, and the most seen.
    final class Gauge: @unchecked Sendable {
        private let lock = NSLock()
        private var running = 0
        private(set) var most = 0
        private(set) var seen: [Int] = []
        /// The threads that ran a body.
        private(set) var threads: [pthread_t] = []
        func enter(_ i: Int) {
            lock.lock()
            running += 1
            most = max(most, running)
            seen.append(i)
            if !threads.contains(where: { pthread_equal($0, pthread_self()) != 0 }) { threads.append(pthread_self()) }
            lock.unlock()
        }
        func leave() {
            lock.lock()
            running -= 1
            lock.unlock()
        }
    }

    /// Some work, so that bodies overlap when they may.
    static func work(_ i: Int) {
        var x = UInt64(i)
        for _ in 0..<20_000 { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        if x == 42 { print(x) }
    }

    func testEveryIndexOnceAndNoMoreThreadsThanAsked() {
        for (count, threads) in [(0, 4), (1, 4), (5, 1), (37, 2), (37, 3), (200, 64)] {
            let g = Gauge()
            concurrently(count, threads: threads) { i in
                g.enter(i)
                Self.work(i)
                g.leave()
            }
            XCTAssertEqual(g.seen.sorted(), Array(0..<count), "\(count) indices on \(threads) threads")
            XCTAssertLessThanOrEqual(g.most, max(threads, 1), "\(count) indices on \(threads) threads")
            XCTAssertLessThanOrEqual(g.threads.count, max(threads, 1), "\(count) indices on \(threads) threads")
        }
    }

    /// With one thread every index runs on the caller, in order: exact, whatever the machine.
    func testOneThreadRunsInOrderOnTheCallingThread() {
        let caller = pthread_self()
        let g = Gauge()
        concurrently(40, threads: 1) { i in
            g.enter(i)
            Self.work(i)
            g.leave()
        }
        XCTAssertEqual(g.seen, Array(0..<40))
        XCTAssertEqual(g.threads.count, 1)
        XCTAssertTrue(g.threads.allSatisfy { pthread_equal($0, caller) != 0 }, "on the calling thread")
    }

    /// A background run hands its result over: once the taker lets it go, it is freed, though
    /// the run object lives on (the report frees the touch state this way before its tables).
    func testBackgroundRunKeepsNoReferenceToItsResult() throws {
        final class Payload: @unchecked Sendable {}
        weak var taken: Payload?
        let run = BackgroundRun { Payload() }
        do {
            let p = try run.wait()
            taken = p
            withExtendedLifetime(p) { XCTAssertNotNil(taken) }
        }
        XCTAssertNil(taken, "the run still holds its result")
        withExtendedLifetime(run) {}
    }
}
