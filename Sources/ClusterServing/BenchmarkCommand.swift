import ArgumentParser
import Dispatch
import Foundation
import Inference
import Synchronization

/// `cluster-serving benchmark`: batches of random input through a model; prints one JSON line.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure a model on random input of its shape: images/s, p50 and p99 latency per batch."
    )

    @OptionGroup var selection: ModelSelection

    @Option(help: "Batch size (fills the batch dimension).")
    var batch: Int = 1

    @Option(help: "How long to measure, after a warm-up.")
    var seconds: Double = 10

    @Option(help: "Threads for each run (threadPerModel).")
    var threads: Int = 1

    @Option(help: "Runs at once, each on its own batch (modelParallelism).")
    var copies: Int = 1

    @Option(help: "Size of dimensions other than the batch that the model leaves open.")
    var dynamicSize: Int = 1

    @Flag(help: "Also print, to standard error, where the time goes by operator.")
    var profile = false

    func validate() throws {
        guard batch >= 1, threads >= 1, copies >= 1, seconds > 0, dynamicSize >= 1 else {
            throw ValidationError("--batch, --threads, --copies and --dynamic-size must be at least 1, --seconds positive")
        }
    }

    func run() throws {
        let loaded = try CommandLineModel.load(selection, threads: threads, copies: copies)
        let inputs = try loaded.metadata.inputs.map(randomInput)
        // Warm-up: first-run allocations and caches, at least three runs or one second.
        let warmUpEnd = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
        var warmUps = 0
        while warmUps < 3 || DispatchTime.now().uptimeNanoseconds < warmUpEnd {
            _ = try loaded.run(inputs)
            warmUps += 1
        }
        // Each copy loops on its own thread until the deadline; latencies are per batch.
        let start = DispatchTime.now().uptimeNanoseconds
        let end = start + UInt64(seconds * 1e9)
        let collected = Mutex<[Double]>([])
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: copies) { _ in
            var mine: [Double] = []
            var now = DispatchTime.now().uptimeNanoseconds
            repeat {
                do { _ = try loaded.run(inputs) } catch {
                    failure.withLock { $0 = error }
                    return
                }
                let finished = DispatchTime.now().uptimeNanoseconds
                mine.append(Double(finished - now) / 1e6)
                now = finished
            } while now < end
            collected.withLock { $0 += mine }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var latencies = collected.withLock { $0 }
        let now = DispatchTime.now().uptimeNanoseconds
        latencies.sort()
        let elapsed = Double(now - start) / 1e9
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] }
        let fields: [String] = [
            "\"images_per_second\": " + String(format: "%.2f", Double(batch * latencies.count) / elapsed),
            "\"p50_ms\": " + String(format: "%.3f", percentile(0.5)),
            "\"p99_ms\": " + String(format: "%.3f", percentile(0.99)),
            "\"batch\": \(batch)",
            "\"threads\": \(threads)",
            "\"copies\": \(copies)",
            "\"runs\": \(latencies.count)",
        ]
        print("{" + fields.joined(separator: ", ") + "}")
        if profile {
            let runs = max(3, min(50, latencies.count))
            let report = try loaded.profile(inputs, runs: runs)
            for entry in report.shares {
                let line = String(format: "%6.1f%%  %9.3f ms per batch  %@\n", entry.share * 100,
                                  entry.milliseconds / Double(runs), entry.label)
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
    }

    /// Uniform [0, 1) floats (image-like) or zeros for index inputs, with the batch in the first dimension.
    private func randomInput(_ input: ValueInfo) throws -> Tensor {
        guard let dimensions = input.shape else {
            throw ValidationError("input '\(input.name)' has no declared shape to generate data for")
        }
        if let fixed = dimensions.first?.value, fixed != batch {
            throw ValidationError("input '\(input.name)' has a fixed batch of \(fixed); run with --batch \(fixed)")
        }
        let shape = dimensions.enumerated().map { axis, dimension in
            dimension.value ?? (axis == 0 ? batch : dynamicSize)
        }
        var generator = SystemRandomNumberGenerator()
        switch input.elementType {
        case .float32:
            return Tensor(floats: (0..<shape.elementCount).map { _ in Float.random(in: 0..<1, using: &generator) }, shape: shape)
        case .int64:
            return Tensor(int64s: [Int64](repeating: 0, count: shape.elementCount), shape: shape)
        case .int32:
            return Tensor(int32s: [Int32](repeating: 0, count: shape.elementCount), shape: shape)
        case .bool:
            return Tensor(bools: [Bool](repeating: false, count: shape.elementCount), shape: shape)
        }
    }
}
