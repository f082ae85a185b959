import ArgumentParser
import CPilotShims
import Foundation
import PilotScope

/// `pilotscope`: measures partnership pilots from CRM exports and touch logs.
@main
struct PilotScopeCLI {
    static func main() {
        // First of all: a signal at any instant from here on leaves the previous output intact,
        // no temporary folder behind, and exits 130 (SIGINT) or 143 (SIGTERM).
        Signals.install()
        // Large blocks (maps, pages, arrays of a million records) go back to the system when
        // freed: peak memory follows what is alive (8x, --threads 2: 669 MiB, not 924, with the
        // steps of the day; Benchmarks/README.md, issue 17). The library leaves malloc as it is.
        _ = CPilotShims_map_large_blocks(1 << 20)
        do {
            var command = try Root.parseAsRoot()
            try command.run()
            Signals.exit(0)
        } catch let e as ConfigError {
            Terminal.fail(e.description, exit: 2)
        } catch let e as ColumnError {
            Terminal.fail("error: \(e.description)", exit: 2)
        } catch let e as InputError {
            Terminal.fail("error: \(e.description)", exit: 1)
        } catch let e as StateError {
            Terminal.fail("error: \(e.description)", exit: e.exitCode)
        } catch let e as OutputError {
            Terminal.fail("error: \(e.description)", exit: e.isUsageError ? 2 : 1)
        } catch let e as ExitCode {
            Signals.exit(e.rawValue)
        } catch {
            let code = Root.exitCode(for: error)
            if code == .success {
                print(Root.fullMessage(for: error))
                Signals.exit(0)
            }
            // Usage errors exit 2 (SPEC 5), not ArgumentParser's 64.
            Terminal.fail(Root.fullMessage(for: error), exit: code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

struct Root: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilotscope",
        abstract: "Measure partnership pilots: funnel, ICP match, cost, velocity, SLA and a scale / iterate / stop verdict.",
        version: PilotScopeVersion.string,
        subcommands: [Report.self, Partial.self, Merge.self, Validate.self, Scan.self, Generate.self, PresetsCommand.self, Schema.self]
    )
}

/// How messages on stderr are written: plain text, or JSON lines for cron logs.
enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Writes to standard error (fd 2; Swift 6 rejects C's `stderr`).
enum Terminal {
    nonisolated(unsafe) static var format = LogFormat.text

    static func raw(_ s: String) {
        _ = FileIO.writeAll(2, s.hasSuffix("\n") ? s : s + "\n")
    }

    /// A message (warning or information) in the chosen format.
    static func error(_ s: String, event: String = "message") {
        if format == .json {
            raw("{\"event\":\(TableWriter.jsonString(event)),\"message\":\(TableWriter.jsonString(s))}")
        } else {
            raw(s)
        }
    }

    /// The run's last word on failure: the message, then exit with `code`.
    static func fail(_ s: String, exit code: Int32) -> Never {
        Signals.waitIfInterrupted()
        if format == .json {
            raw("{\"event\":\"error\",\"exit\":\(code),\"message\":\(TableWriter.jsonString(s))}")
        } else {
            raw(s)
        }
        Signals.exit(code)
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }
}

/// Options shared by the commands that read a configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "The pilot configuration (YAML or JSON).")
    var config: String = "pilotscope.yaml"
}

/// Options shared by the commands that read data.
struct ReadOptions: ParsableArguments {
    @Option(help: "Worker threads (default: the number of cores).")
    var threads: Int = allCores

    @Option(help: "CSV engine: fast (hand-written, proven identical to libcsv) or libcsv.")
    var csvEngine: CSVEngine = .fast

    @Option(help: "gzip inflate backend: isal or zlib.")
    var inflate: InflateBackend = .isal

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}

extension CSVEngine: ExpressibleByArgument {}
extension InflateBackend: ExpressibleByArgument {}

/// Loads and validates the configuration: exit 2 on any error, warnings to stderr.
func loadConfig(_ path: String, quiet: Bool) throws -> ResolvedConfig {
    let (config, warnings) = try ConfigLoader.loadResolved(path: path)
    if !quiet { for w in warnings { Terminal.error(w.description) } }
    return config
}

/// SIGINT / SIGTERM, from the first line of `main`: a thread waits for the handler's byte, removes
/// every folder still being written, says so, and exits 128 + the signal's number. Once a signal
/// has arrived the run always ends so, whichever thread gets there first (`waitIfInterrupted`).
enum Signals {
    static func install() {
        let fd = CPilotShims_install_signals()
        guard fd >= 0 else { return }
        Thread.detachNewThread {
            var b: UInt8 = 0
            while true {
                let n = read(fd, &b, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                // The pipe cannot fail while the process holds its write end; were it to, a
                // signal still ends the run, through `waitIfInterrupted` on the way out.
                return
            }
            finish(Int32(b))
        }
    }

    /// The first thread to end an interrupted run holds it until `_exit`; any other waits here.
    private static let ending = NSLock()

    /// Removes every folder still being written, says so, and exits 128 + `signal`.
    private static func finish(_ signal: Int32) -> Never {
        ending.lock()
        let committed = AtomicDirectory.discardAll()
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let code = 128 + signal
        let message =
            committed ? "interrupted by \(name) after the new output was in place" : "interrupted by \(name): the previous output is left as it was"
        if Terminal.format == .json {
            Terminal.raw("{\"event\":\"error\",\"exit\":\(code),\"message\":\(TableWriter.jsonString(message))}")
        } else {
            Terminal.raw(message)
        }
        // Other threads may be anywhere: end without running exit handlers.
        _exit(code)
    }

    /// Once a signal has arrived, the run ends 128 + the signal: the signal thread removes the
    /// folders being written (which can make another thread's next write fail), and a thread
    /// about to end the run otherwise, with an error or not, ends it that way instead.
    static func waitIfInterrupted() {
        let signal = CPilotShims_signal_received()
        guard signal != 0 else { return }
        finish(signal)
    }

    /// Ends the run with `code`, unless a signal has arrived (`waitIfInterrupted`).
    static func exit(_ code: Int32) -> Never {
        waitIfInterrupted()
        Glibc.exit(code)
    }
}
