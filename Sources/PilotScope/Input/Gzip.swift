import CISAL
import CPilotZlib

/// One inflate engine (ISA-L or zlib) behind the gzip member reader: it inflates from the input
/// it was given until a member ends, and starts a new member on request. Every C result is
/// checked and mapped to a typed error.
protocol Inflater: AnyObject {
    /// Compressed bytes given and not yet consumed.
    var availableIn: Int { get }
    /// The first of them.
    var nextIn: UnsafeMutablePointer<UInt8>? { get }
    func setInput(_ p: UnsafeMutablePointer<UInt8>, _ count: Int)
    /// Inflates into `out`; `memberEnded` once the member's trailer has been checked.
    func inflate(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> (produced: Int, memberEnded: Bool)
    /// Starts the next member, keeping the unconsumed input.
    func startMember() throws
    /// Why inflating failed, for a message (the engine's words).
    func describe(_ failure: InflateFailure) -> String
}

/// How inflating failed: the engine's result, classified.
enum InflateFailure: Error {
    case checksum, header, data(code: Int32, message: String?)
}

/// gzip over any `Inflater`: multi-member streams continue after each member; bytes after a
/// member that do not start a new one are an error, as is a stream that ends inside a member.
final class GzipMemberReader: ByteSource {
    private let src: ByteSource
    private let name: String
    private let inflater: Inflater
    private let inBuf: UnsafeMutablePointer<UInt8>
    private let inCap = 1 << 20
    private var inEOF = false
    private var finished = false

    init(_ src: ByteSource, name: String, inflater: Inflater) throws {
        self.src = src
        self.name = name
        self.inflater = inflater
        // Raw input buffer handed to the inflater; freed in deinit.
        inBuf = .allocate(capacity: inCap)
    }

    deinit { inBuf.deallocate() }

    /// Compressed bytes consumed so far.
    var fileOffset: Int { src.fileOffset - inflater.availableIn }

    private func refill() throws {
        let n = try src.read(into: inBuf, capacity: inCap)
        if n == 0 { inEOF = true }
        inflater.setInput(inBuf, n)
    }

    private func truncated() -> InputError {
        InputError(.truncatedGzip, file: name, "truncated gzip stream: the file ends inside a gzip member", offset: fileOffset)
    }

    /// After a member: the next one must start with the gzip magic bytes; false at the end.
    private func nextMember() throws -> Bool {
        if inflater.availableIn == 0 && !inEOF { try refill() }
        if inflater.availableIn == 0 { return false }
        if inflater.availableIn < 2 && !inEOF {
            // Keep the one byte and read more behind it.
            inBuf[0] = inflater.nextIn![0]
            let n = try src.read(into: inBuf + 1, capacity: inCap - 1)
            if n == 0 { inEOF = true }
            inflater.setInput(inBuf, 1 + n)
        }
        guard inflater.availableIn >= 2, let p = inflater.nextIn, p[0] == 0x1F, p[1] == 0x8B else {
            throw InputError(.trailingGarbage, file: name, "trailing data after the end of a gzip member is not a gzip member", offset: fileOffset)
        }
        try inflater.startMember()
        return true
    }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        do {
            return try readInflating(into: out, capacity: capacity)
        } catch let f as InflateFailure {
            throw InputError(.corruptGzip, file: name, "corrupt gzip stream: " + inflater.describe(f), offset: fileOffset)
        }
    }

    private func readInflating(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            if finished {
                guard try nextMember() else { return 0 }
                finished = false
            }
            if inflater.availableIn == 0 {
                if inEOF { throw truncated() }
                try refill()
                if inflater.availableIn == 0 { throw truncated() }
            }
            let produced: Int
            (produced, finished) = try inflater.inflate(into: out, capacity: min(capacity, Int(UInt32.max)))
            if produced > 0 { return produced }
        }
    }
}

/// ISA-L's inflate (about 2.3× zlib here). `isal_inflate_init` and `isal_inflate_reset` return
/// nothing; `isal_inflate`'s result is mapped.
final class ISALInflater: Inflater {
    // inflate_state is 87 KB: keep it behind a pointer, off the stack.
    private let state: UnsafeMutablePointer<inflate_state>
    private let wrapper: UInt32

    /// `raw`: a bare deflate stream (a zip member), without a gzip header or trailer.
    init(raw: Bool = false) {
        wrapper = UInt32(raw ? ISAL_DEFLATE : ISAL_GZIP)
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = wrapper
        state.pointee.avail_in = 0
    }

    deinit { state.deallocate() }

    var availableIn: Int { Int(state.pointee.avail_in) }
    var nextIn: UnsafeMutablePointer<UInt8>? { state.pointee.next_in }

    func setInput(_ p: UnsafeMutablePointer<UInt8>, _ count: Int) {
        state.pointee.next_in = p
        state.pointee.avail_in = UInt32(count)
    }

    func inflate(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> (produced: Int, memberEnded: Bool) {
        state.pointee.next_out = out
        state.pointee.avail_out = UInt32(capacity)
        let ret = isal_inflate(state)
        switch ret {
        case ISAL_DECOMP_OK, ISAL_END_INPUT, ISAL_OUT_OVERFLOW: break
        case ISAL_INCORRECT_CHECKSUM: throw InflateFailure.checksum
        case ISAL_INVALID_WRAPPER, ISAL_UNSUPPORTED_METHOD: throw InflateFailure.header
        default: throw InflateFailure.data(code: ret, message: nil)
        }
        return (capacity - Int(state.pointee.avail_out), state.pointee.block_state == ISAL_BLOCK_FINISH)
    }

    func startMember() throws {
        let keepIn = state.pointee.next_in, keepAvail = state.pointee.avail_in
        isal_inflate_reset(state)
        state.pointee.crc_flag = wrapper
        state.pointee.next_in = keepIn
        state.pointee.avail_in = keepAvail
    }

    func describe(_ f: InflateFailure) -> String {
        switch f {
        case .checksum: return "CRC or length check failed"
        case .header: return "bad gzip header"
        case .data(let code, _): return "invalid deflate data (code \(code))"
        }
    }
}

/// zlib's inflate (`windowBits` 15 + 32 for gzip, -15 for a raw zip member): the reference
/// backend and the fallback. Every zlib
/// result is checked: `inflateInit2` and `inflateReset` failures are errors, not ignored.
final class ZlibInflater: Inflater {
    private let strm: UnsafeMutablePointer<z_stream>

    init(name: String, raw: Bool = false) throws {
        // zlib needs a stable address for its stream: raw memory, freed in deinit.
        strm = .allocate(capacity: 1)
        strm.initialize(to: z_stream())
        let rc = CZlib_inflateInit2(strm, raw ? -15 : 15 + 32)
        guard rc == Z_OK else {
            strm.deallocate()
            throw InputError(.inflaterFailed, file: name, "cannot start zlib's inflate: \(Self.codeName(rc))")
        }
    }

    deinit {
        inflateEnd(strm)
        strm.deallocate()
    }

    var availableIn: Int { Int(strm.pointee.avail_in) }
    var nextIn: UnsafeMutablePointer<UInt8>? { strm.pointee.next_in }

    func setInput(_ p: UnsafeMutablePointer<UInt8>, _ count: Int) {
        strm.pointee.next_in = p
        strm.pointee.avail_in = uInt(count)
    }

    func inflate(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> (produced: Int, memberEnded: Bool) {
        strm.pointee.next_out = out
        strm.pointee.avail_out = uInt(capacity)
        let ret = CPilotZlib.inflate(strm, Z_NO_FLUSH)
        let produced = capacity - Int(strm.pointee.avail_out)
        switch ret {
        case Z_OK, Z_BUF_ERROR: return (produced, false)
        case Z_STREAM_END: return (produced, true)
        case Z_DATA_ERROR:
            let msg = strm.pointee.msg.map { String(cString: $0) }
            throw msg?.contains("check") == true ? InflateFailure.checksum : InflateFailure.data(code: ret, message: msg)
        default: throw InflateFailure.data(code: ret, message: nil)
        }
    }

    func startMember() throws {
        let rc = inflateReset(strm)
        guard rc == Z_OK else { throw InflateFailure.data(code: rc, message: "inflateReset failed: \(Self.codeName(rc))") }
    }

    func describe(_ f: InflateFailure) -> String {
        switch f {
        case .checksum: return strm.pointee.msg.map { String(cString: $0) } ?? "CRC or length check failed"
        case .header: return "bad gzip header"
        case .data(let code, let message): return message ?? "zlib code \(code)"
        }
    }

    static func codeName(_ rc: Int32) -> String {
        switch rc {
        case Z_MEM_ERROR: return "out of memory (Z_MEM_ERROR)"
        case Z_VERSION_ERROR: return "incompatible zlib version (Z_VERSION_ERROR)"
        case Z_STREAM_ERROR: return "bad parameters (Z_STREAM_ERROR)"
        default: return "zlib code \(rc)"
        }
    }
}
