import Benchmark
import Foundation
import PilotScope

/// Collects field counts so the scanner's work cannot be optimized away.
struct Count: RecordHandler {
    var fields = 0
    mutating func record(_ r: inout RecordView) throws { fields += r.count }
}

/// A touch-log-like CSV chunk: quoted user agents with commas, UTM URLs, empty columns.
let touchCSV: [UInt8] = {
    var s = ""
    for i in 0..<20_000 {
        s += "2026-03-\(10 + i % 18)T10:22:\(10 + i % 50)Z,a\(String(i * 7919 % 100_000, radix: 16)),,page_view,"
        s += "https://www.example.com/pricing?utm_source=acme&utm_campaign=spring+launch,,,,,,,"
        s += "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0\"\n"
    }
    return Array(s.utf8)
}()

let stamps: [[UInt8]] = ["2026-03-04T10:22:31Z", "2026-03-04 10:22:31", "3/4/2026 10:22 PM", "1772619751123", "2026-03-04T10:22:31.000+0000"].map {
    Array($0.utf8)
}
let urls: [[UInt8]] = (0..<64).map {
    Array("https://www.example.com/p\($0)?ref=x&UTM_Source=Acme&utm_medium=email&utm_campaign=spring%2Dlaunch+\($0)#top".utf8)
}
let keys: [[UInt8]] = (0..<100_000).map { Array("a\(String($0 * 7919, radix: 16))".utf8) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2))

    Benchmark("FastCSVScanner, touch rows", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var buf = touchCSV
        var scanner = FastCSVScanner()
        for _ in benchmark.scaledIterations {
            var h = Count()
            let n = buf.count
            let st = try buf.withUnsafeMutableBufferPointer { try scanner.scan($0.baseAddress!, n, atEOF: true, handler: &h) }
            precondition(h.fields == 20_000 * 12 && st.lines == 20_000)
            blackHole(h)
        }
    }

    Benchmark("LibCSVParser, touch rows", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            var h = Count()
            _ = try touchCSV.withUnsafeBufferPointer { try LibCSVParser.scan($0.baseAddress!, $0.count, delimiter: 0x2C, handler: &h) }
            precondition(h.fields == 20_000 * 12)
        }
    }

    Benchmark("TimestampParser.parse, 5 forms", configuration: .init(scalingFactor: .mega)) { benchmark in
        let p = TimestampParser(format: .auto, zone: TimeZoneCache.shared.table("America/New_York")!)
        var sum: Int64 = 0
        for i in benchmark.scaledIterations {
            sum &+= stamps[i % stamps.count].withUnsafeBufferPointer { p.parse($0) } ?? -1
        }
        precondition(sum != 0)
        blackHole(sum)
    }

    Benchmark("UTMValues.parseQuery", configuration: .init(scalingFactor: .mega)) { benchmark in
        var s = UTMValues()
        for i in benchmark.scaledIterations {
            urls[i % urls.count].withUnsafeBufferPointer { s.parseQuery(of: $0) }
        }
        precondition(s.withValue(2) { String(decoding: $0, as: UTF8.self) }.hasPrefix("spring-launch "))
    }

    Benchmark("ByteMap.findOrInsert, 100k visitor ids", configuration: .init(scalingFactor: .mega)) { benchmark in
        var m = ByteMap<Int32>(capacity: 1 << 10)
        for i in benchmark.scaledIterations {
            let e = keys[i % keys.count].withUnsafeBufferPointer { m.findOrInsert($0) { 0 } }
            m[entry: e] += 1
        }
        precondition(m.count == min(keys.count, benchmark.scaledIterations.count))
    }
}
