import Inference
import ServingConfig
import Testing

@testable import Serving

@Suite struct ResultEncoderTests {
    @Test func javaFloatTextMatchesJavasFloatToString() {
        let cases: [(Float, String)] = [
            (0.83, "0.83"), (1, "1.0"), (0.0001, "1.0E-4"), (-2.5, "-2.5"), (0, "0.0"), (0.001, "0.001"),
            (12_345_678, "1.2345678E7"), (1_000_000, "1000000.0"), (0.1306194, "0.1306194"), (100, "100.0"),
            (1.5e-5, "1.5E-5"), (Float.nan, "NaN"),
        ]
        for (value, text) in cases { #expect(ResultEncoder.javaFloatText(value) == text, "\(value)") }
    }

    @Test func topNListsTheLargestValuesFirstWithTheirIndices() throws {
        let encoder = ResultEncoder(postProcessing: .topN(2))
        let text = try encoder.encode([Tensor(floats: [0.1, 0.7, 0.05, 0.15], shape: [4])])
        #expect(String(decoding: text, as: UTF8.self) == "[[1,0.7],[3,0.15]]")
    }

    @Test func topNLargerThanTheOutputListsEveryValue() throws {
        let text = ResultEncoder.topN([0.25, 0.75], 5)
        #expect(text == "[[1,0.75],[0,0.25]]")
    }

    @Test func pickTopNGivesTheFirstRowsOfATwoDimensionalOutput() throws {
        let output = Tensor(floats: [1, 2, 3, 4, 5, 6], shape: [3, 2])
        #expect(try ResultEncoder.pickTopN(output, 2) == "[[1.0,2.0],[3.0,4.0]]")
        let squeezable = Tensor(floats: [1, 2, 3, 4], shape: [1, 2, 2])
        #expect(try ResultEncoder.pickTopN(squeezable, 1) == "[[1.0,2.0]]")
    }

    @Test func pickTopNRefusesAOneDimensionalOutput() {
        #expect(throws: RecordError.self) { try ResultEncoder.pickTopN(Tensor(floats: [1, 2], shape: [2]), 1) }
    }
}

@Suite struct JSONInputTests {
    @Test func objectMembersKeepTheirDocumentOrder() throws {
        let value = try JSONValue.parse(Array(#"{"z": 1, "a": [1, 2], "m": "x"}"#.utf8))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["z", "a", "m"])
    }

    @Test func streamSerdeRecordGivesTensorsInOrder() throws {
        let body = #"{"instances": [{"b": [[1, 2, 3], [4, 5, 6]], "a": 7}, {"ignored": 1}]}"#
        let inputs = try JSONInputDecoder.decode(Array(body.utf8))
        #expect(inputs.names == ["b", "a"])
        guard case .tensor(let values, let shape) = inputs.values[0] else { Issue.record("not a tensor"); return }
        #expect(values == [1, 2, 3, 4, 5, 6] && shape == [2, 3])
        guard case .tensor(let scalar, let scalarShape) = inputs.values[1] else { Issue.record("not a tensor"); return }
        #expect(scalar == [7] && scalarShape == [1])
    }

    @Test func raggedArraysAreRefusedWithTheInputsName() {
        let body = #"{"instances": [{"ids": [[1, 2], [3]]}]}"#
        #expect(throws: RecordError.self) { try JSONInputDecoder.decode(Array(body.utf8)) }
        do { _ = try JSONInputDecoder.decode(Array(body.utf8)) } catch { #expect(error.description.contains("'ids'")) }
    }

    @Test func missingInstancesIsNamed() {
        do {
            _ = try JSONInputDecoder.decode(Array(#"{"instance": []}"#.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("instances"))
        }
    }

    @Test func sparseObjectsTakeOneIndexRowPerValue() throws {
        let body = #"{"instances": [{"s": {"shape": [2, 3], "data": [5, 6], "indices": [[0, 1], [1, 2]]}}]}"#
        let inputs = try JSONInputDecoder.decode(Array(body.utf8))
        guard case .sparse(let indices, let values, let shape) = inputs.values[0] else { Issue.record("not sparse"); return }
        #expect(indices == [[0, 1], [1, 2]] && values == [5, 6] && shape == [2, 3])
        let (dense, _) = try RecordPreparer.densify("s", indices: indices, values: values, shape: shape)
        #expect(dense == [0, 5, 0, 0, 0, 6])
    }

    @Test func invalidJSONNamesTheByte() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(#"{"a": [1, 2}"#.utf8)) }
    }
}
