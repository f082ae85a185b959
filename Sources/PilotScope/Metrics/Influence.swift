import Foundation

/// The milestones of SPEC 3.6, at the contact's own time stamps (not cumulative).
public enum Milestone: Int, CaseIterable, Sendable {
    case sqm, opportunity, won

    public var name: String {
        switch self {
        case .sqm: return "sqm"
        case .opportunity: return "opportunity"
        case .won: return "won"
        }
    }

    public var stage: Stage {
        switch self {
        case .sqm: return .sqm
        case .opportunity: return .opportunity
        case .won: return .won
        }
    }

    /// Opportunities and wins carry the contact's `amount`; SQMs do not.
    public var hasAmount: Bool { self != .sqm }
}

/// The credit models of SPEC 3.6, in the order of the `credit` table.
public enum CreditModel: String, CaseIterable, Sendable {
    case first_touch, last_touch, linear, u_shaped, time_decay
}

/// One touchpoint on a contact's path: when, and whose.
public struct PathPoint: Sendable, Equatable {
    public var ts: Int64
    public var pilot: Int32

    public init(ts: Int64, pilot: Int32) {
        self.ts = ts
        self.pilot = pilot
    }

    /// §3.6 path order: time, then pilot config order. The last two keys (tag before touch, then
    /// evidence) never change a pilot's credit (B39), so a path keeps only time and pilot.
    @inline(__always) static func < (a: PathPoint, b: PathPoint) -> Bool { a.ts != b.ts ? a.ts < b.ts : a.pilot < b.pilot }
}

/// Sourced and influenced contacts of one pilot at one milestone, with their amounts.
public struct InfluenceCounts: Sendable, Equatable {
    public var sourced = 0, influenced = 0
    public var sourcedAmount = 0.0, influencedAmount = 0.0
}

/// One pilot's influence and credit (3.6).
public struct PilotInfluence: Sendable {
    /// Per milestone (`Milestone.rawValue`).
    public var counts = Array(repeating: InfluenceCounts(), count: Milestone.allCases.count)
    /// Per milestone and model (`m * models + model`): credit and credited amount.
    public var credit = Array(repeating: 0.0, count: Milestone.allCases.count * CreditModel.allCases.count)
    public var creditedAmount = Array(repeating: 0.0, count: Milestone.allCases.count * CreditModel.allCases.count)
    /// Per milestone: the influenced contacts, ascending (the adjustment split divides them by
    /// `created_at`, B40).
    public var influencedContacts = Array(repeating: [Int32](), count: Milestone.allCases.count)

    @inline(__always) static func slot(_ m: Milestone, _ model: CreditModel) -> Int {
        m.rawValue * CreditModel.allCases.count + CreditModel.allCases.firstIndex(of: model)!
    }

    public func credit(_ m: Milestone, _ model: CreditModel) -> Double { credit[Self.slot(m, model)] }
    public func creditedAmount(_ m: Milestone, _ model: CreditModel) -> Double { creditedAmount[Self.slot(m, model)] }
}

/// SPEC 3.6: per pilot and milestone, sourced and influenced contacts, and each model's credit.
/// Computed once, contact by contact in contact order (so every sum is the same for any thread
/// count and file order), from the contacts' touchpoints: their pilot tag and their resolved
/// matching touches (`ResolvedTouches.pointTimes`).
public struct Influence: Sendable {
    public var pilots: [PilotInfluence]
    /// Per milestone: contacts with at least one preceding touchpoint (whose credits sum to 1).
    public var pathContacts = Array(repeating: 0, count: Milestone.allCases.count)
    /// Contacts whose milestone path holds touchpoints of two pilots: whom each pilot shares
    /// credit with.
    var shared: PairCounts

    /// The contacts whose milestone-m path has touchpoints of both pilot p and pilot q (p ≠ q).
    public func shared(_ m: Milestone, _ p: Int, _ q: Int) -> Int { shared.count(m, p, q) }

    /// The inputs the computation reads; the contacts' own touchpoints are given grouped by contact.
    public struct Inputs {
        public var pilots: [Pilot]
        public var contacts: [Contact]
        public var attribution: [Attribution?]
        public var tags: TagTable
        public var asOf: Int64
        public var settings: InfluenceSettings
        public var pointStart: [Int32]
        public var pointPilots: [Int32]
        public var pointTimes: [Int64]
    }

    public init(_ x: Inputs) {
        let pilotCount = x.pilots.count
        pilots = Array(repeating: PilotInfluence(), count: pilotCount)
        shared = PairCounts(pilots: pilotCount)
        let starts = x.pilots.map(\.windowStart)
        // A tag touchpoint needs created_at in the counting window, at or before as_of (B38).
        let tagEnds = x.pilots.map { min($0.countingEnd, x.asOf &+ 1) }
        let lookback = x.settings.lookbackMillis
        let halfLifeMillis = x.settings.halfLifeDays * 86_400_000
        var path: [PathPoint] = []
        var weights: [Double] = []
        // Pilots already counted as influencing this (contact, milestone): a stamp per pilot.
        var seen = [Int](repeating: -1, count: pilotCount)
        var stamp = 0
        var onPath: [Int] = []
        for (ci, c) in x.contacts.enumerated() where c.createdAt <= x.asOf {
            path.removeAll(keepingCapacity: true)
            if ci + 1 < x.pointStart.count {
                for i in Int(x.pointStart[ci])..<Int(x.pointStart[ci + 1]) {
                    path.append(PathPoint(ts: x.pointTimes[i], pilot: x.pointPilots[i]))
                }
            }
            if c.tagIndex >= 0 {
                for p in x.tags.pilots[Int(c.tagIndex)] where c.createdAt >= starts[p] && c.createdAt < tagEnds[p] {
                    path.append(PathPoint(ts: c.createdAt, pilot: Int32(p)))
                }
            }
            let sourcedBy = x.attribution[ci]?.pilot ?? -1
            guard !path.isEmpty || sourcedBy >= 0 else { continue }
            if path.count > 1 { path.sort(by: <) }
            let amount = c.amount ?? 0
            for m in Milestone.allCases {
                let mt = c.stages[m.stage]
                guard mt != absentTime && mt <= x.asOf else { continue }
                if sourcedBy >= 0 {
                    pilots[sourcedBy].counts[m.rawValue].sourced += 1
                    pilots[sourcedBy].counts[m.rawValue].sourcedAmount += amount
                }
                // The touchpoints preceding M: M − lookback ≤ t ≤ M (B41), a slice of the sorted path.
                let (earliest, o) = mt.subtractingReportingOverflow(lookback)
                let lo = o ? Int64.min : earliest
                guard let first = path.firstIndex(where: { $0.ts >= lo }), path[first].ts <= mt else { continue }
                var end = first + 1
                while end < path.count && path[end].ts <= mt { end += 1 }
                pathContacts[m.rawValue] += 1
                stamp += 1
                onPath.removeAll(keepingCapacity: true)
                for i in first..<end {
                    let p = Int(path[i].pilot)
                    guard seen[p] != stamp else { continue }
                    seen[p] = stamp
                    onPath.append(p)
                    guard p != sourcedBy else { continue }
                    pilots[p].counts[m.rawValue].influenced += 1
                    pilots[p].counts[m.rawValue].influencedAmount += amount
                    pilots[p].influencedContacts[m.rawValue].append(Int32(ci))
                }
                if onPath.count > 1 { shared.add(m, onPath) }
                Self.weigh(path[first..<end], halfLifeMillis: halfLifeMillis, into: &weights)
                for model in 0..<CreditModel.allCases.count {
                    let slot = m.rawValue * CreditModel.allCases.count + model
                    for (j, i) in (first..<end).enumerated() {
                        let share = weights[model * (end - first) + j]
                        guard share != 0 else { continue }
                        let p = Int(path[i].pilot)
                        pilots[p].credit[slot] += share
                        pilots[p].creditedAmount[slot] += share * amount
                    }
                }
            }
        }
    }

    /// Each model's share of one unit for every touchpoint of a path (sorted, non-empty), laid out
    /// model by model: `weights[model * path.count + j]`.
    static func weigh(_ path: ArraySlice<PathPoint>, halfLifeMillis h: Double, into weights: inout [Double]) {
        let n = path.count
        weights.removeAll(keepingCapacity: true)
        for model in CreditModel.allCases {
            switch model {
            case .first_touch:
                for j in 0..<n { weights.append(j == 0 ? 1 : 0) }
            case .last_touch:
                for j in 0..<n { weights.append(j == n - 1 ? 1 : 0) }
            case .linear:
                for _ in 0..<n { weights.append(1 / Double(n)) }
            case .u_shaped:
                // 40 % first, 40 % last, 20 % equally over the others; a path of 2: 50/50; of 1: all.
                for j in 0..<n {
                    if n == 1 {
                        weights.append(1)
                    } else if n == 2 {
                        weights.append(0.5)
                    } else {
                        weights.append(j == 0 || j == n - 1 ? 0.4 : 0.2 / Double(n - 2))
                    }
                }
            case .time_decay:
                // 2^(−d/h), d = M − t in real days, normalized. Taken relative to the latest
                // touchpoint (its weight is 1): the same shares, and a sum that never underflows to 0.
                let base = weights.count
                let latest = path.last!.ts
                var sum = 0.0
                for pt in path {
                    let w = exp2(-(Double(latest) - Double(pt.ts)) / h)
                    weights.append(w)
                    sum += w
                }
                for j in 0..<n { weights[base + j] /= sum }
            }
        }
    }
}

/// Per milestone and ordered pair of pilots (p ≠ q), how many contacts' paths hold both. A flat
/// array up to `denseLimit` pilots (a path of k pilots costs k·(k − 1) increments, which a
/// dictionary would make 20–50× dearer); above it, a dictionary of the pairs that met.
struct PairCounts: Sendable {
    static let denseLimit = 256
    let pilots: Int
    private var dense: [Int32] = []
    private var sparse: [Int: Int32] = [:]

    init(pilots: Int, denseLimit: Int = Self.denseLimit) {
        self.pilots = pilots
        if pilots <= denseLimit { dense = Array(repeating: 0, count: Milestone.allCases.count * pilots * pilots) }
    }

    /// One contact's milestone-m path, as its distinct pilots.
    mutating func add(_ m: Milestone, _ onPath: [Int]) {
        for p in onPath {
            let row = (m.rawValue * pilots + p) * pilots
            for q in onPath where q != p {
                if dense.isEmpty { sparse[row + q, default: 0] += 1 } else { dense[row + q] += 1 }
            }
        }
    }

    func count(_ m: Milestone, _ p: Int, _ q: Int) -> Int {
        let key = (m.rawValue * pilots + p) * pilots + q
        return dense.isEmpty ? Int(sparse[key] ?? 0) : Int(dense[key])
    }
}
