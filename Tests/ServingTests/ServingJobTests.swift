import Foundation
import Inference
import ServingConfig
import Store
import Testing

@testable import Serving

@Suite(.serialized) struct ServingJobTests {
    private func config(_ tweak: (inout ServingConfiguration) -> Void = { _ in }) -> ServingConfiguration {
        var config = ServingConfiguration(file: NSTemporaryDirectory() + "config.yaml", modelPath: Repo.digitsDirectory)
        config.servingLogPath = NSTemporaryDirectory() + "serving-tests.log"
        config.errorLogPath = NSTemporaryDirectory() + "serving-tests-error.log"
        config.modelParallelism = 1
        config.coreNumberPerMachine = 1
        tweak(&config)
        return config
    }

    @Test func entriesWrittenBeforeTheJobStartedAreServed() throws {
        let temporary = try TemporaryStore()
        for i in 0..<3 { try temporary.store.add("serving_stream", ["uri": "early-\(i)", "data": digitsRecord(10), "serde": "stream"]) }
        let manager = JobManager(store: temporary.store, availableCores: 1)
        let job = try manager.add(config())
        #expect(eventually { job.state == .serving })
        for i in 0..<3 {
            #expect(try eventually { try !temporary.store.hash("cluster-serving_serving_stream:early-\(i)").isEmpty })
        }
        manager.stopAll()
    }

    @Test func answeredEntriesAreAcknowledgedAndRemovedWithTheirResult() throws {
        let temporary = try TemporaryStore()
        let manager = JobManager(store: temporary.store, availableCores: 1)
        let job = try manager.add(config())
        #expect(eventually { job.state == .serving })
        for i in 0..<10 { try temporary.store.add("serving_stream", ["uri": "r\(i)", "data": digitsRecord(Float(i * 20)), "serde": "stream"]) }
        #expect(try eventually { try (0..<10).allSatisfy { try !temporary.store.hash("cluster-serving_serving_stream:r\($0)").isEmpty } })
        #expect(try temporary.store.streamLength("serving_stream") == 0)
        let pending = try temporary.store.read { txn in
            try txn.keyspace(0).pendingSummary(Array("serving_stream".utf8), group: Array("serving".utf8))
        }
        #expect(pending.count == 0)
        #expect(job.metrics.snapshot.recordsOut == 10)
        manager.stopAll()
    }

    @Test func aGroupCreatedAtDollarByAClientIsRewoundSoEarlierEntriesAreServed() throws {
        let temporary = try TemporaryStore()
        try temporary.store.add("serving_stream", ["uri": "before-group", "data": digitsRecord(5), "serde": "stream"])
        // The stock client's XGROUP CREATE serving_stream serving $.
        try temporary.store.write { txn in
            try txn.keyspace(0).groupCreate(Array("serving_stream".utf8), Array("serving".utf8), startID: nil,
                                            entriesRead: nil, makeStream: false)
        }
        let manager = JobManager(store: temporary.store, availableCores: 1)
        _ = try manager.add(config())
        #expect(try eventually { try !temporary.store.hash("cluster-serving_serving_stream:before-group").isEmpty })
        manager.stopAll()
    }

    @Test func aBadRecordGetsNaNAndAnErrorWhileItsBatchIsServed() throws {
        let temporary = try TemporaryStore()
        let manager = JobManager(store: temporary.store, availableCores: 1)
        let job = try manager.add(config { $0.batchSize = 8; $0.batchWindowMilliseconds = 300 })
        #expect(eventually { job.state == .serving })
        try temporary.store.add("serving_stream", ["uri": "good", "data": digitsRecord(50), "serde": "stream"])
        try temporary.store.add("serving_stream", ["uri": "bad", "data": #"{"instances":[{"image":[1,2,3]}]}"#, "serde": "stream"])
        try temporary.store.add("serving_stream", ["uri": "garbage", "data": "not base64 arrow"])
        try temporary.store.add("serving_stream", ["data": digitsRecord(50), "serde": "stream"])  // no uri
        #expect(try eventually { try temporary.store.streamLength("serving_stream") == 0 })
        let good = try temporary.store.hash("cluster-serving_serving_stream:good")
        #expect(good["value"] != "NaN" && good["error"] == nil)
        let bad = try temporary.store.hash("cluster-serving_serving_stream:bad")
        #expect(bad["value"] == "NaN")
        #expect(bad["error"]?.contains("shape [3]") == true)
        #expect(try temporary.store.hash("cluster-serving_serving_stream:garbage")["value"] == "NaN")
        manager.stopAll()
    }

    @Test func theSameJobNameTwiceIsRefused() throws {
        let temporary = try TemporaryStore()
        let manager = JobManager(store: temporary.store, availableCores: 1)
        let first = try manager.add(config())
        #expect(throws: ServingError.duplicateJob(name: "serving_stream", id: first.id)) { try manager.add(config()) }
        manager.stopAll()
    }

    @Test func aModelThatCannotLoadFailsTheJobWithTheReason() throws {
        let temporary = try TemporaryStore()
        let broken = NSTemporaryDirectory() + "broken-model-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: broken + "/model.onnx"))
        let manager = JobManager(store: temporary.store, availableCores: 1)
        let job = try manager.add(config { $0.modelPath = broken })
        #expect(eventually { job.state != .loading })
        guard case .failed(let reason) = job.state else { Issue.record("state \(job.state)"); return }
        #expect(reason.contains("model.onnx"))
    }
}

@Suite struct BatchRunnerTests {
    @Test func aBatchGivesEachRecordWhatItWouldGetAlone() throws {
        let model = try Model(path: Repo.digitsModel)
        let runner = BatchRunner(model: model, inputAlreadyBatched: false)
        let records = (0..<5).map { i in
            BatchRunner.Record(inputs: [Tensor(floats: (0..<192).map { Float(($0 * (i + 3)) % 256) }, shape: [3, 8, 8])],
                               inputAlreadyBatched: false)
        }
        let together = runner.run(records)
        for (record, result) in zip(records, together) {
            let alone = try runner.run([record])[0].get()[0]
            let batched = try result.get()[0]
            #expect(batched.shape == [10])
            for (a, b) in zip(alone.floatValues, batched.floatValues) { #expect(abs(a - b) < 1e-5) }
        }
    }
}
