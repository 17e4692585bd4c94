import ArgumentParser
import Inference

/// `cluster-serving inspect`: what a model takes and gives, and the operators it uses.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's inputs, outputs and operator counts."
    )

    @OptionGroup var selection: ModelSelection

    func run() throws {
        let metadata = try CommandLineModel.load(selection, threads: 1).metadata
        print("model: \(metadata.file)")
        print("format: \(metadata.format)")
        print("inputs:")
        for input in metadata.inputs { print("  " + describe(input, layout: metadata.layout(of: input))) }
        print("outputs:")
        for output in metadata.outputs { print("  " + describe(output, layout: nil)) }
        print("operators (\(metadata.operatorCounts.values.reduce(0, +)) nodes):")
        for (op, count) in metadata.operatorCounts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            print("  \(op): \(count)")
        }
        let optimized = metadata.optimizedOperatorCounts
        print("after optimisation (\(optimized.values.reduce(0, +)) nodes): "
              + optimized.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) })
                  .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }

    private func describe(_ value: ValueInfo, layout: String?) -> String {
        let shape = value.shape.map { "[" + $0.map(\.description).joined(separator: ", ") + "]" } ?? "unknown shape"
        return "\(value.name): \(value.elementType) \(shape)" + (layout.map { " \($0)" } ?? "")
    }
}
