/// decision (SPEC 3.5 Decision, B24, B31, B32).
public enum DecisionTable {
    public struct Verdict: Sendable {
        public var status: String
        public var scaleHeld: [Threshold]
        public var stopHeld: [Threshold]
        public var lowSample: [Threshold]
    }

    public static func verdict(_ d: ReportData, _ p: Pilot, _ snap: Evaluator.Snapshot) -> Verdict {
        var low: [Threshold] = []
        func holds(_ th: Threshold) -> Bool {
            if let den = Evaluator.denominator(th.metric, snap), den < p.minSample {
                if !low.contains(th) { low.append(th) }
                return false
            }
            return th.holds(Evaluator.value(th.metric, snap))
        }
        let scaleHeld = p.scale.filter(holds)
        let stopHeld = p.stop.filter(holds)
        let status: String
        if d.asOf < p.windowStart {
            status = "scheduled"
        } else if d.asOf < p.windowEnd {
            status = "running"
        } else if !stopHeld.isEmpty {
            status = "stop"
        } else if p.hasScaleList && scaleHeld.count == p.scale.count {
            status = "scale"
        } else {
            status = "iterate"
        }
        return Verdict(status: status, scaleHeld: scaleHeld, stopHeld: stopHeld, lowSample: low)
    }

    public static func table(_ d: ReportData) -> Table {
        var t = Table(
            "decision",
            [
                "pilot_id", "status", "final", "primary_metric", "primary_value", "pace", "scale_held", "stop_held", "low_sample",
                "leads_cap", "cap_exceeded_by", "adjustment_date", "primary_before_adjustment", "primary_after_adjustment",
            ])
        for p in d.pilots {
            let e = Evaluator(d, p)
            let leads = d.leads[p.index]
            let snap = d.snapshots[p.index]
            let v = verdict(d, p, snap)
            let m = p.primaryMetric
            let value = Evaluator.value(m, snap)
            var pace = Cell.empty
            if v.status == "running", m.kind == .count, !m.isInfluence, d.asOf > p.windowStart, let x = value.double {
                let length = Double(p.windowEnd - p.windowStart)
                pace = .fixed(x * length / Double(d.asOf - p.windowStart), 2)
            }
            var before = Cell.empty, after = Cell.empty
            if let at = p.adjustmentAt {
                let lb = leads.filter { d.contacts[$0].createdAt < at }, la = leads.filter { d.contacts[$0].createdAt >= at }
                before = Evaluator.cell(m, e.value(m, leads: lb, touches: .before))
                after = Evaluator.cell(m, e.value(m, leads: la, touches: .after))
            }
            let joined: ([Threshold]) -> Cell = { $0.isEmpty ? .empty : .text($0.map(\.text).joined(separator: "; ")) }
            t.add([
                .text(p.id), .text(v.status), .text(d.asOf >= p.countingEnd ? "true" : "false"), .text(m.rawValue),
                Evaluator.cell(m, value), pace, joined(v.scaleHeld), joined(v.stopHeld),
                joined(v.lowSample.filter { p.scale.contains($0) } + v.lowSample.filter { !p.scale.contains($0) }),
                p.leadsCap.map(Cell.int) ?? .empty, p.leadsCap.map { .int(max(0, leads.count - $0)) } ?? .empty,
                p.adjustmentDay.map { .text(Civil.dateString(days: $0)) } ?? .empty, before, after,
            ])
        }
        return t
    }
}
