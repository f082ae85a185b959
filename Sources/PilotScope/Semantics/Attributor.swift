import Dispatch

/// SPEC 3.4: each contact → at most one pilot, by class (tag, link, utm), then time, then config order.
public enum Attributor {
    struct Candidate {
        var pilot: Int
        var rule: AttributionRule
        var at: Int64
        var evidence: String
    }

    /// Stage six: attributes every contact created by `as_of` to at most one pilot.
    public static func attribute(_ contacts: Contacts, _ touches: ResolvedTouches, _ plan: ReportPlan) -> [Attribution?] {
        attribute(
            contacts: contacts.contacts, touches: touches, pilots: plan.config.pilots, tags: contacts.tags, asOf: plan.asOf,
            lastTouch: plan.config.lastTouch, threads: plan.options.threads)
    }

    public static func attribute(
        contacts: [Contact], touches: ResolvedTouches, pilots: [Pilot], tags: TagTable, asOf: Int64, lastTouch: Bool,
        threads: Int = allCores
    ) -> [Attribution?] {
        let (start, sources) = sourcesByContact(contacts.count, touches, lastTouch: lastTouch)
        let starts = pilots.map(\.windowStart), ends = pilots.map(\.windowEnd)
        // Each contact on its own: ranges of contacts are attributed concurrently, each straight
        // into its own part of the result (the same result for any split).
        guard !contacts.isEmpty else { return [] }
        let ranges = evenRanges(contacts.count, parts: 16)
        return [Attribution?](unsafeUninitializedCapacity: contacts.count) { buf, initialized in
            let base = PointerBox(buf.baseAddress!)
            concurrently(ranges.count, threads: threads) { part in
                var cands: [Candidate] = []
                for ci in ranges[part] {
                    // This is safe: the ranges are disjoint and cover every index once.
                    (base.pointer + ci).initialize(to: attribution(ci))
                }
                func attribution(_ ci: Int) -> Attribution? {
                    let c = contacts[ci]
                    guard c.createdAt <= asOf else { return nil }
                    let mine = sources[Int(start[ci])..<Int(start[ci + 1])]
                    guard c.tagIndex >= 0 || !mine.isEmpty else { return nil }
                    cands.removeAll(keepingCapacity: true)
                    if c.tagIndex >= 0 {
                        let t = Int(c.tagIndex)
                        for p in tags.pilots[t] where c.createdAt >= starts[p] && c.createdAt < ends[p] {
                            cands.append(Candidate(pilot: p, rule: .tag, at: c.createdAt, evidence: tags.text[t][p]!))
                        }
                    }
                    for si in mine { touchCandidates(Int(si), touches, lastTouch: lastTouch, into: &cands) }
                    guard let best = choose(cands, sqmAt: c.stages[.sqm], lastTouch: lastTouch) else { return nil }
                    let others = Set(cands.map(\.pilot)).subtracting([best.pilot]).sorted()
                    return Attribution(pilot: best.pilot, rule: best.rule, evidence: best.evidence, at: best.at, contestedWith: others)
                }
            }
            initialized = contacts.count
        }
    }

    /// Candidate sources grouped by contact with a counting sort (no dictionary of arrays): the
    /// folds per (pilot, contact) under first_touch, every touch under last_touch. Contact c's
    /// sources are `sources[start[c]..<start[c + 1]]`.
    static func sourcesByContact(_ contacts: Int, _ touches: ResolvedTouches, lastTouch: Bool) -> (start: [Int32], sources: [Int32]) {
        let n = lastTouch ? touches.touches.count : touches.aggs.count
        @inline(__always) func contactOf(_ i: Int) -> Int32 { lastTouch ? touches.touches[i].contact : touches.aggs[i].contact }
        var start = [Int32](repeating: 0, count: contacts + 1)
        for i in 0..<n where contactOf(i) >= 0 { start[Int(contactOf(i)) + 1] += 1 }
        for i in 0..<contacts { start[i + 1] += start[i] }
        var sources = [Int32](repeating: 0, count: Int(start[contacts]))
        var fill = start
        for i in 0..<n where contactOf(i) >= 0 {
            sources[Int(fill[Int(contactOf(i))])] = Int32(i)
            fill[Int(contactOf(i))] += 1
        }
        return (start, sources)
    }

    /// The link and UTM candidates of one source: a touch (last_touch) or a fold (first_touch).
    static func touchCandidates(_ si: Int, _ touches: ResolvedTouches, lastTouch: Bool, into cands: inout [Candidate]) {
        if lastTouch {
            let t = touches.touches[si]
            if t.isMeeting {
                cands.append(Candidate(pilot: Int(t.pilot), rule: .link, at: t.ts, evidence: touches.evidence[Int(t.linkEvidence)]))
            }
            if t.flags & MatchedTouch.utm != 0 {
                cands.append(Candidate(pilot: Int(t.pilot), rule: .utm, at: t.ts, evidence: touches.evidence[Int(t.utmEvidence)]))
            }
        } else {
            let a = touches.aggs[si]
            if a.firstMeeting != Int64.max {
                cands.append(Candidate(pilot: a.pilot, rule: .link, at: a.firstMeeting, evidence: touches.evidence[Int(a.meetingEvidence)]))
            }
            if a.firstUTM != Int64.max {
                cands.append(Candidate(pilot: a.pilot, rule: .utm, at: a.firstUTM, evidence: touches.evidence[Int(a.utmEvidence)]))
            }
        }
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
