/// Canonical field → column index of one file, from its header, the preset and `columns:` overrides.
public struct ColumnMapping: Sendable {
    public var kind: InputKind
    public var header: [String]
    /// Indexed by the canonical field's raw value; -1 when absent.
    public var index: [Int]
    /// Columns that map to no canonical field, by header name (CRM: usable in ICP rules).
    public var extras: [(name: String, index: Int)]
    public var event: EventRule
    /// The event of every row when the preset fixes it (segment: page_view), resolved once.
    public var constantEvent: TouchEvent = .other
    public var eventColumn: Int = -1
    public var footer: Bool
    public var warnings: [String] = []

    /// `index` as a plain value: the per-row paths read columns from it without retaining arrays.
    public var cols = FieldIndex()

    @inline(__always) public func column(_ field: Int) -> Int { index[field] }

    public init(
        kind: InputKind, header: [String], preset: Preset, overrides: [String: String], file: String
    ) throws {
        self.kind = kind
        self.header = header
        self.event = preset.event
        self.footer = preset.footer
        let trimmed = header.map { $0.trimmingSpaces }
        var positions: [String: [Int]] = [:]
        for (i, h) in trimmed.enumerated() { positions[h, default: []].append(i) }
        let fields = kind.fields
        index = Array(repeating: -1, count: fields.count)
        var wanted: [String: [String]] = [:]
        for (f, hs) in preset.columns { wanted[f] = hs }
        for (f, h) in overrides {
            guard fields.contains(f) else {
                throw ColumnError(file: file, message: "columns: '\(f)' is not a \(kind.rawValue) field (\(fields.joined(separator: ", ")))")
            }
            wanted[f] = [h]
        }
        var used = Set<Int>()
        for (fi, f) in fields.enumerated() {
            guard let hs = wanted[f] else { continue }
            for h in hs {
                if let ps = positions[h] {
                    if ps.count > 1 {
                        throw ColumnError(
                            file: file,
                            message: "duplicate header '\(h)' (columns \(ps.map { String($0 + 1) }.joined(separator: ", "))): cannot tell which holds \(f)")
                    }
                    index[fi] = ps[0]
                    used.insert(ps[0])
                    break
                }
            }
        }
        var missing: [String] = []
        for r in kind.required {
            if r == "event", preset.event != .column { continue }
            if index[fields.firstIndex(of: r)!] < 0 { missing.append(r) }
        }
        if !missing.isEmpty {
            let parts = missing.map { f -> String in
                let hs = wanted[f] ?? [f]
                let near = Self.closest(to: hs[0], in: trimmed)
                let hint = near.isEmpty ? "" : "; closest headers present: " + near.map { "'\($0)'" }.joined(separator: ", ")
                return "required column \(hs.map { "'\($0)'" }.joined(separator: " or ")) for \(f) is missing\(hint)"
            }
            throw ColumnError(file: file, message: parts.joined(separator: "; ") + " (preset \(preset.name))")
        }
        if case .bookingUnlessCanceled(let c) = preset.event { eventColumn = positions[c]?.first ?? -1 }
        if case .constant(let e) = preset.event { constantEvent = Array(e.utf8).withUnsafeBufferPointer { TouchEvent.classify($0) } }
        extras = []
        for (i, h) in trimmed.enumerated() where !used.contains(i) && i != eventColumn {
            extras.append((h, i))
            if positions[h]!.count > 1 && positions[h]!.first == i { warnings.append("duplicate header '\(h)'") }
        }
        extras.sort { $0.name < $1.name || ($0.name == $1.name && $0.index < $1.index) }
        cols = FieldIndex(index)
    }

    /// The three headers nearest to a wanted one: a header that contains the wanted name's letters in
    /// order (`ts` in `timestamp`) ranks first, then by edit distance.
    static func closest(to name: String, in headers: [String]) -> [String] {
        let lower = Array(name.lowercased())
        func isSubsequence(_ a: [Character], of b: [Character]) -> Bool {
            var i = 0
            for c in b where i < a.count && c == a[i] { i += 1 }
            return i == a.count
        }
        let scored = headers.filter { !$0.isEmpty }.map { h -> (String, Int) in
            let hl = Array(h.lowercased())
            let d = Text.editDistance(lower, hl)
            return (h, isSubsequence(lower, of: hl) || isSubsequence(hl, of: lower) ? min(d, 1) : d)
        }
        return scored.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(3).map(\.0)
    }
}

/// Up to 32 column indices (canonical field → column, -1 when absent) in a trivially copyable
/// value: copying it into a row handler costs no reference counting.
public struct FieldIndex: Sendable {
    private var c = SIMD32<Int32>(repeating: -1)

    public init() {}

    init(_ index: [Int]) {
        precondition(index.count <= 32, "more than 32 canonical fields")
        for (i, x) in index.enumerated() { c[i] = Int32(x) }
    }

    @inline(__always) public subscript(_ field: Int) -> Int { Int(c[field]) }
}
