/// The name a model reader gives a node or value it creates: `base` when free, else `base_1`, `base_2`, ...;
/// the name returned is added to `taken`.
func uniqueName(_ base: String, in taken: inout Set<String>) -> String {
    var candidate = base
    var suffix = 1
    while taken.contains(candidate) {
        candidate = "\(base)_\(suffix)"
        suffix += 1
    }
    taken.insert(candidate)
    return candidate
}
