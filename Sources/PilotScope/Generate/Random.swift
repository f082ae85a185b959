import Foundation

/// SplitMix64: a small, fast, seedable generator so `generate` is byte-identical per seed.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n.
    @inline(__always) public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    /// Uniform in [0, 1).
    @inline(__always) public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    @inline(__always) public mutating func chance(_ p: Double) -> Bool { unit() < p }
    /// Exponential with the given mean (skewed delays).
    @inline(__always) public mutating func exponential(_ mean: Double) -> Double { -mean * log(1 - unit()) }
    public mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
