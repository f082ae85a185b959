import Foundation
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

// libFuzzer's driver runs the loop; SwiftPM links this file's top-level code as `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    return fuzz(data, size)
})
