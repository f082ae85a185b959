/// weekly (Appendix A, B25).
public enum WeeklyTable {
    public static func table(_ d: ReportData) -> Table {
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
                for s in Stage.funnel { if let w = slot(c.stages[s]) { rows[w][1 + s.index] += 1 } }
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
