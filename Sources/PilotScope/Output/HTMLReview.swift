/// The decision-review template of a decided pilot, filled with every fact the data gives (what
/// held and failed with values, influence, friction with counts, SLA breaches, contested contacts,
/// the adjustment's before and after); only what a human must write is left as marked fields.
enum HTMLReview {
    typealias Page = HTMLReport.Page

    static func review(_ p: Pilot, _ page: Page, _ facts: PilotFacts, robustness: String) -> String {
        let d = page.row("decision", p.index), f = page.row("funnel", p.index * 2)
        let icp = page.row("icp", p.index), c = page.row("cost", p.index)
        var s = "<div class=\"review\"><h3>Decision review</h3>"
        s += "<h4>Hypothesis and outcome</h4><p>\(esc(p.hypothesis.isEmpty ? "(no hypothesis in the brief)" : p.hypothesis))</p>"
        s += "<p>Outcome: \(esc(d["primary_metric"])) = \(esc(d["primary_value"])) → <strong>\(esc(d["status"]))</strong>"
        s += d["final"] == "true" ? " (final)" : " (can still change)"
        let funnel = ["leads", "mql", "sqm", "opportunities", "won"].map { "\($0) \(f[$0])" }.joined(separator: ", ")
        let icpShare = (Double(icp["sqm"]) ?? 0) > 0 ? FactText.percent((Double(icp["sqm_icp"]) ?? 0) / (Double(icp["sqm"]) ?? 1)) : "undefined"
        s += ". Funnel: \(esc(funnel)); ICP match \(esc(icpShare))"
        s += "; cost \(esc(HTMLReport.costLine(c))).</p>"

        let judged = facts.scale.map { ($0, false) } + facts.stop.map { ($0, true) }
        let good = judged.filter { $0.0.lowSample == nil && ($0.1 ? !$0.0.held : $0.0.held) }
        let bad = judged.filter { $0.0.lowSample == nil && !($0.1 ? !$0.0.held : $0.0.held) }
        let low = judged.filter { $0.0.lowSample != nil }
        func lines(_ xs: [(PilotFacts.Judged, Bool)]) -> String {
            xs.map { "<li>\(esc(($1 ? "stop: " : "scale: ") + FactText.line($0, stop: $1, minSample: p.minSample)))</li>" }.joined()
        }
        s += "<h4>What worked</h4><ul>\(good.isEmpty ? "<li>No threshold went the pilot's way.</li>" : lines(good))</ul>"
        s += "<h4>What failed</h4><ul>\(bad.isEmpty && low.isEmpty ? "<li>No threshold failed.</li>" : lines(bad) + lines(low))</ul>"

        s += "<h4>Influence beyond sourcing</h4><ul>"
        for r in page.rows("influence", p) {
            let money = r[1].plain != "sqm"
            let line = "\(r[1].plain): sourced \(r[2].plain)\(money ? " (\(r[4].plain))" : ""), influenced \(r[3].plain)\(money ? " (\(r[5].plain))" : "")"
            s += "<li>\(esc(line))</li>"
        }
        s += "<li>\(esc(robustness))</li></ul>"

        s += "<h4>Operational friction</h4><ul>\(friction(p, page, d))</ul>"
        if !d["adjustment_date"].isEmpty {
            s += "<h4>Mid-pilot adjustment</h4><p>On \(esc(d["adjustment_date"])): \(esc(d["primary_metric"])) "
            s += "\(esc(d["primary_before_adjustment"].isEmpty ? "undefined" : d["primary_before_adjustment"])) from contacts created before, "
            s += "\(esc(d["primary_after_adjustment"].isEmpty ? "undefined" : d["primary_after_adjustment"])) from those created on or after it.</p>"
        }
        s += "<h4>Decision and owner</h4><div class=\"human\">the decision taken, who owns it, by when</div>"
        s += "<h4>What we learned that the data does not show</h4><div class=\"human\">partner feedback, sales team notes</div>"
        s += "<h4>Next pilot design changes</h4><div class=\"human\">what to change in the brief, the match rules or the thresholds</div>"
        return s + "</div>"
    }

    /// SLA breaches and pending contacts, contested contacts won and lost, tags missing or outside
    /// the window, the lead cap: every count that is not zero, or a line saying there was none.
    static func friction(_ p: Pilot, _ page: Page, _ d: HTMLReport.Row) -> String {
        var items: [String] = []
        for r in page.rows("sla", p) {
            let breached = r[4].plain, pending = r[5].plain
            if breached != "0" || pending != "0" {
                items.append("SLA \(r[1].plain) (\(r[2].plain) business hours): \(breached) breached, \(pending) pending, \(r[3].plain) met")
            }
        }
        func count(_ check: String) -> String { page.quality(p, check) }
        if count("contested_won") != "0" { items.append("contested contacts won over another pilot's claim: \(count("contested_won"))") }
        if count("contested_lost") != "0" { items.append("contacts this pilot touched that another pilot was credited with: \(count("contested_lost"))") }
        if count("missing_source_tag") != "0" { items.append("leads without the pilot's source tag in the CRM: \(count("missing_source_tag"))") }
        if count("tagged_outside_window") != "0" {
            items.append("contacts tagged for the pilot but created outside its window: \(count("tagged_outside_window"))")
        }
        if !d["cap_exceeded_by"].isEmpty && d["cap_exceeded_by"] != "0" { items.append("lead cap \(d["leads_cap"]) exceeded by \(d["cap_exceeded_by"])") }
        if items.isEmpty { return "<li>No SLA breach, contested contact or tagging problem recorded.</li>" }
        return items.map { "<li>\(esc($0))</li>" }.joined()
    }

    static func esc(_ s: String) -> String { HTMLReport.esc(s) }
}
