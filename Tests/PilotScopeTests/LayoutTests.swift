import XCTest

@testable import PilotScope

/// The per-record structs held a million at a time at the run's memory peak (the end of dedup):
/// their fields are ordered by size so no padding is wasted. A new field should keep that order.
final class LayoutTests: XCTestCase {
    func testPerRecordStructsArePacked() {
        XCTAssertEqual(MemoryLayout<Contact>.stride, 88)
        XCTAssertEqual(MemoryLayout<CRMRecord>.stride, 120)
        XCTAssertEqual(MemoryLayout<StageTimes>.stride, 40)
    }
}
