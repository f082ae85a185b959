import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG; no network, fonts or scripts) a
/// partnership manager decides from: per pilot its brief and cost, every threshold with its value,
/// charts with axes (funnel rates with Wilson intervals, weekly progress, velocity, ICP, SLA,
/// sourced vs influenced), credit by model, and a decision-review template filled with the facts
/// the data gives; then a data-quality summary with the full table behind a disclosure. Prints on
/// A4 (a print stylesheet: one pilot a page).
public enum HTMLReport {
    public static func render(_ r: ReportResult, title: String = "Partnership pilots") -> String {
        render(tables: r.tables, data: r.data, title: title)
    }

    static func render(tables: [Table], data: ReportData, title: String) -> String {
        let page = Page(t: Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) }), d: data)
        var body =
            "<header><h1>\(esc(title))</h1><p>As of \(esc(Civil.isoString(millis: data.asOf))) · PilotScope \(esc(PilotScopeVersion.string))</p></header>\n"
        body += overview(page)
        for p in data.pilots { body += section(p, page) }
        body += quality(page)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(esc(title))</title><style>\(css)</style></head>
            <body>
            \(body)
            </body></html>

            """
    }

    /// The run's tables by name, and the report data behind them.
    struct Page {
        let t: [String: Table]
        let d: ReportData

        func table(_ name: String) -> Table { t[name]! }
        /// The rows of a per-pilot table that belong to pilot p.
        func rows(_ name: String, _ p: Pilot) -> [[Cell]] { table(name).rows.filter { $0[0] == .text(p.id) } }
        func row(_ name: String, _ i: Int) -> Row { Row(table(name), i) }
        /// A per-pilot count of the quality table (0 when absent).
        func quality(_ p: Pilot, _ check: String) -> String {
            table("quality").rows.first { $0[1] == .text(p.id) && $0[2] == .text(check) }?[3].plain ?? "0"
        }
        /// The pilot's brand in prose: its partner when the brief names one, else its name.
        func partner(_ i: Int) -> String { d.pilots[i].partner.isEmpty ? d.pilots[i].name : d.pilots[i].partner }
    }

    // MARK: Overview

    static func overview(_ page: Page) -> String {
        var rows = ""
        for (i, p) in page.d.pilots.enumerated() {
            let d = page.row("decision", i), c = page.row("cost", i)
            rows += "<tr><td><a href=\"#\(esc(p.id))\">\(esc(p.name))</a></td><td>\(esc(p.motion.rawValue))</td><td>\(badge(d["status"]))</td>"
            rows += "<td>\(esc(d["primary_metric"])) = \(esc(d["primary_value"]))</td>"
            rows += "<td class=\"num\">\(esc(money(c["total_cost"], c["currency"])))</td><td class=\"num\">\(esc(money(c["cost_per_sqm"], c["currency"])))</td>"
            rows += "<td>\(d["final"] == "true" ? "final" : "can change")</td></tr>"
        }
        return "<section class=\"card\"><h2>Overview</h2><table><tr><th>Pilot</th><th>Motion</th><th>Verdict</th><th>Primary metric</th>"
            + "<th class=\"num\">Cost</th><th class=\"num\">Cost per SQM</th><th>Verdict is</th></tr>\(rows)</table></section>\n"
    }

    // MARK: One pilot

    static func section(_ p: Pilot, _ page: Page) -> String {
        let d = page.row("decision", p.index), c = page.row("cost", p.index)
        let facts = PilotFacts(page.d, p)
        var s = "<section class=\"card pilotcard\" id=\"\(esc(p.id))\"><h2>\(esc(p.name)) \(badge(d["status"]))</h2>\n<dl class=\"brief\">"
        s += item("Hypothesis", p.hypothesis.isEmpty ? "—" : p.hypothesis)
        s += item("Motion", p.motion.rawValue) + item("Partner", p.partner.isEmpty ? "—" : p.partner) + item("Segment", p.segment.isEmpty ? "—" : p.segment)
        s += item("Window", "\(Civil.dateString(days: p.startDay)) – \(Civil.dateString(days: p.endDay)) (\(p.zone.identifier)), grace \(p.graceDays) days")
        s += item("Cost", costLine(c))
        s += item("Primary metric", p.primaryMetric.rawValue)
        s += "</dl>\n"
        s += verdict(p, d, facts)
        s += "<div class=\"charts\">"
        s += chart("Funnel: share of leads reaching each stage", funnelChart(p, page))
        s += chart("Weekly progress (cumulative \(p.primaryMetric.rawValue))", weeklyChart(p, page))
        s += chart("Velocity: median days per transition", velocityChart(p, page))
        s += chart("ICP match (SQMs in the ICP)", icpChart(p, page, facts))
        s += chart("SLA met rate", slaChart(p, page))
        s += chart("Sourced vs influenced", influenceChart(p, page))
        s += "</div>\n"
        let robust = robustness(p, page)
        s += credit(p, page, robustness: robust)
        if ["scale", "iterate", "stop"].contains(d["status"]) { s += HTMLReview.review(p, page, facts, robustness: robust) }
        return s + "</section>\n"
    }

    static func costLine(_ c: Row) -> String {
        var parts = [money(c["total_cost"], c["currency"]) + " in total"]
        for (column, what) in [("cost_per_lead", "lead"), ("cost_per_sqm", "SQM"), ("cost_per_opportunity", "opportunity")] where !c[column].isEmpty {
            parts.append("\(money(c[column], c["currency"])) per \(what)")
        }
        return parts.joined(separator: " · ")
    }

    /// The verdict and every threshold with its value: `icp_match 48 % < 60 % ✗`.
    static func verdict(_ p: Pilot, _ d: Row, _ facts: PilotFacts) -> String {
        var s = "<p class=\"verdict\">Verdict: <strong>\(esc(d["status"]))</strong>"
        s += d["final"] == "true" ? " (final)." : " (the counting window is still open: it can change)."
        if !d["pace"].isEmpty { s += " Pace to the end of the window: \(esc(p.primaryMetric.rawValue)) \(esc(d["pace"]))." }
        if !d["cap_exceeded_by"].isEmpty && d["cap_exceeded_by"] != "0" {
            s += " Lead cap \(esc(d["leads_cap"])) exceeded by \(esc(d["cap_exceeded_by"]))."
        }
        s += "</p>\n<div class=\"thresholds\">"
        s += thresholdList("Scale if all hold", facts.scale, stop: false, p, empty: "no scale threshold set: the verdict can be iterate at best")
        s += thresholdList("Stop if any holds", facts.stop, stop: true, p, empty: "no stop threshold set")
        return s + "</div>\n"
    }

    static func thresholdList(_ title: String, _ list: [PilotFacts.Judged], stop: Bool, _ p: Pilot, empty: String) -> String {
        guard !list.isEmpty else { return "<div><h4>\(esc(title))</h4><p class=\"note\">\(esc(empty))</p></div>" }
        var s = "<div><h4>\(esc(title))</h4><ul>"
        for j in list {
            let cls = j.lowSample != nil ? "low" : (stop ? !j.held : j.held) ? "good" : "bad"
            s += "<li class=\"\(cls)\">\(esc(FactText.line(j, stop: stop, minSample: p.minSample)))</li>"
        }
        return s + "</ul></div>"
    }

    // MARK: Data quality

    /// Per file (read, kept, rejected by reason, values blanked), per pilot, run-wide counts; the
    /// full table behind a disclosure.
    static func quality(_ page: Page) -> String {
        let q = page.table("quality")
        var files: [String] = []
        var byFile: [String: [(String, String)]] = [:]
        for r in q.rows where r[0].plain != "all" {
            if byFile[r[0].plain] == nil { files.append(r[0].plain) }
            byFile[r[0].plain, default: []].append((r[2].plain, r[3].plain))
        }
        var s = "<section class=\"card quality\"><h2>Data quality</h2><h3>Per file</h3><table><tr><th>File</th><th class=\"num\">Read</th>"
        s +=
            "<th class=\"num\">Kept</th><th class=\"num\">Rejected</th><th>Rejected by reason</th><th>Values blanked (row kept)</th><th class=\"num\">Blank lines</th></tr>"
        for f in files {
            let checks = byFile[f]!
            func n(_ check: String) -> Int { Int(checks.first { $0.0 == check }?.1 ?? "") ?? 0 }
            let rejected = checks.filter { $0.0.hasPrefix("rejected:") && $0.1 != "0" }
            let blanked = checks.filter { $0.0.hasPrefix("bad_value:") && $0.1 != "0" }
            func list(_ xs: [(String, String)], _ prefix: String) -> String {
                xs.isEmpty ? "—" : xs.map { "\($0.0.dropFirst(prefix.count)) \($0.1)" }.joined(separator: ", ")
            }
            s += "<tr><td>\(esc(f))</td><td class=\"num\">\(n("rows_read"))</td><td class=\"num\">\(n("rows_kept"))</td>"
            s += "<td class=\"num\">\(n("rows_read") - n("rows_kept"))</td><td>\(esc(list(rejected, "rejected:")))</td>"
            s += "<td>\(esc(list(blanked, "bad_value:")))</td><td class=\"num\">\(n("blank_lines") + n("footer_lines"))</td></tr>"
        }
        s += "</table>"
        let perPilot = ["missing_source_tag", "tagged_outside_window", "contested_won", "contested_lost"]
        s +=
            "<h3>Per pilot</h3><table><tr><th>Pilot</th>" + perPilot.map { "<th class=\"num\">\($0.replacingOccurrences(of: "_", with: " "))</th>" }.joined()
            + "</tr>"
        for p in page.d.pilots {
            s += "<tr><td>\(esc(p.name))</td>"
            for check in perPilot { s += "<td class=\"num\">\(esc(page.quality(p, check)))</td>" }
            s += "</tr>"
        }
        s += "</table>"
        let run = q.rows.filter { $0[0] == .text("all") && $0[1] == .empty && $0[3].plain != "0" }
        s +=
            "<h3>Whole run</h3><p>" + run.map { "\(esc($0[2].plain.replacingOccurrences(of: "_", with: " "))) \(esc($0[3].plain))" }.joined(separator: " · ")
            + "</p>"
        var all = ""
        for r in q.rows {
            all += "<tr><td>\(esc(r[0].plain))</td><td>\(esc(r[1].plain))</td><td>\(esc(r[2].plain))</td><td class=\"num\">\(esc(r[3].plain))</td></tr>"
        }
        s +=
            "<details><summary>All \(q.rows.count) checks (quality.csv)</summary><table><tr><th>Scope</th><th>Pilot</th><th>Check</th><th class=\"num\">Count</th></tr>\(all)</table></details>"
        return s + "</section>\n"
    }

    // MARK: Influence and credit (3.6)

    /// The credit comparison across the five models, and whether the verdict survives each.
    static func credit(_ p: Pilot, _ page: Page, robustness: String) -> String {
        let rows = page.rows("credit", p)
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
        return s + "</table><p class=\"note\">\(esc(robustness))</p></div>\n"
    }

    /// One sentence: the verdict if each model's credited value replaced the primary metric's
    /// sourced value, other thresholds as the decision table has them; when models disagree, the
    /// pilots whose touchpoints share the paths.
    static func robustness(_ p: Pilot, _ page: Page) -> String {
        let d = page.row("decision", p.index)
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
        let credits = page.rows("credit", p)
        for model in CreditModel.allCases {
            let row = credits.first { $0[1] == .text(milestone.name) && $0[2] == .text(model.rawValue) }
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
            + ": credit shared with \(sharers(p, milestone, page))."
    }

    /// The pilots (by partner) whose touchpoints share this pilot's paths at milestone m, most
    /// shared first (config order on ties), at most three.
    static func sharers(_ p: Pilot, _ m: Milestone, _ page: Page) -> String {
        let inf = page.d.influence
        let others = page.d.pilots.indices.filter { $0 != p.index }.map { ($0, inf.shared(m, p.index, $0)) }.filter { $0.1 > 0 }
        let top = others.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(3)
        guard !top.isEmpty else { return "no other pilot" }
        let names = top.map { "\(page.partner($0.0)) (\(plural($0.1, "contact")))" }
        return names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    static func influenceChart(_ p: Pilot, _ page: Page) -> String {
        let rows = page.rows("influence", p)
        let groups = rows.map { r in
            (
                label: r[1].plain,
                bars: [
                    HTMLCharts.Bar(value: Double(r[2].plain) ?? 0, cls: "pilot", label: r[2].plain),
                    HTMLCharts.Bar(value: Double(r[3].plain) ?? 0, cls: "infl", label: r[3].plain),
                ]
            )
        }
        let maxV = groups.flatMap { $0.bars.map(\.value) }.max() ?? 1
        return HTMLCharts.bars(groups, maxValue: maxV, labelWidth: 90, unit: "contacts")
            + "<p class=\"legend\"><span class=\"key pilot\"></span>sourced <span class=\"key infl\"></span>influenced (touched, sourced elsewhere)</p>"
    }

    // MARK: Charts

    /// Each stage as a share of leads, pilot and baseline, with 95 % Wilson intervals, and the
    /// counts beside; marked when the pilot's leads are fewer than `min_sample`.
    static func funnelChart(_ p: Pilot, _ page: Page) -> String {
        let f = page.row("funnel", p.index * 2), b = page.row("funnel", p.index * 2 + 1)
        let stages = ["mql", "sqm", "opportunities", "won"]
        let pl = Int(f["leads"]) ?? 0, bl = Int(b["leads"]) ?? 0
        func bar(_ row: Row, _ leads: Int, _ stage: String, _ cls: String) -> HTMLCharts.Bar {
            let x = Int(row[stage]) ?? 0
            guard leads > 0 else { return HTMLCharts.Bar(value: 0, cls: cls, label: "– (0 leads)") }
            return HTMLCharts.Bar(
                value: Double(x) / Double(leads), cls: cls, label: "\(FactText.percent(Double(x) / Double(leads))) (\(x)/\(leads))",
                interval: Stats.wilson(x, leads))
        }
        let low = pl < p.minSample
        let groups = stages.map { s in (label: s, bars: [bar(f, pl, s, low ? "low" : "pilot"), bar(b, bl, s, "base")]) }
        var s = HTMLCharts.bars(groups, maxValue: 1, labelWidth: 84, percent: true)
        s += "<p class=\"legend\"><span class=\"key pilot\"></span>pilot <span class=\"key base\"></span>baseline · whiskers: 95 % Wilson interval</p>"
        if low { s += "<p class=\"lowtext\">Low sample: \(plural(pl, "lead")), fewer than min_sample \(p.minSample). Too few to judge.</p>" }
        s += "<table class=\"counts\"><tr><th></th>" + (["leads"] + stages).map { "<th class=\"num\">\($0)</th>" }.joined() + "</tr>"
        for (name, row) in [("pilot", f), ("baseline", b)] {
            s += "<tr><td>\(name)</td>" + (["leads"] + stages).map { "<td class=\"num\">\(esc(row[$0]))</td>" }.joined() + "</tr>"
        }
        return s + "</table>"
    }

    static func weeklyChart(_ p: Pilot, _ page: Page) -> String {
        let column: String? = [
            "leads": "leads", "mql": "mql", "sqm": "sqm", "opportunities": "opportunities", "won": "won", "touches": "touches",
            "meetings_booked": "meetings_booked",
        ][p.primaryMetric.rawValue]
        let weeks = page.rows("weekly", p)
        guard let column, !weeks.isEmpty else { return "<p class=\"note\">No weekly series for this metric\(weeks.isEmpty ? " yet" : "").</p>" }
        let ci = page.table("weekly").columns.firstIndex(of: column)!
        var cum: [Double] = []
        var total = 0.0
        for w in weeks { total += Double(w[ci].plain) ?? 0; cum.append(total) }
        let target = threshold(p, p.primaryMetric)
        let totalWeeks = max(weeks.count, Int((p.endDay - p.startDay) / 7) + 1)
        return HTMLCharts.weekly(
            dates: weeks.map { $0[1].plain }, cumulative: cum, totalWeeks: totalWeeks, target: target,
            pace: paceWeeks(p, firstWeek: weeks[0][1].plain))
            + "<p class=\"note\">dashed: linear pace to the threshold at the window's end</p>"
    }

    /// The value of the first threshold on `metric` (scale list first), if any.
    static func threshold(_ p: Pilot, _ metric: Metric) -> Double? { (p.scale + p.stop).first { $0.metric == metric }?.value }

    /// The window's first day and the day after its last, in weeks from the first week's start.
    static func paceWeeks(_ p: Pilot, firstWeek: String) -> (from: Double, to: Double) {
        let monday = Civil.parseDate(firstWeek) ?? p.startDay
        return (Double(p.startDay - monday) / 7, Double(p.endDay + 1 - monday) / 7)
    }

    static func velocityChart(_ p: Pilot, _ page: Page) -> String {
        let mine = page.rows("velocity", p)
        let names = ["created_to_mql", "mql_to_sqm", "sqm_to_opportunity", "opportunity_to_won"]
        func cell(_ cohort: String, _ n: String) -> (median: Double?, n: String) {
            let r = mine.first { $0[1] == .text(cohort) && $0[2] == .text(n) }
            return (r.flatMap { Double($0[5].plain) }, r?[3].plain ?? "0")
        }
        let groups = names.map { n in
            (
                label: n.replacingOccurrences(of: "_to_", with: "→"),
                bars: ["pilot", "baseline"].map { cohort in
                    let c = cell(cohort, n)
                    return HTMLCharts.Bar(
                        value: c.median ?? 0, cls: cohort == "pilot" ? "pilot" : "base",
                        label: c.median.map { "\(HTMLCharts.fmt($0)) d (n \(c.n))" } ?? "– (n \(c.n))")
                }
            )
        }
        let maxV = groups.flatMap { $0.bars.map(\.value) }.max() ?? 1
        return HTMLCharts.bars(groups, maxValue: maxV, labelWidth: 110, unit: "days") + legend()
    }

    static func icpChart(_ p: Pilot, _ page: Page, _ facts: PilotFacts) -> String {
        let icp = page.row("icp", p.index)
        let sqm = Int(icp["sqm"]) ?? 0
        let judged = (facts.scale + facts.stop).first { $0.threshold.metric == .icp_match }
        let low = judged?.lowSample != nil || (judged == nil && sqm < p.minSample)
        return HTMLCharts.gauge(
            Double(icp["icp_match"]), threshold: judged?.threshold.value, lowSample: low ? "\(plural(sqm, "SQM")), fewer than min_sample \(p.minSample)" : nil)
            + "<p class=\"note\">\(esc(icp["sqm_icp"])) of \(esc(icp["sqm"])) SQMs in the ICP; \(esc(icp["leads_icp"])) of \(esc(icp["leads"])) leads</p>"
    }

    static func slaChart(_ p: Pilot, _ page: Page) -> String {
        let rows = page.rows("sla", p)
        if rows.isEmpty { return "<p class=\"note\">No SLA in this pilot's brief.</p>" }
        return rows.map { r in
            let met = Int(r[3].plain) ?? 0, breached = Int(r[4].plain) ?? 0
            let decided = met + breached
            let low = decided < p.minSample ? "\(plural(decided, "contact")) decided, fewer than min_sample \(p.minSample)" : nil
            let th = threshold(p, r[1].plain == "respond" ? .sla_respond_rate : .sla_schedule_rate)
            return
                "<p class=\"lbl\">\(esc(r[1].plain)) within \(esc(r[2].plain)) business hours: \(met) met, \(breached) breached, \(esc(r[5].plain)) pending</p>"
                + HTMLCharts.gauge(Double(r[6].plain), threshold: th, lowSample: low)
        }.joined()
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

    /// `USD 1500.00`; an undefined amount is `–`.
    static func money(_ amount: String, _ currency: String) -> String {
        amount.isEmpty ? "–" : currency.isEmpty ? amount : "\(currency) \(amount)"
    }

    /// `1 lead`, `3 leads`.
    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func item(_ k: String, _ v: String) -> String { "<dt>\(esc(k))</dt><dd>\(esc(v))</dd>" }
    static func badge(_ status: String) -> String { "<span class=\"badge \(esc(status))\">\(esc(status))</span>" }
    static func chart(_ title: String, _ content: String) -> String { "<figure class=\"chart\"><figcaption>\(esc(title))</figcaption>\(content)</figure>" }
    static func legend() -> String { "<p class=\"legend\"><span class=\"key pilot\"></span>pilot <span class=\"key base\"></span>baseline</p>" }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:0 auto;max-width:1100px;padding:16px;background:#f6f7f9}
        header h1{margin:0 0 4px}header p{margin:0 0 16px;color:#5b6472}
        .card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin:0 0 18px}
        h2{margin:0 0 10px;font-size:20px}h3{margin:14px 0 4px}h4{margin:10px 0 2px;font-size:1em}h3,h4,figcaption{break-after:avoid}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3}th.num,td.num{text-align:right}
        table.counts{font-size:12px;margin-top:4px;width:auto}table.counts td,table.counts th{padding:1px 4px}
        .brief{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}.brief dt{color:#5b6472}.brief dd{margin:0}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;vertical-align:middle;background:#e8ebf0}
        .badge.scale{background:#d8f3dc;color:#1b5e20}.badge.stop{background:#fde2e1;color:#8b1a10}.badge.iterate{background:#fff1cc;color:#6b4e00}
        .badge.running{background:#dbe8ff;color:#173d8a}.badge.scheduled{background:#eee;color:#555}
        .thresholds{display:grid;grid-template-columns:1fr 1fr;gap:0 24px;margin:0 0 10px}.thresholds ul{margin:2px 0;padding-left:18px}
        li.good{color:#1b5e20}li.bad{color:#8b1a10}li.low{color:#6b4e00}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px}
        figure{margin:0;break-inside:avoid}figcaption{font-weight:600;margin-bottom:4px}svg{max-width:100%;height:auto}
        .pilot{fill:#2f6fdf}.base{fill:#b8c2d1}.infl{fill:#e08a2c}.key.infl{background:#e08a2c}.track{fill:#eceff3}
        .low{fill:#f2c14e;stroke:#6b4e00;stroke-dasharray:3 2}.lowtext{font-size:12px;color:#6b4e00;font-weight:600;margin:2px 0}
        .axis{stroke:#9aa3b2}.grid{stroke:#eceff3}.threshold{stroke:#d0342c;stroke-width:1.5}.ci{stroke:#1d2430;stroke-width:1}
        .pace{stroke:#6b7686;stroke-dasharray:4 3}.series{fill:none;stroke:#2f6fdf;stroke-width:2}.dot{fill:#2f6fdf}
        .lbl,.val{font-size:11px;fill:#3b4452}.end{text-anchor:end}.mid{text-anchor:middle}p.lbl{margin:6px 0 0;font-size:12px}
        .legend{font-size:12px;color:#5b6472;margin:2px 0}.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}.key.pilot{background:#2f6fdf}.key.base{background:#b8c2d1}
        .note{font-size:12px;color:#5b6472}.verdict{margin:6px 0 4px}
        .review{border-top:1px dashed #c9cfd8;margin-top:12px}.review .human{border:1px dashed #9aa3b2;border-radius:4px;padding:6px 8px;color:#5b6472;background:#fafbfc;min-height:2.2em}
        .review .human::before{content:"To write: ";font-weight:600;color:#8b1a10}
        details summary{cursor:pointer;margin:10px 0 4px;font-weight:600}
        @page{size:A4;margin:12mm}
        @media print{body{background:#fff;max-width:none;padding:0;font-size:11px}.card{border:none;padding:0;margin:0 0 10px}
        .pilotcard{break-before:page}.charts{grid-template-columns:1fr 1fr;gap:8px}figure,table,.review li{break-inside:avoid}
        a{color:inherit;text-decoration:none}details{display:none}.quality::after{content:"The full check list is in quality.csv.";font-size:10px;color:#5b6472}
        .badge,.low,.pilot,.base,.infl,li.good,li.bad{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """
}
