/// funnel, icp, icp_rules and cost (Appendix A).
public enum FunnelTables {
    public static func funnel(_ d: ReportData) -> Table {
        var t = Table("funnel", [
            "pilot_id", "cohort", "touches", "unique_visitors", "registrations", "attendees", "meetings_booked", "leads",
            "mql", "sqm", "opportunities", "won", "lost", "pipeline_amount", "won_amount", "lead_to_mql", "mql_to_sqm",
            "sqm_to_opportunity", "opportunity_to_won", "sqm_rate", "sqm_rate_low", "sqm_rate_high",
        ])
        for p in d.pilots {
            let e = Evaluator(d, p)
            for (cohort, k) in [("pilot", e.counts(leads: d.leads[p.index], touches: .all)),
                                ("baseline", e.counts(leads: d.baseline[p.index], touches: nil))] {
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

    public static func icp(_ d: ReportData) -> (Table, Table) {
        var t = Table("icp", ["pilot_id", "leads", "leads_icp", "lead_icp_rate", "sqm", "sqm_icp", "icp_match"])
        var r = Table("icp_rules", ["pilot_id", "rule", "leads_failing", "sqm_failing"])
        for p in d.pilots {
            let e = Evaluator(d, p)
            let leads = d.leads[p.index]
            let k = e.icp(leads: leads)
            t.add([
                .text(p.id), .int(leads.count), .int(k.leadsICP), .ratio(Double(k.leadsICP), Double(leads.count), 4),
                .int(k.sqm), .int(k.sqmICP), .ratio(Double(k.sqmICP), Double(k.sqm), 4),
            ])
            for (i, rule) in p.icp.enumerated() {
                r.add([.text(p.id), .text(rule.label), .int(k.leadsFailing[i]), .int(k.sqmFailing[i])])
            }
        }
        return (t, r)
    }

    public static func cost(_ d: ReportData) -> Table {
        var t = Table("cost", [
            "pilot_id", "currency", "total_cost", "leads", "sqm", "opportunities", "icp_sqm", "cost_per_lead", "cost_per_sqm",
            "cost_per_opportunity", "cost_per_icp_sqm",
        ])
        for p in d.pilots {
            let e = Evaluator(d, p)
            let k = e.counts(leads: d.leads[p.index], touches: nil)
            let icp = e.icp(leads: d.leads[p.index])
            let total = e.totalCost(k)
            t.add([
                .text(p.id), p.costs.currency.map(Cell.text) ?? .empty, .money(total), .int(k.leads), .int(k.sqm),
                .int(k.opportunities), .int(icp.sqmICP), .ratio(total, Double(k.leads), 2), .ratio(total, Double(k.sqm), 2),
                .ratio(total, Double(k.opportunities), 2), .ratio(total, Double(icp.sqmICP), 2),
            ])
        }
        return t
    }
}

/// velocity, sla and weekly (Appendix A).
public enum ProgressTables {
    static let transitions: [(String, Int?, Int)] = [
        // (name, from stage index or nil for created_at, to stage index)
        ("created_to_mql", nil, 0), ("mql_to_sqm", 0, 1), ("sqm_to_opportunity", 1, 2), ("opportunity_to_won", 2, 3),
        ("created_to_sqm", nil, 1), ("created_to_won", nil, 3),
    ]

    public static func velocity(_ d: ReportData) -> Table {
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

    public static func sla(_ d: ReportData) -> Table {
        var t = Table("sla", [
            "pilot_id", "clock", "target_business_hours", "met", "breached", "pending", "met_rate", "median_business_hours",
            "p90_business_hours",
        ])
        for p in d.pilots {
            guard let s = p.sla else { continue }
            let e = Evaluator(d, p)
            let (respond, schedule) = e.sla(leads: d.leads[p.index], touches: .all)
            for (clock, outcomes, target) in [("respond", respond, s.respond_business_hours), ("schedule", schedule, s.schedule_business_days.map { $0 * 24 })] {
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

    public static func weekly(_ d: ReportData) -> Table {
        var t = Table("weekly", ["pilot_id", "week_start", "leads", "mql", "sqm", "opportunities", "won", "touches", "meetings_booked"])
        for p in d.pilots {
            guard d.asOf >= p.windowStart else { continue }  // scheduled: no rows (B25)
            let e = Evaluator(d, p)
            let last = min(p.countingEnd - 1, d.asOf)
            func week(_ t: Int64) -> Int64 {
                let day = Civil.floorDiv(p.zone.local(fromUTC: Civil.floorDiv(t, 1000)), 86_400)
                return day - Int64(Civil.weekday(days: day))
            }
            let firstWeek = p.startDay - Int64(Civil.weekday(days: p.startDay))
            let lastWeek = week(last)
            guard lastWeek >= firstWeek else { continue }
            let n = Int((lastWeek - firstWeek) / 7) + 1
            var rows = Array(repeating: [Int](repeating: 0, count: 7), count: n)
            func slot(_ t: Int64) -> Int? {
                guard e.inCounting(t) else { return nil }
                let w = Int((week(t) - firstWeek) / 7)
                return w >= 0 && w < n ? w : nil
            }
            for i in d.leads[p.index] {
                let c = d.contacts[i]
                if let a = d.attribution[i], let w = slot(a.at) { rows[w][0] += 1 }
                for s in 0..<4 { if let w = slot(c.stages[s]) { rows[w][1 + s] += 1 } }
            }
            // Touches are inside the window and by as_of: each counts in its week.
            let totals = d.touchTotals[p.index]
            for (w, x) in totals.weekTouches.enumerated() where w < n { rows[w][5] = x }
            for (w, x) in totals.weekMeetings.enumerated() where w < n { rows[w][6] = x }
            for w in 0..<n {
                t.add([.text(p.id), .text(Civil.dateString(days: firstWeek + Int64(w) * 7))] + rows[w].map(Cell.int))
            }
        }
        return t
    }
}
