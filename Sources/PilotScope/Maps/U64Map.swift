/// An open-addressing map from 64-bit keys to entry indices (no hashing of `Hashable`, no
/// allocation per lookup).
public struct U64Map: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    /// The value of key `UInt64.max`, which has no slot (keys are stored plus one, 0 is empty).
    private var maxKeyValue: Int32?
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = Array(repeating: 0, count: n)
        values = Array(repeating: -1, count: n)
        mask = n - 1
    }

    @inline(__always) private static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// The value stored for `key`, if any.
    @inline(__always) public func find(_ key: UInt64) -> Int32? {
        if key == UInt64.max { return maxKeyValue }
        let k = key &+ 1
        var s = Self.slot(k, mask)
        return keys.withUnsafeBufferPointer { ks in
            while true {
                let x = ks[s]
                if x == k { return values[s] }
                if x == 0 { return nil }
                s = (s + 1) & mask
            }
        }
    }

    /// The value stored for `key`, or `make()` stored first when absent. Any 64-bit key works:
    /// keys are stored plus one (0 marks an empty slot), and `UInt64.max` is kept aside.
    @inline(__always) public mutating func findOrInsert(_ key: UInt64, _ make: () -> Int32) -> (value: Int32, inserted: Bool) {
        if key == UInt64.max {
            if let v = maxKeyValue { return (v, false) }
            let v = make()
            maxKeyValue = v
            count += 1
            return (v, true)
        }
        let k = key &+ 1
        var s = Self.slot(k, mask)
        while true {
            let x = keys[s]
            if x == k { return (values[s], false) }
            if x == 0 { break }
            s = (s + 1) & mask
        }
        let v = make()
        keys[s] = k
        values[s] = v
        count += 1
        if count * 2 > keys.count { grow() }
        return (v, true)
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let n = keys.count * 2
        keys = Array(repeating: 0, count: n)
        values = Array(repeating: -1, count: n)
        mask = n - 1
        for (i, k) in oldKeys.enumerated() where k != 0 {
            var s = Self.slot(k, mask)
            while keys[s] != 0 { s = (s + 1) & mask }
            keys[s] = k
            values[s] = oldValues[i]
        }
    }
}
