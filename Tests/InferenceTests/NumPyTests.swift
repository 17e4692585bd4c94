import Foundation
import Testing
@testable import Inference

/// .npy files as numpy 2.4 writes them (np.save into a buffer, base64), so the reader is checked against the
/// real writer rather than against our own idea of the format.
private enum NumpyWrote {
    static let float32x2x3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA="
    static let int64Scalar7 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAAAAAAAA=="
    static let bool4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAEB"
    static let int32x2x1 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDEpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAA/v///w=="
    // [[1.5, -2.25], [3.0, 1e-3]] as float64
    static let float64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAALAAAAAAAAACED8qfHSTWJQPw=="
    // [1.0, -0.5, 65504, 6e-8 (a subnormal)] as float16
    static let float16 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPAC4/3sBAA=="
    static let int8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAAH8="
    static let uint8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAyP8="
    static let int16 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAgAUA/38="
    static let uint16 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPHUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAP//"
    static let uint32 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/////AQAAAA=="
    // [3, 2**63 + 5] as uint64
    static let uint64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAAUAAAAAAACA"
    static let emptyFloat0x3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo="
    // np.arange(6).reshape(2, 3) as float32, written with format versions 2.0 and 3.0
    static let version2 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA="
    static let version3 = "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA="
    static let bigEndian = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAQAAAAA=="
    static let fortran = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA="
    /// np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    static let fortranFloat64x2x3x4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAChAAAAAAAAAEEAAAAAAAAAwQAAAAAAAACBAAAAAAAAANEAAAAAAAADwPwAAAAAAACpAAAAAAAAAFEAAAAAAAAAxQAAAAAAAACJAAAAAAAAANUAAAAAAAAAAQAAAAAAAACxAAAAAAAAAGEAAAAAAAAAyQAAAAAAAACRAAAAAAAAANkAAAAAAAAAIQAAAAAAAAC5AAAAAAAAAHEAAAAAAAAAzQAAAAAAAACZAAAAAAAAAN0A="
    /// np.arange(6, dtype=np.int32).reshape(2, 3).T: a transposed array, which numpy saves in Fortran order.
    static let transposedInt32x3x2 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAQAAAAIAAAADAAAABAAAAAUAAAA="
    static let object = "k05VTVBZAQB2AHsnZGVzY3InOiAnfE8nLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqABJWRAAAAAAAAAIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwOFlGgDjAVkdHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlChLAYwBYZROZXSUYi4="
    static let structured = "k05VTVBZAQB2AHsnZGVzY3InOiBbKCdhJywgJzxpNCcpLCAoJ2InLCAnPGY0JyldLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMSwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAQA=="
    static let complex64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGM4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AAAAQA=="

    static func data(_ base64: String) -> Data { Data(base64Encoded: base64) ?? Data() }
    static func tensor(_ base64: String) throws -> Tensor { try NumPy.read(data: data(base64), name: "test.npy") }
}

@Suite struct NumPyTests {
    @Test func readsFloat32AsNumpyWroteIt() throws {
        let tensor = try NumpyWrote.tensor(NumpyWrote.float32x2x3)
        #expect(tensor.elementType == .float32)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.floatArray == [0, 1, 2, 3, 4, 5])
    }

    @Test func readsFormatVersions2And3() throws {
        let two = try NumpyWrote.tensor(NumpyWrote.version2)
        #expect(two.shape == [2, 3])
        #expect(two.floatArray == [0, 1, 2, 3, 4, 5])
        let three = try NumpyWrote.tensor(NumpyWrote.version3)
        #expect(three.shape == [3, 2])
        #expect(three.floatArray == [0, 1, 2, 3, 4, 5])
    }

    @Test func readsScalarsEmptyArraysAndBools() throws {
        let scalar = try NumpyWrote.tensor(NumpyWrote.int64Scalar7)
        #expect(scalar.elementType == .int64)
        #expect(scalar.shape == [])
        #expect(scalar.int64Array == [7])
        let empty = try NumpyWrote.tensor(NumpyWrote.emptyFloat0x3)
        #expect(empty.shape == [0, 3])
        #expect(empty.count == 0)
        let bools = try NumpyWrote.tensor(NumpyWrote.bool4)
        #expect(bools.elementType == .bool)
        #expect(bools.integerValues == [1, 0, 1, 1])
    }

    @Test func convertsOtherDtypesToEngineTypes() throws {
        let double = try NumpyWrote.tensor(NumpyWrote.float64)
        #expect(double.elementType == .float32)
        #expect(double.floatArray == [1.5, -2.25, 3.0, Float(1e-3)])

        let half = try NumpyWrote.tensor(NumpyWrote.float16)
        #expect(half.elementType == .float32)
        #expect(half.floatArray == [1.0, -0.5, 65504, 5.9604645e-08])

        let small: [(String, [Int])] = [
            (NumpyWrote.int8, [-128, 0, 127]), (NumpyWrote.uint8, [0, 200, 255]),
            (NumpyWrote.int16, [-32768, 5, 32767]), (NumpyWrote.uint16, [0, 65535]),
            (NumpyWrote.int32x2x1, [1, -2]),
        ]
        for (file, expected) in small {
            let tensor = try NumpyWrote.tensor(file)
            #expect(tensor.elementType == .int32)
            #expect(tensor.integerValues == expected)
        }

        let uint32 = try NumpyWrote.tensor(NumpyWrote.uint32)
        #expect(uint32.elementType == .int64)
        #expect(uint32.int64Array == [4_294_967_295, 1])
        // Beyond Int64.max a uint64 cannot be held; it is clamped rather than wrapped to a negative number.
        let uint64 = try NumpyWrote.tensor(NumpyWrote.uint64)
        #expect(uint64.int64Array == [3, Int64.max])
    }

    @Test func readsTheFixturesInputs() throws {
        let file = Fixtures.root.appendingPathComponent("models/tiny_cnn_bn/inputs/input.npy").path
        let tensor = try NumPy.read(file)
        #expect(tensor.elementType == .float32)
        #expect(tensor.shape.count == 4)
        #expect(tensor.shape.dropFirst() == [3, 16, 16])
        #expect(tensor.floatArray.allSatisfy { $0.isFinite })
    }

    @Test func encodesExactlyAsNumpyDoes() {
        #expect(NumPy.encode(Tensor(floats: [0, 1, 2, 3, 4, 5], shape: [2, 3])) == NumpyWrote.data(NumpyWrote.float32x2x3))
        #expect(NumPy.encode(Tensor(int64s: [7], shape: [])) == NumpyWrote.data(NumpyWrote.int64Scalar7))
        #expect(NumPy.encode(Tensor(bools: [true, false, true, true], shape: [4])) == NumpyWrote.data(NumpyWrote.bool4))
        #expect(NumPy.encode(Tensor(int32s: [1, -2], shape: [2, 1])) == NumpyWrote.data(NumpyWrote.int32x2x1))
    }

    @Test func roundTripsEveryElementTypeThroughAFile() throws {
        let directory = try ScratchDirectory()
        let tensors = [
            Tensor(floats: [1.25, -0, .infinity, -Float.leastNonzeroMagnitude], shape: [2, 1, 2]),
            Tensor(int64s: [Int64.min, 0, Int64.max], shape: [3]),
            Tensor(int32s: [Int32.min, 42], shape: [1, 2]),
            Tensor(bools: [false, true], shape: [2]),
            Tensor(floats: [], shape: [4, 0]),
            Tensor.scalar(0.5),
        ]
        for (index, tensor) in tensors.enumerated() {
            let path = directory.path("t\(index).npy")
            try NumPy.write(tensor, to: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let dataStart = data.count - tensor.byteCount
            #expect(dataStart % 64 == 0, "data of \(tensor.shape) \(tensor.elementType) starts at \(dataStart)")
            let back = try NumPy.read(path)
            #expect(back.elementType == tensor.elementType)
            #expect(back.shape == tensor.shape)
            #expect(Data(bytes: back.storage.bytes, count: back.byteCount)
                    == Data(bytes: tensor.storage.bytes, count: tensor.byteCount))
        }
    }

    @Test func readsFortranOrderAsNumpyLoadGivesIt() throws {
        // fortran holds [[0, 1, 2], [3, 4, 5]] stored column by column.
        let matrix = try NumpyWrote.tensor(NumpyWrote.fortran)
        #expect(matrix.shape == [2, 3])
        #expect(Array(UnsafeBufferPointer(start: matrix.floats, count: 6)) == [0, 1, 2, 3, 4, 5])

        let cube = try NumpyWrote.tensor(NumpyWrote.fortranFloat64x2x3x4)
        #expect(cube.shape == [2, 3, 4])
        #expect(Array(UnsafeBufferPointer(start: cube.floats, count: 24)) == (0..<24).map(Float.init))

        // np.load gives [[0, 3], [1, 4], [2, 5]]; int32 is widened to the engine's int32.
        let transposed = try NumpyWrote.tensor(NumpyWrote.transposedInt32x3x2)
        #expect(transposed.shape == [3, 2])
        #expect(transposed.elementType == .int32)
        let values = transposed.storage.bytes.assumingMemoryBound(to: Int32.self)
        #expect(Array(UnsafeBufferPointer(start: values, count: 6)) == [0, 3, 1, 4, 2, 5])
    }

    @Test func refusesBigEndianObjectStructuredAndComplexData() {
        let refusals: [(String, String)] = [
            (NumpyWrote.bigEndian, "big-endian dtype '>f4'"),
            (NumpyWrote.object, "dtype '|O'"),
            (NumpyWrote.structured, "structured dtype"),
            (NumpyWrote.complex64, "dtype '<c8'"),
        ]
        for (file, expected) in refusals {
            #expect {
                _ = try NumpyWrote.tensor(file)
            } throws: { error in
                guard case NumPyError.unsupported(let name, _) = error else { return false }
                let message = String(describing: error)
                return name == "test.npy" && message.contains("test.npy") && message.contains(expected)
            }
        }
    }

    @Test func refusesDataShorterThanTheShape() {
        let data = NumpyWrote.data(NumpyWrote.float32x2x3).dropLast(3)
        #expect {
            _ = try NumPy.read(data: Data(data), name: "short.npy")
        } throws: { error in
            guard case NumPyError.malformed(let name, let reason) = error else { return false }
            return name == "short.npy" && reason.contains("21 bytes") && reason.contains("needs 24")
        }
    }

    @Test func refusesFilesThatAreNotNpy() throws {
        let notNpy: [Data] = [
            Data(), Data("hello, world".utf8), Data([0x93] + Array("NUMPY".utf8) + [9, 0, 0, 0]),
            NumpyWrote.data(NumpyWrote.float32x2x3).prefix(40),
            Data([0x93] + Array("NUMPY".utf8) + [1, 0, 12, 0] + Array("{'descr': 3}".utf8)),
        ]
        for data in notNpy {
            #expect(throws: NumPyError.self) { _ = try NumPy.read(data: data, name: "bad.npy") }
        }
        #expect {
            _ = try NumPy.read("/nonexistent/x.npy")
        } throws: { error in
            guard case NumPyError.cannotRead(let file, _) = error else { return false }
            return file == "/nonexistent/x.npy"
        }
    }

    @Test func neverCrashesOnDamagedHeaders() {
        var generator = FuzzRandom(seed: 7)
        let original = NumpyWrote.data(NumpyWrote.float32x2x3)
        for _ in 0..<2000 {
            var damaged = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[index] = UInt8.random(in: 0...255, using: &generator)
            }
            // Either outcome is fine; what matters is that a damaged file never brings the process down.
            _ = try? NumPy.read(data: damaged, name: "damaged.npy")
        }
        for length in 0..<original.count {
            _ = try? NumPy.read(data: original.prefix(length), name: "prefix.npy")
        }
    }
}
