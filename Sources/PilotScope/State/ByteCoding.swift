/// The byte-level codec of saved states: little-endian words and LEB128 varints written into a
/// growing buffer, and read back by a cursor that checks every length against what is left, so
/// no byte string, however hostile, makes it read out of bounds or allocate more than the input
/// could hold.

/// A state that cannot be used: corrupt or truncated bytes (exit 1, naming the byte offset), or
/// a valid state this run must refuse (another configuration, version or `as_of`: exit 2).
public struct StateError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case corrupt, refused }
    public var kind: Kind
    public var file: String
    public var message: String
    /// Byte offset of the bad bytes in the state file, when corrupt.
    public var offset: Int?

    public init(_ kind: Kind, file: String, _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.file = file
        self.message = message
        self.offset = offset
    }

    public var description: String {
        let at = offset.map { " at byte \($0)" } ?? ""
        return "\(file)\(at): \(message)"
    }

    /// Exit code of SPEC §7: a corrupt state is a data error, a refused one a usage error.
    public var exitCode: Int32 { kind == .corrupt ? 1 : 2 }
}

/// Appends values to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) mutating func fixed32(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    @inline(__always) mutating func fixed64(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// LEB128: seven bits a byte, low first.
    @inline(__always) mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always) mutating func count(_ n: Int) { varint(UInt64(n)) }

    /// Zig-zag, so small negative numbers (-1 for "none") stay one byte.
    @inline(__always) mutating func signed(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    @inline(__always) mutating func signed(_ v: Int) { signed(Int64(v)) }

    mutating func bytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        count(b.count)
        bytes += b
    }

    mutating func string(_ s: String) { bytes(Array(s.utf8)) }

    mutating func raw(_ b: [UInt8]) { bytes += b }
}

/// Reads what `ByteWriter` wrote, from a buffer it does not own. Every read checks the bytes
/// left; a count is checked against them before anything is allocated for it.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var position: Int
    /// Offset of `base` in the file, for error messages.
    let fileOffset: Int
    let file: String

    init(_ base: UnsafeRawBufferPointer, file: String, fileOffset: Int = 0) {
        self.base = base
        self.file = file
        self.fileOffset = fileOffset
        position = 0
    }

    var remaining: Int { base.count - position }
    var atEnd: Bool { position == base.count }

    func corrupt(_ message: String, at: Int? = nil) -> StateError {
        StateError(.corrupt, file: file, message, offset: fileOffset + (at ?? position))
    }

    mutating func u8() throws -> UInt8 {
        guard position < base.count else { throw corrupt("truncated state") }
        defer { position += 1 }
        return base[position]
    }

    mutating func fixed32() throws -> UInt32 { try fixed() }
    mutating func fixed64() throws -> UInt64 { try fixed() }

    /// A little-endian integer of its type's width.
    private mutating func fixed<T: FixedWidthInteger & UnsignedInteger>() throws -> T {
        let n = T.bitWidth / 8
        guard remaining >= n else { throw corrupt("truncated state") }
        var v: T = 0
        for i in 0..<n { v |= T(base[position + i]) << (8 * i) }
        position += n
        return v
    }

    mutating func varint() throws -> UInt64 {
        let start = position
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < base.count else { throw corrupt("truncated state") }
            let b = base[position]
            position += 1
            // The tenth byte may carry only the top bit of 64.
            guard shift < 63 || (shift == 63 && b <= 1) else { throw corrupt("varint longer than 64 bits", at: start) }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    mutating func signed() throws -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// An Int32-ranged signed value (ids, evidence indices).
    mutating func int32(_ what: String) throws -> Int32 {
        let start = position
        let v = try signed()
        guard let r = Int32(exactly: v) else { throw corrupt("\(what) out of range", at: start) }
        return r
    }

    /// A count of items each at least `minBytes` long: never more than the bytes left could
    /// hold, so a hostile count allocates nothing.
    mutating func count(_ what: String, minBytes: Int = 1) throws -> Int {
        let start = position
        let v = try varint()
        guard v <= UInt64(remaining / max(1, minBytes)) else { throw corrupt("\(what): \(v) items cannot fit in \(remaining) bytes", at: start) }
        return Int(v)
    }

    /// A non-negative integer no larger than `limit`.
    mutating func bounded(_ what: String, _ limit: Int) throws -> Int {
        let start = position
        let v = try varint()
        guard limit >= 0, v <= UInt64(limit) else { throw corrupt("\(what) \(v) out of range (at most \(limit))", at: start) }
        return Int(v)
    }

    /// A length-prefixed byte string, borrowed from the buffer.
    mutating func bytes() throws -> Bytes {
        let n = try count("byte string")
        defer { position += n }
        // This is safe: the buffer holds bytes, and the slice is inside it (counted above).
        return UnsafeRawBufferPointer(rebasing: base[position..<position + n]).assumingMemoryBound(to: UInt8.self)
    }

    mutating func string() throws -> String {
        let start = position
        let b = try bytes()
        guard let s = String(validating: b, as: UTF8.self) else { throw corrupt("text is not UTF-8", at: start) }
        return s
    }

    mutating func raw(_ n: Int) throws -> [UInt8] {
        guard remaining >= n else { throw corrupt("truncated state") }
        defer { position += n }
        return Array(base[position..<position + n])
    }
}
