import Foundation
import XCTest

@testable import PilotScope

/// `--out` never destroys what is not PilotScope's (bad-path corpus, through the built binary):
/// each refused path exits 2 before any data is read, and whatever was there is left intact.
final class OutputSafetyTests: XCTestCase {
    /// A run folder: the corpus configuration with its CRM and touch files.
    func workspace() -> String {
        let d = Support.tempDir()
        Support.write(d + "/pilotscope.yaml", CorpusTests.config)
        Support.write(d + "/crm.csv", CorpusTests.crmHeader + CorpusTests.goodRow)
        Support.write(d + "/touches.csv", CorpusTests.touches)
        return d
    }

    @discardableResult
    func report(_ d: String, out: String, cwd: String? = nil, extra: [String] = []) throws -> (code: Int32, out: String, err: String) {
        try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", out, "--quiet"] + extra, cwd: cwd)
    }

    func expectRefused(_ r: (code: Int32, out: String, err: String), _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.code, 2, r.err, file: file, line: line)
        XCTAssertTrue(r.err.contains(fragment), "missing '\(fragment)' in: \(r.err)", file: file, line: line)
    }

    func tree(_ d: String) -> [String: String] {
        var out: [String: String] = [:]
        for f in FileManager.default.enumerator(atPath: d)?.allObjects as? [String] ?? [] {
            out[f] = Support.read(d + "/" + f)
        }
        return out
    }

    func testForeignFolderRegularFileAndAncestorsAreRefused() throws {
        let d = workspace()
        let foreign = d + "/shared"
        try FileManager.default.createDirectory(atPath: foreign + "/sub", withIntermediateDirectories: true)
        Support.write(foreign + "/keep.txt", "mine")
        Support.write(foreign + "/sub/notes.md", "notes")
        let before = tree(d)
        expectRefused(try report(d, out: foreign), "content PilotScope did not write (keep.txt, sub)")
        Support.write(d + "/file.txt", "a file")
        expectRefused(try report(d, out: d + "/file.txt"), "is a regular file")
        // The configuration's own folder, and an ancestor of it.
        expectRefused(try report(d, out: d), "contains")
        expectRefused(try report(d, out: Paths.parent(d)), "contains")
        // `.` and `..` of the run's folder, with a relative configuration path.
        expectRefused(try Support.run(["report", "-c", "pilotscope.yaml", "--out", ".", "--quiet"], cwd: d), "is the current folder")
        expectRefused(try Support.run(["report", "-c", "pilotscope.yaml", "--out", "..", "--quiet"], cwd: d), "contains the current folder")
        expectRefused(try Support.run(["report", "-c", "pilotscope.yaml", "--out", "/", "--quiet"], cwd: d), "is the root folder")
        // The configuration file and an input file themselves.
        expectRefused(try report(d, out: d + "/pilotscope.yaml"), "a file this run reads")
        expectRefused(try report(d, out: d + "/crm.csv"), "a file this run reads")
        var after = tree(d)
        after["file.txt"] = nil
        XCTAssertEqual(after, before, "nothing was changed")
        XCTAssertEqual(Support.read(d + "/file.txt"), "a file")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.contains(".tmp-") }, [])
    }

    func testAnEmptyFolderIsRefusedWhenItIsTheCurrentOne() throws {
        let d = workspace()
        let empty = d + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        expectRefused(try Support.run(["report", "-c", d + "/pilotscope.yaml", "--out", ".", "--quiet"], cwd: empty), "is the current folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty), [])
    }

    func testSymlinksLoopsAndFoldersInsideGlobbedInputs() throws {
        let d = workspace()
        try FileManager.default.createSymbolicLink(atPath: d + "/loop1", withDestinationPath: d + "/loop2")
        try FileManager.default.createSymbolicLink(atPath: d + "/loop2", withDestinationPath: d + "/loop1")
        expectRefused(try report(d, out: d + "/loop1"), "symbolic link loop")
        try FileManager.default.createSymbolicLink(atPath: d + "/dangling", withDestinationPath: d + "/nowhere")
        expectRefused(try report(d, out: d + "/dangling"), "does not exist")
        // A link to a folder of someone else's files is refused; its files stay.
        let victim = d + "/victim"
        try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
        Support.write(victim + "/keep.txt", "mine")
        try FileManager.default.createSymbolicLink(atPath: d + "/link", withDestinationPath: victim)
        expectRefused(try report(d, out: d + "/link"), "did not write (keep.txt)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: victim), ["keep.txt"])
        // A link to a previous output is followed: the new output replaces the folder it points
        // at, and the link still points there.
        let real = d + "/outputs/today"
        XCTAssertEqual(try report(d, out: real).code, 0)
        try FileManager.default.createSymbolicLink(atPath: d + "/current", withDestinationPath: real)
        let viaLink = try report(d, out: d + "/current")
        XCTAssertEqual(viaLink.code, 0, viaLink.err)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: d + "/current"), real)
        XCTAssertTrue(FileManager.default.fileExists(atPath: real + "/funnel.csv"))
        // An output folder where an input glob would read its files.
        let g = workspace()
        try FileManager.default.createDirectory(atPath: g + "/exports/a", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: g + "/crm.csv", toPath: g + "/exports/a/crm.csv")
        Support.write(g + "/pilotscope.yaml", CorpusTests.config.replacingOccurrences(of: "[crm.csv]", with: "[\"exports/*/*.csv\"]"))
        expectRefused(try report(g, out: g + "/exports/out"), "input pattern")
        XCTAssertEqual(try report(g, out: g + "/out").code, 0)
    }

    func testReadOnlyParentIsRefused() throws {
        let d = workspace()
        let ro = d + "/ro"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        chmod(ro, 0o555)
        defer { chmod(ro, 0o755) }
        // root may write anywhere: run as `nobody` there, so the permission is what decides.
        guard let bin = Support.binary else { throw XCTSkip("binary not built") }
        let args = ["report", "-c", d + "/pilotscope.yaml", "--out", ro + "/out", "--quiet"]
        let r =
            geteuid() == 0
            ? try Support.run(["--reuid=65534", "--regid=65534", "--clear-groups", bin] + args, executable: "/usr/bin/setpriv")
            : try Support.run(args)
        expectRefused(r, "must be writable")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: ro), [])
    }

    func testNewEmptyAndPreviousFoldersAreWrittenAndFollowTheUmask() throws {
        let d = workspace()
        // New (with missing parents), under umask 027: folders 0750, files 0640.
        let r = try Support.runShell("umask 027; exec \"$0\" report -c \(d)/pilotscope.yaml --out \(d)/a/b/out --quiet")
        XCTAssertEqual(r.code, 0, r.err)
        func mode(_ p: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: p)[.posixPermissions]) as? Int) ?? -1 }
        XCTAssertEqual(mode(d + "/a/b/out"), 0o750)
        XCTAssertEqual(mode(d + "/a/b"), 0o750)
        XCTAssertEqual(mode(d + "/a/b/out/funnel.csv"), 0o640)
        XCTAssertTrue(Support.read(d + "/a/b/out/.pilotscope-output").hasPrefix("pilotscope \(PilotScopeVersion.string)\noutput format 1\n"))
        // The previous output (it holds the marker) is replaced.
        XCTAssertEqual(try Support.runShell("umask 022; exec \"$0\" report -c \(d)/pilotscope.yaml --out \(d)/a/b/out --quiet").code, 0)
        XCTAssertEqual(mode(d + "/a/b/out"), 0o755)
        // An empty folder is taken.
        try FileManager.default.createDirectory(atPath: d + "/empty", withIntermediateDirectories: true)
        XCTAssertEqual(try report(d, out: d + "/empty").code, 0)
        // An output written before markers existed (only PilotScope's file names) is taken too.
        let legacy = d + "/legacy"
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        for f in ["funnel.csv", "summary.json", "report.html"] { Support.write(legacy + "/" + f, "old") }
        XCTAssertEqual(try report(d, out: legacy).code, 0)
        XCTAssertNotEqual(Support.read(legacy + "/funnel.csv"), "old")
        // …but not once a foreign file is added, marker or not.
        Support.write(d + "/empty/notes.txt", "mine")
        expectRefused(try report(d, out: d + "/empty"), "notes.txt")
        XCTAssertEqual(Support.read(d + "/empty/notes.txt"), "mine")
    }

    func testAnEmptyPathIsRefused() throws {
        let d = workspace()
        expectRefused(try report(d, out: ""), "is empty")
    }
}

/// `pilotscope validate` as the pre-flight of tonight's run, through the binary.
final class ValidateTests: XCTestCase {
    func testMissingInputsColumnsRangesAndSharedRules() throws {
        let d = Support.tempDir()
        Support.write(d + "/crm.csv", CorpusTests.crmHeader + CorpusTests.goodRow)
        var config = CorpusTests.config
            .replacingOccurrences(of: "touches: { files: [touches.csv] }", with: "touches: { files: [\"logs/*.csv\", missing.csv] }")
            .replacingOccurrences(
                of: "icp: [{ field: industry, in: [finance] }]", with: "icp: [{ field: Plan Tier, in: [pro] }, { field: industry, not_in: [retail] }]"
            )
            .replacingOccurrences(of: "thresholds: { stop: [\"sqm < 1\"] }", with: "thresholds: { scale: [\"icp_match < 140%\"], stop: [\"sqm < -3\"] }")
        config += """

              - id: q
                motion: referral
                start: 2026-03-02
                end: 2026-03-31
                match: { source_tags: ["Partner Pilot: P"] }
                primary_metric: sqm
                thresholds: { stop: ["sqm < 1"] }
            """
        Support.write(d + "/pilotscope.yaml", config)
        let r = try Support.run(["validate", "-c", d + "/pilotscope.yaml"])
        XCTAssertEqual(r.code, 2, r.out + r.err)
        let cfg = d + "/pilotscope.yaml"
        for fragment in [
            "\(cfg): error: inputs.touches[0].files[0]: logs/*.csv: the pattern matches no file",
            "\(cfg): error: inputs.touches[0]: \(d)/missing.csv: cannot open",
            "\(cfg): warning: pilot 'p': icp[0]: rule 'Plan Tier in pro': crm.csv has no column for 'Plan Tier': every lead from it fails the rule",
            "\(cfg): warning: pilot 'p': icp[1]: rule 'industry not_in retail': crm.csv has no column for 'industry': every lead from it passes the rule",
            "\(cfg): warning: pilot 'p': thresholds.scale[0]: 'icp_match < 140%' always holds",
            "\(cfg): warning: pilot 'p': thresholds.stop[0]: 'sqm < -3' can never hold",
            "\(cfg): warning: pilot 'p': match.source_tags: tag 'partner pilot: p' is also used by pilot 'q'",
            "goes to 'p', listed first",
        ] {
            XCTAssertTrue(r.out.contains(fragment), "missing '\(fragment)' in:\n\(r.out)")
        }
        // JSON for machines: the same issues.
        let j = try Support.run(["validate", "-c", cfg, "--format", "json"])
        XCTAssertEqual(j.code, 2)
        let obj = try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as! [String: Any]
        XCTAssertEqual(obj["ok"] as? Bool, false)
        XCTAssertEqual(obj["errors"] as? Int, 2)
        let issues = obj["issues"] as! [[String: Any]]
        XCTAssertTrue(issues.contains { $0["pilot"] as? String == "p" && $0["key"] as? String == "icp[0]" && $0["severity"] as? String == "warning" })
        XCTAssertTrue(issues.allSatisfy { $0["file"] as? String == cfg })
        // Fixed inputs: warnings only, exit 0.
        try FileManager.default.createDirectory(atPath: d + "/logs", withIntermediateDirectories: true)
        Support.write(d + "/logs/a.csv", CorpusTests.touches)
        Support.write(d + "/missing.csv", CorpusTests.touches)
        let ok = try Support.run(["validate", "-c", cfg])
        XCTAssertEqual(ok.code, 0, ok.out)
        XCTAssertTrue(ok.out.contains("ok: 2 pilot(s), 3 input file(s)"), ok.out)
    }

    func testAHeaderThatDoesNotMapAndAnUnreadableConfiguration() throws {
        let d = Support.tempDir()
        Support.write(d + "/crm.csv", "id,email,created\n")
        Support.write(d + "/touches.csv", CorpusTests.touches)
        Support.write(d + "/pilotscope.yaml", CorpusTests.config)
        let r = try Support.run(["validate", "-c", d + "/pilotscope.yaml"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.out.contains("inputs.crm[0]: crm.csv: required column 'record_id'"), r.out)
        let missing = try Support.run(["validate", "-c", d + "/nope.yaml"])
        XCTAssertEqual(missing.code, 2)
        XCTAssertTrue(missing.out.contains("\(d)/nope.yaml: error: cannot read the configuration file: No such file or directory"), missing.out)
        let folder = try Support.run(["report", "-c", d, "--out", d + "/out"])
        XCTAssertEqual(folder.code, 2)
        XCTAssertTrue(folder.err.contains("Is a directory"), folder.err)
    }
}

/// The release binary (what `make install` installs) needs nothing of the Swift toolchain.
final class InstallTests: XCTestCase {
    func testTheReleaseBinaryRunsWithoutTheToolchain() throws {
        let bin = Support.packageRoot.appendingPathComponent(".build/release/pilotscope").path
        guard FileManager.default.isExecutableFile(atPath: bin) else { throw XCTSkip("release binary not built: run `make test`") }
        let r = try Support.run([Support.packageRoot.appendingPathComponent("scripts/check-binary.sh").path, bin], executable: "/bin/bash")
        XCTAssertEqual(r.code, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("check-binary: ok"), r.out)
    }
}
