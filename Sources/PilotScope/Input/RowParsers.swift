/// Typed values of one kept CRM row; text fields are still slices of the buffer.
public struct CRMRow {
    public var recordId: Bytes
    public var createdAt: Int64
    public var emailState: EmailNormalizer.Result
    /// mql, sqm, opportunity, won, lost; `absentTime` when empty or unparseable.
    public var stages: (Int64, Int64, Int64, Int64, Int64)
    public var respondedAt: Int64
    public var employees: Int64?
    public var amount: Double?
}

/// The rules of SPEC 2.5 / B8–B10 for each kind of row, on byte slices.
public struct RowParsers {
    public var email: EmailNormalizer
    public var emailBuffer: [UInt8] = []

    public init(email: EmailNormalizer) {
        self.email = email
        emailBuffer.reserveCapacity(256)
    }

    @inline(__always) static func time(_ r: inout RecordView, _ col: Int, _ f: FileContext, _ acc: inout ChunkAccount, slot: Int) -> Int64? {
        guard let (t, kind) = f.timestamps.parseKind(r.field(col)) else { return nil }
        acc.timestampKinds[kind.rawValue] += 1
        if acc.minTime.count <= slot {
            acc.minTime += Array(repeating: Int64.max, count: slot + 1 - acc.minTime.count)
            acc.maxTime += Array(repeating: Int64.min, count: slot + 1 - acc.maxTime.count)
        }
        if t < acc.minTime[slot] { acc.minTime[slot] = t }
        if t > acc.maxTime[slot] { acc.maxTime[slot] = t }
        return t
    }

    /// Optional timestamp: empty → absent; unparseable → absent and `bad_value:<field>`.
    @inline(__always) static func optionalTime(_ r: inout RecordView, _ field: Int, _ names: [String], _ f: FileContext, _ acc: inout ChunkAccount) -> Int64 {
        let col = f.mapping.cols[field]
        if col < 0 || r.field(col).trimmed().count == 0 { return absentTime }
        if let t = time(&r, col, f, &acc, slot: field) { return t }
        acc.badValue(names[field])
        return absentTime
    }

    /// B10 for one row: the first required field that is empty, then the required timestamp; the
    /// row is rejected (and nil returned) on the first failure. `names` are the kind's field names.
    @inline(__always) static func required(
        _ r: inout RecordView, _ f: FileContext, _ acc: inout ChunkAccount, fields: [Int], time: Int, names: [String]
    ) -> Int64? {
        if let reason = requiredMissing(&r, f, fields, names) {
            acc.reject(&r, reason, file: f)
            return nil
        }
        guard let t = Self.time(&r, f.mapping.cols[time], f, &acc, slot: time) else {
            acc.reject(&r, "bad_timestamp:" + names[time], file: f)
            return nil
        }
        return t
    }

    /// First failing check of B10 among required fields; nil when the row is kept.
    @inline(__always) static func requiredMissing(_ r: inout RecordView, _ f: FileContext, _ fields: [Int], _ names: [String]) -> String? {
        for fi in fields {
            let col = f.mapping.cols[fi]
            if col >= 0 && r.field(col).trimmed().count == 0 { return "missing:" + names[fi] }
        }
        return nil
    }

    static let crmNames = CRMField.allCases.map(\.name)
    static let touchNames = TouchField.allCases.map(\.name)
    static let historyNames = HistoryField.allCases.map(\.name)
    static let crmRequired = [CRMField.record_id.rawValue, CRMField.created_at.rawValue]
    static let touchRequired = [TouchField.ts.rawValue, TouchField.event.rawValue]
    static let historyRequired = HistoryField.allCases.map(\.rawValue)

    /// A CRM row, or nil when rejected (the reject is recorded).
    public mutating func crm(_ r: inout RecordView, _ f: FileContext, _ acc: inout ChunkAccount) -> CRMRow? {
        guard let created = Self.required(&r, f, &acc, fields: Self.crmRequired, time: CRMField.created_at.rawValue, names: Self.crmNames) else {
            return nil
        }
        let m = f.mapping.cols
        var st = EmailNormalizer.Result.empty
        let ec = m[CRMField.email.rawValue]
        if ec >= 0 {
            st = email.normalize(r.field(ec), into: &emailBuffer)
            if st == .invalid { acc.badValue("email") }
        }
        var employees: Int64?
        let emc = m[CRMField.employees.rawValue]
        if emc >= 0, r.field(emc).trimmed().count > 0 {
            employees = NumberParser.integer(r.field(emc))
            if employees == nil { acc.badValue("employees") }
        }
        var amount: Double?
        let ac = m[CRMField.amount.rawValue]
        if ac >= 0, r.field(ac).trimmed().count > 0 {
            amount = NumberParser.decimal(r.field(ac))
            if amount == nil { acc.badValue("amount") }
        }
        let n = Self.crmNames
        let stages = (
            Self.optionalTime(&r, CRMField.mql_at.rawValue, n, f, &acc),
            Self.optionalTime(&r, CRMField.sqm_at.rawValue, n, f, &acc),
            Self.optionalTime(&r, CRMField.opportunity_at.rawValue, n, f, &acc),
            Self.optionalTime(&r, CRMField.won_at.rawValue, n, f, &acc),
            Self.optionalTime(&r, CRMField.lost_at.rawValue, n, f, &acc)
        )
        let responded = Self.optionalTime(&r, CRMField.responded_at.rawValue, n, f, &acc)
        return CRMRow(
            recordId: r.field(m[CRMField.record_id.rawValue]).trimmed(), createdAt: created, emailState: st,
            stages: stages, respondedAt: responded, employees: employees, amount: amount)
    }

    private static let trueText: [UInt8] = Array("true".utf8)

    /// A touch row: (ts, event) or nil when rejected. The email, when valid, is left in `emailBuffer`.
    public mutating func touch(_ r: inout RecordView, _ f: FileContext, _ acc: inout ChunkAccount) -> (
        ts: Int64, event: TouchEvent, email: EmailNormalizer.Result
    )? {
        guard let ts = Self.required(&r, f, &acc, fields: Self.touchRequired, time: TouchField.ts.rawValue, names: Self.touchNames) else {
            return nil
        }
        let cols = f.mapping.cols
        let event: TouchEvent
        switch f.mapping.event {
        case .column: event = TouchEvent.classify(r.field(cols[TouchField.event.rawValue]))
        case .constant: event = f.mapping.constantEvent
        case .bookingUnlessCanceled:
            let c = f.mapping.eventColumn
            event = c >= 0 && r.field(c).trimmed().equalsLowered(Self.trueText) ? .other : .booking
        }
        var st = EmailNormalizer.Result.empty
        let ec = cols[TouchField.email.rawValue]
        if ec >= 0 {
            st = email.normalize(r.field(ec), into: &emailBuffer)
            if st == .invalid { acc.badValue("email") }
        }
        return (ts, event, st)
    }

    /// A stage-history row: (record id, stage name, changed_at) or nil when rejected.
    public func history(_ r: inout RecordView, _ f: FileContext, _ acc: inout ChunkAccount) -> (Bytes, Bytes, Int64)? {
        let m = f.mapping
        guard let t = Self.required(&r, f, &acc, fields: Self.historyRequired, time: HistoryField.changed_at.rawValue, names: Self.historyNames) else {
            return nil
        }
        return (r.field(m.index[HistoryField.record_id.rawValue]).trimmed(), r.field(m.index[HistoryField.stage.rawValue]).trimmed(), t)
    }
}
