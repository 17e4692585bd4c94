import Foundation

/// Tensor data kept outside the .onnx file (models over 2 GB, or saved with save_as_external_data): the
/// tensor's external_data entries name a file relative to the model's directory ("location"), and optionally
/// where in it the bytes start ("offset") and how many there are ("length").
struct ONNXExternalData {
    let modelFile: String

    private func malformed(_ reason: String) -> InferenceError {
        InferenceError.malformedModel(file: modelFile, reason: reason)
    }

    /// The `byteCount` bytes of the tensor described by `proto`.
    func read(_ proto: Onnx_TensorProto, byteCount: Int, role: String) throws -> Data {
        var entries: [String: String] = [:]
        for entry in proto.externalData { entries[entry.key] = entry.value }
        guard let location = entries["location"], !location.isEmpty else {
            throw malformed("\(role) is stored in an external file, but its external_data names none ('location')")
        }
        // As in onnx's checker: the data must live beside the model, not anywhere on the machine.
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw malformed("\(role) is stored in '\(location)', which is not a path inside the model's directory")
        }
        let offset = try number(entries["offset"], key: "offset", role: role) ?? 0
        if let length = try number(entries["length"], key: "length", role: role), length != byteCount {
            throw malformed("\(role) has \(length) bytes in '\(location)' (external_data 'length'), "
                            + "but its shape needs \(byteCount)")
        }

        let directory = (modelFile as NSString).deletingLastPathComponent
        let path = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(location)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw malformed("\(role) is stored in the external file '\(location)', which is missing (looked for \(path))")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard offset <= size, byteCount <= size - offset else {
            throw malformed("\(role) needs \(byteCount) bytes at offset \(offset) of the external file "
                            + "'\(location)', which holds only \(size) bytes")
        }
        guard byteCount > 0 else { return Data() }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: byteCount) ?? Data()
            guard data.count == byteCount else {
                throw malformed("\(role): the external file '\(location)' ended after \(data.count) of the "
                                + "\(byteCount) bytes the tensor needs")
            }
            return data
        } catch let error as InferenceError {
            throw error
        } catch {
            throw malformed("\(role): cannot read the external file '\(location)': \(error.localizedDescription)")
        }
    }

    private func number(_ text: String?, key: String, role: String) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw malformed("\(role) has external_data '\(key)' = '\(text)', which is not a byte count")
        }
        return value
    }
}
