import ArrowIPC
import Foundation
import Inference
import ServingConfig
import Testing

@testable import Serving

/// The rules that keep a hostile record from stopping the job: each is refused with a message naming what is wrong
/// (and the limit), never a trap.
@Suite struct HostileInputTests {
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func parseError(_ text: String) -> String? { message { _ = try JSONValue.parse(Array(text.utf8)) } }

    @Test func anElementCountThatOverflowsOrADimensionBelowZeroIsRefused() throws {
        #expect(try TensorShape.elementCount([3, 8, 8]) == 192 && TensorShape.elementCount([]) == 1)
        #expect(message { _ = try TensorShape.elementCount([Int.max, 2]) }?.contains("overflows") == true)
        #expect(message { _ = try TensorShape.elementCount([1 << 32, 1 << 32]) }?.contains("overflows") == true)
        #expect(message { _ = try TensorShape.elementCount([1, -8]) }?.contains("negative dimension (-8)") == true)
    }

    @Test func deepNestingIsRefusedAtTheLimit() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parseError(deep)?.contains("nested deeper than \(JSONValue.maxDepth) levels") == true)
        let atLimit = String(repeating: "[", count: JSONValue.maxDepth + 1) + String(repeating: "]", count: JSONValue.maxDepth + 1)
        #expect(parseError(atLimit) == nil)
    }

    @Test func nanAndInfinityLiteralsAreNotJSON() {
        for literal in ["NaN", "-Infinity", "Infinity", "nan", "[1, inf]", "{\"a\": -nan}", "+Inf"] {
            #expect(parseError(literal)?.contains("NaN and Infinity are not JSON numbers") == true, "\(literal)")
        }
        #expect(parseError("null") == nil && parseError("[-1e3, 0.5]") == nil)
    }

    @Test func numbersBeyondADoubleReadAsInfinityAndLongOnesAreRefusedByLength() throws {
        #expect(try JSONValue.parse(Array("1e400".utf8)) == .number(.infinity))
        #expect(try JSONValue.parse(Array(String(repeating: "9", count: 400).utf8)) == .number(.infinity))
        #expect(try JSONValue.parse(Array("-1e400".utf8)) == .number(-.infinity))
        guard case .number(let zero) = try JSONValue.parse(Array("-0".utf8)) else { Issue.record("not a number"); return }
        #expect(zero == 0 && zero.sign == .minus)
        let long = String(repeating: "1", count: 5000)
        #expect(parseError(long)?.contains("a number of 5000 characters is longer than the limit of 1024") == true)
    }

    @Test func stringsMustBeUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(message { _ = try JSONValue.parse(bytes) }?.contains("not valid UTF-8") == true)
        #expect(parseError(#"{"a":"h\u00e9llo"}"#) == nil)
    }

    @Test func aLoneHighSurrogateIsReplacementCharacterAndTheNextEscapeStandsAlone() throws {
        #expect(try JSONValue.parse(Array(#""\uD800\u0000""#.utf8)) == .string("\u{FFFD}\u{0}"))
        #expect(try JSONValue.parse(Array(#""\uD800\uFFFF""#.utf8)) == .string("\u{FFFD}\u{FFFF}"))
        #expect(try JSONValue.parse(Array(#""\uD800x""#.utf8)) == .string("\u{FFFD}x"))
        #expect(try JSONValue.parse(Array(#""\uD83D\uDE00""#.utf8)) == .string("\u{1F600}"))
    }

    @Test func integerTensorsHoldExactIntegersOnly() throws {
        let value = try JSONValue.parse(Array("[[1, 2], [3, -4]]".utf8))
        #expect(value.integerTensor?.values == [1, 2, 3, -4] && value.integerTensor?.shape == [2, 2])
        for text in ["[1.5]", "[1e300]", "[true]", "[\"1\"]", "[1e400]"] {
            #expect(try JSONValue.parse(Array(text.utf8)).integerTensor == nil, "\(text)")
        }
    }

    @Test func aRaggedArrayWhoseFirstElementsClaimAnOverflowingShapeIsNotATensor() throws {
        // The first sibling at each of 7 levels holds 1000 items, the others are numbers: 1000^7 claimed values.
        var value = JSONValue.array(Array(repeating: .number(0), count: 1000))
        for _ in 0..<6 { value = .array([value] + Array(repeating: .number(0), count: 999)) }
        #expect(value.numericTensor == nil && value.integerTensor == nil)
    }

    @Test func nestedGivesValuesFlatWhenTheShapeDoesNotHoldThem() {
        #expect(JSONValue.nested([1, 2, 3], shape: [2, 2]) == .numbers([1, 2, 3]))
        #expect(JSONValue.nested([1, 2, 3], shape: [Int.max, 2]) == .numbers([1, 2, 3]))
        #expect(JSONValue.nested([1, 2, 3, 4], shape: [2, 2]) == .array([.numbers([1, 2]), .numbers([3, 4])]))
        #expect(JSONValue.nested([], shape: [0, 1 << 62, 4]) == .array([]))
    }

    @Test func sparseInputsWithHugeOrNonIntegerShapesAreRefused() {
        for (sparse, fragment) in [(#"{"shape": [1e400], "data": [1], "indices": [[0]]}"#, "must hold integers"),
                                   (#"{"shape": [3, 8], "data": [1], "indices": [[0, 1e300]]}"#, "must hold integers"),
                                   (#"{"shape": [4294967296, 4294967296, 8], "data": [1], "indices": [[1, 1, 1]]}"#,
                                    "limit of \(TensorShape.maxDenseElements) elements")] {
            let body = #"{"instances": [{"s": "# + sparse + "}]}"
            let error = message {
                guard case .sparse(let indices, let values, let shape) = try JSONInputDecoder.decode(Array(body.utf8)).values[0]
                else { return }
                _ = try RecordPreparer.densify("s", indices: indices, values: values, shape: shape)
            }
            #expect(error?.contains(fragment) == true, "\(sparse): \(error ?? "accepted")")
        }
    }

    @Test func anArrowSparseIndexShapeThatOverflowsIsRefused() throws {
        for indicesShape in [[1 << 30, 1 << 30], [-3, -1], [3, 2]] {
            let payload = try ArrowClientInputEncoding.encode([("s", .sparseTensor(
                indices: [0, 0, 0], indicesShape: indicesShape, values: [1], shape: [3, 8, 8]))])
            let error = message { _ = try ArrowInputDecoder.decode(base64: Array(Data(payload).base64EncodedString().utf8)) }
            #expect(error?.contains("indiceShape \(indicesShape)") == true, "\(indicesShape): \(error ?? "accepted")")
        }
    }

    @Test func valuesAnIntegerInputCannotHoldAreRefusedByName() throws {
        let declared = ValueInfo(name: "user", elementType: .int64, shape: nil)
        #expect(try RecordPreparer.integers([2.4, -2.6, 7], Int64.self, "u", declared) == [2, -3, 7])
        let nan = message { _ = try RecordPreparer.integers([1, .nan], Int64.self, "u", declared) }
        #expect(nan?.contains("input 'u': element 1 is nan") == true)
        let big = message { _ = try RecordPreparer.integers([1e10], Int32.self, "u", declared) }
        #expect(big?.contains("cannot hold") == true && big?.contains("\(Int32.max)") == true)
        #expect(message { _ = try RecordPreparer.integers([.infinity], Int64.self, "u", declared) } != nil)
    }

    @Test func aTensorShapeThatOverflowsFailsTheRecordNotTheJob() throws {
        let model = try Model(path: Repo.digitsModel)
        let config = ServingConfiguration(file: NSTemporaryDirectory() + "config.yaml", modelPath: Repo.digitsDirectory)
        let preparer = RecordPreparer(model: model, config: config)
        for (shape, fragment) in [([Int.max, 2], "overflows"), ([2147483647, 2147483647, 2147483647], "overflows"),
                                  ([3, 8, 7], "needs 168"), ([3, 8, 8, 0], "needs 0")] {
            let record = RecordInputs(names: ["image"], values: [.tensor(values: Array(repeating: 1, count: 192), shape: shape)])
            let error = message { _ = try preparer.tensors(for: record) }
            #expect(error?.contains(fragment) == true, "\(shape): \(error ?? "accepted")")
        }
    }
}
