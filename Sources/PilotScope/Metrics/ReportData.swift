import Dispatch

/// What the quality table counts on the touch side (B26).
public struct TouchQuality: Sendable {
    public var touches = 0
    public var byEmail = 0
    public var byVisitor = 0
}

/// Stage seven: everything known after attribution, the input of every table. Built from the
/// contacts, the resolved touches and the attribution; tables read nothing else.
public struct ReportData: Sendable {
    public var pilots: [Pilot]
    public var contacts: [Contact]
    /// Matched touches folded per (pilot, identity), with per-pilot totals (`ResolvedTouches`).
    public var folds: [TouchAgg]
    public var touchTotals: [PilotTouchTotals]
    public var matchedTouches: Int
    public var visitorCount: Int, emailCount: Int
    public var attribution: [Attribution?]
    public var asOf: Int64
    public var icpFields: [String]
    public var icpValues: ValueArena
    /// The contacts' `record_id` bytes (`recordId(of:)`).
    public var recordIds: [UInt8]
    public var tags: TagTable
    public var crmQuality: CRMQuality
    public var touchQuality: TouchQuality
    /// Per pilot: attributed contacts, baseline contacts, its folds that belong to a contact.
    public var leads: [[Int]] = []
    public var baseline: [[Int]] = []
    public var contactFolds: [[Int32]] = []
    /// Sourced, influenced and credited contacts per pilot and milestone (3.6).
    public var influence: Influence
    /// Per pilot: every metric's inputs over its leads and all its touches, computed once (the
    /// funnel, icp, cost and decision tables and report.html read them).
    public var snapshots: [Evaluator.Snapshot] = []

    public init(
        pilots: [Pilot], contacts c: Contacts, touches: ResolvedTouches, attribution: [Attribution?], asOf: Int64,
        influence settings: InfluenceSettings = InfluenceSettings(), threads: Int = allCores
    ) {
        self.pilots = pilots
        contacts = c.contacts
        folds = touches.aggs
        touchTotals = touches.totals
        matchedTouches = touches.matchedTouches
        visitorCount = touches.visitorCount
        emailCount = touches.emailCount
        contactFolds = touches.contactAggs
        self.attribution = attribution
        self.asOf = asOf
        icpFields = c.icpFields
        icpValues = c.values
        recordIds = c.recordIds
        tags = c.tags
        crmQuality = c.quality
        touchQuality = TouchQuality(touches: touches.touchRows, byEmail: touches.byEmail, byVisitor: touches.byVisitor)
        leads = Array(repeating: [], count: pilots.count)
        baseline = Array(repeating: [], count: pilots.count)
        for (i, a) in attribution.enumerated() { if let a { leads[a.pilot].append(i) } }
        // Flat window bounds: no Pilot struct copies in the per-contact loop.
        let starts = pilots.map(\.windowStart), ends = pilots.map(\.windowEnd)
        for (i, c) in contacts.enumerated() where attribution[i] == nil && c.createdAt <= asOf {
            for k in 0..<starts.count where c.createdAt >= starts[k] && c.createdAt < ends[k] { baseline[k].append(i) }
        }
        influence = Influence(
            Influence.Inputs(
                pilots: pilots, contacts: c.contacts, attribution: attribution, tags: c.tags, asOf: asOf, settings: settings,
                pointStart: touches.pointStart, pointPilots: touches.pointPilots, pointTimes: touches.pointTimes))
        let data = self
        let slots = ResultSlots<Evaluator.Snapshot>(count: pilots.count)
        concurrently(pilots.count, threads: threads) { k in
            slots.set(k, Evaluator(data, data.pilots[k]).snapshot(leads: data.leads[k], touches: .all))
        }
        snapshots = slots.values
    }

    /// A contact's `record_id` as text (the attribution table's column; invalid UTF-8 repaired).
    public func recordId(of c: Contact) -> String {
        String(decoding: recordIds[c.idStart..<c.idStart + Int(c.idLength)], as: UTF8.self)
    }
}
