/// attribution (Appendix A): why each contact counts where it does.
public enum AttributionTable {
    public static func table(_ d: ReportData) -> Table {
        var t = Table("attribution", ["pilot_id", "record_id", "rule", "evidence", "attributed_at", "contested_with"])
        for p in d.pilots {
            // Ties on the second go by the record_id as written (invalid UTF-8 repaired), as read.
            let rows = d.leads[p.index].map { (d.recordId(of: d.contacts[$0]), d.attribution[$0]!) }.sorted { a, b in
                let ta = Civil.floorDiv(a.1.at, 1000), tb = Civil.floorDiv(b.1.at, 1000)
                if ta != tb { return ta < tb }
                return a.0.utf8.lexicographicallyPrecedes(b.0.utf8)
            }
            for (id, a) in rows {
                t.add([
                    .text(p.id), .text(id), .text(a.rule.name), .text(a.evidence), .text(Civil.isoString(millis: a.at)),
                    a.contestedWith.isEmpty ? .empty : .text(a.contestedWith.map { d.pilots[$0].id }.joined(separator: "|")),
                ])
            }
        }
        return t
    }
}
