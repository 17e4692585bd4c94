import ArgumentParser
import Foundation
import Inference

/// `cluster-serving predict`: one batch through a model, from and to NumPy files.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run one batch (the first dimension of the .npy inputs) and write the outputs as .npy."
    )

    @OptionGroup var selection: ModelSelection

    @Option(name: .customLong("input"),
            help: "An input .npy; `name=file.npy` for a named input. Unnamed files fill the inputs in order.")
    var inputs: [String]

    @Option(help: "Where to write the first output (.npy).")
    var output: String?

    @Option(name: .customLong("output-dir"), help: "Write every output as <output-name>.npy into this directory.")
    var outputDirectory: String?

    @Option(help: "Threads for the run.")
    var threads: Int = 1

    func validate() throws {
        guard output != nil || outputDirectory != nil else {
            throw ValidationError("give --output <file.npy> or --output-dir <directory>")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let loaded = try CommandLineModel.load(selection, threads: threads)
        let tensors = try assignInputs(to: loaded.metadata.inputs)
        let results = try loaded.run(tensors)
        if let output {
            try NumPy.write(results[0], to: output)
        }
        if let outputDirectory {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            for (info, tensor) in zip(loaded.metadata.outputs, results) {
                let name = info.name.map { $0.isLetter || $0.isNumber || "_.-".contains($0) ? $0 : "_" }
                try NumPy.write(tensor, to: (outputDirectory as NSString).appendingPathComponent(String(name) + ".npy"))
            }
        }
    }

    /// Named files go to their input; the others fill the remaining inputs in the model's order.
    private func assignInputs(to declared: [ValueInfo]) throws -> [Tensor] {
        var byName: [String: String] = [:]
        var positional: [String] = []
        for argument in inputs {
            // `name=file.npy` names an input; a path that merely contains "=" stays a path.
            if let equals = argument.firstIndex(of: "="),
               declared.contains(where: { $0.name == argument[..<equals] }) {
                byName[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
            } else {
                positional.append(argument)
            }
        }
        var remaining = positional.makeIterator()
        return try declared.map { info in
            guard let path = byName[info.name] ?? remaining.next() else {
                throw ValidationError("no file for input '\(info.name)' (give --input \(info.name)=file.npy)")
            }
            return try CommandLineModel.convert(NumPy.read(path), to: info, file: path)
        }
    }
}

/// Which model a model subcommand loads: the path, and what config.yaml's `modelType` and `modelSignature` say.
struct ModelSelection: ParsableArguments {
    @Option(help: "A model directory (one model: ONNX, OpenVINO IR, TensorFlow, Caffe or BigDL) or a model file.")
    var model: String

    @Option(name: .customLong("model-type"),
            help: ArgumentHelp("The format, instead of detection by file name (config modelType: ONNX, OpenVINO, "
                + "tf.frozenModel, tf.savedModel, Caffe, BigDL)."))
    var modelType: String?

    @Option(help: "The signature of a TensorFlow SavedModel (config modelSignature). Default serving_default.")
    var signature: String?
}

/// Loading and input conversion shared by the model subcommands.
enum CommandLineModel {
    static func load(_ selection: ModelSelection, threads: Int, copies: Int = 1) throws -> Model {
        do {
            return try Model(path: selection.model, type: ModelType.configured(selection.modelType),
                             loadOptions: ModelLoadOptions(signature: selection.signature),
                             options: ModelOptions(threads: threads, copies: copies))
        } catch let error as InferenceError {
            throw ValidationError(error.description)
        }
    }

    /// Widens integer files to what the model takes (int32 → int64, integers → float32); refuses lossy ones.
    static func convert(_ tensor: Tensor, to input: ValueInfo, file: String) throws -> Tensor {
        if tensor.elementType == input.elementType { return tensor }
        switch (tensor.elementType, input.elementType) {
        case (.int32, .int64), (.bool, .int64):
            return Tensor(int64s: tensor.integerValues.map(Int64.init), shape: tensor.shape)
        case (.int32, .float32), (.int64, .float32), (.bool, .float32):
            return Tensor(floats: tensor.floatValues, shape: tensor.shape)
        default:
            throw ValidationError("input '\(input.name)' takes \(input.elementType) but \(file) holds \(tensor.elementType)")
        }
    }
}
