/// velocity (Appendix A, B19, B20).
public enum VelocityTable {
    /// (name, from stage or nil for created_at, to stage), in the schema's order.
    static let transitions: [(String, Stage?, Stage)] = [
        ("created_to_mql", nil, .mql), ("mql_to_sqm", .mql, .sqm), ("sqm_to_opportunity", .sqm, .opportunity),
        ("opportunity_to_won", .opportunity, .won), ("created_to_sqm", nil, .sqm), ("created_to_won", nil, .won),
    ]

    public static func table(_ d: ReportData) -> Table {
        var t = Table("velocity", ["pilot_id", "cohort", "transition", "n", "mean_days", "median_days", "p75_days", "p90_days"])
        for p in d.pilots {
            let e = Evaluator(d, p)
            for (cohort, members) in [("pilot", d.leads[p.index]), ("baseline", d.baseline[p.index])] {
                for (name, from, to) in transitions {
                    var xs: [Double] = []
                    for i in members {
                        let c = d.contacts[i]
                        let a = from.map { c.stages[$0] } ?? c.createdAt
                        let b = c.stages[to]
                        // Both inside the counting window (B19: created before the window is out), b ≥ a.
                        guard e.inCounting(a), e.inCounting(b), b >= a else { continue }
                        xs.append(Double(b - a) / 86_400_000)
                    }
                    xs.sort()
                    t.add([
                        .text(p.id), .text(cohort), .text(name), .int(xs.count), .days(Stats.mean(xs)),
                        .days(Stats.percentile(xs, 0.5)), .days(Stats.percentile(xs, 0.75)), .days(Stats.percentile(xs, 0.9)),
                    ])
                }
            }
        }
        return t
    }
}
