import Foundation
import FuzzSupport
import PilotScope

/// Any URL: no crash; a link always matches itself; the host pre-test accepts exactly the host
/// that normalization writes.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let b = UnsafeBufferPointer(start: data, count: size)
    var s = UTMValues()
    s.parseQuery(of: b)
    var once: [UInt8] = []
    URLFields.normalizeLink(b, into: &once)
    let host = Array(once.prefix { $0 != 0x2F })
    if !URLFields.hostIsOneOf(b, [host]) { fatalError("the host pre-test refuses the normalized host") }
    var twice: [UInt8] = []
    once.withUnsafeBufferPointer { URLFields.normalizeLink($0, into: &twice) }
    if !once.isEmpty && !URLFields.linkMatches(once, once) { fatalError("a link does not match itself") }
    _ = twice
    return 0
}

runLibFuzzer(fuzz)
