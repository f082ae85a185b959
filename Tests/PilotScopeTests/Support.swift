import Foundation
import XCTest

@testable import PilotScope

enum Support {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var fixtures: URL { packageRoot.appendingPathComponent("Tests/PilotScopeTests/Fixtures") }

    static func tempDir(_ name: String = #function) -> String {
        let d = NSTemporaryDirectory() + "pilotscope-tests-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func write(_ path: String, _ text: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Loads a configuration and runs the whole report in-process, planned by the CLI's own code.
    static func report(config path: String, threads: Int = 2, crm: [String] = [], touches: [String] = [], engine: CSVEngine = .fast) throws -> ReportResult {
        let (resolved, _) = try ConfigLoader.loadResolved(path: path)
        let sections = try InputPlan.sections(resolved, crm: crm, touches: touches)
        var o = ReportOptions(threads: threads)
        o.engine = engine
        return try ReportEngine.run(config: resolved, sections: sections, options: o)
    }

    static func csv(_ r: ReportResult, _ table: String) -> String {
        TableWriter.render(r.tables.first { $0.name == table }!, as: .csv)
    }

    /// The built CLI: the newest of the release (built by `make test`) and debug builds.
    static var binary: String? {
        let candidates = ["release", "debug"].map { packageRoot.appendingPathComponent(".build/\($0)/pilotscope").path }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        func modified(_ p: String) -> Date { (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? .distantPast }
        return candidates.max { modified($0) < modified($1) }
    }

    /// Runs `bash -c script` with the built CLI as `$0` (redirections, pipes, ulimit).
    @discardableResult
    static func runShell(_ script: String) throws -> (code: Int32, out: String, err: String) {
        guard let bin = binary else { throw XCTSkip("pilotscope binary not built: run `make test`") }
        return try run(["-c", script, bin], executable: "/bin/bash")
    }

    /// Runs the built CLI (or `executable`) with `args`.
    @discardableResult
    static func run(_ args: [String], cwd: String? = nil, executable: String? = nil) throws -> (code: Int32, out: String, err: String) {
        guard let bin = binary else { throw XCTSkip("pilotscope binary not built: run `make test`") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? bin)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
