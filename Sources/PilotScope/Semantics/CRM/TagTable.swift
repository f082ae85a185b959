/// Distinct pilot source tags (normalized), the pilots using each, and their text as configured.
public struct TagTable: Sendable {
    public var map = ByteMap<Int32>(capacity: 16)
    public var pilots: [[Int]] = []
    /// Per tag: pilot index → the tag as that pilot configured it (evidence).
    public var text: [[Int: String]] = []

    public init(_ pilots: [Pilot]) {
        for p in pilots {
            for (k, norm) in p.sourceTagsNorm.enumerated() {
                let next = Int32(self.pilots.count)
                let t = norm.withUnsafeBufferPointer { b in map.findOrInsert(b) { next } }
                if t == self.pilots.count {
                    self.pilots.append([])
                    text.append([:])
                }
                if !self.pilots[t].contains(p.index) { self.pilots[t].append(p.index) }
                if text[t][p.index] == nil { text[t][p.index] = p.sourceTags[k] }
            }
        }
    }

    /// Tag index of a normalized source, or -1.
    @inline(__always) public func index(_ normalized: Bytes) -> Int32 {
        map.find(normalized).map { map[entry: $0] } ?? -1
    }

    public func pilotHasTag(_ tag: Int32, _ pilot: Int) -> Bool { tag >= 0 && pilots[Int(tag)].contains(pilot) }
}
