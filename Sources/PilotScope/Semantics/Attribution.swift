/// Attribution classes in priority order (SPEC 3.4).
public enum AttributionRule: Int, Sendable, Comparable {
    case tag = 0, link = 1, utm = 2
    public var name: String { ["tag", "link", "utm"][rawValue] }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Why a contact counts where it does.
public struct Attribution: Sendable {
    public var pilot: Int
    public var rule: AttributionRule
    public var evidence: String
    public var at: Int64
    /// Other candidate pilots, in config order (B17).
    public var contestedWith: [Int]
}

/// A touch resolved to an identity and perhaps a contact (3.2).
public struct ResolvedTouch: Sendable {
    public var touch: MatchedTouch
    /// Resolved normalized email, else `v:` visitor, else `row:` id: the identity of distinct counts.
    public var identity: String
    public var contact: Int?
}

public enum Attributor {
    /// Resolves matched touches: own email, else the visitor's stitched email (B16).
    public static func resolve(_ touches: [MatchedTouch], visitors: VisitorDirectory, contactIndex: [String: Int]) -> [ResolvedTouch] {
        touches.map { t in
            let email = t.email ?? t.visitor.flatMap { visitors.email[$0] }
            let identity = email.map { "e:" + $0 } ?? t.visitor.map { "v:" + $0 } ?? "row:\(t.rowId)"
            let contact = email.flatMap { contactIndex["e:" + $0] }
            return ResolvedTouch(touch: t, identity: identity, contact: contact)
        }
    }

    struct Candidate {
        var pilot: Int
        var rule: AttributionRule
        var at: Int64
        var evidence: String
    }

    /// Attributes every contact created by `asOf` to at most one pilot.
    public static func attribute(
        contacts: [Contact], touches: [ResolvedTouch], pilots: [Pilot], asOf: Int64, lastTouch: Bool
    ) -> [Attribution?] {
        var byContact: [Int: [Int]] = [:]
        for (i, t) in touches.enumerated() { if let c = t.contact { byContact[c, default: []].append(i) } }
        var out = [Attribution?](repeating: nil, count: contacts.count)
        let tags = pilots.map { p in Dictionary(p.sourceTagsNorm.enumerated().map { ($1, p.sourceTags[$0]) }) { a, _ in a } }
        for (ci, c) in contacts.enumerated() where c.createdAt <= asOf {
            var cands: [Candidate] = []
            let src = c.source.normalizedText
            for p in pilots where p.inWindow(c.createdAt) {
                if let tag = tags[p.index][src] { cands.append(Candidate(pilot: p.index, rule: .tag, at: c.createdAt, evidence: tag)) }
            }
            for ti in byContact[ci] ?? [] {
                let t = touches[ti].touch
                if t.isMeeting { cands.append(Candidate(pilot: Int(t.pilot), rule: .link, at: t.ts, evidence: t.linkEvidence ?? "")) }
                if t.flags & MatchedTouch.utm != 0 { cands.append(Candidate(pilot: Int(t.pilot), rule: .utm, at: t.ts, evidence: t.utmEvidence ?? "")) }
            }
            guard let best = choose(cands, sqmAt: c.stages[.sqm], lastTouch: lastTouch) else { continue }
            let others = Set(cands.map(\.pilot)).subtracting([best.pilot]).sorted()
            out[ci] = Attribution(pilot: best.pilot, rule: best.rule, evidence: best.evidence, at: best.at, contestedWith: others)
        }
        return out
    }

    /// The highest class with a candidate; in it the earliest event (first_touch) or the latest at or
    /// before `sqm_at`, else the latest (last_touch, B18); ties to the pilot listed first, then the
    /// smallest evidence by bytes (B30).
    static func choose(_ cands: [Candidate], sqmAt: Int64, lastTouch: Bool) -> Candidate? {
        guard let rule = cands.map(\.rule).min() else { return nil }
        var pool = cands.filter { $0.rule == rule }
        if lastTouch {
            let before = pool.filter { $0.at <= sqmAt }
            if !before.isEmpty { pool = before }
        }
        return pool.min { a, b in
            if a.at != b.at { return lastTouch ? a.at > b.at : a.at < b.at }
            if a.pilot != b.pilot { return a.pilot < b.pilot }
            return Array(a.evidence.utf8).lexicographicallyPrecedes(Array(b.evidence.utf8))
        }
    }
}
