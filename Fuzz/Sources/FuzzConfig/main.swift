import Foundation
import FuzzSupport
import PilotScope

/// Any text: the loader and the validator return errors, never crash.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let file = try? ConfigLoader.parse(text) {
        _ = ConfigValidator.resolve(file)
    }
    return 0
}

runLibFuzzer(fuzz)
