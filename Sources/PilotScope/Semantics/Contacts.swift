/// Stage timestamps in funnel order (`absentTime` when none).
public struct StageTimes: Sendable, Equatable {
    public var t: [Int64] = Array(repeating: absentTime, count: 5)
    @inline(__always) public subscript(_ s: Stage) -> Int64 {
        get { t[s.index] }
        set { t[s.index] = newValue }
    }
}

/// One kept CRM row, with what the semantics need (no names: they appear in no table).
public struct CRMRecord: Sendable {
    public var recordId: String
    /// Contact key: `e:` email, `n:` first last @ domain, `r:` record id (SPEC 3.1).
    public var key: String
    public var createdAt: Int64
    public var stages = StageTimes()
    public var respondedAt: Int64
    public var amount: Double?
    public var source: String
    public var opportunityId: String
    /// Values of the ICP fields (union over pilots), raw and trimmed; "" when empty.
    public var icpValues: [String]
    /// B14/B34: the record's field values in canonical order, then the other columns by header.
    public var tiebreak: [UInt8]
}

/// A stage-history row (2.2b) after parsing.
public struct HistoryRow: Sendable {
    public var recordId: String
    public var stage: Stage?
    public var changedAt: Int64
}

/// A deduplicated contact (SPEC 3.1).
public struct Contact: Sendable {
    public var recordId: String
    public var key: String
    public var email: String?
    public var createdAt: Int64
    public var stages: StageTimes
    public var respondedAt: Int64
    public var amount: Double?
    public var source: String
    public var icpValues: [String]
    /// Ids by which stage history finds this contact: record ids and opportunity ids.
    public var linkIds: [String]
    public var records: Int
}

/// Reads CRM and stage-history rows into worker-local lists (thread-local, merged at the end).
public struct CRMProcessor: RowProcessor {
    var parsers: RowParsers
    let icpFields: [String]
    public var records: [CRMRecord] = []
    public var history: [HistoryRow] = []
    public var historyUnmapped = 0
    var nameBuf: [UInt8] = []

    public init(email: EmailNormalizer, icpFields: [String]) {
        parsers = RowParsers(email: email)
        self.icpFields = icpFields
    }

    private static let fieldIndex: [String: Int] = Dictionary(uniqueKeysWithValues: CRMField.allCases.map { ($0.name, $0.rawValue) })

    public mutating func row(_ r: inout RecordView, file: FileContext, acc: inout ChunkAccount) {
        if file.kind == .stage_history {
            guard let (id, stageName, t) = parsers.history(&r, file, &acc) else { return }
            let stage = file.stages[stageName.normalizedText()]
            history.append(HistoryRow(recordId: id.string, stage: stage, changedAt: t))
            return
        }
        guard let row = parsers.crm(&r, file, &acc) else { return }
        let m = file.mapping
        func text(_ f: CRMField) -> Bytes { r.field(m.index[f.rawValue]).trimmed() }
        let key: String
        if row.emailState == .valid {
            key = "e:" + String(decoding: parsers.emailBuffer, as: UTF8.self)
        } else {
            let fn = text(.first_name), ln = text(.last_name), dom = text(.company_domain)
            if fn.count > 0 && ln.count > 0 && dom.count > 0 {
                nameBuf.removeAll(keepingCapacity: true)
                nameBuf += fn.map(asciiLower)
                nameBuf.append(0x20)
                nameBuf += ln.map(asciiLower)
                nameBuf += [0x20, 0x40, 0x20]
                nameBuf += dom.map(asciiLower)
                key = "n:" + String(decoding: nameBuf, as: UTF8.self)
            } else {
                key = "r:" + row.recordId.string
            }
        }
        var icp: [String] = []
        icp.reserveCapacity(icpFields.count)
        for name in icpFields {
            if let fi = Self.fieldIndex[name] {
                icp.append(r.field(m.index[fi]).trimmed().string)
            } else if let e = m.extras.first(where: { $0.name == name }) {
                icp.append(r.field(e.index).trimmed().string)
            } else {
                icp.append("")
            }
        }
        var tb: [UInt8] = []
        for fi in 0..<m.index.count {
            tb += r.field(m.index[fi])
            tb.append(0x01)
        }
        for e in m.extras {
            tb += r.field(e.index)
            tb.append(0x01)
        }
        var rec = CRMRecord(
            recordId: row.recordId.string, key: key, createdAt: row.createdAt, respondedAt: row.respondedAt,
            amount: row.amount, source: text(.source).string, opportunityId: text(.opportunity_id).string,
            icpValues: icp, tiebreak: tb)
        rec.stages.t = [row.stages.0, row.stages.1, row.stages.2, row.stages.3, row.stages.4]
        records.append(rec)
    }
}

/// SPEC 3.1 / B14: merges records with the same key; the primary is the earliest `created_at`,
/// then the smallest `record_id` by bytes, then the field values by bytes.
public enum Dedup {
    @inline(__always) static func primaryOrder(_ a: CRMRecord, _ b: CRMRecord) -> Bool {
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        if a.recordId != b.recordId { return Array(a.recordId.utf8).lexicographicallyPrecedes(Array(b.recordId.utf8)) }
        return a.tiebreak.lexicographicallyPrecedes(b.tiebreak)
    }

    /// Contacts in a deterministic order (by key bytes), whatever the order of records.
    public static func merge(_ records: [CRMRecord], pilotTags: Set<[UInt8]>) -> [Contact] {
        var groups: [String: [Int]] = [:]
        groups.reserveCapacity(records.count)
        for (i, r) in records.enumerated() { groups[r.key, default: []].append(i) }
        let keys = groups.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out: [Contact] = []
        out.reserveCapacity(keys.count)
        for k in keys {
            let members = groups[k]!.map { records[$0] }.sorted(by: primaryOrder)
            let p = members[0]
            var c = Contact(
                recordId: p.recordId, key: k, email: k.hasPrefix("e:") ? String(k.dropFirst(2)) : nil,
                createdAt: p.createdAt, stages: p.stages, respondedAt: p.respondedAt, amount: p.amount,
                source: p.source, icpValues: p.icpValues, linkIds: [], records: members.count)
            var source: String?
            for m in members {
                for s in 0..<5 where m.stages.t[s] < c.stages.t[s] { c.stages.t[s] = m.stages.t[s] }
                c.respondedAt = min(c.respondedAt, m.respondedAt)
                if let a = m.amount { c.amount = max(c.amount ?? a, a) }
                if source == nil && !m.source.isEmpty && pilotTags.contains(m.source.normalizedText) { source = m.source }
                for (i, v) in m.icpValues.enumerated() where c.icpValues[i].isEmpty && !v.isEmpty { c.icpValues[i] = v }
                c.linkIds.append(m.recordId)
                if !m.opportunityId.isEmpty { c.linkIds.append(m.opportunityId) }
            }
            if let source { c.source = source }
            out.append(c)
        }
        return out
    }

    /// 2.2b: each mapped history row sets the stage time if earlier. Returns (unmapped, unknown) counts.
    public static func applyHistory(_ rows: [HistoryRow], to contacts: inout [Contact], asOf: Int64) -> (unmapped: Int, unknown: Int) {
        var byId: [String: Int] = [:]
        for (i, c) in contacts.enumerated() { for id in c.linkIds where byId[id] == nil { byId[id] = i } }
        var unmapped = 0, unknown = 0
        for h in rows {
            let target = byId[h.recordId]
            if h.stage == nil { unmapped += 1 }
            if target == nil { unknown += 1 }
            guard let s = h.stage, let t = target, h.changedAt <= asOf else { continue }
            if h.changedAt < contacts[t].stages[s] { contacts[t].stages[s] = h.changedAt }
        }
        return (unmapped, unknown)
    }
}
