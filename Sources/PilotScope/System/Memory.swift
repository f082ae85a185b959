import Foundation

/// Resident memory readings from `/proc/self/status` (Linux), in MiB; 0 where unavailable.
public enum Memory {
    static func statusMiB(_ key: String) -> Int {
        guard case .success(let bytes) = FileIO.readFile("/proc/self/status", limit: 1 << 20) else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(key) {
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) >> 10
        }
        return 0
    }

    /// Current resident set size.
    public static var residentMiB: Int { statusMiB("VmRSS:") }

    /// Peak resident set size.
    public static var peakResidentMiB: Int { statusMiB("VmHWM:") }
}
