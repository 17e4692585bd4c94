// swift-tools-version:6.1
import PackageDescription
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Release builds of the per-command code skip Swift's run-time exclusivity checks (a measurable share of
/// each command's CPU time); debug builds, which the tests also run, keep them.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The tensor kernels use SIMD8<Float> multiply-adds. Swift targets baseline x86-64 (SSE2, where one fused
/// multiply-add per lane becomes a libm call), so on x86-64 hosts the inference code is compiled for
/// Haswell-class CPUs (AVX2 + FMA, every x86-64 server CPU since 2013). The manifest runs on the build host,
/// so this follows the machine that builds; arm64 has FMA in its baseline.
#if arch(x86_64)
let vectorSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let vectorSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "cluster-serving",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cluster-serving", targets: ["ClusterServing"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "RESPServer", targets: ["RESPServer"]),
        .library(name: "Inference", targets: ["Inference"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // LMDB from Debian (apt-get install liblmdb-dev): Sources/CLMDB/module.modulemap
        .systemLibrary(name: "CLMDB"),
        .target(
            name: "Store",
            dependencies: [
                "CLMDB",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "RESPServer",
            dependencies: [
                "Store",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSettings
        ),
        // OpenBLAS from Debian (apt-get install libopenblas-dev): Sources/CBLAS/module.modulemap
        .systemLibrary(name: "CBLAS"),
        .target(
            name: "Inference",
            dependencies: [
                "CBLAS",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: [
                "Formats/ONNX/onnx-subset.proto", "Formats/TensorFlow/tensorflow-subset.proto",
                "Formats/TensorFlow/saved-model-subset.proto", "Formats/Caffe/caffe-subset.proto",
                "Formats/BigDL/bigdl-subset.proto",
            ],
            swiftSettings: hotPathSettings + vectorSettings
        ),
        // The stock client's wire format: Arrow IPC streams, written by hand (no listed package reads them).
        .target(name: "ArrowIPC"),
        // libjpeg-turbo and libpng from Debian (apt-get install libturbojpeg0-dev libpng-dev).
        .systemLibrary(name: "CTurboJPEG"),
        .target(name: "CPNGDecode", linkerSettings: [.linkedLibrary("png16")]),
        .target(name: "ImageCodecs", dependencies: ["CTurboJPEG", "CPNGDecode"]),
        .target(name: "ServingConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The serving job: stream in, batches through the engine, results out, and job control.
        .target(
            name: "Serving",
            dependencies: [
                "Store", "RESPServer", "Inference", "ArrowIPC", "ImageCodecs", "ServingConfig",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP frontend: the original's routes, KServe v2 and TF Serving REST, in front of the queue.
        .target(
            name: "HTTPFrontend",
            dependencies: [
                "Serving", "Store", "ArrowIPC", "ServingConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "ClusterServing",
            dependencies: [
                "Store",
                "RESPServer",
                "Inference",
                "Serving",
                "ServingConfig",
                "HTTPFrontend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference"]),
        .testTarget(name: "ArrowIPCTests", dependencies: ["ArrowIPC"], exclude: ["Fixtures"]),
        .testTarget(name: "ImageCodecsTests", dependencies: ["ImageCodecs"], exclude: ["Fixtures"]),
        .testTarget(name: "ServingConfigTests", dependencies: ["ServingConfig"], exclude: ["Fixtures"]),
        .testTarget(name: "ServingTests", dependencies: ["Serving", "Store", "Inference", "ArrowIPC", "ServingConfig"]),
        .testTarget(name: "HTTPFrontendTests", dependencies: ["HTTPFrontend", "Serving"]),
        .testTarget(
            name: "RESPServerTests",
            dependencies: [
                "RESPServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ]
)

/// libFuzzer harnesses (Sources/Fuzz/<Name>), one executable each. Their `main` hands over to libFuzzer's
/// driver, which links only with `-sanitize=fuzzer`: they exist only when `CS_FUZZ=1` (`make fuzz`), and a
/// plain `swift build` never sees them.
let fuzzHarnesses: [(name: String, dependencies: [Target.Dependency])] = [
    ("FuzzRESPDecoder", ["RESPServer", .product(name: "NIOCore", package: "swift-nio")]),
    ("FuzzCommands", ["RESPServer", "Store", .product(name: "Logging", package: "swift-log")]),
    ("FuzzArrowIPC", ["ArrowIPC"]),
    ("FuzzONNX", ["Inference", "FuzzSupport"]),
    ("FuzzOpenVINO", ["Inference", "FuzzSupport"]),
    ("FuzzTensorFlow", ["Inference", "FuzzSupport"]),
    ("FuzzCaffe", ["Inference", "FuzzSupport"]),
    ("FuzzBigDL", ["Inference", "FuzzSupport"]),
    ("FuzzNumPy", ["Inference"]),
    ("FuzzImage", ["ImageCodecs"]),
    ("FuzzPredictJSON", ["HTTPFrontend"]),
    ("FuzzConfig", ["ServingConfig"]),
]
if let flag = getenv("CS_FUZZ"), String(cString: flag) == "1" {
    package.targets.append(.systemLibrary(name: "CFuzzDriver", path: "Sources/Fuzz/CFuzzDriver"))
    package.targets.append(.target(name: "FuzzSupport", path: "Sources/Fuzz/FuzzSupport"))
    for harness in fuzzHarnesses {
        package.targets.append(.executableTarget(
            name: harness.name, dependencies: ["CFuzzDriver"] + harness.dependencies,
            path: "Sources/Fuzz/\(harness.name)"))
        package.products.append(.executable(name: harness.name, targets: [harness.name]))
    }
}
