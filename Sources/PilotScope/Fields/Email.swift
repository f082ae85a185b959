/// Email normalization (SPEC 2.4, B9, B15): trimmed, ASCII-lower-cased, optionally without
/// plus tags and Gmail dots. Writes into a caller-owned buffer: no allocation per row.
public struct EmailNormalizer: Sendable {
    public var stripPlusTags: Bool
    public var gmailDots: Bool

    public init(stripPlusTags: Bool = false, gmailDots: Bool = false) {
        self.stripPlusTags = stripPlusTags
        self.gmailDots = gmailDots
    }

    public enum Result { case empty, invalid, valid }

    private static let gmail: [UInt8] = Array("gmail.com".utf8)
    private static let googlemail: [UInt8] = Array("googlemail.com".utf8)

    /// Normalizes `raw` into `out` (cleared first). `.empty` for a blank value, `.invalid` when it is
    /// not `local@domain` with exactly one `@` and both parts non-empty.
    @inline(__always) public func normalize(_ raw: Bytes, into out: inout [UInt8]) -> Result {
        // Most rows have no email: the buffer is then empty already, and clearing it is a call.
        if !out.isEmpty { out.removeAll(keepingCapacity: true) }
        let b = raw.trimmed()
        if b.count == 0 { return .empty }
        var at = -1
        for i in 0..<b.count where b[i] == 0x40 {
            if at >= 0 { return .invalid }
            at = i
        }
        guard at > 0, at < b.count - 1 else { return .invalid }
        let domain = b.slice(at + 1, b.count)
        let isGmail = gmailDots && (domain.equalsLowered(Self.gmail) || domain.equalsLowered(Self.googlemail))
        // One copy, then lower-cased and compacted in place (each byte is written at or before
        // where it is read): no append, so no uniqueness check, per byte.
        out.append(contentsOf: b)
        let (strip, gmail) = (stripPlusTags, isGmail)
        let n = out.withUnsafeMutableBufferPointer { o -> Int in
            var w = 0
            for i in 0..<at {
                let c = o[i]
                if strip && c == 0x2B { break }
                if gmail && c == 0x2E { continue }
                o[w] = asciiLower(c)
                w += 1
            }
            guard w > 0 else { return 0 }
            o[w] = 0x40
            w += 1
            for i in (at + 1)..<o.count {
                o[w] = asciiLower(o[i])
                w += 1
            }
            return w
        }
        if n == 0 {
            out.removeAll(keepingCapacity: true)
            return .invalid
        }
        if n < out.count { out.removeLast(out.count - n) }
        return .valid
    }

    /// Convenience for configuration and tests.
    public func normalize(_ s: String) -> String? {
        var out: [UInt8] = []
        let r = Array(s.utf8).withUnsafeBufferPointer { normalize($0, into: &out) }
        return r == .valid ? String(decoding: out, as: UTF8.self) : nil
    }
}

/// `***@domain`: how emails appear in `rejects.csv` unless `--keep-pii`.
public func maskEmails(in text: String) -> String {
    // Replace the local part of every token that looks like local@domain.
    var out = ""
    var token = ""
    func flush() {
        if let at = token.firstIndex(of: "@"), at != token.startIndex {
            out += "***" + token[at...]
        } else {
            out += token
        }
        token = ""
    }
    for ch in text {
        if ch == "," || ch == " " || ch == "\"" || ch == ";" || ch == "\t" || ch == "<" || ch == ">" || ch == "\n"
            || ch == "\r" || ch == "'" || ch == ":" || ch == "(" || ch == ")"
        {
            flush()
            out.append(ch)
        } else {
            token.append(ch)
        }
    }
    flush()
    return out
}
