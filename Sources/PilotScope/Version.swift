/// The version written to `summary.json` and printed by `--version`.
public enum PilotScopeVersion {
    public static let string = "0.1.0"
}
