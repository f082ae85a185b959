import CCrypto

/// SHA-256 of a byte string (libcrypto).
enum SHA256 {
    static func digest(_ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ctx = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(ctx) }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        b.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        return out
    }

    static func hex(_ d: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s: [UInt8] = []
        for b in d { s += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: s, as: UTF8.self)
    }
}

/// What a state's folded touches depend on in the configuration (SPEC §7): each pilot's match
/// rules, window, zone and adjustment; the attribution model (whether every matched touch is
/// kept); email normalization; whether rejected rows keep their emails. Kept as named parts so a
/// refusal can say which part changed. A state whose fingerprint differs is refused.
public struct StateFingerprint: Equatable, Sendable {
    public struct Part: Equatable, Sendable {
        public var name: String
        public var digest: [UInt8]
    }
    public var parts: [Part]

    /// The whole fingerprint: SHA-256 over the parts in order.
    public var digest: [UInt8] {
        var w = ByteWriter()
        for p in parts {
            w.string(p.name)
            w.raw(p.digest)
        }
        return SHA256.digest(w.bytes)
    }

    public init(parts: [Part]) { self.parts = parts }

    public init(_ config: ResolvedConfig, keepPII: Bool) {
        func part(_ name: String, _ fill: (inout ByteWriter) -> Void) -> Part {
            var w = ByteWriter(capacity: 256)
            fill(&w)
            return Part(name: name, digest: SHA256.digest(w.bytes))
        }
        parts = [
            part("attribution.model") { $0.u8(config.lastTouch ? 1 : 0) },
            part("dedup (email normalization)") {
                $0.u8(config.email.stripPlusTags ? 1 : 0)
                $0.u8(config.email.gmailDots ? 1 : 0)
            },
            part("--keep-pii") { $0.u8(keepPII ? 1 : 0) },
            part("pilots (their number and order)") { w in
                w.count(config.pilots.count)
                for p in config.pilots { w.string(p.id) }
            },
        ]
        for p in config.pilots { parts.append(part("pilot \(p.id) (window, grace_days, zone, adjustment, match rules)") { Self.write(p, &$0) }) }
    }

    private static func write(_ p: Pilot, _ w: inout ByteWriter) {
        // countingEnd: touchpoints (3.6, B38) are kept through the grace period.
        for t in [p.windowStart, p.windowEnd, p.countingEnd, p.startDay, p.adjustmentAt ?? Int64.max] { w.signed(t) }
        w.string(p.zone.identifier)
        for list in [p.links, p.meetingTypes] {
            w.count(list.count)
            for s in list { w.string(s) }
        }
        for list in [p.linksNorm, p.meetingTypesNorm] {
            w.count(list.count)
            for s in list { w.bytes(s) }
        }
        guard let utm = p.utm else { return w.u8(0) }
        w.u8(1)
        w.count(utm.count)
        for values in utm {
            guard let values else {
                w.u8(0)
                continue
            }
            w.u8(1)
            w.count(values.count)
            for v in values { w.bytes(v) }
        }
    }

    /// Names of the parts that differ from `other` (parts present in only one count too).
    public func changes(from other: StateFingerprint) -> [String] {
        let mine = Dictionary(parts.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(other.parts.map { ($0.name, $0.digest) }, uniquingKeysWith: { a, _ in a })
        var out = parts.filter { theirs[$0.name] != $0.digest }.map(\.name)
        out += other.parts.filter { mine[$0.name] == nil }.map(\.name)
        return out
    }
}

extension FileContext {
    /// How this file is read (columns, event rule, delimiter, timestamp format and zone, footer,
    /// header): a state made under other reading settings does not stand for the file.
    public var readingDigest: [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.u8(delimiter)
        w.string(timestamps.format.rawValue)
        w.string(timestamps.zone.identifier)
        w.count(mapping.index.count)
        for i in mapping.index { w.signed(i) }
        w.string(String(describing: mapping.event))
        w.u8(mapping.footer ? 1 : 0)
        w.count(mapping.header.count)
        for h in mapping.header { w.string(h) }
        return SHA256.digest(w.bytes)
    }
}
