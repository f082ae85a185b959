/// funnel (Appendix A): counts, rates and the Wilson interval per pilot and its baseline.
public enum FunnelTable {
    public static func table(_ d: ReportData) -> Table {
        var t = Table(
            "funnel",
            [
                "pilot_id", "cohort", "touches", "unique_visitors", "registrations", "attendees", "meetings_booked", "leads",
                "mql", "sqm", "opportunities", "won", "lost", "pipeline_amount", "won_amount", "lead_to_mql", "mql_to_sqm",
                "sqm_to_opportunity", "opportunity_to_won", "sqm_rate", "sqm_rate_low", "sqm_rate_high",
            ])
        for p in d.pilots {
            let e = Evaluator(d, p)
            for (cohort, k) in [
                ("pilot", d.snapshots[p.index].counts),
                ("baseline", e.counts(leads: d.baseline[p.index], touches: nil)),
            ] {
                let w = Stats.wilson(k.sqm, k.leads)
                let opt: (Int?) -> Cell = { $0.map(Cell.int) ?? .empty }
                t.add([
                    .text(p.id), .text(cohort), opt(k.touches), opt(k.uniqueVisitors), opt(k.registrations), opt(k.attendees),
                    opt(k.meetingsBooked), .int(k.leads), .int(k.mql), .int(k.sqm), .int(k.opportunities), .int(k.won),
                    .int(k.lost), .money(k.pipelineAmount), .money(k.wonAmount),
                    .ratio(Double(k.mql), Double(k.leads), 4), .ratio(Double(k.sqm), Double(k.mql), 4),
                    .ratio(Double(k.opportunities), Double(k.sqm), 4), .ratio(Double(k.won), Double(k.opportunities), 4),
                    .ratio(Double(k.sqm), Double(k.leads), 4), .rate(w?.0), .rate(w?.1),
                ])
            }
        }
        return t
    }
}
