// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "PilotScope",
    products: [
        .library(name: "PilotScope", targets: ["PilotScope"]),
        // Shared by the tests and the fuzzers (Fuzz/): in-memory sources, the CSV engines side by side.
        .library(name: "PilotScopeTestSupport", targets: ["PilotScopeTestSupport"]),
        .executable(name: "pilotscope", targets: ["pilotscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Zip containers: archives as inputs (`export.zip#Lead.csv`) and report.xlsx.
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // C libraries, linked from the system (see README: libcsv-dev, zlib1g-dev, libisal-dev).
        .systemLibrary(name: "CPilotZlib", path: "Sources/CPilotZlib"),
        .systemLibrary(name: "CLibCSV", path: "Sources/CLibCSV"),
        .systemLibrary(name: "CISAL", path: "Sources/CISAL", pkgConfig: "libisal"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        // Small C helpers Swift cannot see on Linux (memmem) — prefixed symbols only.
        .target(name: "CPilotShims", path: "Sources/CPilotShims"),
        .target(
            name: "PilotScope",
            dependencies: [
                "CPilotZlib", "CLibCSV", "CISAL", "CCrypto", "CPilotShims",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Sources/PilotScope"
        ),
        .executableTarget(
            name: "pilotscope",
            dependencies: [
                "PilotScope",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/pilotscope"
        ),
        .target(name: "PilotScopeTestSupport", dependencies: ["PilotScope"], path: "Sources/PilotScopeTestSupport"),
        .testTarget(
            name: "PilotScopeTests",
            dependencies: ["PilotScope", "PilotScopeTestSupport", "CLibCSV", "CPilotZlib"],
            path: "Tests/PilotScopeTests",
            resources: [.copy("Fixtures")]
        ),
    ]
)
