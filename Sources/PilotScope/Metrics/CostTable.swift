/// cost (Appendix A, B23).
public enum CostTable {
    public static func table(_ d: ReportData) -> Table {
        var t = Table(
            "cost",
            [
                "pilot_id", "currency", "total_cost", "leads", "sqm", "opportunities", "icp_sqm", "cost_per_lead", "cost_per_sqm",
                "cost_per_opportunity", "cost_per_icp_sqm",
            ])
        for p in d.pilots {
            let e = Evaluator(d, p)
            let k = d.snapshots[p.index].counts, icp = d.snapshots[p.index].icp
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
