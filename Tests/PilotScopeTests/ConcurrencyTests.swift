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
        func enter(_ i: Int) {
            lock.lock()
            running += 1
            most = max(most, running)
            seen.append(i)
            lock.unlock()
        }
        func leave() {
            lock.lock()
            running -= 1
            lock.unlock()
        }
    }

    func testEveryIndexOnceAndNoMoreThreadsThanAsked() {
        for (count, threads) in [(0, 4), (1, 4), (5, 1), (37, 2), (37, 3), (200, 64)] {
            let g = Gauge()
            concurrently(count, threads: threads) { i in
                g.enter(i)
                // Some work, so that bodies overlap when they may.
                var x = UInt64(i)
                for _ in 0..<20_000 { x = x &* 6_364_136_223_846_793_005 &+ 1 }
                if x == 42 { print(x) }
                g.leave()
            }
            XCTAssertEqual(g.seen.sorted(), Array(0..<count), "\(count) indices on \(threads) threads")
            XCTAssertLessThanOrEqual(g.most, max(threads, 1), "\(count) indices on \(threads) threads")
        }
    }

    func testOneThreadRunsInOrderOnTheCallingThread() {
        let caller = pthread_self()
        let g = Gauge()
        concurrently(6, threads: 1) { i in
            XCTAssertTrue(pthread_equal(pthread_self(), caller) != 0)
            g.enter(i)
            g.leave()
        }
        XCTAssertEqual(g.seen, Array(0..<6))
    }
}
