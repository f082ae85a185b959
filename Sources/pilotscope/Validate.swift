import ArgumentParser
import PilotScope

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pilot configuration: errors exit 2, warnings (the brief's rules of thumb) exit 0.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let file = try ConfigLoader.load(path: options.config)
        let (resolved, issues) = ConfigValidator.resolve(file)
        for i in issues { print(i.description) }
        guard let resolved else { throw ExitCode(2) }
        let w = issues.filter { $0.severity == .warning }.count
        print("ok: \(resolved.pilots.count) pilot(s), \(w) warning(s)")
    }
}

struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List the column mappings of the input presets.")

    @Argument(help: "A preset name (canonical, hubspot, salesforce, salesforce_opportunity_history, calendly, segment).")
    var name: String?

    func run() throws {
        guard let text = Presets.describe(name) else {
            throw ValidationError("unknown preset '\(name ?? "")'")
        }
        print(text, terminator: "")
    }
}
