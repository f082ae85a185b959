import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG; no network, fonts or scripts) that
/// mirrors each pilot's one-page brief, its verdict and the thresholds that decided it, with
/// charts, a data-quality panel and a pre-filled decision-review template.
public enum HTMLReport {
    /// The page from the tables and the pilots' briefs only.
    public static func render(tables: [Table], pilots: [Pilot], asOf: Int64, title: String = "Partnership pilots") -> String {
        let t = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
        var body = "<header><h1>\(esc(title))</h1><p>As of \(esc(Civil.isoString(millis: asOf))) · PilotScope \(esc(PilotScopeVersion.string))</p></header>\n"
        body += overview(pilots, t)
        for p in pilots { body += section(p, t) }
        body += quality(t["quality"]!)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title><style>\(css)</style></head>
            <body>
            \(body)
            </body></html>

            """
    }

    // MARK: Pieces

    static func overview(_ pilots: [Pilot], _ t: [String: Table]) -> String {
        var rows = ""
        for (i, p) in pilots.enumerated() {
            let d = Row(t["decision"]!, i)
            rows +=
                "<tr><td><a href=\"#\(esc(p.id))\">\(esc(p.name))</a></td><td>\(esc(p.motion.rawValue))</td><td>\(badge(d["status"]))</td>"
                + "<td>\(esc(d["primary_metric"])) = \(esc(d["primary_value"]))</td><td>\(d["final"] == "true" ? "final" : "can change")</td></tr>"
        }
        return
            "<section class=\"card\"><h2>Overview</h2><table><tr><th>Pilot</th><th>Motion</th><th>Verdict</th><th>Primary metric</th><th>Verdict is</th></tr>\(rows)</table></section>\n"
    }

    static func section(_ p: Pilot, _ t: [String: Table]) -> String {
        let d = Row(t["decision"]!, p.index)
        let f = Row(t["funnel"]!, p.index * 2), b = Row(t["funnel"]!, p.index * 2 + 1)
        let icp = Row(t["icp"]!, p.index)
        var s = "<section class=\"card pilot\" id=\"\(esc(p.id))\"><h2>\(esc(p.name)) \(badge(d["status"]))</h2>\n"
        s += "<dl class=\"brief\">"
        s += item("Hypothesis", p.hypothesis.isEmpty ? "—" : p.hypothesis)
        s += item("Motion", p.motion.rawValue) + item("Partner", p.partner.isEmpty ? "—" : p.partner) + item("Segment", p.segment.isEmpty ? "—" : p.segment)
        s += item("Window", "\(Civil.dateString(days: p.startDay)) – \(Civil.dateString(days: p.endDay)) (\(p.zone.identifier)), grace \(p.graceDays) days")
        s += item("Primary metric", p.primaryMetric.rawValue)
        s += item("Scale if", p.scale.isEmpty ? "—" : p.scale.map(\.text).joined(separator: " and "))
        s += item("Stop if", p.stop.isEmpty ? "—" : p.stop.map(\.text).joined(separator: " or "))
        s += "</dl>\n"
        s +=
            "<p class=\"verdict\">Verdict: <strong>\(esc(d["status"]))</strong>\(d["final"] == "true" ? " (final)" : " (the counting window is still open: it can change)"). "
        s +=
            "Held: \(esc(d["scale_held"].isEmpty ? "no scale threshold" : d["scale_held"])); \(esc(d["stop_held"].isEmpty ? "no stop threshold" : d["stop_held"]))."
        if !d["low_sample"].isEmpty { s += " Too few to judge: \(esc(d["low_sample"]))." }
        if !d["pace"].isEmpty { s += " Pace to the end of the window: \(esc(d["pace"]))." }
        if !d["cap_exceeded_by"].isEmpty && d["cap_exceeded_by"] != "0" { s += " Lead cap exceeded by \(esc(d["cap_exceeded_by"]))." }
        s += "</p>\n<div class=\"charts\">"
        s += chart("Funnel: pilot vs baseline", funnelChart(f, b))
        s += chart("Weekly progress (cumulative \(p.primaryMetric.rawValue))", weeklyChart(p, t))
        s += chart("Velocity: median days", velocityChart(p, t))
        s += chart("ICP match", gauge(icp["icp_match"], threshold(p, .icp_match)))
        s += chart("SLA met rate", slaChart(p, t))
        s += chart("Sourced vs influenced", influenceChart(p, t))
        s += "</div>\n"
        s += credit(p, t)
        if ["scale", "iterate", "stop"].contains(d["status"]) { s += review(p, d, f, icp, t) }
        return s + "</section>\n"
    }

    static func review(_ p: Pilot, _ d: Row, _ f: Row, _ icp: Row, _ t: [String: Table]) -> String {
        let held = (p.scale + p.stop).filter { d["scale_held"].contains($0.text) || d["stop_held"].contains($0.text) }.map(\.text)
        let missed = p.scale.map(\.text).filter { !held.contains($0) }
        let q = t["quality"]!.rows.filter { $0[1] == .text(p.id) }.map { ($0[2].plain, $0[3].plain) }
        let friction = q.filter { $0.1 != "0" }.map { "\($0.0.replacingOccurrences(of: "_", with: " ")): \($0.1)" }
        var s = "<div class=\"review\"><h3>Decision review</h3>"
        s +=
            "<h4>Hypothesis and outcome</h4><p>\(esc(p.hypothesis))</p><p>Outcome: \(esc(d["primary_metric"])) = \(esc(d["primary_value"])) with \(esc(f["leads"])) leads, \(esc(f["sqm"])) SQMs, ICP match \(esc(pct(icp["icp_match"]))) → <strong>\(esc(d["status"]))</strong>.</p>"
        s += "<h4>What worked</h4><ul>\(held.isEmpty ? "<li>…</li>" : held.map { "<li>\(esc($0)) held</li>" }.joined())<li class=\"blank\">…</li></ul>"
        s += "<h4>What failed</h4><ul>\(missed.isEmpty ? "" : missed.map { "<li>\(esc($0)) did not hold</li>" }.joined())<li class=\"blank\">…</li></ul>"
        s += "<h4>Operational friction</h4><ul>\(friction.map { "<li>\(esc($0))</li>" }.joined())\(slaFriction(p, t))<li class=\"blank\">…</li></ul>"
        s += "<h4>Next pilot design changes</h4><ul><li class=\"blank\">…</li><li class=\"blank\">…</li></ul></div>"
        return s
    }

    static func slaFriction(_ p: Pilot, _ t: [String: Table]) -> String {
        t["sla"]!.rows.filter { $0[0] == .text(p.id) }.map { "<li>SLA \(esc($0[1].plain)): \(esc($0[4].plain)) breached, \(esc($0[5].plain)) pending</li>" }
            .joined()
    }

    static func quality(_ q: Table) -> String {
        var rows = ""
        for r in q.rows {
            rows += "<tr><td>\(esc(r[0].plain))</td><td>\(esc(r[1].plain))</td><td>\(esc(r[2].plain))</td><td class=\"num\">\(esc(r[3].plain))</td></tr>"
        }
        return
            "<section class=\"card\"><h2>Data quality</h2><table><tr><th>Scope</th><th>Pilot</th><th>Check</th><th>Count</th></tr>\(rows)</table></section>\n"
    }

    // MARK: Influence and credit (3.6)

    /// The credit comparison across the five models, and whether the verdict survives each.
    static func credit(_ p: Pilot, _ t: [String: Table]) -> String {
        let rows = t["credit"]!.rows.filter { $0[0] == .text(p.id) }
        var s = "<div class=\"credit\"><h3>Credit by model</h3><table><tr><th>Milestone</th>"
        s += CreditModel.allCases.map { "<th class=\"num\">\($0.rawValue.replacingOccurrences(of: "_", with: " "))</th>" }.joined() + "</tr>"
        for m in Milestone.allCases {
            s += "<tr><td>\(m.name)</td>"
            for model in CreditModel.allCases {
                let r = rows.first { $0[1] == .text(m.name) && $0[2] == .text(model.rawValue) }
                s += "<td class=\"num\">\(esc(r?[3].plain ?? ""))</td>"
            }
            s += "</tr>"
        }
        return s + "</table><p class=\"note\">\(esc(robustness(p, t)))</p></div>\n"
    }

    /// One sentence: the verdict if each model's credited value replaced the primary metric's
    /// sourced value, other thresholds as the decision table has them.
    static func robustness(_ p: Pilot, _ t: [String: Table]) -> String {
        let d = Row(t["decision"]!, p.index)
        guard ["scale", "iterate", "stop"].contains(d["status"]) else { return "The verdict is not reached yet: credit is shown for information." }
        let columns: [Metric: (Milestone, Int)] = [
            .sqm: (.sqm, 3), .opportunities: (.opportunity, 3), .won: (.won, 3), .pipeline_amount: (.opportunity, 4), .won_amount: (.won, 4),
        ]
        let m = p.primaryMetric
        guard let (milestone, column) = columns[m] else {
            return "The primary metric \(m.rawValue) does not depend on credit: \(d["status"]) under all five models."
        }
        let scaleHeld = Set(d["scale_held"].components(separatedBy: "; ")), stopHeld = Set(d["stop_held"].components(separatedBy: "; "))
        var byVerdict: [(String, [String])] = []
        for model in CreditModel.allCases {
            let row = t["credit"]!.rows.first { $0[0] == .text(p.id) && $0[1] == .text(milestone.name) && $0[2] == .text(model.rawValue) }
            let value = MetricValue.money(Double(row?[column].plain ?? "") ?? 0)
            func held(_ th: Threshold, _ set: Set<String>) -> Bool { th.metric == m ? th.holds(value) : set.contains(th.text) }
            let verdict =
                p.stop.contains { held($0, stopHeld) } ? "stop" : p.hasScaleList && p.scale.allSatisfy({ held($0, scaleHeld) }) ? "scale" : "iterate"
            let name = model.rawValue.replacingOccurrences(of: "_", with: "-")
            if let i = byVerdict.firstIndex(where: { $0.0 == verdict }) { byVerdict[i].1.append(name) } else { byVerdict.append((verdict, [name])) }
        }
        if byVerdict.count == 1 { return "With \(m.rawValue) credited instead of sourced: \(byVerdict[0].0) under all five models." }
        return "With \(m.rawValue) credited instead of sourced: "
            + byVerdict.map { "\($0.0) under \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
            + " (credit is shared with other pilots' touchpoints)."
    }

    static func influenceChart(_ p: Pilot, _ t: [String: Table]) -> String {
        let rows = t["influence"]!.rows.filter { $0[0] == .text(p.id) }
        let sourced = rows.map { Double($0[2].plain) ?? 0 }, influenced = rows.map { Double($0[3].plain) ?? 0 }
        let maxV = max(1, (sourced + influenced).max() ?? 1)
        var g = ""
        for (i, r) in rows.enumerated() {
            let y = 8 + i * 26
            g += "<text x=\"0\" y=\"\(y + 14)\" class=\"lbl\">\(esc(r[1].plain))</text>"
            g += bar(x: 90, y: y, w: sourced[i] / maxV * 200, h: 10, cls: "pilot", label: r[2].plain)
            g += bar(x: 90, y: y + 11, w: influenced[i] / maxV * 200, h: 10, cls: "infl", label: r[3].plain)
        }
        return svg(340, 90, g)
            + "<p class=\"legend\"><span class=\"key pilot\"></span>sourced <span class=\"key infl\"></span>influenced (touched, sourced elsewhere)</p>"
    }

    // MARK: Charts (inline SVG)

    static func funnelChart(_ f: Row, _ b: Row) -> String {
        let stages = ["leads", "mql", "sqm", "opportunities", "won"]
        let pv = stages.map { Double(f[$0]) ?? 0 }, bv = stages.map { Double(b[$0]) ?? 0 }
        let maxV = max(1, (pv + bv).max() ?? 1)
        var g = ""
        for (i, s) in stages.enumerated() {
            let y = 8 + i * 26
            g += "<text x=\"0\" y=\"\(y + 14)\" class=\"lbl\">\(s)</text>"
            g += bar(x: 90, y: y, w: pv[i] / maxV * 200, h: 10, cls: "pilot", label: f[s])
            g += bar(x: 90, y: y + 11, w: bv[i] / maxV * 200, h: 10, cls: "base", label: b[s])
        }
        return svg(340, 140, g) + legend()
    }

    static func weeklyChart(_ p: Pilot, _ t: [String: Table]) -> String {
        let column: String? = [
            "leads": "leads", "mql": "mql", "sqm": "sqm", "opportunities": "opportunities", "won": "won", "touches": "touches",
            "meetings_booked": "meetings_booked",
        ][p.primaryMetric.rawValue]
        let weeks = t["weekly"]!.rows.filter { $0[0] == .text(p.id) }
        guard let column, !weeks.isEmpty else { return "<p class=\"note\">No weekly series for this metric\(weeks.isEmpty ? " yet" : "").</p>" }
        let ci = t["weekly"]!.columns.firstIndex(of: column)!
        var cum: [Double] = []
        var total = 0.0
        for w in weeks { total += Double(w[ci].plain) ?? 0; cum.append(total) }
        let target = threshold(p, p.primaryMetric).flatMap(Double.init)
        let totalWeeks = Double(max(weeks.count, Int((p.endDay - p.startDay) / 7) + 1))
        let maxV = max(1, max(cum.max() ?? 1, target ?? 0))
        let W = 300.0, H = 110.0
        func x(_ i: Double) -> Double { 30 + i / max(1, totalWeeks - 1) * (W - 40) }
        func y(_ v: Double) -> Double { H - 10 - v / maxV * (H - 25) }
        var g = "<line x1=\"30\" y1=\"\(y(0))\" x2=\"\(W - 10)\" y2=\"\(y(0))\" class=\"axis\"/>"
        if let target {
            g +=
                "<line x1=\"30\" y1=\"\(fmt(y(target)))\" x2=\"\(W - 10)\" y2=\"\(fmt(y(target)))\" class=\"threshold\"/><text x=\"\(W - 10)\" y=\"\(fmt(y(target) - 3))\" class=\"lbl end\">threshold \(fmt(target))</text>"
            let windowWeeks = Double(p.endDay - p.startDay) / 7
            g += "<line x1=\"\(x(0))\" y1=\"\(y(0))\" x2=\"\(fmt(x(windowWeeks)))\" y2=\"\(fmt(y(target)))\" class=\"pace\"/>"
        }
        let pts = cum.enumerated().map { "\(fmt(x(Double($0.offset)))),\(fmt(y($0.element)))" }.joined(separator: " ")
        g += "<polyline points=\"\(pts)\" class=\"series\"/>"
        for (i, v) in cum.enumerated() { g += "<circle cx=\"\(fmt(x(Double(i))))\" cy=\"\(fmt(y(v)))\" r=\"2.5\" class=\"dot\"/>" }
        g +=
            "<text x=\"30\" y=\"\(H)\" class=\"lbl\">\(esc(weeks.first![1].plain))</text><text x=\"\(W - 10)\" y=\"\(H)\" class=\"lbl end\">\(esc(weeks.last![1].plain))</text>"
        return svg(Int(W), Int(H) + 4, g) + "<p class=\"note\">dashed: linear pace to the threshold at the window's end</p>"
    }

    static func velocityChart(_ p: Pilot, _ t: [String: Table]) -> String {
        let v = t["velocity"]!
        let mine = v.rows.filter { $0[0] == .text(p.id) }
        let names = ["created_to_mql", "mql_to_sqm", "sqm_to_opportunity", "opportunity_to_won"]
        func median(_ cohort: String, _ n: String) -> Double? {
            mine.first { $0[1] == .text(cohort) && $0[2] == .text(n) }.flatMap { Double($0[5].plain) }
        }
        let maxV = max(1, names.flatMap { [median("pilot", $0) ?? 0, median("baseline", $0) ?? 0] }.max() ?? 1)
        var g = ""
        for (i, n) in names.enumerated() {
            let y = 8 + i * 26
            g += "<text x=\"0\" y=\"\(y + 14)\" class=\"lbl\">\(n.replacingOccurrences(of: "_to_", with: "→"))</text>"
            g += bar(x: 120, y: y, w: (median("pilot", n) ?? 0) / maxV * 170, h: 10, cls: "pilot", label: median("pilot", n).map { fmt($0) } ?? "–")
            g += bar(x: 120, y: y + 11, w: (median("baseline", n) ?? 0) / maxV * 170, h: 10, cls: "base", label: median("baseline", n).map { fmt($0) } ?? "–")
        }
        return svg(340, 115, g) + legend()
    }

    static func slaChart(_ p: Pilot, _ t: [String: Table]) -> String {
        let rows = t["sla"]!.rows.filter { $0[0] == .text(p.id) }
        if rows.isEmpty { return "<p class=\"note\">No SLA in this pilot's brief.</p>" }
        return rows.map { "<p class=\"lbl\">\(esc($0[1].plain)) (target \(esc($0[2].plain)) business hours)</p>" + gauge($0[6].plain, nil) }.joined()
    }

    /// A 0–100 % bar with an optional threshold marker.
    static func gauge(_ value: String, _ threshold: String?) -> String {
        guard let v = Double(value) else { return "<p class=\"note\">Not defined yet (no denominator).</p>" }
        var g =
            "<rect x=\"0\" y=\"6\" width=\"300\" height=\"16\" class=\"track\"/><rect x=\"0\" y=\"6\" width=\"\(fmt(v * 300))\" height=\"16\" class=\"pilot\"/>"
        g += "<text x=\"\(fmt(min(v * 300 + 4, 270)))\" y=\"19\" class=\"lbl\">\(pct(value))</text>"
        if let th = threshold.flatMap(Double.init) {
            g +=
                "<line x1=\"\(fmt(th * 300))\" y1=\"2\" x2=\"\(fmt(th * 300))\" y2=\"26\" class=\"threshold\"/><text x=\"\(fmt(th * 300))\" y=\"36\" class=\"lbl mid\">\(fmt(th * 100))%</text>"
        }
        return svg(310, 40, g)
    }

    /// The value of the first threshold on `metric` (scale first), as a plain number (fraction for rates).
    static func threshold(_ p: Pilot, _ metric: Metric) -> String? {
        (p.scale + p.stop).first { $0.metric == metric }.map { fmt($0.numerator / $0.denominator) }
    }

    // MARK: Helpers

    struct Row {
        let table: Table
        let index: Int
        init(_ t: Table, _ i: Int) { table = t; index = i }
        subscript(_ column: String) -> String {
            guard index < table.rows.count, let c = table.columns.firstIndex(of: column) else { return "" }
            return table.rows[index][c].plain
        }
    }

    static func esc(_ s: String) -> String {
        var o = ""
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(ch)
            }
        }
        return o
    }

    static func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%.2f", v) }
    static func pct(_ s: String) -> String { Double(s).map { String(format: "%.0f%%", $0 * 100) } ?? "–" }
    static func item(_ k: String, _ v: String) -> String { "<dt>\(esc(k))</dt><dd>\(esc(v))</dd>" }
    static func badge(_ status: String) -> String { "<span class=\"badge \(esc(status))\">\(esc(status))</span>" }
    static func chart(_ title: String, _ content: String) -> String { "<figure class=\"chart\"><figcaption>\(esc(title))</figcaption>\(content)</figure>" }
    static func svg(_ w: Int, _ h: Int, _ g: String) -> String { "<svg viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\">\(g)</svg>" }
    static func legend() -> String { "<p class=\"legend\"><span class=\"key pilot\"></span>pilot <span class=\"key base\"></span>baseline</p>" }
    static func bar(x: Int, y: Int, w: Double, h: Int, cls: String, label: String) -> String {
        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(fmt(max(w, 0.5)))\" height=\"\(h)\" class=\"\(cls)\"/><text x=\"\(fmt(Double(x) + max(w, 0.5) + 3))\" y=\"\(y + h - 1)\" class=\"val\">\(esc(label))</text>"
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:0 auto;max-width:1100px;padding:16px;background:#f6f7f9}
        header h1{margin:0 0 4px}header p{margin:0 0 16px;color:#5b6472}
        .card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin:0 0 18px;break-inside:avoid}
        h2{margin:0 0 10px;font-size:20px}h3{margin:14px 0 4px}h4{margin:10px 0 2px;font-size:14px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3}td.num{text-align:right}
        .brief{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}.brief dt{color:#5b6472}.brief dd{margin:0}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;vertical-align:middle;background:#e8ebf0}
        .badge.scale{background:#d8f3dc;color:#1b5e20}.badge.stop{background:#fde2e1;color:#8b1a10}.badge.iterate{background:#fff1cc;color:#6b4e00}
        .badge.running{background:#dbe8ff;color:#173d8a}.badge.scheduled{background:#eee;color:#555}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:12px}
        figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}svg{max-width:100%;height:auto}
        .pilot{fill:#2f6fdf}.base{fill:#b8c2d1}.infl{fill:#e08a2c}.key.infl{background:#e08a2c}.track{fill:#eceff3}.axis{stroke:#9aa3b2}.threshold{stroke:#d0342c;stroke-width:1.5}
        .pace{stroke:#6b7686;stroke-dasharray:4 3}.series{fill:none;stroke:#2f6fdf;stroke-width:2}.dot{fill:#2f6fdf}
        .lbl,.val{font-size:11px;fill:#3b4452}.end{text-anchor:end}.mid{text-anchor:middle}p.lbl{margin:6px 0 0;font-size:12px}
        .legend{font-size:12px;color:#5b6472;margin:2px 0}.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}.key.pilot{background:#2f6fdf}.key.base{background:#b8c2d1}
        .note{font-size:12px;color:#5b6472}.verdict{margin:6px 0 10px}
        .review{border-top:1px dashed #c9cfd8;margin-top:12px}.review li.blank{color:#9aa3b2}
        @media print{body{background:#fff;max-width:none}.card{border:none;padding:0 0 12px}.charts{grid-template-columns:1fr 1fr}a{color:inherit;text-decoration:none}}
        """
}
