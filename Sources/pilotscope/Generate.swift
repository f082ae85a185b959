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

    @Flag(help: "Write plain CSV instead of gzip.") var plain = false

    func validate() throws {
        if contacts < 1 || touches < 0 || shards < 1 { throw ValidationError("--contacts ≥ 1, --touches ≥ 0, --shards ≥ 1") }
    }

    func run() throws {
        var g = Generator(contacts: contacts, touches: touches, seed: seed, shards: shards, visitors: visitors, out: out)
        g.compress = !plain
        try g.run()
    }
}
