import ArgumentParser
import PilotScope

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of pilotscope.yaml, for editors.",
        discussion: """
            Generated from the same Codable types the loader decodes and the constants the validator checks (presets, formats, motions, metrics, ranges). Save it and point the YAML language server at it: `pilotscope schema > pilotscope.schema.json`, then `# yaml-language-server: $schema=./pilotscope.schema.json` on the first line of pilotscope.yaml (docs/CONFIG.md).
            """)

    func run() throws {
        let (json, unresolved) = ConfigSchema.build()
        // A refinement whose key is gone is a bug of this build, not of the user's input.
        guard unresolved.isEmpty else { Terminal.fail("internal error: schema refinements name no key: \(unresolved)", exit: 70) }
        Output.stdout(json)
    }
}
