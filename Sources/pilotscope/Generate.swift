import ArgumentParser
import PilotScope

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write deterministic synthetic data and a matching pilotscope.yaml.")

    @Option(help: "Number of CRM contacts.") var contacts: Int
    @Option(help: "Number of touch rows (of each day, with --touch-files-by-day).") var touches: Int
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Split each input into this many files.") var shards: Int = 1
    @Option(help: "Distinct anonymous visitors (default: about touches / 8).") var visitors: Int?
    @Option(help: "Output directory.") var out: String

    @Flag(help: "Write plain CSV instead of gzip.") var plain = false
    @Flag(
        help: ArgumentHelp(
            "Write the touch log as one file a day, touches/YYYY-MM-DD.csv.gz, --touches rows each.",
            discussion: "Each day has its own random stream, seeded by its date: a day's file is the same bytes whatever --days and --first-day."))
    var touchFilesByDay = false
    @Option(help: "With --touch-files-by-day: the number of days.") var days: Int = 30
    @Option(help: "With --touch-files-by-day: the first day (YYYY-MM-DD).") var firstDay: String = "2026-03-01"

    func validate() throws {
        if contacts < 1 || touches < 0 || shards < 1 { throw ValidationError("--contacts ≥ 1, --touches ≥ 0, --shards ≥ 1") }
        if days < 1 || days > 100_000 { throw ValidationError("--days is between 1 and 100000") }
        if Civil.parseDate(firstDay) == nil { throw ValidationError("--first-day \(firstDay) is not a date (YYYY-MM-DD)") }
    }

    func run() throws {
        var g = Generator(contacts: contacts, touches: touches, seed: seed, shards: shards, visitors: visitors, out: out)
        g.compress = !plain
        if touchFilesByDay {
            g.touchDays = days
            g.firstTouchDay = Civil.parseDate(firstDay)!
        }
        try g.run()
    }
}
