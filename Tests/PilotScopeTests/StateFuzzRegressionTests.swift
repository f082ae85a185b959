import XCTest

@testable import PilotScope

/// What `Fuzz/Sources/FuzzState` found in the state decoder, each as the smallest body that
/// shows it (the fuzzer's input was a 2.6 KB generated state): a corrupt state with its byte
/// offset, never a state that a merge changes or traps on.
final class StateFuzzRegressionTests: XCTestCase {
    /// One pilot with one evidence text ("x"), no fingerprint part, `as_of` 0, no file.
    static let header: [UInt8] = [0x00, 0x00, 0x01, 0x01, 0x01, 0x78, 0x00]

    /// A body with the email "a@b" (one own touch) and one fold of it, with these bytes for its
    /// first meeting, first meeting after, first UTM touch, meeting evidence and UTM evidence;
    /// no kept touch, no touchpoint, no raw touch.
    static func body(fold: [UInt8]) -> [UInt8] {
        [0x00, 0x01, 0x03, 0x61, 0x40, 0x62, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00] + fold
            + [0x00, 0x01] + [UInt8](repeating: 0, count: 17) + [0x00, 0x00, 0x00]
    }

    /// A body with "a@b" and the visitor "v1" stitched to it at `ts` (a zig-zag varint), no fold.
    static func body(visitorTime ts: [UInt8]) -> [UInt8] {
        [0x00, 0x01, 0x03, 0x61, 0x40, 0x62, 0x02, 0x01, 0x02, 0x76, 0x31, 0x00, 0x00] + ts
            + [0x00, 0x00, 0x00, 0x01] + [UInt8](repeating: 0, count: 17) + [0x00, 0x00, 0x00]
    }

    /// The state around `body` (stored raw), and the file offset of the body's first byte.
    static func state(_ body: [UInt8]) -> (bytes: [UInt8], bodyAt: Int) {
        var w = ByteWriter()
        w.raw(SavedState.magic)
        w.fixed32(SavedState.formatVersion)
        w.string(PilotScopeVersion.string)
        w.fixed32(UInt32(header.count))
        w.raw(header)
        w.fixed32(StateZlib.crc32(header))
        w.u8(0)
        w.count(body.count)
        w.count(body.count)
        w.fixed32(StateZlib.crc32(body))
        let bodyAt = w.bytes.count
        w.raw(body)
        return (w.bytes, bodyAt)
    }

    func assertCorrupt(_ body: [UInt8], at offset: Int, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let (bytes, bodyAt) = Self.state(body)
        XCTAssertThrowsError(try SavedState.decode(bytes, file: "s.state"), file: file, line: line) { error in
            guard let e = error as? StateError else { return XCTFail("not a StateError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.kind, .corrupt, file: file, line: line)
            XCTAssertEqual(e.exitCode, 1, file: file, line: line)
            XCTAssertEqual(e.offset, bodyAt + offset, "\(e)", file: file, line: line)
            XCTAssertTrue(e.message.contains(message), e.message, file: file, line: line)
        }
    }

    /// The same bodies, made consistent, decode, encode back to themselves, and merge with
    /// themselves (they cover no file).
    func testConsistentBodiesDecodeAndMerge() throws {
        for body in [
            Self.body(fold: [0xD1, 0x0F, 0x00, 0x00, 0x00, 0x01]), Self.body(fold: [0x00, 0x00, 0x00, 0x01, 0x01]),
            Self.body(visitorTime: [0xD0, 0x0F]),
        ] {
            let s = try SavedState.decode(Self.state(body).bytes, file: "s.state")
            XCTAssertEqual(try SavedState.decode(try s.encode(), file: "e.state").encode(), try s.encode())
            let twice = try SavedState.merge([("a", s), ("b", s)], threads: 2)
            XCTAssertEqual(twice.state.emails[entry: 0], 2)
        }
    }

    /// A first meeting without its evidence: a merge of two such states (or one with itself)
    /// compared the evidence texts of the equal times and indexed text -1 (a trap).
    func testFirstMeetingWithoutEvidence() {
        assertCorrupt(Self.body(fold: [0xD1, 0x0F, 0x00, 0x00, 0x01, 0x01]), at: 18, "evidence do not go together")
    }

    /// Meeting evidence without a first meeting (the fuzzer's input): a merge into an empty
    /// state dropped it, so the merge of a state and nothing was another state.
    func testMeetingEvidenceWithoutFirstMeeting() {
        assertCorrupt(Self.body(fold: [0x00, 0x00, 0x00, 0x00, 0x01]), at: 17, "evidence do not go together")
    }

    /// A first UTM touch without its evidence: the UTM side of the first case.
    func testFirstUTMWithoutEvidence() {
        assertCorrupt(Self.body(fold: [0x00, 0x00, 0xD1, 0x0F, 0x01, 0x01]), at: 18, "evidence do not go together")
    }

    /// A visitor stitched to an email at "no time" (Int64.max): a merge dropped the stitch.
    func testStitchedVisitorWithoutTime() {
        assertCorrupt(Self.body(visitorTime: [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), at: 13, "a stitched visitor without a time")
    }

    /// Counts that add up past their type in a merge stop at its bound (found by reading
    /// `absorb` after the fuzzer: `+=` trapped). An email with Int32.max own touches, merged
    /// with itself.
    func testMergedCountsSaturate() throws {
        var body = Self.body(visitorTime: [0x02])
        XCTAssertEqual(body[6], 0x02, "the email's own-touch count")
        body.replaceSubrange(6...6, with: [0xFE, 0xFF, 0xFF, 0xFF, 0x0F])
        let s = try SavedState.decode(Self.state(body).bytes, file: "s.state")
        XCTAssertEqual(s.state.emails[entry: 0], Int32.max)
        var merged = s.state
        merged.absorb(s.state, evidence: s.evidence, threads: 2)
        XCTAssertEqual(merged.emails[entry: 0], Int32.max)
        var n = Int32.max - 1
        n.addSaturating(5)
        XCTAssertEqual(n, Int32.max)
        var m = Int64.min + 1
        m.addSaturating(-5)
        XCTAssertEqual(m, Int64.min)
    }
}
