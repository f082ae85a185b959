import CPilotZlib
import Foundation

/// A touch state as saved (SPEC §7): the state, the fingerprint of the configuration it was
/// folded under, and each pilot's evidence texts (so `merge` needs no configuration).
///
/// Layout (integers little-endian; `v` a LEB128 varint, `s` a zig-zag varint, text a `v`
/// length then UTF-8):
///
///     "PSTATE\r\n"  magic, 8 bytes        u32 format version      text engine version
///     u32 header length  header          u32 CRC-32 of the header
///     u8 body coding (0 raw, 1 zlib)     v body length   v stored length   u32 CRC-32 of the
///     stored body   stored body
///
/// The header holds the fingerprint, `as_of`, the evidence texts and the files covered with
/// their accounts: what `--state-dir` reads to decide what to reuse, without the body. The body
/// holds the maps (identities as bytes), folds, totals and raw touches.
public struct SavedState: Sendable {
    public static let magic = Array("PSTATE\r\n".utf8)
    public static let formatVersion: UInt32 = 2

    public var engine: String
    public var fingerprint: StateFingerprint
    /// Per pilot: its link texts then its meeting-type texts (evidence ids index them).
    public var evidence: [[String]]
    public var state: TouchState

    public init(fingerprint: StateFingerprint, evidence: [[String]], state: TouchState) {
        engine = PilotScopeVersion.string
        self.fingerprint = fingerprint
        self.evidence = evidence
        self.state = state
    }

    public var pilotCount: Int { evidence.count }
}

// MARK: - Encoding

extension SavedState {
    /// The state's bytes; the body deflated when that makes it smaller.
    public func encode() throws -> [UInt8] {
        var header = ByteWriter(capacity: 1 << 12)
        writeHeader(&header)
        var body = ByteWriter(capacity: 1 << 20)
        state.writeBody(&body)
        var out = ByteWriter(capacity: header.bytes.count + body.bytes.count / 2 + 64)
        out.raw(Self.magic)
        out.fixed32(Self.formatVersion)
        out.string(engine)
        out.fixed32(UInt32(header.bytes.count))
        out.raw(header.bytes)
        out.fixed32(StateZlib.crc32(header.bytes))
        let deflated = try StateZlib.deflate(body.bytes)
        let useZlib = deflated.count < body.bytes.count
        let stored = useZlib ? deflated : body.bytes
        out.u8(useZlib ? 1 : 0)
        out.count(body.bytes.count)
        out.count(stored.count)
        out.fixed32(StateZlib.crc32(stored))
        out.raw(stored)
        return out.bytes
    }

    private func writeHeader(_ w: inout ByteWriter) {
        w.count(fingerprint.parts.count)
        for p in fingerprint.parts {
            w.string(p.name)
            w.raw(p.digest)
        }
        w.signed(state.asOf)
        w.count(evidence.count)
        for texts in evidence {
            w.count(texts.count)
            for t in texts { w.string(t) }
        }
        w.count(state.files.count)
        for f in state.files { f.write(&w) }
    }
}

extension CoveredFile {
    func write(_ w: inout ByteWriter) {
        // This is safe: states are made only of files with an identity (checked by the caller).
        let id = identity ?? FileIdentity(realPath: "", size: -1, mtime: 0)
        w.string(id.realPath)
        w.signed(id.size)
        w.signed(id.mtime)
        w.string(sha256)
        w.raw(reading)
        account.write(&w)
    }
}

extension FileAccount {
    func write(_ w: inout ByteWriter) {
        w.string(path)
        w.string(kind.rawValue)
        for n in [rowsRead, rowsKept, blankLines, footerLines, bytes] { w.signed(n) }
        w.u8(hasFooterRow ? 1 : 0)
        for dict in [rejected, badValues] {
            w.count(dict.count)
            for (k, v) in dict.sorted(by: { $0.key < $1.key }) {
                w.string(k)
                w.signed(v)
            }
        }
        w.count(rejects.count)
        for r in rejects {
            w.string(r.file)
            w.signed(r.line)
            w.string(r.reason)
            w.string(r.row)
        }
        for list in [timestampKinds.map(Int64.init), minTime, maxTime] {
            w.count(list.count)
            for v in list { w.signed(v) }
        }
    }
}

extension TouchState {
    func writeBody(_ w: inout ByteWriter) {
        w.signed(touches)
        w.count(emails.count)
        for e in 0..<emails.count {
            emails.withKey(e) { w.bytes($0) }
            w.signed(Int64(emails[entry: e]))
        }
        // Column by column (keys, stitched emails, email-less counts, then the times of the
        // visitors with an email): similar values side by side deflate better, and the many
        // visitors without an email write no time at all.
        w.count(visitors.count)
        for v in 0..<visitors.count { visitors.withKey(v) { w.bytes($0) } }
        for v in 0..<visitors.count { w.signed(Int64(visitors[entry: v].email)) }
        for v in 0..<visitors.count { w.signed(Int64(visitors[entry: v].emailless)) }
        for v in 0..<visitors.count where visitors[entry: v].email >= 0 { w.signed(visitors[entry: v].ts) }
        w.count(utmEvidence.count)
        for u in 0..<utmEvidence.count { utmEvidence.withKey(u) { w.bytes($0) } }
        folds.write(&w)
        w.count(future.count)
        for t in future { t.write(&w) }
    }
}

extension TouchFolds {
    func write(_ w: inout ByteWriter) {
        w.count(aggs.count)
        for a in aggs {
            w.count(a.pilot)
            w.u8(a.key.kind.rawValue)
            w.signed(Int64(a.key.id))
            w.count(Int(a.flags))
            for t in [a.firstMeeting, a.firstMeetingAfter, a.firstUTM] { w.time(t) }
            w.signed(Int64(a.meetingEvidence))
            w.signed(Int64(a.utmEvidence))
        }
        w.count(meetingWeeks.count)
        for fw in meetingWeeks {
            w.count(fw.fold)
            w.count(fw.week)
        }
        w.count(totals.count)
        for t in totals {
            for n in t.touches + t.anonymous.cells { w.signed(n) }
            for list in [t.weekTouches, t.weekAnonymousMeetings] {
                w.count(list.count)
                for n in list { w.signed(n) }
            }
        }
        w.count(kept.count)
        for t in kept { t.write(&w) }
        // Touchpoints (3.6), in columns: folds, then times.
        w.count(pointFolds.count)
        for f in pointFolds { w.count(Int(f)) }
        for t in pointTimes { w.signed(t) }
    }
}

extension MatchedTouch {
    func write(_ w: inout ByteWriter) {
        w.count(Int(pilot))
        w.u8(flags)
        w.u8(event.rawValue)
        w.signed(ts)
        w.signed(Int64(email.raw))
        w.signed(Int64(visitor))
        w.signed(Int64(linkEvidence))
        w.signed(Int64(utmEvidence))
    }
}

extension ByteWriter {
    /// A time that is often "none" (`Int64.max`): one byte for none.
    mutating func time(_ t: Int64) { varint(t == Int64.max ? 0 : UInt64(bitPattern: (t << 1) ^ (t >> 63)) &+ 1) }
}

// MARK: - zlib

/// One-shot deflate and bounded inflate of a state's body, and CRC-32.
enum StateZlib {
    static func crc32(_ b: [UInt8]) -> UInt32 {
        b.withUnsafeBytes { crc32(UnsafeRawBufferPointer($0)) }
    }

    static func crc32(_ b: UnsafeRawBufferPointer) -> UInt32 {
        guard let p = b.baseAddress else { return UInt32(CPilotZlib.crc32(0, nil, 0)) }
        return UInt32(crc32_z(0, p.assumingMemoryBound(to: UInt8.self), b.count))
    }

    /// zlib level 1: a state is written every night, and level 6 buys little on ids and times.
    static func deflate(_ input: [UInt8]) throws -> [UInt8] {
        var destLen = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(destLen))
        let rc = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in
                // This is safe: `out` has compressBound(input) bytes, as compress2 requires.
                compress2(o.baseAddress, &destLen, i.baseAddress, uLong(i.count), 1)
            }
        }
        guard rc == Z_OK else { throw OutputError(.writeFailed, path: "state", "zlib's compress failed (\(ZlibInflater.codeName(rc)))") }
        out.removeLast(out.count - Int(destLen))
        return out
    }

    /// Inflates exactly `length` bytes; the output grows with what is really inflated, never
    /// to a declared size a hostile state could inflate to nothing.
    static func inflate(_ stored: UnsafeRawBufferPointer, length: Int, _ r: ByteReader) throws -> [UInt8] {
        let strm = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        strm.initialize(to: z_stream())
        defer {
            inflateEnd(strm)
            strm.deallocate()
        }
        guard CZlib_inflateInit2(strm, 15) == Z_OK else { throw r.corrupt("cannot start zlib's inflate") }
        var out = [UInt8](repeating: 0, count: min(length, max(1 << 16, 4 * stored.count)))
        var produced = 0
        // This is safe: zlib reads only next_in..avail_in, inside `stored`.
        strm.pointee.next_in = UnsafeMutablePointer(mutating: stored.baseAddress?.assumingMemoryBound(to: UInt8.self))
        strm.pointee.avail_in = uInt(stored.count)
        while true {
            if produced == out.count {
                guard out.count < length else { throw r.corrupt("the body inflates to more than its declared \(length) bytes") }
                out += [UInt8](repeating: 0, count: min(length - out.count, out.count))
            }
            let rc = out.withUnsafeMutableBufferPointer { o -> Int32 in
                // This is safe: zlib writes at most avail_out bytes after next_out, inside `out`.
                let room = min(o.count - produced, Int(UInt32.max))
                strm.pointee.next_out = o.baseAddress! + produced
                strm.pointee.avail_out = uInt(room)
                let rc = CPilotZlib.inflate(strm, Z_NO_FLUSH)
                produced += room - Int(strm.pointee.avail_out)
                return rc
            }
            if rc == Z_STREAM_END { break }
            if rc == Z_BUF_ERROR && strm.pointee.avail_in == 0 { throw r.corrupt("the compressed body is truncated") }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { throw r.corrupt("the compressed body is corrupt (\(ZlibInflater.codeName(rc)))") }
        }
        guard produced == length, strm.pointee.avail_in == 0 else {
            throw r.corrupt("the body inflates to \(produced) bytes, not its declared \(length)")
        }
        return out
    }
}
