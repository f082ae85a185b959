/// influence and credit (SPEC 3.6, Appendix A): one row per pilot and milestone, and per pilot,
/// milestone and model, zeros included.
public enum InfluenceTables {
    public static func tables(_ d: ReportData) -> [Table] {
        var influence = Table("influence", ["pilot_id", "milestone", "sourced", "influenced", "sourced_amount", "influenced_amount"])
        var credit = Table("credit", ["pilot_id", "milestone", "model", "credit", "credited_amount"])
        for p in d.pilots {
            let mine = d.influence.pilots[p.index]
            for m in Milestone.allCases {
                let k = mine.counts[m.rawValue]
                let money = { (v: Double) in m.hasAmount ? Cell.money(v) : .empty }
                influence.add([.text(p.id), .text(m.name), .int(k.sourced), .int(k.influenced), money(k.sourcedAmount), money(k.influencedAmount)])
                for model in CreditModel.allCases {
                    credit.add([.text(p.id), .text(m.name), .text(model.rawValue), .rate(mine.credit(m, model)), money(mine.creditedAmount(m, model))])
                }
            }
        }
        return [influence, credit]
    }
}
