import ArgumentParser
import PilotScope

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-flight of a run: the configuration, then every input's glob, file and header (headers only).",
        discussion: """
            Errors exit 2, warnings (the brief's rules of thumb, ICP rules on missing columns, thresholds that can never or always hold, shared match rules) exit 0. Each names the configuration file, the pilot and the key.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "text, or json (one object, for machines).")
    var format: ValidateFormat = .text

    enum ValidateFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        let o = Preflight.run(configPath: options.config)
        switch format {
        case .text:
            for i in o.issues { print(i.description) }
            if o.errors == 0 {
                print("ok: \(o.pilots) pilot(s), \(o.files.count) input file(s), \(o.warnings) warning(s)")
            } else {
                print("\(o.errors) error(s), \(o.warnings) warning(s)")
            }
        case .json:
            let j = TableWriter.jsonString
            let issues = o.issues.map { i in
                "{\"severity\":\(j(i.severity.rawValue)),\"file\":\(j(i.file ?? o.configFile)),\"pilot\":\(i.pilot.map(j) ?? "null"),\"key\":\(j(i.key)),\"message\":\(j(i.message))}"
            }
            let files = o.files.map { "{\"kind\":\(j($0.kind.rawValue)),\"file\":\(j($0.name))}" }
            print(
                "{\"config\":\(j(o.configFile)),\"ok\":\(o.errors == 0),\"pilots\":\(o.pilots),\"errors\":\(o.errors),\"warnings\":\(o.warnings),\"files\":[\(files.joined(separator: ","))],\"issues\":[\(issues.joined(separator: ","))]}"
            )
        }
        if o.errors > 0 { throw ExitCode(2) }
    }
}

struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List the column mappings of the input presets.")

    @Argument(
        help: "A preset name (canonical, hubspot, salesforce, salesforce_opportunity_history, calendly, segment).",
        completion: .list(Presets.names))
    var name: String?

    func run() throws {
        guard let text = Presets.describe(name) else {
            throw ValidationError("unknown preset '\(name ?? "")'")
        }
        print(text, terminator: "")
    }
}
