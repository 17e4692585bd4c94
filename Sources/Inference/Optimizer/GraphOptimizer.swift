/// Graph rewrites at load time. Filled in step by step: constant folding, BatchNorm folding, activation fusion.
enum GraphOptimizer {
    static func optimize(_ graph: Graph) throws -> Graph { graph }
}
