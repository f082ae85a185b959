/// SPEC 3.1 / B14: merges records with the same key; the primary is the earliest `created_at`,
/// then the smallest `record_id` by bytes, then the field values by bytes.
public enum Dedup {
    /// A record of one worker.
    struct Ref { var worker: Int32; var index: Int32 }

    /// SPEC 3.1: merges records with the same key. The primary is the earliest `created_at`, then
    /// the smallest `record_id` by bytes, then the field values by bytes (B14). Linear grouping:
    /// keys are merged through a byte map, members gathered by a counting sort, and only groups
    /// of more than one record are sorted. Contacts come out in primary order, whatever the order
    /// of files, chunks or threads.
    /// The merged contacts, their emails (normalized email → contact, for the touch phase: the
    /// groups' own key map and ranks),
    /// and the stage-history counts (2.2b): each mapped row sets a stage time if earlier. History
    /// finds a contact by any member record's `record_id` or `opportunity_id`.
    public struct Result {
        public var contacts: [Contact]
        public var emails: ContactEmails
        public var historyUnmapped = 0
        public var historyUnknown = 0
        /// Merged ICP field values of the contacts.
        public var values = ValueArena(capacity: 1 << 16)
        /// The contacts' `record_id` bytes (`Contact.idStart`, `idLength`), in group order.
        public var recordIds: [UInt8] = []
    }

    /// The workers' records (in place) and id bytes (through raw pointers), valid inside `body`
    /// only: the merge reads records across workers without copying a worker struct per access.
    struct Records {
        let recs: [PagedArray<CRMRecord>.PageTable]
        let ids: [UnsafeBufferPointer<UInt8>]

        // This is safe: refs are made from the workers' own record indices, valid inside `with`.
        @inline(__always) func record(_ r: Ref) -> UnsafePointer<CRMRecord> { recs[Int(r.worker)].at(Int(r.index)) }

        @inline(__always) func id(_ r: Ref) -> Bytes {
            let x = record(r)
            return Bytes(rebasing: ids[Int(r.worker)][x.pointee.idStart..<(x.pointee.idStart + Int(x.pointee.idLength))])
        }

        @inline(__always) func opportunityId(_ r: Ref) -> Bytes {
            let x = record(r)
            let start = x.pointee.idStart + Int(x.pointee.idLength)
            return Bytes(rebasing: ids[Int(r.worker)][start..<(start + Int(x.pointee.opportunityLength))])
        }

        /// Primary order without the row text: created_at, record_id by bytes, then the hash of
        /// the values (exact ties of those are resolved with the text, see `merge`).
        @inline(__always) func less(_ a: Ref, _ b: Ref) -> Bool {
            let x = record(a), y = record(b)
            if x.pointee.createdAt != y.pointee.createdAt { return x.pointee.createdAt < y.pointee.createdAt }
            let ia = id(a), ib = id(b)
            if !ia.elementsEqual(ib) { return ia.lexicographicallyPrecedes(ib) }
            return x.pointee.tiebreakHash < y.pointee.tiebreakHash
        }

        /// Two records tied on created_at and record_id whose values differ (by hash): their order
        /// needs the values' text (B14).
        @inline(__always) func needsText(_ a: Ref, _ b: Ref) -> Bool {
            let x = record(a).pointee, y = record(b).pointee
            return x.createdAt == y.createdAt && x.tiebreakHash != y.tiebreakHash && id(a).elementsEqual(id(b))
        }

        static func with<R>(_ workers: [CRMProcessor], _ body: (Records) throws -> R) rethrows -> R {
            var recs: [PagedArray<CRMRecord>.PageTable] = [], ids: [UnsafeBufferPointer<UInt8>] = []
            func nest(_ i: Int) throws -> R {
                if i == workers.count { return try body(Records(recs: recs, ids: ids)) }
                return try workers[i].records.withPageTable { r in
                    // The worker holds its store, and nothing appends to it during the merge.
                    try withExtendedLifetime(workers[i].ids) {
                        recs.append(r)
                        ids.append(workers[i].ids.bytes)
                        return try nest(i + 1)
                    }
                }
            }
            return try nest(0)
        }
    }

    /// The workers' key maps are emptied once merged into the groups' map (which holds every key):
    /// they are not needed after, and the end of dedup is the run's memory peak.
    public static func merge(
        _ workers: inout [CRMProcessor], asOf: Int64, fetchTiebreaks: (Set<RowPosition>) throws -> [RowPosition: [UInt8]]
    ) throws -> Result {
        var groups = Groups(&workers)
        return try Records.with(workers) { v in
            try groups.sortMembers(v, fetchTiebreaks: fetchTiebreaks)
            let rank = groups.primaryRanks(v)
            var history = HistoryIndex(workers.flatMap(\.history))
            var result = build(workers, v, groups, rank: rank, history: &history)
            history.apply(to: &result, asOf: asOf)
            return result
        }
    }

    /// Records grouped by contact key: the workers' keys merged through one byte map, members
    /// gathered by a counting sort (group g holds `members[counts[g]..<counts[g + 1]]`).
    struct Groups {
        var keys: ByteMap<UInt8>
        var counts: [Int32]
        var members: [Ref]
        var count: Int { keys.count }

        /// The first worker's key map becomes the merged one (its ids are the ones inserting its
        /// keys in order would give); every worker's map is emptied once merged.
        init(_ workers: inout [CRMProcessor]) {
            let zero = UInt8(0)
            var keys = ByteMap<UInt8>(capacity: 1)
            var keyMaps: [[Int32]] = []
            for wi in workers.indices {
                let own = workers[wi].keys
                workers[wi].keys = ByteMap<UInt8>(capacity: 1)
                if wi == 0 {
                    keyMaps.append((0..<Int32(own.count)).map { $0 })
                    keys = own
                    continue
                }
                var m = [Int32](repeating: 0, count: own.count)
                for k in 0..<own.count { m[k] = Int32(own.withKey(k) { keys.findOrInsert($0) { zero } }) }
                keyMaps.append(m)
            }
            let groups = keys.count
            var counts = [Int32](repeating: 0, count: groups + 1)
            for (wi, w) in workers.enumerated() {
                keyMaps[wi].withUnsafeBufferPointer { km in
                    for r in w.records { counts[Int(km[Int(r.keyId)]) + 1] += 1 }
                }
            }
            for g in 0..<groups { counts[g + 1] += counts[g] }
            var members = [Ref](repeating: Ref(worker: 0, index: 0), count: Int(counts[groups]))
            var fill = counts
            for (wi, w) in workers.enumerated() {
                keyMaps[wi].withUnsafeBufferPointer { km in
                    for (ri, r) in w.records.enumerated() {
                        let g = Int(km[Int(r.keyId)])
                        members[Int(fill[g])] = Ref(worker: Int32(wi), index: Int32(ri))
                        fill[g] += 1
                    }
                }
            }
            self.keys = keys
            self.counts = counts
            self.members = members
        }

        func range(_ g: Int) -> Range<Int> { Int(counts[g])..<Int(counts[g + 1]) }

        /// Sorts each group of more than one record into primary order (B14). Records tied on
        /// created_at and record_id with different values need their text: it is fetched again
        /// for just those rows.
        mutating func sortMembers(_ v: Records, fetchTiebreaks: (Set<RowPosition>) throws -> [RowPosition: [UInt8]]) throws {
            var tied: [Int] = []
            var tiedPositions = Set<RowPosition>()
            for g in 0..<count {
                let r = range(g)
                guard r.count > 1 else { continue }
                members[r].sort(by: v.less)
                var hasTie = false
                for k in r.lowerBound..<(r.upperBound - 1) where v.needsText(members[k], members[k + 1]) {
                    hasTie = true
                    tiedPositions.insert(v.record(members[k]).pointee.position)
                    tiedPositions.insert(v.record(members[k + 1]).pointee.position)
                }
                if hasTie { tied.append(g) }
            }
            guard !tied.isEmpty else { return }
            let text = try fetchTiebreaks(tiedPositions)
            for g in tied {
                members[range(g)].sort { a, b in
                    guard v.needsText(a, b) else { return v.less(a, b) }
                    let x = v.record(a).pointee.position, y = v.record(b).pointee.position
                    return (text[x] ?? []).lexicographicallyPrecedes(text[y] ?? [])
                }
            }
        }

        /// Each group's contact index: contacts are in the order of their primary records,
        /// sorted by created_at inline, the rare equal times by the full order.
        func primaryRanks(_ v: Records) -> [Int32] {
            var primaries = [PrimaryKey](repeating: PrimaryKey(createdAt: 0, group: 0), count: count)
            for g in 0..<count { primaries[g] = PrimaryKey(createdAt: v.record(members[Int(counts[g])]).pointee.createdAt, group: Int32(g)) }
            primaries.sort { a, b in
                if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
                return v.less(members[Int(counts[Int(a.group)])], members[Int(counts[Int(b.group)])])
            }
            var rank = [Int32](repeating: 0, count: count)
            for (i, pk) in primaries.enumerated() { rank[Int(pk.group)] = Int32(i) }
            return rank
        }
    }

    /// Builds the contacts in group order (records are read about in storage order, not at
    /// random), each stored at its rank in primary order, with their merged ICP values, the email
    /// lookup (the key map and ranks, kept) and the history rows each contact's ids name.
    static func build(_ workers: [CRMProcessor], _ v: Records, _ groups: Groups, rank: [Int32], history: inout HistoryIndex) -> Result {
        let n = groups.count
        var result = Result(contacts: [], emails: ContactEmails(keys: groups.keys, contactOfGroup: rank))
        var valueScratch: [Bytes] = []
        // Raw bytes of the workers' value arenas: nothing appends to them during the merge.
        let arenas = workers.map(\.values.bytes)
        let icpCount = workers.first?.icpFields.count ?? 0
        let valueArena = result.values
        var ids: [UInt8] = []
        groups.members.withUnsafeBufferPointer { allMembers in
            // Sized once: the primary records' ids (a group's first member).
            ids.reserveCapacity((0..<n).reduce(0) { $0 + v.id(allMembers[groups.range($1).lowerBound]).count })
        }
        // Built in place: each contact is initialized once at its rank below.
        result.contacts = [Contact](unsafeUninitializedCapacity: n) { buf, initialized in
            groups.members.withUnsafeBufferPointer { allMembers in
                for g in 0..<n {
                    let slice = UnsafeBufferPointer(rebasing: allMembers[groups.range(g)])
                    var c = contact(v, slice, ids: &ids)
                    c.icpStart = mergeValues(v, arenas, icpCount, slice, into: valueArena, scratch: &valueScratch)
                    let ci = Int(rank[g])
                    c.hasEmail = groups.keys.withKey(g) { k in k.count > 2 && k[0] == ContactEmails.prefix[0] }
                    history.mark(slice, v, contact: ci)
                    // This is safe: every index below `n` is written exactly once (ranks are a permutation).
                    (buf.baseAddress! + ci).initialize(to: c)
                }
            }
            initialized = n
        }
        result.recordIds = ids
        return result
    }

    /// Stage-history rows (2.2b) and the ids they name, looked up only by those ids (few): a small
    /// map of them, each row chained to the next row naming the same id.
    struct HistoryIndex {
        let rows: [HistoryRow]
        var wanted: ByteMap<Int32>
        var nextRow: [Int32]
        /// Per row: the first contact in primary order whose records name its id, or -1.
        var target: [Int]

        init(_ rows: [HistoryRow]) {
            self.rows = rows
            wanted = ByteMap<Int32>(capacity: max(16, rows.count))
            nextRow = [Int32](repeating: -1, count: rows.count)
            target = [Int](repeating: -1, count: rows.count)
            for (i, h) in rows.enumerated().reversed() {
                let e = Array(h.recordId.utf8).withUnsafeBufferPointer { wanted.findOrInsert($0) { -1 } }
                nextRow[i] = wanted[entry: e]
                wanted[entry: e] = Int32(i)
            }
        }

        /// A contact's records: the history rows naming their `record_id` or `opportunity_id`.
        mutating func mark(_ members: UnsafeBufferPointer<Ref>, _ v: Records, contact ci: Int) {
            guard !rows.isEmpty else { return }
            for ref in members {
                markRows(naming: v.id(ref), contact: ci)
                markRows(naming: v.opportunityId(ref), contact: ci)
            }
        }

        private mutating func markRows(naming id: Bytes, contact ci: Int) {
            guard id.count > 0, let e = wanted.find(id) else { return }
            var hi = wanted[entry: e]
            while hi >= 0 {
                if target[Int(hi)] < 0 || target[Int(hi)] > ci { target[Int(hi)] = ci }
                hi = nextRow[Int(hi)]
            }
        }

        /// Each mapped row sets its stage's time if earlier (2.2b); rows after `as_of` are ignored (B1).
        func apply(to result: inout Result, asOf: Int64) {
            for (hi, h) in rows.enumerated() {
                if h.stage == nil { result.historyUnmapped += 1 }
                if target[hi] < 0 { result.historyUnknown += 1 }
                guard let s = h.stage, target[hi] >= 0, h.changedAt <= asOf else { continue }
                if h.changedAt < result.contacts[target[hi]].stages[s] { result.contacts[target[hi]].stages[s] = h.changedAt }
            }
        }
    }

    struct PrimaryKey {
        var createdAt: Int64
        var group: Int32
    }

    /// A hash of the values `tiebreakBytes` lists, field by field (no copy of the row): equal
    /// value lists hash equal; different ones differ but for hash collisions, which only decide
    /// whether the text of a tie is fetched again.
    static func tiebreakHash(_ r: inout RecordView, _ m: ColumnMapping) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func add(_ field: Bytes) {
            h = (h ^ hashBytes(field) ^ UInt64(field.count)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
        }
        for fi in 0..<m.index.count { add(r.field(m.index[fi])) }
        for e in m.extras { add(r.field(e.index)) }
        return h
    }

    /// B34: the record's field values as raw text, canonical fields first, then the other columns
    /// by header name, each followed by 0x01 (so byte order is the order of the value lists).
    static func tiebreakBytes(_ r: inout RecordView, _ m: ColumnMapping, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for fi in 0..<m.index.count {
            out += r.field(m.index[fi])
            out.append(0x01)
        }
        for e in m.extras {
            out += r.field(e.index)
            out.append(0x01)
        }
    }

    /// Each ICP value: the primary's, or where empty the next member's non-empty one (3.1).
    static func mergeValues(
        _ v: Records, _ arenas: [UnsafePointer<UInt8>], _ n: Int, _ members: UnsafeBufferPointer<Ref>, into arena: ValueArena, scratch: inout [Bytes]
    ) -> UInt32 {
        guard n > 0 else { return arena.append([]) }
        scratch.removeAll(keepingCapacity: true)
        for k in 0..<n {
            var value = Bytes(start: nil, count: 0)
            for ref in members {
                let x = ValueArena.value(arenas[Int(ref.worker)], v.record(ref).pointee.icpStart, k)
                if x.count > 0 {
                    value = x
                    break
                }
            }
            scratch.append(value)
        }
        return arena.append(scratch)
    }

    /// The contact of a group's records (primary first); its `record_id` is appended to `ids`.
    static func contact(_ v: Records, _ members: UnsafeBufferPointer<Ref>, ids: inout [UInt8]) -> Contact {
        let first = members.first!
        let p = v.record(first).pointee
        let id = v.id(first)
        var c = Contact(
            idStart: ids.count, idLength: Int32(id.count), hasEmail: false, createdAt: p.createdAt, stages: p.stages,
            respondedAt: p.respondedAt, amount: p.amount, tagIndex: p.tagIndex, icpStart: 0)
        ids += id
        var tagged = false
        for ref in members {
            let m = v.record(ref)
            c.stages.takeEarlier(m.pointee.stages)
            c.respondedAt = min(c.respondedAt, m.pointee.respondedAt)
            if let a = m.pointee.amount { c.amount = max(c.amount ?? a, a) }
            if !tagged && m.pointee.tagIndex >= 0 {
                // The first source (in primary order) that matches a pilot's tag.
                tagged = true
                c.tagIndex = m.pointee.tagIndex
            }
        }
        return c
    }

}
