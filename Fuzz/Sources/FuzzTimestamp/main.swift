import Foundation
import FuzzSupport
import PilotScope

let zones = [TimeZoneTable.utc, TimeZoneCache.shared.table("America/New_York")!, TimeZoneCache.shared.table("Europe/Berlin")!]

/// Any bytes: no crash, and a parsed ISO instant prints back to a parseable timestamp.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let b = UnsafeBufferPointer(start: data, count: size)
    for (i, f) in TimestampFormat.allCases.enumerated() {
        let parser = TimestampParser(format: f, zone: zones[i % zones.count])
        if let t = parser.parse(b), t > -62_135_596_800_000, t < 253_402_300_800_000 {
            let text = Array(Civil.isoString(millis: t).utf8)
            let again = text.withUnsafeBufferPointer { TimestampParser().parse($0) }
            if again != t / 1000 * 1000 - (t % 1000 < 0 ? 1000 : 0) && again != t / 1000 * 1000 {
                fatalError("round trip \(t) → \(String(decoding: text, as: UTF8.self)) → \(String(describing: again))")
            }
        }
    }
    _ = NumberParser.integer(b)
    _ = NumberParser.decimal(b)
    var out: [UInt8] = []
    _ = EmailNormalizer(stripPlusTags: true, gmailDots: true).normalize(b, into: &out)
    return 0
}

runLibFuzzer(fuzz)
