import Foundation
import FuzzSupport
import PilotScope

/// Any bytes as a zip archive: listing it and reading every member (at most 8, 4 MiB each)
/// either works or throws `InputError` (exit 1 with the archive and member named), never
/// crashes, never allocates without bound. The bytes go to a file, since archives are read
/// with pread and ZIPFoundation's FILE streams.
let path = "/dev/shm/pilotscope-fuzzzip-\(getpid()).zip"

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    ZipDirectory.forget(path)
    defer { ZipDirectory.forget(path) }
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
    defer { buffer.deallocate() }
    do {
        for m in try ZipDirectory.members(path).prefix(8) where !m.isDirectory {
            do {
                let source = try openInput(path + "#" + m.name, checksum: { _ in })
                var total = 0
                while total < 4 << 20 {
                    let n = try source.read(into: buffer, capacity: 1 << 16)
                    if n == 0 { break }
                    total += n
                }
            } catch is InputError {}
        }
    } catch is InputError {
    } catch {
        fatalError("not an InputError: \(error)")
    }
    return 0
}

runLibFuzzer(fuzz)
