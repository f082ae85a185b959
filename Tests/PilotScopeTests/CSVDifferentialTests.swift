import PilotScopeTestSupport
import XCTest

@testable import PilotScope

func texts(_ fields: [[UInt8]]?) -> [String]? { fields.map { $0.map { String(decoding: $0, as: UTF8.self) } } }

final class CSVDifferentialTests: XCTestCase {
    static let named: [(String, String)] = [
        ("simple", "a,b,c\n1,2,3\n"),
        ("no_trailing_newline", "a,b\n1,2"),
        ("crlf", "a,b\r\n1,2\r\n3,4\r\n"),
        ("mixed_line_ends", "a,b\n1,2\r\n3,4\r5,6\n"),
        ("bom_at_start", "\u{FEFF}a,b\n1,2\n"),
        ("empty_lines_crlf", "a,b\r\n\r\n1,2\r\n\r\n\r\n"),
        ("whitespace_line", "a,b\n   \n1,2\n\t\n"),
        ("quoted_comma", "a,b\n\"x,y\",2\n"),
        ("doubled_quotes", "a,b\n\"say \"\"hi\"\"\",2\n\"\"\"\",\"\"\n"),
        ("quoted_newlines", "a,b\n\"line1\nline2\r\nline3\",2\n3,\"x\ry\"\n"),
        ("quoted_crlf_at_boundary", "a,b\n\"\r\n\",\"\n\"\n"),
        ("empty_fields", ",,\n,\n\"\",\"\"\n"),
        ("trailing_delimiter_eof", "a,b\n1,"),
        ("quoted_at_eof", "a,b\n1,\"2\""),
        ("spaces_kept", " a , b \n 1 ,2\n"),
        ("stray_quote", "a,b\n1,x\"y\n"),
        ("text_after_quote", "a,b\n\"x\"y,2\n"),
        ("space_after_quote", "a,b\n\"x\" ,2\n"),
        ("unterminated_quote", "a,b\n1,\"never closed\n2,3\n"),
        ("quote_error_after_newlines", "a\n\"x\ny\"z\n"),
        ("nul_and_invalid_utf8", "a,b\n\u{0}x,\u{FF}\n"),
        ("only_blank", "\n\n\r\n"),
        ("empty", ""),
        ("lone_cr_blank", "a\r\r1\r"),
        // Fuzzer find (heap overflow): a carry larger than the next pooled buffer.
        ("fuzz_carry_overflow", "\u{0}\u{0}\u{0},\u{0}\u{FF}\u{0}a\n\r\n\r\nc\",d"),
    ]

    static let sizes = [1, 2, 3, 5, 8, 10, 15, 16, 20, 50, 100, 500, 4096]

    func bytes(_ s: String) -> [UInt8] {
        var b = Array(s.utf8)
        // "\u{FF}" was meant as a raw byte: invalid UTF-8 in the file.
        if let i = b.firstIndex(of: 0xC3), i + 1 < b.count, b[i + 1] == 0xBF { b.replaceSubrange(i...(i + 1), with: [0xFF]) }
        return b
    }

    func check(_ name: String, _ input: [UInt8]) {
        let reference = CSVEngines.libcsv(input, piece: input.count + 1)
        for size in Self.sizes {
            let f = CSVEngines.fast(input, chunk: size)
            XCTAssertEqual(f, reference, "\(name): fast scanner at chunk size \(size)")
        }
        // libcsv itself must not depend on how the input is split.
        for piece in 1...max(1, min(input.count, 64)) {
            XCTAssertEqual(CSVEngines.libcsv(input, piece: piece), reference, "\(name): libcsv in pieces of \(piece)")
        }
    }

    func testNamedEdgeCases() {
        for (name, text) in Self.named { check(name, bytes(text)) }
    }

    func testExpectedResultsOfNamedCases() {
        // Spot checks against hand-written expectations (not just agreement).
        let q = CSVEngines.libcsv(bytes("a,b\n\"line1\nline2\r\nline3\",2\n3,\"x\ry\"\n"), piece: 1000)
        XCTAssertEqual(q.records.map(\.line), [0, 1, 4])
        XCTAssertEqual(texts(q.records[1].fields), ["line1\nline2\r\nline3", "2"])
        let blank = CSVEngines.fast(bytes("a,b\r\n\r\n1,2\r\n   \n"), chunk: 7)
        XCTAssertEqual(blank.blank, 2)
        XCTAssertEqual(blank.records.map(\.line), [0, 2])
        XCTAssertEqual(CSVEngines.fast(bytes("a,b\n1,x\"y\n"), chunk: 4096).error, CSVSyntaxError(kind: .quoteInUnquotedField, line: 1))
        XCTAssertEqual(CSVEngines.fast(bytes("a\n\"x\ny\"z\n"), chunk: 4096).error, CSVSyntaxError(kind: .charAfterClosingQuote, line: 2))
        XCTAssertEqual(CSVEngines.fast(bytes("a,b\n1,\"never closed\n2,3\n"), chunk: 4096).error, CSVSyntaxError(kind: .unterminatedQuote, line: 1))
        XCTAssertEqual(texts(CSVEngines.fast(bytes("\u{FEFF}a,b\n1,2\n"), chunk: 2).records.first?.fields), ["a", "b"])
    }

    func testSeededRandomInputs() {
        var rng = SeededRandom(seed: 42)
        let alphabet: [UInt8] = Array("ab,\"\n\r \t".utf8)
        for round in 0..<300 {
            var input: [UInt8] = []
            // Mostly well-formed records with quoted fields; sometimes raw noise (errors).
            let noisy = round % 5 == 0
            for _ in 0..<(1 + rng.below(12)) {
                if noisy {
                    for _ in 0..<rng.below(20) { input.append(alphabet[rng.below(alphabet.count)]) }
                    continue
                }
                let fields = 1 + rng.below(4)
                for f in 0..<fields {
                    if f > 0 { input.append(0x2C) }
                    if rng.chance(0.4) {
                        input.append(0x22)
                        for _ in 0..<rng.below(8) {
                            let c = alphabet[rng.below(alphabet.count)]
                            input.append(c)
                            if c == 0x22 { input.append(0x22) }
                        }
                        input.append(0x22)
                    } else {
                        for _ in 0..<rng.below(6) { input.append(rng.pick(Array("xyz 1".utf8))) }
                    }
                }
                input += rng.pick([[0x0A], [0x0D, 0x0A], [0x0D], [0x0A, 0x0A]])
            }
            let reference = CSVEngines.libcsv(input, piece: input.count + 1)
            for size in [1, 3, 7, 16, 64] {
                XCTAssertEqual(
                    CSVEngines.fast(input, chunk: size), reference, "round \(round) size \(size): \(String(decoding: input, as: UTF8.self).debugDescription)")
            }
            XCTAssertEqual(CSVEngines.libcsv(input, piece: 1 + rng.below(5)), reference, "libcsv pieces, round \(round)")
        }
    }

    /// Long fields (up to 200 bytes, many vector widths), with quotes, doubled quotes, delimiters
    /// and line breaks inside quotes, comma and tab delimiters, in chunks of sizes around 64 and
    /// 128 bytes: the inputs above have fields of a few bytes and commas only. (A scanner that
    /// indexed 64-byte blocks was measured against these, issue 17 step 25.)
    func testLongFieldsAndTabDelimiters() {
        var rng = SeededRandom(seed: 7)
        var parsed = 0
        for round in 0..<200 {
            let delimiter: UInt8 = round % 4 == 3 ? 0x09 : 0x2C
            var input: [UInt8] = []
            for _ in 0..<(1 + rng.below(8)) {
                for f in 0..<(1 + rng.below(6)) {
                    if f > 0 { input.append(delimiter) }
                    // Often near 64 or 128 bytes, often empty.
                    let length = rng.chance(0.3) ? 0 : rng.pick([rng.below(8), 56 + rng.below(16), 120 + rng.below(16), rng.below(200)])
                    if rng.chance(0.4) {
                        input.append(0x22)
                        for _ in 0..<length {
                            let c = rng.pick(Array("abc\",\t\n\r x".utf8))
                            input.append(c)
                            if c == 0x22 { input.append(0x22) }
                        }
                        input.append(0x22)
                    } else {
                        for _ in 0..<length { input.append(rng.pick(Array("xyz 1\t".utf8))) }
                    }
                }
                input += rng.pick([[0x0A], [0x0D, 0x0A], [0x0D], [0x0A, 0x0A]])
            }
            if round % 10 == 9 { input.insert(0x22, at: rng.below(input.count)) }  // an error somewhere
            let reference = CSVEngines.libcsv(input, piece: input.count + 1, delimiter: delimiter)
            if reference.error == nil && reference.records.count > 0 { parsed += 1 }
            for size in [63, 64, 65, 100, 127, 128, 129, 1000, 1 << 16] {
                XCTAssertEqual(
                    CSVEngines.fast(input, chunk: size, delimiter: delimiter), reference,
                    "round \(round) size \(size): \(String(decoding: input, as: UTF8.self).debugDescription)")
            }
        }
        // Most rounds are valid CSV (the errors are the inserted quotes).
        XCTAssertGreaterThan(parsed, 150)
    }

    func testFieldLargerThan16MiBIsAnError() {
        var input = Array("a,b\n1,\"".utf8)
        input += [UInt8](repeating: 0x78, count: maxFieldBytes + 10)
        input += Array("\"\n".utf8)
        XCTAssertEqual(CSVEngines.fast(input, chunk: 1 << 20).error, CSVSyntaxError(kind: .fieldTooLarge, line: 1))
        XCTAssertEqual(CSVEngines.libcsv(input, piece: 1 << 20).error, CSVSyntaxError(kind: .fieldTooLarge, line: 1))
    }
}
