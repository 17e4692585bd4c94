/// Graph rewrites at load time, in order:
/// 1. constant folding (nodes whose inputs are all constants are run once and become initializers),
/// 2. no-op removal (Identity, inference Dropout),
/// 3. transpose sinking: the layout Transposes of channels-last graphs cancel,
/// 4. BatchNormalization and constant bias Adds folded into the preceding convolution's weights and bias,
/// 5. epilogue fusion: a residual Add into a convolution, a bias Add into a MatMul, then activations into
///    Conv/Gemm/MatMul.
/// Each rewrite keeps the graph's outputs and their names.
enum GraphOptimizer {
    static func optimize(_ graph: Graph) throws -> Graph {
        var editor = GraphEditor(graph)
        try ConstantFolding.run(&editor)
        NoOpRemoval.run(&editor)
        TransposeSinking.run(&editor)
        ConvolutionFolding.run(&editor)
        EpilogueFusion.run(&editor)
        return editor.finish()
    }
}

/// A graph being rewritten: nodes can be removed or changed in place; lookups of who reads a value and of
/// constants are kept current.
struct GraphEditor {
    private(set) var graph: Graph
    private var removed: Set<Int> = []
    private var readers: [String: [Int]] = [:]
    let graphOutputs: Set<String>
    private var nameCounter = 0

    init(_ graph: Graph) {
        self.graph = graph
        self.graphOutputs = Set(graph.outputs.map(\.name))
        rebuildReaders()
    }

    var nodeIndices: [Int] { graph.nodes.indices.filter { !removed.contains($0) } }

    func node(_ index: Int) -> Node { graph.nodes[index] }

    mutating func update(_ index: Int, _ change: (inout Node) -> Void) {
        change(&graph.nodes[index])
        rebuildReaders()
    }

    mutating func remove(_ index: Int) {
        removed.insert(index)
        rebuildReaders()
    }

    /// Live nodes reading `value`.
    func readers(of value: String) -> [Int] { readers[value] ?? [] }

    /// The single live node reading `value`, when it has exactly one reader and is not a graph output.
    func soleReader(of value: String) -> Int? {
        let list = readers(of: value)
        guard list.count == 1, !graphOutputs.contains(value) else { return nil }
        // A node reading the value twice (x * x) is not a chain.
        guard graph.nodes[list[0]].inputs.filter({ $0 == value }).count == 1 else { return nil }
        return list[0]
    }

    /// The node producing `value`, if any.
    func producer(of value: String) -> Int? {
        nodeIndices.first { graph.nodes[$0].outputs.contains(value) }
    }

    func constant(_ name: String) -> Tensor? { name.isEmpty ? nil : graph.initializers[name] }

    /// Adds a node (the program orders nodes by their inputs, not by their place in the list).
    mutating func append(_ node: Node) {
        graph.nodes.append(node)
        rebuildReaders()
    }

    /// A value or node name derived from `base` that the graph does not use yet.
    mutating func freshName(base: String) -> String {
        var name: String
        repeat {
            nameCounter += 1
            name = "\(base)#\(nameCounter)"
        } while graph.initializers[name] != nil || graph.nodes.contains { $0.outputs.contains(name) || $0.name == name }
        return name
    }

    /// Adds a constant under a fresh name derived from `base`.
    mutating func addConstant(_ tensor: Tensor, base: String) -> String {
        var name: String
        repeat {
            nameCounter += 1
            name = "\(base)#\(nameCounter)"
        } while graph.initializers[name] != nil
        graph.initializers[name] = tensor
        return name
    }

    mutating func setConstant(_ name: String, _ tensor: Tensor) { graph.initializers[name] = tensor }

    /// Makes every reader of `old` read `new` instead (when `old` is removed from the graph).
    mutating func replaceUses(of old: String, with new: String) {
        for index in readers(of: old) {
            graph.nodes[index].inputs = graph.nodes[index].inputs.map { $0 == old ? new : $0 }
        }
        rebuildReaders()
    }

    private mutating func rebuildReaders() {
        readers = [:]
        for index in graph.nodes.indices where !removed.contains(index) {
            for input in Set(graph.nodes[index].inputs) where !input.isEmpty { readers[input, default: []].append(index) }
        }
    }

    /// The rewritten graph, without removed nodes and without constants nothing reads any more.
    func finish() -> Graph {
        var result = graph
        result.nodes = nodeIndices.map { graph.nodes[$0] }
        let read = Set(result.nodes.flatMap(\.inputs)).union(graphOutputs)
        result.initializers = graph.initializers.filter { read.contains($0.key) }
        return result
    }
}
