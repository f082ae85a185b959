import XCTest

@testable import PilotScope

/// Expected epoch values were computed independently with Python's datetime/zoneinfo.
final class TimestampTests: XCTestCase {
    func parse(_ s: String, _ zone: String = "UTC", _ f: TimestampFormat = .auto) -> Int64? {
        let z = TimeZoneCache.shared.table(zone)!
        return Array(s.utf8).withUnsafeBufferPointer { TimestampParser(format: f, zone: z).parse($0) }
    }

    func testEveryAcceptedForm() {
        XCTAssertEqual(parse("2026-03-04T10:22:31Z"), 1_772_619_751_000)
        XCTAssertEqual(parse("2026-03-04T10:22:31.123Z"), 1_772_619_751_123)
        XCTAssertEqual(parse("2026-03-04T10:22:31.123456Z"), 1_772_619_751_123)
        XCTAssertEqual(parse("2026-03-04T10:22:31-05:30"), 1_772_639_551_000)
        XCTAssertEqual(parse("2026-03-04T10:22:31-0530"), 1_772_639_551_000)
        XCTAssertEqual(parse("2026-03-04T15:52:31+00"), 1_772_639_551_000)
        XCTAssertEqual(parse("2026-03-04T10:22:31.000+0000"), 1_772_619_751_000)  // Salesforce
        XCTAssertEqual(parse("2026-03-04 10:22:31"), 1_772_619_751_000)
        XCTAssertEqual(parse("2026-03-04 10:22:31 +00:00"), 1_772_619_751_000)
        XCTAssertEqual(parse("2026-03-04T10:22"), 1_772_619_720_000)
        XCTAssertEqual(parse("2026-03-04"), 1_772_582_400_000)
        XCTAssertEqual(parse("2026-03-04 10:22 pm"), 1_772_662_920_000)
        XCTAssertEqual(parse("2026-03-04 12:05 am"), 1_772_582_700_000)
        XCTAssertEqual(parse("3/4/2026 10:22 PM"), 1_772_662_920_000)
        XCTAssertEqual(parse("03/04/2026 10:22:00 pm"), 1_772_662_920_000)
        XCTAssertEqual(parse("3/4/2026"), 1_772_582_400_000)
        XCTAssertEqual(parse("1772619751"), 1_772_619_751_000)
        XCTAssertEqual(parse("1772619751123"), 1_772_619_751_123)
        XCTAssertEqual(parse("  2026-03-04T10:22:31Z "), 1_772_619_751_000)
        XCTAssertEqual(parse("2024-02-29"), 1_709_164_800_000)
    }

    func testImpossibleAndMalformedValues() {
        for s in [
            "2026-02-30", "2026-13-01", "2026-03-04T25:00:00Z", "2026-03-04T10:60", "2025-02-29", "13/1/2026",
            "2026-03-04 13:00 pm", "2026-03-04 0:10 am", "177261975", "17726197510", "n/a", "", "2026/03/04",
            "2026-03-04T10:22:31Zjunk", "2026-03-04T10:22:31+25:00", "3/4/26",
        ] {
            XCTAssertNil(parse(s), s)
        }
    }

    func testLocalTimesAndDST() {
        XCTAssertEqual(parse("2026-03-04T10:22:31", "America/New_York"), 1_772_637_751_000)
        // Gap: 02:30 does not exist on 2026-03-08 in New York: the offset before (EST) applies.
        XCTAssertEqual(parse("2026-03-08 02:30", "America/New_York"), 1_772_955_000_000)
        XCTAssertEqual(parse("2026-03-08 03:30", "America/New_York"), 1_772_955_000_000)
        // Fold: 01:30 on 2026-11-01 happens twice: the earlier instant (EDT).
        XCTAssertEqual(parse("2026-11-01 01:30", "America/New_York"), 1_793_511_000_000)
        XCTAssertEqual(parse("2026-03-29 02:30", "Europe/Berlin"), 1_774_747_800_000)
        XCTAssertEqual(parse("2026-10-25 02:30", "Europe/Berlin"), 1_792_888_200_000)
        // An explicit offset ignores the input zone.
        XCTAssertEqual(parse("2026-03-04T10:22:31Z", "Europe/Berlin"), 1_772_619_751_000)
    }

    /// The shortcut for `YYYY-MM-DD?hh:mm:ss` is only a shortcut: on values of that shape and
    /// near it (a byte changed, dropped or cut short; fractions, am/pm, zones after it) it gives
    /// what the general path gives, value and kind, or nil with it.
    func testISOShortcutAgreesWithTheGeneralPath() {
        var rng = SeededRandom(seed: 17)
        let alphabet = Array("0123456789-:T t.,Z+ampAP".utf8)
        let tails = ["", "Z", ".5Z", ".123456", ",12", ".", "+05:30", "-0800", " +00:00", " pm", "am", " PM Z", "Zx", ":07"]
        var agreedOnAValue = 0
        for zone in ["UTC", "America/New_York"] {
            let z = TimeZoneCache.shared.table(zone)!
            let fast = TimestampParser(zone: z)
            var general = TimestampParser(zone: z)
            general.shortcut = false
            for _ in 0..<20_000 {
                let y = 1990 + rng.below(50), mo = rng.below(14), d = rng.below(33)
                let h = rng.below(26), m = rng.below(62), sec = rng.below(62)
                let sep = ["T", "t", " ", "x"][rng.below(4)]
                func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
                var b = Array("\(y)-\(two(mo))-\(two(d))\(sep)\(two(h)):\(two(m)):\(two(sec))\(tails[rng.below(tails.count)])".utf8)
                switch rng.below(4) {
                case 0: b[rng.below(b.count)] = alphabet[rng.below(alphabet.count)]
                case 1: b.remove(at: rng.below(b.count))
                case 2: b.removeLast(rng.below(4))
                default: break
                }
                let (x, w) = b.withUnsafeBufferPointer { (fast.parseKind($0), general.parseKind($0)) }
                XCTAssertEqual(x?.millis, w?.millis, String(decoding: b, as: UTF8.self))
                XCTAssertEqual(x?.kind, w?.kind, String(decoding: b, as: UTF8.self))
                if w != nil { agreedOnAValue += 1 }
            }
        }
        // Both sides of the property occur often: values read, and values refused.
        XCTAssertGreaterThan(agreedOnAValue, 4_000)
        XCTAssertLessThan(agreedOnAValue, 32_000)
    }

    func testFixedFormatsSkipDetection() {
        XCTAssertNil(parse("3/4/2026", "UTC", .iso))
        XCTAssertNil(parse("2026-03-04", "UTC", .us))
        XCTAssertEqual(parse("1772619751", "UTC", .epochSeconds), 1_772_619_751_000)
        XCTAssertNil(parse("1772619751123", "UTC", .epochSeconds))
    }
}

final class FieldTests: XCTestCase {
    func email(_ s: String, plus: Bool = false, dots: Bool = false) -> String? {
        EmailNormalizer(stripPlusTags: plus, gmailDots: dots).normalize(s)
    }

    func testEmails() {
        XCTAssertEqual(email("  Ana.Berg@Example.COM "), "ana.berg@example.com")
        XCTAssertEqual(email("JÜRGEN@x.de"), "jÜrgen@x.de")  // B15: ASCII only
        XCTAssertNotEqual(email("JÜRGEN@x.de"), email("jürgen@x.de"))
        for junk in ["n/a", "unknown", "-", "a@", "@b.com", "a@b@c", ""] { XCTAssertNil(email(junk), junk) }
        XCTAssertEqual(email("a+news@x.com"), "a+news@x.com")
        XCTAssertEqual(email("a+news@x.com", plus: true), "a@x.com")
        XCTAssertEqual(email("a.b.c@Gmail.com", dots: true), "abc@gmail.com")
        XCTAssertEqual(email("a.b.c@x.com", dots: true), "a.b.c@x.com")
        XCTAssertEqual(email(" A.B+Tag@GoogleMail.COM", plus: true, dots: true), "ab@googlemail.com")
        XCTAssertNil(email("+tag@x.com", plus: true))  // nothing left of the local part
        XCTAssertNil(email("..@gmail.com", dots: true))
        // One buffer reused, as the row parsers do: each result is the whole of the buffer.
        let n = EmailNormalizer(stripPlusTags: true, gmailDots: true)
        var out: [UInt8] = []
        let cases = [
            ("Very.Long.Name+x@Gmail.com", "verylongname@gmail.com"), ("b@X.io", "b@x.io"), ("x@", ""), (" ", ""),
            ("Ab@x.com", "ab@x.com"), ("+t@x.com", ""),
        ]
        for (raw, want) in cases {
            _ = Array(raw.utf8).withUnsafeBufferPointer { n.normalize($0, into: &out) }
            XCTAssertEqual(String(decoding: out, as: UTF8.self), want, raw)
        }
    }

    func testNumbers() {
        func int(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { NumberParser.integer($0) } }
        func dec(_ s: String) -> Double? { Array(s.utf8).withUnsafeBufferPointer { NumberParser.decimal($0) } }
        XCTAssertEqual(int("200"), 200)
        XCTAssertEqual(int(" -7 "), -7)
        XCTAssertEqual(int("+12"), 12)
        for bad in ["1,200", "12.0", "n/a", "", "+", "1 200", "99999999999999999999"] { XCTAssertNil(int(bad), bad) }
        XCTAssertEqual(dec("12000.50"), 12000.5)
        XCTAssertEqual(dec("-3"), -3)
        for bad in ["$12,000", "1.", ".5", "1e5", "12.0.1", "abc"] { XCTAssertNil(dec(bad), bad) }
    }

    func utm(_ url: String) -> [String?] {
        var s = UTMValues()
        Array(url.utf8).withUnsafeBufferPointer { s.parseQuery(of: $0) }
        return (0..<5).map { k in s.isPresent(k) ? s.withValue(k) { String(decoding: $0, as: UTF8.self) } : nil }
    }

    func testByteSearchFromAPosition() {
        let b = Array("a?b?c".utf8)
        b.withUnsafeBufferPointer { p in
            XCTAssertEqual(p.firstIndex(ofByte: 0x3F), 1)
            XCTAssertEqual(p.firstIndex(ofByte: 0x3F, from: 1), 1)
            XCTAssertEqual(p.firstIndex(ofByte: 0x3F, from: 2), 3)
            XCTAssertNil(p.firstIndex(ofByte: 0x3F, from: 4))
            XCTAssertNil(p.firstIndex(ofByte: 0x3F, from: 5))  // from the end: nothing
            XCTAssertNil(p.firstIndex(ofByte: 0x23))
            XCTAssertEqual(p.slice(2, 5).firstIndex(ofByte: 0x63), 2)  // relative to the slice
        }
        XCTAssertNil(Bytes(start: nil, count: 0).firstIndex(ofByte: 0))
    }

    func testUTMQueryRules() {
        // Keys case-insensitive, `+` is a space, percent-decoding, first occurrence wins even if empty.
        XCTAssertEqual(
            utm("https://x.com/p?UTM_Source=Acme&utm_campaign=acme%2Dworkshop+2026&utm_source=other"),
            ["Acme", nil, "acme-workshop 2026", nil, nil])
        XCTAssertEqual(utm("https://x.com/?utm_source=&utm_source=acme"), ["", nil, nil, nil, nil])
        XCTAssertEqual(utm("https://x.com/?a=1;utm_source=acme"), [nil, nil, nil, nil, nil])  // only & separates
        XCTAssertEqual(utm("https://x.com/?utm_medium=a%2Bb#utm_term=x"), [nil, "a+b", nil, nil, nil])
        XCTAssertEqual(utm("https://x.com/?utm%5Fsource=acme"), [nil, nil, nil, nil, nil])  // keys are not decoded
        XCTAssertEqual(utm("https://x.com/?utm_content=%zz"), [nil, nil, nil, nil, "%zz"])
    }

    /// A value set after the query's (a UTM column overriding it, B7) is kept beside them, also
    /// when it outgrows the buffer; a URL without a query forgets them all.
    func testUTMValuesSetAfterTheQuery() {
        var s = UTMValues()
        let text = { (k: Int) in s.withValue(k) { String(decoding: $0, as: UTF8.self) } }
        Array("https://x.com/?utm_source=Acme&utm_medium=b".utf8).withUnsafeBufferPointer { s.parseQuery(of: $0) }
        Array(String(repeating: "Q", count: 1000).utf8).withUnsafeBufferPointer { s.set(2, $0, lowered: true) }
        Array(" Term ".utf8).withUnsafeBufferPointer { s.set(3, $0) }
        XCTAssertEqual((0..<5).map(text), ["Acme", "b", String(repeating: "q", count: 1000), " Term ", ""])
        XCTAssertEqual((0..<5).map { s.isPresent($0) }, [true, true, true, true, false])
        XCTAssertTrue(s.value(3, equals: Array(" Term ".utf8)))
        XCTAssertFalse(s.value(3, equals: Array(" Term".utf8)))
        Array("https://x.com/p".utf8).withUnsafeBufferPointer { s.parseQuery(of: $0) }
        XCTAssertEqual((0..<5).map(text), ["", "", "", "", ""])
        XCTAssertEqual(s.present, 0)
    }

    /// SPEC 3.3: a pilot's UTM rules match when every key they name has one of its values
    /// (normalized: trimmed, lower-case, "" for an absent key); keys they do not name are free.
    func testUTMRulesOfAPilot() throws {
        let yaml =
            "pilots:\n"
            + ConfigTests.pilot.replacingOccurrences(
                of: "match: { source_tags: [\"Partner Pilot: Acme\"] }",
                with: "match: { utm: { source: [\" Acme \", \"\"], campaign: Spring-Launch } }")
            + "\n" + ConfigTests.pilot.replacingOccurrences(of: "id: acme", with: "id: other")
        let (resolved, _) = ConfigValidator.resolve(try ConfigLoader.parse(yaml))
        let ctx = TouchContext(pilots: try XCTUnwrap(resolved).pilots, asOf: 0)
        func matches(_ pilot: Int, _ values: [String]) -> Bool {
            var norm = UTMValues()
            norm.reset(capacity: 0)
            for (k, v) in values.enumerated() { Array(v.utf8).withUnsafeBufferPointer { norm.set(k, $0, lowered: true) } }
            return ctx.utmMatches(pilot, norm)
        }
        XCTAssertTrue(matches(0, ["acme", "email", "spring-launch"]))
        XCTAssertTrue(matches(0, ["ACME", "", "Spring-Launch", "t", "c"]))
        XCTAssertTrue(matches(0, ["", "", "spring-launch"]))
        XCTAssertFalse(matches(0, ["acme", "", "spring"]))
        XCTAssertFalse(matches(0, ["acm", "", "spring-launch"]))
        XCTAssertFalse(matches(0, ["acmex", "", "spring-launch"]))
        XCTAssertFalse(matches(0, ["acme"]))  // the campaign is absent: ""
        XCTAssertFalse(matches(1, ["acme", "", "spring-launch"]))  // no UTM rules
    }

    func testLinkNormalizationAndMatching() {
        func n(_ s: String) -> String { String(decoding: URLFields.normalizeLink(s), as: UTF8.self) }
        XCTAssertEqual(n("https://WWW.Cal.Example.com/Team/Acme/?x=1#frag"), "cal.example.com/Team/Acme")
        XCTAssertEqual(n("cal.example.com/team/acme///"), "cal.example.com/team/acme")
        XCTAssertEqual(n("http://cal.example.com:8080/a"), "cal.example.com:8080/a")
        let link = URLFields.normalizeLink("https://cal.example.com/team/acme")
        XCTAssertTrue(URLFields.linkMatches(URLFields.normalizeLink("https://www.cal.example.com/team/acme/30min?m=3"), link))
        XCTAssertTrue(URLFields.linkMatches(URLFields.normalizeLink("cal.example.com/team/acme"), link))
        XCTAssertFalse(URLFields.linkMatches(URLFields.normalizeLink("https://cal.example.com/team/acme-assessment"), link))
        XCTAssertFalse(URLFields.linkMatches(URLFields.normalizeLink("https://cal.example.com/team/ACME"), link))
    }

    /// The host pre-test never rejects a URL that could match a link: a URL matches a link only
    /// if its normalized host equals the link's, and the pre-test accepts exactly those hosts.
    /// The one-word shortcut for `https://` and `http://` gives what the byte scan gives: any
    /// case, and each byte of the two prefixes changed (its other case, its `^ 0x20` twin, a
    /// control byte, a neighbour), cut short, or followed by nothing, a host or a path.
    func testSchemeShortcutAgreesWithTheScan() {
        var checked = 0
        for prefix in ["https://", "http://", "HTTPS://", "hTTp://", "https:/", "http:", "ftp://", "h://"] {
            let base = Array(prefix.utf8)
            var variants = [base]
            for k in base.indices {
                for b in [base[k] ^ 0x20, 0x00, 0x08, base[k] &+ 1, base[k] &- 1, 0x3A, 0x2F] {
                    var v = base
                    v[k] = b
                    variants.append(v)
                }
                variants.append(Array(base[..<k]))
            }
            for v in variants {
                for tail in ["", "x", "/a", "www.example.com/p?q=1", "12345678"] {
                    let u = v + Array(tail.utf8)
                    u.withUnsafeBufferPointer { XCTAssertEqual(URLFields.schemeEnd($0), URLFields.schemeEndByScan($0), String(decoding: u, as: UTF8.self)) }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 1500)
        XCTAssertEqual(Array("HTTPS://x.io".utf8).withUnsafeBufferPointer { URLFields.schemeEnd($0) }, 8)
        XCTAssertEqual(Array("http://x.io".utf8).withUnsafeBufferPointer { URLFields.schemeEnd($0) }, 7)
    }

    func testHostPreTestAgreesWithNormalization() {
        let parts = ["https://", "HTTP://", "HtTpS://www.", "http:/", "https:", "httpsx://", "", "x+y.z://", "://", "www.", "WWW.", "wwwx."]
        let hosts = ["cal.example.com", "Cal.Example.COM", "", "a", "www"]
        let tails = ["", "/", "/team/acme", "?q=1", "#f", "/a?b#c", "///", ":8080/x"]
        let links = [[UInt8]("cal.example.com/team/acme".utf8), [UInt8]("cal.example.com".utf8), [UInt8]("a".utf8), []]
        var matched = 0, rejectedByPreTest = 0
        for p in parts {
            for h in hosts {
                for t in tails {
                    let url = Array((" " + p + h + t + "\t").utf8)
                    let norm = url.withUnsafeBufferPointer { b -> [UInt8] in
                        var out: [UInt8] = []
                        URLFields.normalizeLink(b, into: &out)
                        return out
                    }
                    for link in links {
                        let couldMatch = URLFields.linkMatches(norm, link)
                        let host = Array(link.prefix { $0 != 0x2F })  // as TouchContext.linkHosts
                        let pre = url.withUnsafeBufferPointer { URLFields.hostIsOneOf($0, [host]) }
                        // Exactly: the host `normalizeLink` writes (before the path) is the link's.
                        XCTAssertEqual(pre, Array(norm.prefix { $0 != 0x2F }) == host, "\(p + h + t) vs \(String(decoding: link, as: UTF8.self))")
                        if couldMatch {
                            matched += 1
                            XCTAssertTrue(pre, "\(p + h + t) vs \(String(decoding: link, as: UTF8.self))")
                        } else if !pre {
                            rejectedByPreTest += 1
                        }
                    }
                }
            }
        }
        // The property is only worth something if both sides occur often: many URLs that match
        // (each checked above) and many that the pre-test rightly skips.
        XCTAssertGreaterThan(matched, 100, "too few matching cases")
        XCTAssertGreaterThan(rejectedByPreTest, 100, "too few skipped cases")
    }

    func testThresholdsAreExactFractions() throws {
        let t = try Threshold.parse("icp_match >= 60%")
        XCTAssertTrue(t.holds(.ratio(3, 5)))
        XCTAssertFalse(t.holds(.ratio(59, 100)))
        XCTAssertFalse(t.holds(.undefined))
        XCTAssertTrue(try Threshold.parse("icp_match == 0.6").holds(.ratio(6, 10)))
        XCTAssertTrue(try Threshold.parse("sqm < 5").holds(.count(4)))
        XCTAssertThrowsError(try Threshold.parse("sqms >= 5"))
        XCTAssertThrowsError(try Threshold.parse("sqm => 5"))
        XCTAssertThrowsError(try Threshold.parse("sqm >= lots"))
    }

    func testStatistics() {
        // PERCENTILE.INC of 1,2,3,4: h = 3·0.9 = 2.7 → 3 + 0.7·1 = 3.7; median 2.5; p75 h = 2.25 → 3.25.
        XCTAssertEqual(Stats.percentile([1, 2, 3, 4], 0.9)!, 3.7, accuracy: 1e-12)
        XCTAssertEqual(Stats.percentile([1, 2, 3, 4], 0.5)!, 2.5, accuracy: 1e-12)
        XCTAssertEqual(Stats.percentile([1, 2, 3, 4], 0.75)!, 3.25, accuracy: 1e-12)
        XCTAssertEqual(Stats.percentile([7], 0.9), 7)
        XCTAssertNil(Stats.percentile([], 0.5))
        // Wilson 1 of 2: center 0.5, half = z·sqrt(0.125 + z²/16)/(1 + z²/2) = 0.405469…
        let w = Stats.wilson(1, 2)!
        XCTAssertEqual(w.0, 0.094531, accuracy: 1e-6)
        XCTAssertEqual(w.1, 0.905469, accuracy: 1e-6)
        // 0 of 10: lower bound clamps at 0; upper = z²/n / (1 + z²/n) = 0.27753…
        let z = Stats.wilson(0, 10)!
        XCTAssertEqual(z.0, 0)
        XCTAssertEqual(z.1, 0.277533, accuracy: 1e-6)
        XCTAssertNil(Stats.wilson(0, 0))
    }

    func testSpreadsheetGuard() {
        for hostile in ["=HYPERLINK(\"http://x\")", "+cmd", "-1+1", "@SUM(A1)", "\tx", "\rx"] {
            XCTAssertTrue(TableWriter.guarded(hostile).hasPrefix("'"), hostile)
        }
        XCTAssertEqual(TableWriter.guarded("acme"), "acme")
        var t = Table("x", ["name", "n"])
        t.add([.text("=cmd"), .fixed(-1.5, 2)])
        XCTAssertEqual(TableWriter.render(t, as: .csv), "name,n\n'=cmd,-1.50\n")
        XCTAssertEqual(TableWriter.render(t, as: .jsonl), "{\"name\":\"=cmd\",\"n\":-1.50}\n")
    }
}
