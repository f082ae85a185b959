import CPilotZlib
import Foundation
import FuzzSupport
import PilotScope

/// Any bytes: the state decoder throws `StateError` (a corrupt one with its byte offset), never
/// crashes. A decoded state encodes to a fixed point, its header alone decodes alike, it merges
/// with an empty state to the same bytes, with itself only when it covers no file, and never with
/// another configuration's. The first byte picks how the rest becomes a state, so mutations get
/// past the checksums and zlib to the header and body decoders:
/// 0: the bytes as they are; 1: a whole state whose two CRC-32s are made right;
/// 2 / 3: a u16 header length, the header, then a body, framed with right lengths and CRC-32s
/// (the body stored raw, or deflated).
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let mode = data[0] % 4
    let bytes: [UInt8]
    switch mode {
    case 0: bytes = rest
    case 1: bytes = withRightChecksums(rest)
    default:
        let headerLength = rest.count < 2 ? 0 : min(rest.count - 2, Int(rest[0]) | Int(rest[1]) << 8)
        let header = Array(rest.dropFirst(2).prefix(headerLength))
        bytes = frame(header: header, body: Array(rest.dropFirst(2 + headerLength)), deflated: mode == 3)
    }
    guard let saved = decode(bytes) else {
        _ = decode(bytes, headerOnly: true)
        return 0
    }
    guard let header = decode(bytes, headerOnly: true) else { fatalError("mode \(mode): a state decodes but its header alone does not") }
    checkSameHeader(header, saved, "mode \(mode): the header decoded alone")
    let once = encodeOrDie(saved, "the decoded state")
    guard let again = decode(once) else { fatalError("mode \(mode): a decoded state encoded again does not decode") }
    checkSameHeader(again, saved, "mode \(mode): the state encoded and decoded again")
    if encodeOrDie(again, "the state decoded again") != once { fatalError("mode \(mode): encode(decode(encode(x))) != encode(x)") }
    checkMerges(saved, once, mode)
    return 0
}

/// A decode that must end in a state or a `StateError`: a corrupt one names a byte offset.
func decode(_ bytes: [UInt8], headerOnly: Bool = false) -> SavedState? {
    do {
        return try SavedState.decode(bytes, file: "fuzz", headerOnly: headerOnly)
    } catch let e as StateError {
        if e.kind == .corrupt {
            guard let at = e.offset, at >= 0 else { fatalError("a corrupt state without a byte offset: \(e)") }
            if e.file == "fuzz" && at > bytes.count { fatalError("offset \(at) past the end of \(bytes.count) bytes: \(e)") }
        }
        return nil
    } catch {
        fatalError("decode threw \(error), not a StateError")
    }
}

func encodeOrDie(_ s: SavedState, _ what: String) -> [UInt8] {
    do { return try s.encode() } catch { fatalError("\(what) does not encode: \(error)") }
}

func checkSameHeader(_ a: SavedState, _ b: SavedState, _ what: String) {
    guard a.engine == b.engine, a.fingerprint == b.fingerprint, a.evidence == b.evidence, a.state.asOf == b.state.asOf,
        a.state.files.count == b.state.files.count
    else { fatalError("\(what) has another header") }
}

/// SPEC §7 merge on a decoded state: an empty part changes nothing (on either side); the state
/// with itself is refused when it covers a file; a part of another configuration is refused.
func checkMerges(_ saved: SavedState, _ bytes: [UInt8], _ mode: UInt8) {
    let empty = SavedState(fingerprint: saved.fingerprint, evidence: saved.evidence, state: TouchState(pilots: saved.pilotCount))
    for (i, parts) in [[("a", saved), ("empty", empty)], [("empty", empty), ("a", saved)]].enumerated() {
        do {
            let merged = try SavedState.merge(parts, threads: 2)
            if encodeOrDie(merged, "a merge with an empty state") != bytes { fatalError("mode \(mode): merge \(i) with an empty state changed the state") }
        } catch {
            fatalError("mode \(mode): merge \(i) with an empty state threw \(error)")
        }
    }
    do {
        let twice = try SavedState.merge([("a", saved), ("b", saved)], threads: 2)
        if !saved.state.files.isEmpty { fatalError("mode \(mode): a state covering files merged with itself") }
        guard twice.state.emails.count == saved.state.emails.count, twice.state.visitors.count == saved.state.visitors.count,
            twice.state.folds.aggs.count == saved.state.folds.aggs.count
        else { fatalError("mode \(mode): a state merged with itself has other identities") }
    } catch let e as StateError {
        if e.kind != .refused || saved.state.files.isEmpty { fatalError("mode \(mode): a state merged with itself: \(e)") }
    } catch {
        fatalError("mode \(mode): merge threw \(error), not a StateError")
    }
    guard var changed = saved.fingerprint.parts.last else { return }
    changed.name += "'"
    var other = empty
    other.fingerprint = StateFingerprint(parts: saved.fingerprint.parts + [changed])
    do {
        _ = try SavedState.merge([("a", saved), ("other", other)], threads: 2)
        fatalError("mode \(mode): states of two configurations merged")
    } catch let e as StateError {
        if e.kind != .refused { fatalError("mode \(mode): another configuration's state: \(e)") }
    } catch {
        fatalError("mode \(mode): merge threw \(error), not a StateError")
    }
}

// MARK: - Framing (StateFormat.swift's layout)

func crc32(_ b: ArraySlice<UInt8>) -> UInt32 {
    b.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
}

func put32(_ v: UInt32, _ out: inout [UInt8]) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }

func putVarint(_ v: Int, _ out: inout [UInt8]) {
    var v = UInt64(v)
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// A state around `header` and `body`: magic, version, this engine, both lengths and CRC-32s.
func frame(header: [UInt8], body: [UInt8], deflated: Bool) -> [UInt8] {
    var out = SavedState.magic
    put32(SavedState.formatVersion, &out)
    let engine = Array(PilotScopeVersion.string.utf8)
    putVarint(engine.count, &out)
    out += engine
    put32(UInt32(header.count), &out)
    out += header
    put32(crc32(header[...]), &out)
    var stored = body
    if deflated {
        var destLen = compressBound(uLong(body.count))
        stored = [UInt8](repeating: 0, count: Int(destLen))
        let rc = stored.withUnsafeMutableBufferPointer { o in
            body.withUnsafeBufferPointer { compress2(o.baseAddress, &destLen, $0.baseAddress, uLong($0.count), 1) }
        }
        guard rc == Z_OK else { fatalError("compress2 failed: \(rc)") }
        stored.removeLast(stored.count - Int(destLen))
    }
    out.append(deflated ? 1 : 0)
    putVarint(body.count, &out)
    putVarint(stored.count, &out)
    put32(crc32(stored[...]), &out)
    return out + stored
}

/// The bytes with the header's and the body's CRC-32 recomputed where the lengths put them;
/// as they are where the framing itself is cut short.
func withRightChecksums(_ input: [UInt8]) -> [UInt8] {
    var b = input
    var p = SavedState.magic.count + 4
    func varint() -> Int? {
        var v = 0
        var shift = 0
        while p < b.count, shift < 63 {
            let c = b[p]
            p += 1
            v |= Int(c & 0x7F) << shift
            if c < 0x80 { return v }
            shift += 7
        }
        return nil
    }
    func fixed32() -> Int? {
        guard p + 4 <= b.count else { return nil }
        defer { p += 4 }
        return (0..<4).reduce(0) { $0 | Int(b[p + $1]) << (8 * $1) }
    }
    func set32(_ v: UInt32, at q: Int) { for i in 0..<4 { b[q + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
    guard p <= b.count, let engineLength = varint(), engineLength <= b.count - p else { return b }
    p += engineLength
    guard let headerLength = fixed32(), headerLength <= b.count - p - 4 else { return b }
    set32(crc32(b[p..<p + headerLength]), at: p + headerLength)
    p += headerLength + 4
    guard p < b.count else { return b }
    p += 1
    guard varint() != nil, varint() != nil, p + 4 <= b.count else { return b }
    set32(crc32(b[(p + 4)...]), at: p)
    return b
}

runLibFuzzer(fuzz)
