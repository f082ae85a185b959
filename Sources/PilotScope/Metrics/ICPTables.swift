/// icp and icp_rules (Appendix A).
public enum ICPTables {
    public static func tables(_ d: ReportData) -> (Table, Table) {
        var t = Table("icp", ["pilot_id", "leads", "leads_icp", "lead_icp_rate", "sqm", "sqm_icp", "icp_match"])
        var r = Table("icp_rules", ["pilot_id", "rule", "leads_failing", "sqm_failing"])
        for p in d.pilots {
            let leads = d.leads[p.index]
            let k = d.snapshots[p.index].icp
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
}
