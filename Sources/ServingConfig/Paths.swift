/// Lexical path handling: no symlink resolution, so what the user wrote stays recognisable in messages.
enum Paths {
    /// `path` made absolute against `base` (itself absolute), with `.`, `..` and repeated slashes removed.
    static func absolute(_ path: String, against base: String) -> String {
        normalize(path.hasPrefix("/") ? path : base + "/" + path)
    }

    static func directory(of file: String) -> String {
        var parts = normalize(file).split(separator: "/")
        if !parts.isEmpty { parts.removeLast() }
        return "/" + parts.joined(separator: "/")
    }

    static func join(_ directory: String, _ name: String) -> String {
        normalize(directory + "/" + name)
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
