// swift-tools-version:6.1
// Micro-benchmarks of the hot functions, with ordo-one/package-benchmark. A package of its own so
// the main build stays lean. Run: `cd Benchmarks && swift package benchmark`.
import PackageDescription

let package = Package(
    name: "PilotScopeBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Hot",
            dependencies: [
                .product(name: "PilotScope", package: "main"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/Hot",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    ]
)
