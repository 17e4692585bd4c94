import Testing

@testable import HTTPFrontend
@testable import Serving

/// KServe and TF Serving request rules that keep a hostile body from trapping or allocating in proportion to a
/// number it declares: each is a 400 whose message names the input, the value and the limit.
@Suite struct HostileRequestTests {
    private func kserve(_ input: String) -> String? {
        do {
            guard case .array(let inputs)? = try JSONValue.parse(Array(#"{"inputs": ["#.utf8) + Array(input.utf8) + Array("]}".utf8))["inputs"]
            else { return "no inputs" }
            _ = try KServeBatch(inputs: inputs, model: nil)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        (#"[9223372036854775807, 2]"#, "overflows"),
        (#"[4294967296, 4294967296, 8]"#, "overflows"),
        (#"[1e300]"#, "overflows"),
        (#"[-1, 2]"#, "negative dimension (-1)"),
        (#"[1, 1.5]"#, "must be a list of integers"),
        (#""1,2""#, "must be a list of integers"),
        (#"[0, 2]"#, "has no rows"),
        (#"[70000, 1]"#, "more than the limit of \(Predictor.maxInstances)"),
        (#"[1, 3]"#, "needs 3 values, data holds 2 values"),
    ])
    func kserveShapesThatCannotHoldTheDataAreRefused(shape: String, fragment: String) {
        let error = kserve(#"{"name": "x", "shape": "# + shape + #", "datatype": "FP32", "data": [1, 2]}"#)
        #expect(error?.contains(fragment) == true && error?.contains("'x'") == true, "\(shape): \(error ?? "accepted")")
    }

    @Test func kserveDatatypesAndValuesAreChecked() {
        let foo = kserve(#"{"name": "x", "shape": [2], "datatype": "FOO", "data": [1, 2]}"#)
        #expect(foo?.contains("datatype 'FOO' is not a KServe v2 datatype") == true)
        let strings = kserve(#"{"name": "x", "shape": [2], "datatype": "FP32", "data": ["a", "b"]}"#)
        #expect(strings?.contains("needs numbers") == true)
        let bytes = kserve(#"{"name": "x", "shape": [2], "datatype": "BYTES", "data": [1, 2]}"#)
        #expect(bytes?.contains("needs 2 strings, data holds 0 strings") == true)
        let infinite = kserve(#"{"name": "x", "shape": [3], "datatype": "FP32", "data": [1, 1e400, 2]}"#)
        #expect(infinite?.contains("input 'x': element 1 is inf, not a finite FP32 number") == true)
        let beyondFloat = kserve(#"{"name": "x", "shape": [1], "datatype": "FP64", "data": [1e300]}"#)
        #expect(beyondFloat?.contains("element 0 is inf") == true)
        #expect(kserve(#"{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}"#) == nil)
    }

    @Test func onlyThePredictRouteLetsNonFiniteNumbersThrough() throws {
        let image = try JSONValue.parse(Array("[1, 1e400]".utf8))
        #expect(throws: RequestError.self) {
            try InstanceEncoding.entry(uri: "u", inputs: [("x", image)], stream: "s", finiteOnly: true)
        }
        _ = try InstanceEncoding.entry(uri: "u", inputs: [("x", image)], stream: "s", finiteOnly: false)
    }

    @Test func sparseShapesAndIndicesMustBeInt32Integers() throws {
        for (sparse, fragment) in [(#"{"shape": [4294967296, 2], "data": [1], "indices": [[1, 1]]}"#, "beyond int32"),
                                   (#"{"shape": [2, 2], "data": [1], "indices": [[1, 1e300]]}"#, "integer shape and indices"),
                                   (#"{"shape": [1e400], "data": [1], "indices": [[0]]}"#, "integer shape and indices")] {
            do {
                _ = try InstanceEncoding.input("x", try JSONValue.parse(Array(sparse.utf8)))
                Issue.record("accepted \(sparse)")
            } catch {
                #expect("\(error)".contains(fragment) && "\(error)".contains("'x'"), "\(error)")
            }
        }
    }

    @Test func rowsWhoseOutputsDisagreeAreRefusedNotIndexed() throws {
        let batch = try KServeBatch(inputs: [try JSONValue.parse(Array(#"{"name": "x", "shape": [2, 1], "data": [1, 2]}"#.utf8))],
                                    model: nil)
        let results: [ResultValue] = [.tensors([([1], [1]), ([2], [1])]), .tensors([([3], [1])])]
        #expect(throws: RequestError.self) { try batch.outputs(results, names: []) }
    }
}
