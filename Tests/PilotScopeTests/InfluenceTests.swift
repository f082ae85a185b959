import PilotScopeTestSupport
import XCTest

@testable import PilotScope

/// SPEC 3.6 invariants on generated data, where paths of one to many pilots occur.
final class InfluenceTests: XCTestCase {
    /// For every milestone and model, the credits summed over pilots equal the contacts with at
    /// least one preceding touchpoint (to 4 decimals); the tables carry exactly those sums.
    func testCreditsSumToTheContactsWithAPath() throws {
        let dir = Support.tempDir()
        try Generator(contacts: 3000, touches: 30000, seed: 5, shards: 2, visitors: nil, out: dir).run()
        let r = try Support.report(config: dir + "/pilotscope.yaml", threads: 2)
        let inf = r.data.influence
        XCTAssertGreaterThan(inf.pathContacts[Milestone.sqm.rawValue], 0, "the generated data has paths")
        for m in Milestone.allCases {
            for model in CreditModel.allCases {
                let sum = inf.pilots.reduce(0.0) { $0 + $1.credit(m, model) }
                XCTAssertEqual(sum, Double(inf.pathContacts[m.rawValue]), accuracy: 0.00005, "\(m.name) \(model.rawValue)")
            }
        }
        // Sourced in the influence table equals the attributed contacts that reached the milestone.
        for p in r.data.pilots {
            let reached = r.data.leads[p.index].filter { r.data.contacts[$0].stages[.sqm] != absentTime }.count
            XCTAssertEqual(inf.pilots[p.index].counts[Milestone.sqm.rawValue].sourced, reached, p.id)
        }
    }

    /// §3.6 shares for one path: u_shaped over 1, 2 and 5 points; time_decay at 0, 7 and 14 days
    /// before the milestone with half-life 7 → 4/7, 2/7, 1/7.
    func testModelShares() {
        var w: [Double] = []
        let day: Int64 = 86_400_000
        let five = (0..<5).map { PathPoint(ts: Int64($0) * day, pilot: Int32($0)) }
        Influence.weigh(five[...], halfLifeMillis: 7 * Double(day), into: &w)
        let u = Array(w[15..<20])
        XCTAssertEqual(u[0], 0.4, accuracy: 1e-12)
        XCTAssertEqual(u[4], 0.4, accuracy: 1e-12)
        for x in u[1...3] { XCTAssertEqual(x, 0.2 / 3, accuracy: 1e-12) }
        Influence.weigh(five[..<2], halfLifeMillis: 7 * Double(day), into: &w)
        XCTAssertEqual(Array(w[6..<8]), [0.5, 0.5])
        Influence.weigh(five[..<1], halfLifeMillis: 7 * Double(day), into: &w)
        XCTAssertEqual(w, [1, 1, 1, 1, 1])
        let decay = [0, 7, 14].map { PathPoint(ts: Int64($0) * day, pilot: 0) }
        Influence.weigh(decay[...], halfLifeMillis: 7 * Double(day), into: &w)
        let td = Array(w[12..<15])
        XCTAssertEqual(td[0], 1.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(td[1], 2.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(td[2], 4.0 / 7, accuracy: 1e-12)
    }
}

/// Who shares paths with whom: the flat array (few pilots) and the dictionary (many) agree.
final class PairCountTests: XCTestCase {
    func testDenseAndSparseCountTheSamePairs() {
        var dense = PairCounts(pilots: 5), sparse = PairCounts(pilots: 5, denseLimit: 0)
        for path in [[0, 1], [0, 1, 4], [3], [4, 1], [2, 0, 1]] {
            dense.add(.sqm, path)
            sparse.add(.sqm, path)
        }
        dense.add(.won, [2, 3])
        sparse.add(.won, [2, 3])
        for m in Milestone.allCases {
            for p in 0..<5 { for q in 0..<5 where q != p { XCTAssertEqual(dense.count(m, p, q), sparse.count(m, p, q), "\(m) \(p) \(q)") } }
        }
        // By hand: 0 and 1 meet on paths 1, 2 and 5; 1 and 4 on 2 and 4; 3 alone at sqm.
        XCTAssertEqual(dense.count(.sqm, 0, 1), 3)
        XCTAssertEqual(dense.count(.sqm, 1, 0), 3)
        XCTAssertEqual(dense.count(.sqm, 1, 4), 2)
        XCTAssertEqual(dense.count(.sqm, 3, 0), 0)
        XCTAssertEqual(dense.count(.won, 3, 2), 1)
        XCTAssertEqual(dense.count(.opportunity, 0, 1), 0)
    }
}
