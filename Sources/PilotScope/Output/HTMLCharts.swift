import Foundation

/// Inline SVG charts of report.html: every chart has labelled axes with round ticks.
enum HTMLCharts {
    /// Horizontal grouped bars, one group per label, with a value axis along the bottom.
    struct Bar {
        var value: Double
        var cls: String
        var label: String
        /// An interval drawn as a whisker over the bar (Wilson bounds of a rate).
        var interval: (Double, Double)? = nil
    }

    /// `groups` of bars on one value scale `0...maxValue` (a rate chart passes 1 and `percent`).
    static func bars(
        _ groups: [(label: String, bars: [Bar])], maxValue: Double, labelWidth: Int = 100, percent: Bool = false, unit: String = ""
    ) -> String {
        let plotW = 190.0, x0 = Double(labelWidth), barH = 10.0
        let perGroup = Double(groups.map(\.bars.count).max() ?? 1) * (barH + 1) + 5
        let top = 4.0
        let height = top + Double(groups.count) * perGroup + 24
        let scaleMax = percent ? 1 : niceMax(maxValue)
        func x(_ v: Double) -> Double { x0 + min(max(v, 0), scaleMax) / scaleMax * plotW }
        var g = ""
        let axisY = top + Double(groups.count) * perGroup
        for tick in ticks(scaleMax) {
            let tx = fmt(x(tick))
            g += "<line x1=\"\(tx)\" y1=\"\(fmt(top))\" x2=\"\(tx)\" y2=\"\(fmt(axisY))\" class=\"grid\"/>"
            let text = percent ? "\(Int((tick * 100).rounded()))%" : fmt(tick)
            g += "<text x=\"\(tx)\" y=\"\(fmt(axisY + 11))\" class=\"lbl mid\">\(text)</text>"
        }
        g += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(axisY))\" x2=\"\(fmt(x0 + plotW))\" y2=\"\(fmt(axisY))\" class=\"axis\"/>"
        if !unit.isEmpty { g += "<text x=\"\(fmt(x0 + plotW))\" y=\"\(fmt(axisY + 22))\" class=\"lbl end\">\(esc(unit))</text>" }
        for (i, group) in groups.enumerated() {
            let y = top + Double(i) * perGroup
            g += "<text x=\"0\" y=\"\(fmt(y + barH + 2))\" class=\"lbl\">\(esc(group.label))</text>"
            for (j, b) in group.bars.enumerated() {
                let by = y + Double(j) * (barH + 1)
                let w = max(x(b.value) - x0, 0.5)
                g += "<rect x=\"\(fmt(x0))\" y=\"\(fmt(by))\" width=\"\(fmt(w))\" height=\"\(fmt(barH))\" class=\"\(b.cls)\"/>"
                var labelX = x0 + w + 3
                if let (lo, hi) = b.interval {
                    let my = fmt(by + barH / 2)
                    g += "<line x1=\"\(fmt(x(lo)))\" y1=\"\(my)\" x2=\"\(fmt(x(hi)))\" y2=\"\(my)\" class=\"ci\"/>"
                    g += "<line x1=\"\(fmt(x(lo)))\" y1=\"\(fmt(by + 1))\" x2=\"\(fmt(x(lo)))\" y2=\"\(fmt(by + barH - 1))\" class=\"ci\"/>"
                    g += "<line x1=\"\(fmt(x(hi)))\" y1=\"\(fmt(by + 1))\" x2=\"\(fmt(x(hi)))\" y2=\"\(fmt(by + barH - 1))\" class=\"ci\"/>"
                    labelX = max(labelX, x(hi) + 3)
                }
                g += "<text x=\"\(fmt(labelX))\" y=\"\(fmt(by + barH - 1))\" class=\"val\">\(esc(b.label))</text>"
            }
        }
        return svg(360, Int(height.rounded(.up)), g)
    }

    /// A cumulative weekly line with a y axis, at most 8 dates under it, an optional threshold
    /// line and the linear pace towards it from `pace.from` to `pace.to` (in weeks from the first
    /// week's start: the window's first day and the day after its last).
    static func weekly(dates: [String], cumulative: [Double], totalWeeks: Int, target: Double?, pace: (from: Double, to: Double)) -> String {
        let W = 360.0, H = 150.0, x0 = 34.0, x1 = W - 12, y0 = H - 30, y1 = 10.0
        let scaleMax = niceMax(max(cumulative.max() ?? 1, target ?? 0, 1))
        let span = Double(max(totalWeeks - 1, 1))
        func x(_ i: Double) -> Double { x0 + i / span * (x1 - x0) }
        func y(_ v: Double) -> Double { y0 - v / scaleMax * (y0 - y1) }
        var g = ""
        for tick in ticks(scaleMax) {
            g += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y(tick)))\" x2=\"\(fmt(x1))\" y2=\"\(fmt(y(tick)))\" class=\"grid\"/>"
            g += "<text x=\"\(fmt(x0 - 4))\" y=\"\(fmt(y(tick) + 3))\" class=\"lbl end\">\(fmt(tick))</text>"
        }
        g += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y0))\" x2=\"\(fmt(x1))\" y2=\"\(fmt(y0))\" class=\"axis\"/>"
        g += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y0))\" x2=\"\(fmt(x0))\" y2=\"\(fmt(y1))\" class=\"axis\"/>"
        let every = max(1, (dates.count + 7) / 8)  // at most 8 dates fit the axis
        for (i, d) in dates.enumerated() where i % every == 0 {
            let tx = fmt(x(Double(i)))
            g += "<line x1=\"\(tx)\" y1=\"\(fmt(y0))\" x2=\"\(tx)\" y2=\"\(fmt(y0 + 3))\" class=\"axis\"/>"
            let anchor = i == 0 ? "" : x(Double(i)) > x1 - 14 ? "end" : "mid"
            g += "<text x=\"\(tx)\" y=\"\(fmt(y0 + 13))\" class=\"lbl \(anchor)\">\(esc(String(d.dropFirst(5))))</text>"
        }
        g += "<text x=\"\(fmt(x1))\" y=\"\(fmt(H - 2))\" class=\"lbl end\">week starting (month-day)</text>"
        if let target {
            g += "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y(target)))\" x2=\"\(fmt(x1))\" y2=\"\(fmt(y(target)))\" class=\"threshold\"/>"
            g += "<text x=\"\(fmt(x1))\" y=\"\(fmt(y(target) - 3))\" class=\"lbl end\">threshold \(fmt(target))</text>"
            // Clipped to the plot: past its right edge the line stops where it leaves it.
            let end = min(pace.to, span), reached = pace.to > pace.from ? (end - pace.from) / (pace.to - pace.from) : 1
            g += "<line x1=\"\(fmt(x(pace.from)))\" y1=\"\(fmt(y(0)))\" x2=\"\(fmt(x(end)))\" y2=\"\(fmt(y(target * reached)))\" class=\"pace\"/>"
        }
        let pts = cumulative.enumerated().map { "\(fmt(x(Double($0.offset)))),\(fmt(y($0.element)))" }.joined(separator: " ")
        g += "<polyline points=\"\(pts)\" class=\"series\"/>"
        for (i, v) in cumulative.enumerated() { g += "<circle cx=\"\(fmt(x(Double(i))))\" cy=\"\(fmt(y(v)))\" r=\"2.5\" class=\"dot\"/>" }
        return svg(Int(W), Int(H), g)
    }

    /// A 0–100 % bar with an optional threshold marker; a low sample is drawn hatched and says so.
    static func gauge(_ value: Double?, threshold: Double?, lowSample: String?) -> String {
        guard let v = value else { return "<p class=\"note\">Not defined yet (no denominator).</p>" }
        let cls = lowSample == nil ? "pilot" : "low"
        var g = "<rect x=\"0\" y=\"6\" width=\"300\" height=\"16\" class=\"track\"/>"
        g += "<rect x=\"0\" y=\"6\" width=\"\(fmt(max(v * 300, 0.5)))\" height=\"16\" class=\"\(cls)\"/>"
        g += "<text x=\"\(fmt(min(v * 300 + 4, 262)))\" y=\"19\" class=\"lbl\">\(FactText.percent(v))</text>"
        // A threshold outside 0–100 % (validation only warns) is drawn at the edge, labelled as set.
        let marker = threshold.map { min(max($0, 0), 1) }
        if let th = threshold, let at = marker {
            g += "<line x1=\"\(fmt(at * 300))\" y1=\"2\" x2=\"\(fmt(at * 300))\" y2=\"26\" class=\"threshold\"/>"
            let anchor = at > 0.9 ? "end" : at < 0.1 ? "" : "mid"
            g += "<text x=\"\(fmt(at * 300))\" y=\"36\" class=\"lbl \(anchor)\">\(FactText.percent(th))</text>"
        }
        for tick in [0.0, 0.5, 1.0] where marker.map({ abs($0 - tick) > 0.15 }) ?? true {
            g += "<text x=\"\(fmt(tick * 300))\" y=\"36\" class=\"lbl \(tick == 0 ? "" : tick == 1 ? "end" : "mid")\">\(Int(tick * 100))%</text>"
        }
        let note = lowSample.map { "<p class=\"lowtext\">Low sample: \(esc($0)). Too few to judge; not a pass.</p>" } ?? ""
        return svg(310, 40, g) + note
    }

    // MARK: Scales

    /// The top of an axis with four whole, round steps (1, 2, 2.5 or 5 × 10^k each) reaching `v`.
    static func niceMax(_ v: Double) -> Double {
        let raw = max(v, 4) / 4
        let p = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2, 2.5, 5, 10] {
            let step = m * p
            if step != step.rounded() { continue }
            if step * 4 >= v - 1e-9 { return step * 4 }
        }
        return 40 * p
    }

    /// Five ticks from 0 to `max` (a nice number).
    static func ticks(_ max: Double) -> [Double] { (0...4).map { Double($0) * max / 4 } }

    // MARK: Pieces

    static func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%.2f", v) }
    static func esc(_ s: String) -> String { HTMLReport.esc(s) }
    static func svg(_ w: Int, _ h: Int, _ g: String) -> String {
        "<svg viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\">\(g)</svg>"
    }
}
