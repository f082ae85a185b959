/// sla (Appendix A, B21).
public enum SLATable {
    public static func table(_ d: ReportData) -> Table {
        var t = Table(
            "sla",
            [
                "pilot_id", "clock", "target_business_hours", "met", "breached", "pending", "met_rate", "median_business_hours",
                "p90_business_hours",
            ])
        for p in d.pilots {
            guard let s = p.sla else { continue }
            let e = Evaluator(d, p)
            let (respond, schedule) = e.sla(leads: d.leads[p.index], touches: .all)
            for (clock, outcomes, target) in [("respond", respond, s.respondHours), ("schedule", schedule, s.scheduleDays.map { $0 * 24 })] {
                guard let outcomes, let target else { continue }
                var met = 0, breached = 0, pending = 0
                var hours: [Double] = []
                for o in outcomes {
                    switch o {
                    case .met(let h): met += 1; hours.append(h)
                    case .breached(let h): breached += 1; if let h { hours.append(h) }
                    case .pending: pending += 1
                    }
                }
                hours.sort()
                t.add([
                    .text(p.id), .text(clock), .fixed(target, 2), .int(met), .int(breached), .int(pending),
                    .ratio(Double(met), Double(met + breached), 4), .money(Stats.percentile(hours, 0.5)),
                    .money(Stats.percentile(hours, 0.9)),
                ])
            }
        }
        return t
    }
}
