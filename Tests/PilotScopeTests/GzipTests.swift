import CPilotZlib
import PilotScopeTestSupport
import XCTest

@testable import PilotScope

final class GzipTests: XCTestCase {
    func gzip(_ text: String, at path: String) throws {
        let w = try GzipWriter(path: path)
        try w.write(Array(text.utf8))
        try w.finish()
    }

    func readAll(_ path: String, _ backend: InflateBackend) throws -> [UInt8] {
        let s = try openInput(path, backend: backend)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 7)  // tiny reads: every boundary is exercised
        while true {
            let n = try buf.withUnsafeMutableBufferPointer { try s.read(into: $0.baseAddress!, capacity: $0.count) }
            if n == 0 { return out }
            out += buf[0..<n]
        }
    }

    func testPlainGzipAndMultiMember() throws {
        let d = Support.tempDir()
        let text = String(repeating: "a,b,\"c\nd\"\n", count: 5000)
        try gzip(text, at: d + "/one.gz")
        try gzip("x,y\n", at: d + "/two.gz")
        let both = FileManager.default.contents(atPath: d + "/one.gz")! + FileManager.default.contents(atPath: d + "/two.gz")!
        FileManager.default.createFile(atPath: d + "/multi.gz", contents: both)
        Support.write(d + "/plain.csv", text)
        for b in InflateBackend.allCases {
            XCTAssertEqual(try readAll(d + "/one.gz", b), Array(text.utf8), "\(b)")
            XCTAssertEqual(try readAll(d + "/multi.gz", b), Array((text + "x,y\n").utf8), "\(b)")
            XCTAssertEqual(try readAll(d + "/plain.csv", b), Array(text.utf8), "\(b)")  // by magic bytes, not name
        }
    }

    func testTruncatedCorruptAndTrailingGarbage() throws {
        let d = Support.tempDir()
        try gzip(String(repeating: "row,with,some,data\n", count: 20000), at: d + "/ok.gz")
        let ok = FileManager.default.contents(atPath: d + "/ok.gz")!
        FileManager.default.createFile(atPath: d + "/trunc.gz", contents: ok.prefix(ok.count / 2))
        FileManager.default.createFile(atPath: d + "/trunc-trailer.gz", contents: ok.prefix(ok.count - 3))
        var crc = ok
        crc[crc.count - 6] ^= 0xFF  // CRC32 in the trailer
        FileManager.default.createFile(atPath: d + "/crc.gz", contents: crc)
        var header = ok
        header[2] = 7  // compression method other than deflate
        FileManager.default.createFile(atPath: d + "/header.gz", contents: header)
        FileManager.default.createFile(atPath: d + "/garbage.gz", contents: ok + Data("garbage".utf8))
        let cases: [(String, InputError.Code)] = [
            ("trunc.gz", .truncatedGzip), ("trunc-trailer.gz", .truncatedGzip), ("crc.gz", .corruptGzip),
            ("header.gz", .corruptGzip), ("garbage.gz", .trailingGarbage),
        ]
        for b in InflateBackend.allCases {
            for (f, code) in cases {
                XCTAssertThrowsError(try readAll(d + "/" + f, b), "\(f) \(b)") { e in
                    let ie = e as! InputError
                    XCTAssertEqual(ie.code, code, "\(f) \(b): \(ie)")
                    XCTAssertNotNil(ie.offset, "\(f): names a byte offset")
                    XCTAssertTrue(ie.description.contains(f))
                }
            }
        }
    }
}

/// The built binary, as users and cron run it.
final class CLITests: XCTestCase {
    var fixture: String { Support.fixtures.appendingPathComponent("golden-basic").path }

    func testExitCodesAndAtomicOutput() throws {
        let d = Support.tempDir()
        for f in ["pilotscope.yaml", "crm.csv", "touches.csv"] {
            try FileManager.default.copyItem(atPath: fixture + "/" + f, toPath: d + "/" + f)
        }
        let ok = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out", "--quiet"])
        XCTAssertEqual(ok.code, 0, ok.err)
        let before = Support.read(d + "/out/funnel.csv")
        XCTAssertFalse(before.isEmpty)
        // A data error (unterminated quote) exits 1 and leaves the previous output as it was.
        Support.write(d + "/touches.csv", "ts,visitor_id,email,event,url\n2026-03-09T10:00:00Z,v1,,click,\"https://x\n")
        let bad = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out"])
        XCTAssertEqual(bad.code, 1)
        XCTAssertTrue(bad.err.contains("touches.csv:2"), bad.err)
        XCTAssertEqual(Support.read(d + "/out/funnel.csv"), before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        // A missing required column is a configuration error: exit 2, naming the header and close ones.
        Support.write(d + "/touches.csv", "timestamp,visitor_id,email,event,url\n")
        let col = try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", d + "/out"])
        XCTAssertEqual(col.code, 2)
        XCTAssertTrue(col.err.contains("'ts'") && col.err.contains("'timestamp'"), col.err)
        // Usage errors exit 2.
        XCTAssertEqual(try Support.run(["report", "-c", d + "/pilotscope.yaml"]).code, 2)
        XCTAssertEqual(try Support.run(["report", "--table", "nope", "-c", d + "/pilotscope.yaml"]).code, 2)
        XCTAssertEqual(try Support.run(["validate", "-c", d + "/missing.yaml"]).code, 2)
        XCTAssertEqual(Support.read(d + "/out/funnel.csv"), before)
    }

    func testTableToStdoutAndFormats() throws {
        let r = try Support.run(["report", "-c", fixture + "/pilotscope.yaml", "--table", "decision", "--format", "jsonl", "--quiet"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.hasPrefix("{\"pilot_id\":\"acme\",\"status\":\"iterate\""), r.out)
        let md = try Support.run(["report", "-c", fixture + "/pilotscope.yaml", "--table", "funnel", "--format", "md", "--quiet"])
        XCTAssertTrue(md.out.hasPrefix("| pilot_id | cohort |"), md.out)
    }

    func testJSONLogsEndWithTheSummaryOrTheError() throws {
        let ok = try Support.run(["report", "-c", fixture + "/pilotscope.yaml", "--out", Support.tempDir() + "/out", "--log-format", "json"])
        XCTAssertEqual(ok.code, 0, ok.err)
        let lines = ok.err.split(separator: "\n")
        XCTAssertTrue(lines.last?.hasPrefix("{\"event\":\"summary\"") ?? false, ok.err)
        XCTAssertTrue(lines.contains { $0.hasPrefix("{\"event\":\"phase\",\"name\":\"tables\"") }, ok.err)
        for l in lines { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(l.utf8)), String(l)) }
        let bad = try Support.run(["report", "-c", "/nonexistent/pilotscope.yaml", "--out", "/tmp/x", "--log-format", "json"])
        XCTAssertEqual(bad.code, 2)
        XCTAssertTrue(bad.err.hasPrefix("{\"event\":\"error\",\"exit\":2"), bad.err)
    }

    func testBrokenPipeEndsQuietly() throws {
        // Like `| head`, but closing the pipe at once (`true` reads nothing): the write fails with
        // EPIPE, and pilotscope must exit 0 without a message.
        let sample = Support.packageRoot.appendingPathComponent("sample-data/pilotscope.yaml").path
        let r = try Support.runShell("\"$0\" report -c \(sample) --table attribution --quiet 2>/tmp/pilotscope-pipe.err | true; exit ${PIPESTATUS[0]}")
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertEqual(Support.read("/tmp/pilotscope-pipe.err"), "")
    }

    func testValidateAndPresets() throws {
        let v = try Support.run(["validate", "-c", fixture + "/pilotscope.yaml"])
        XCTAssertEqual(v.code, 0)
        XCTAssertTrue(v.out.contains("1 pilot(s)"))
        let p = try Support.run(["presets", "hubspot"])
        XCTAssertTrue(p.out.contains("\"Record ID\" or \"Contact ID\""), p.out)
        XCTAssertEqual(try Support.run(["presets", "nope"]).code, 2)
    }
}

/// Every result of the inflate engines is checked and mapped to a typed error naming the file and
/// the byte offset (zlib's `inflateInit2` and `inflateReset` were once ignored).
final class InflaterResultTests: XCTestCase {
    /// An engine that fails the way a real one reports failure, at a chosen step.
    final class FailingInflater: Inflater {
        enum Step { case inflate, startMember }
        let step: Step
        var input: UnsafeMutablePointer<UInt8>?
        var avail = 0
        init(_ step: Step) { self.step = step }
        var availableIn: Int { avail }
        var nextIn: UnsafeMutablePointer<UInt8>? { input }
        func setInput(_ p: UnsafeMutablePointer<UInt8>, _ count: Int) { (input, avail) = (p, count) }
        func inflate(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> (produced: Int, memberEnded: Bool) {
            if step == .inflate { throw InflateFailure.data(code: -4, message: "insufficient memory") }
            // Each member is four bytes long and empty.
            let n = min(4, avail)
            input = input.map { $0 + n }
            avail -= n
            return (0, true)
        }
        func startMember() throws { throw InflateFailure.data(code: -2, message: "inflateReset failed: bad parameters (Z_STREAM_ERROR)") }
        func describe(_ f: InflateFailure) -> String {
            if case .data(_, let m) = f { return m ?? "?" }
            return "?"
        }
    }

    func read(_ bytes: [UInt8], _ inflater: Inflater) -> Error? {
        do {
            let r = try GzipMemberReader(MemorySource(bytes), name: "x.gz", inflater: inflater)
            let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
            defer { buf.deallocate() }
            while try r.read(into: buf, capacity: 64) > 0 {}
            return nil
        } catch {
            return error
        }
    }

    func testEngineFailuresBecomeInputErrors() {
        let e1 = read([0x1F, 0x8B, 8, 0], FailingInflater(.inflate)) as? InputError
        XCTAssertEqual(e1?.code, .corruptGzip)
        XCTAssertEqual(e1?.file, "x.gz")
        XCTAssertTrue(e1?.message.contains("insufficient memory") == true, "\(String(describing: e1))")
        XCTAssertNotNil(e1?.offset)
        // A second member whose reset fails: the error says so, it is not ignored.
        let e2 = read([0x1F, 0x8B, 8, 0, 0x1F, 0x8B, 8, 0], FailingInflater(.startMember)) as? InputError
        XCTAssertEqual(e2?.code, .corruptGzip)
        XCTAssertTrue(e2?.message.contains("inflateReset failed") == true, "\(String(describing: e2))")
    }

    func testZlibCodesHaveNames() {
        XCTAssertEqual(ZlibInflater.codeName(Z_MEM_ERROR), "out of memory (Z_MEM_ERROR)")
        XCTAssertEqual(ZlibInflater.codeName(Z_VERSION_ERROR), "incompatible zlib version (Z_VERSION_ERROR)")
        XCTAssertEqual(ZlibInflater.codeName(Z_STREAM_ERROR), "bad parameters (Z_STREAM_ERROR)")
        XCTAssertNoThrow(try ZlibInflater(name: "x.gz"))
    }
}
