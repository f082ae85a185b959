import CISAL

/// One member of a zip archive, streamed: its stored bytes are read with pread(2) from the
/// archive and inflated as they are parsed (raw deflate with ISA-L or zlib), never written out or
/// held whole. The local header is checked against the central directory, and the member's
/// CRC-32 and size are checked when its end is reached.
final class ZipMemberReader: ByteSource {
    private let file: PositionalFile
    private let member: ZipMember
    /// `archive#member`, for messages.
    private let name: String
    private var position: UInt64
    private let dataEnd: UInt64
    private let inflater: Inflater?
    private let inBuf: UnsafeMutablePointer<UInt8>
    private let inCap = 1 << 20
    private var crc: UInt32 = 0
    private var produced: UInt64 = 0
    private var streamEnded = false
    private var done = false
    /// SHA-256 of the member's stored bytes (the digest a touch state records for it).
    private let digest: SHA256Stream?
    var onEnd: ((String?) -> Void)?

    init(archive: String, member memberName: String, backend: InflateBackend, checksum: Bool) throws {
        name = archive + "#" + memberName
        let m = try ZipDirectory.member(archive, memberName)
        member = m
        file = try PositionalFile(archive)
        if m.flags & 1 != 0 { throw Self.encrypted(name) }
        guard m.method == 0 || m.method == 8 else {
            throw InputError(.zipMember, file: name, "compression method \(m.method) is not read: only stored (0) and deflated (8) members are")
        }
        let start = try Self.dataStart(file, m, name)
        guard m.compressedSize <= file.size, start <= file.size - m.compressedSize else {
            throw InputError(.corruptArchive, file: name, "the archive ends inside the member's data (truncated archive)", offset: Int(clamping: file.size))
        }
        position = start
        dataEnd = start + m.compressedSize
        switch (m.method, backend) {
        case (0, _): inflater = nil
        case (_, .isal): inflater = ISALInflater(raw: true)
        case (_, .zlib): inflater = try ZlibInflater(name: name, raw: true)
        }
        digest = checksum ? SHA256Stream() : nil
        // Compressed input handed to the inflater; freed in deinit.
        inBuf = .allocate(capacity: inCap)
    }

    deinit { inBuf.deallocate() }

    /// Where reading is, as an offset in the archive file (the offset messages name).
    var fileOffset: Int { Int(clamping: position) - (inflater?.availableIn ?? 0) }

    /// Where the member's data begins: after its local header, which must agree with the
    /// central directory on the name, method and encryption.
    private static func dataStart(_ file: PositionalFile, _ m: ZipMember, _ name: String) throws -> UInt64 {
        var h = [UInt8](repeating: 0, count: 30)
        try file.read(&h, at: m.localHeaderOffset, archive: name)
        guard LittleEndian.u32(h, 0) == 0x0403_4B50 else {
            throw InputError(.corruptArchive, file: name, "no local header where the central directory puts it", offset: Int(clamping: m.localHeaderOffset))
        }
        if LittleEndian.u16(h, 6) & 1 != 0 { throw encrypted(name) }
        let method = LittleEndian.u16(h, 8)
        guard method == m.method else {
            throw disagrees(name, "compression method \(method) in the local header, \(m.method) in the central directory", m)
        }
        var local = [UInt8](repeating: 0, count: Int(LittleEndian.u16(h, 26)))
        try file.read(&local, at: m.localHeaderOffset + 30, archive: name)
        guard local == m.nameBytes else {
            throw disagrees(name, "name '\(String(decoding: local, as: UTF8.self))' in the local header", m)
        }
        return m.localHeaderOffset + 30 + UInt64(local.count) + UInt64(LittleEndian.u16(h, 28))
    }

    private static func disagrees(_ name: String, _ what: String, _ m: ZipMember) -> InputError {
        InputError(
            .corruptArchive, file: name, "the member's local header disagrees with the central directory: \(what)", offset: Int(clamping: m.localHeaderOffset))
    }

    private static func encrypted(_ name: String) -> InputError {
        InputError(.zipMember, file: name, "the member is encrypted: PilotScope reads only unencrypted archives")
    }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if done { return 0 }
        let n = inflater == nil ? try readStored(into: out, capacity: capacity) : try readDeflated(into: out, capacity: capacity)
        if n > 0 {
            crc = crc32_gzip_refl(crc, out, UInt64(n))
            produced += UInt64(n)
            return n
        }
        try finish()
        return 0
    }

    private func readStored(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let want = Int(min(UInt64(capacity), dataEnd - position))
        guard want > 0 else { return 0 }
        try fill(out, want)
        return want
    }

    /// Reads exactly `count` stored bytes at the current position.
    private func fill(_ p: UnsafeMutablePointer<UInt8>, _ count: Int) throws {
        let got = try file.read(into: p, count: count, at: position, archive: name)
        guard got == count else {
            throw InputError(
                .corruptArchive, file: name, "the archive ends inside the member's data (truncated archive)", offset: Int(clamping: position) + got)
        }
        digest?.update(p, count)
        position += UInt64(count)
    }

    private func readDeflated(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard let inflater else { return 0 }
        while !streamEnded {
            let drained = inflater.availableIn == 0 && position == dataEnd
            if inflater.availableIn == 0 && !drained {
                let want = Int(min(UInt64(inCap), dataEnd - position))
                try fill(inBuf, want)
                inflater.setInput(inBuf, want)
            }
            let produced: Int
            do {
                (produced, streamEnded) = try inflater.inflate(into: out, capacity: min(capacity, Int(UInt32.max)))
            } catch let f as InflateFailure {
                throw InputError(.corruptArchive, file: name, "corrupt deflate data in the member: " + inflater.describe(f), offset: fileOffset)
            }
            if streamEnded && (inflater.availableIn > 0 || position < dataEnd) {
                throw InputError(.corruptArchive, file: name, "the member's deflate stream ends before its compressed size does", offset: fileOffset)
            }
            if produced > 0 { return produced }
            // All input given and nothing more comes out: the stream was cut short.
            if drained && !streamEnded {
                throw InputError(.corruptArchive, file: name, "the member's deflate data end before the deflate stream does", offset: fileOffset)
            }
        }
        return 0
    }

    /// At the member's end: its size and CRC-32 must be the central directory's.
    private func finish() throws {
        done = true
        guard produced == member.uncompressedSize else {
            throw InputError(
                .corruptArchive, file: name, "the member holds \(produced) bytes, the central directory says \(member.uncompressedSize)", offset: fileOffset)
        }
        guard crc == member.crc32 else {
            let hex = { (v: UInt32) in "0x" + String(v, radix: 16) }
            throw InputError(
                .corruptArchive, file: name, "CRC-32 mismatch: the member's bytes give \(hex(crc)), the central directory says \(hex(member.crc32))",
                offset: fileOffset)
        }
        if let cb = onEnd {
            onEnd = nil
            cb(digest?.hex())
        }
    }
}
