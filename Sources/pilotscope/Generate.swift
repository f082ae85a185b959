import ArgumentParser
import PilotScope

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write deterministic synthetic data and a matching pilotscope.yaml.")

    @Option(help: "Number of CRM contacts.") var contacts: Int
    @Option(help: "Number of touch rows.") var touches: Int
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Split each input into this many files.") var shards: Int = 1
    @Option(help: "Distinct anonymous visitors (default: about touches / 8).") var visitors: Int?
    @Option(help: "Output directory.") var out: String

    func run() throws {
        throw ValidationError("generate is not implemented yet")
    }
}

