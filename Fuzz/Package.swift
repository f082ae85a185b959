// swift-tools-version:6.1
// libFuzzer targets. Built by scripts/fuzz.sh with -sanitize=fuzzer,address on the command line
// (never unsafeFlags here), so the main package stays usable as a dependency.
import PackageDescription

let package = Package(
    name: "PilotScopeFuzz",
    dependencies: [.package(path: "../")],
    targets: [.target(name: "FuzzSupport", path: "Sources/FuzzSupport")]
        + ["FuzzCSV", "FuzzTimestamp", "FuzzURL", "FuzzConfig", "FuzzState", "FuzzZip"].map {
            .executableTarget(
                name: $0,
                dependencies: [
                    "FuzzSupport", .product(name: "PilotScope", package: "main"),
                    .product(name: "PilotScopeTestSupport", package: "main"),
                ], path: "Sources/\($0)")
        }
)
