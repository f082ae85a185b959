/// quality (Appendix A, B26, B28): per file rows in naming order, then `all`, then per pilot.
public enum QualityTable {
    public static func table(_ d: ReportData, accounts: [FileAccount], footers: [Bool]) -> Table {
        var t = Table("quality", ["scope", "pilot_id", "check", "count"])
        for (a, footer) in zip(accounts, footers) { fileRows(a, footer: footer, into: &t) }
        let q = d.crmQuality, tq = d.touchQuality
        let all: [(String, Int)] = [
            ("contacts", d.contacts.count), ("duplicates_merged", q.recordsKept - d.contacts.count),
            ("contacts_without_email", d.contacts.filter { !$0.hasEmail }.count), ("touches", tq.touches),
            ("touches_by_email", tq.byEmail), ("touches_by_visitor", tq.byVisitor),
            ("touches_anonymous", tq.touches - tq.byEmail - tq.byVisitor), ("unknown_pilot_tag", q.unknownPilotTag),
            ("stage_before_created", q.stageBeforeCreated), ("history_unmapped_stage", q.historyUnmapped),
            ("history_unknown_record", q.historyUnknown),
        ]
        for (k, v) in all { t.add([.text("all"), .empty, .text(k), .int(v)]) }
        pilotRows(d, into: &t)
        return t
    }

    /// B26/B28: rows_read, rows_kept, blank_lines, footer_lines (footer files), then the non-zero
    /// rejects and bad values by check name.
    static func fileRows(_ a: FileAccount, footer: Bool, into t: inout Table) {
        t.add([.text(a.path), .empty, .text("rows_read"), .int(a.rowsRead)])
        t.add([.text(a.path), .empty, .text("rows_kept"), .int(a.rowsKept)])
        t.add([.text(a.path), .empty, .text("blank_lines"), .int(a.blankLines)])
        if footer { t.add([.text(a.path), .empty, .text("footer_lines"), .int(a.footerLines)]) }
        var checks = a.rejected.map { ("rejected:" + $0.key, $0.value) }
        checks += a.badValues.map { ($0.key, $0.value) }
        for (k, v) in checks.sorted(by: { $0.0 < $1.0 }) where v > 0 { t.add([.text(a.path), .empty, .text(k), .int(v)]) }
    }

    /// Per pilot: leads without the pilot's tag, tagged contacts created outside the window,
    /// contested contacts won and lost (B17, B26).
    static func pilotRows(_ d: ReportData, into t: inout Table) {
        var contestedLost = Array(repeating: 0, count: d.pilots.count)
        for a in d.attribution { if let a { for p in a.contestedWith { contestedLost[p] += 1 } } }
        var outsideWindow = Array(repeating: 0, count: d.pilots.count)
        let starts = d.pilots.map(\.windowStart), ends = d.pilots.map(\.windowEnd)
        for c in d.contacts where c.tagIndex >= 0 {
            for p in d.tags.pilots[Int(c.tagIndex)] where c.createdAt < starts[p] || c.createdAt >= ends[p] { outsideWindow[p] += 1 }
        }
        for p in d.pilots {
            let leads = d.leads[p.index]
            // Only a pilot whose brief names a source tag can have leads missing it.
            let missingTag =
                p.sourceTags.isEmpty
                ? 0
                : leads.filter { i in
                    d.attribution[i]!.rule != .tag && !d.tags.pilotHasTag(d.contacts[i].tagIndex, p.index)
                }.count
            let won = leads.filter { !d.attribution[$0]!.contestedWith.isEmpty }.count
            for (k, v) in [
                ("missing_source_tag", missingTag), ("tagged_outside_window", outsideWindow[p.index]), ("contested_won", won),
                ("contested_lost", contestedLost[p.index]),
            ] {
                t.add([.text("all"), .text(p.id), .text(k), .int(v)])
            }
        }
    }
}
