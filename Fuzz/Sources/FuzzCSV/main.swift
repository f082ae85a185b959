import Foundation
import FuzzSupport
import PilotScope
import PilotScopeTestSupport

/// The fast scanner behind the chunker must give libcsv's records, lines and errors on any
/// input, at a chunk size the input's first byte picks.
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let chunk = 1 + Int(input.first ?? 0) % 64
    let reference = CSVEngines.libcsv(input, piece: max(1, input.count))
    let fast = CSVEngines.fast(input, chunk: chunk)
    if let f = reference.failure ?? fast.failure { fatalError(f) }
    if reference != fast { fatalError("engines differ at chunk \(chunk): libcsv \(reference), fast \(fast)") }
    return 0
}

runLibFuzzer(fuzz)
