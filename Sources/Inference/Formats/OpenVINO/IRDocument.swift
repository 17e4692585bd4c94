import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One `<port>` of a layer.
struct IRPort: Sendable {
    var id: Int
    /// "FP32", "I64", ...; absent in some hand-written files.
    var precision: String?
    /// The tensor names of an output port (IR 11), first one preferred.
    var names: [String]
    /// The dimensions; nil entries are dynamic (-1, ?, or a range). A port without `<dim>` is a scalar or of
    /// unknown rank: the IR does not tell them apart.
    var dims: [Int?]
}

/// One `<layer>`: an OpenVINO operation with its attributes (`<data>`) and ports.
struct IRLayer: Sendable {
    var id: Int
    var name: String
    var type: String
    /// "opset1", "opset8", ...
    var version: String
    var data: [String: String]
    var inputs: [IRPort]
    var outputs: [IRPort]
}

struct IREdge: Sendable {
    var fromLayer: Int
    var fromPort: Int
    var toLayer: Int
    var toPort: Int
}

/// The top-level structure of an IR `.xml`: layers and edges (sub-graph bodies are not read).
struct IRDocument: Sendable {
    var name: String
    var version: Int?
    var versionText: String?
    var layers: [IRLayer]
    var edges: [IREdge]

    /// Parses the XML; a malformed document is an error naming the file and the line.
    static func parse(_ data: Data, file: String) throws -> IRDocument {
        // Foundation's XMLParser traps on a name that is not UTF-8 (libxml2 passes such bytes through).
        if let line = firstNonUTF8Line(data) {
            throw InferenceError.malformedModel(file: file, reason: "line \(line): the XML is not UTF-8 text")
        }
        let parser = XMLParser(data: data)
        let reader = IRDocumentReader()
        parser.delegate = reader
        let parsed = parser.parse()
        if let problem = reader.problem {
            throw InferenceError.malformedModel(file: file, reason: "line \(problem.line): \(problem.message)")
        }
        // A document cut short parses "successfully" but leaves an error behind.
        if !parsed || parser.parserError != nil {
            throw InferenceError.malformedModel(
                file: file, reason: "line \(reader.errorLine ?? parser.lineNumber): the XML is malformed ("
                    + describe(parser.parserError) + ")")
        }
        guard reader.sawNet else {
            throw InferenceError.malformedModel(file: file, reason: "no <net> element: not an OpenVINO IR file")
        }
        return IRDocument(name: reader.netName, version: reader.netVersion.flatMap { Int($0) },
                          versionText: reader.netVersion, layers: reader.layers, edges: reader.edges)
    }

    /// The line holding the first byte sequence that is not UTF-8; nil when there is none.
    static func firstNonUTF8Line(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var line = 1
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): if scalar.count == 1 && scalar.first == 0x0A { line += 1 }
            case .emptyInput: return nil
            case .error: return line
            }
        }
    }

    /// The parser's error in words: its localized description is empty on Linux, so the common libxml2 codes
    /// are spelled out here.
    private static func describe(_ error: Error?) -> String {
        guard let error else { return "unreadable XML" }
        let code = (error as NSError).code
        switch code {
        case 4: return "not an XML document"
        case 5: return "the document ends early or has content after its root element"
        case 76: return "a closing tag does not match the open element"
        default: return "XML parser error \(code)"
        }
    }

    /// "1, 3, 224, 224", "?,3,-1,1..10" or "[1,3]": dimensions with nil for dynamic ones; nil for "..." (unknown
    /// rank). Throws a description of the first bad entry.
    static func parseShape(_ text: String) throws(OpError) -> [Int?]? {
        var body = text.trimmingCharacters(in: .whitespaces)
        if body.hasPrefix("[") && body.hasSuffix("]") { body = String(body.dropFirst().dropLast()) }
        if body == "..." { return nil }
        if body.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        return try body.split(separator: ",", omittingEmptySubsequences: false).map { entry throws(OpError) in
            try parseDimension(entry.trimmingCharacters(in: .whitespaces))
        }
    }

    /// One dimension: a non-negative number, or nil for -1, "?" and ranges such as "1..10".
    static func parseDimension(_ text: String) throws(OpError) -> Int? {
        if text == "-1" || text == "?" || text.contains("..") { return nil }
        guard let value = Int(text), value >= 0 else { throw OpError("'\(text)' is not a dimension") }
        return value
    }

    /// The `names` attribute: names separated by commas, a comma inside a name escaped as "\,".
    static func parseNames(_ text: String) -> [String] {
        var names: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                names.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        names.append(current)
        return names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The XMLParser delegate: keeps the kind of each open element so that only `net/layers/layer/...` and
/// `net/edges/edge` are read (layers inside sub-graph bodies and `rt_info` entries are skipped).
private final class IRDocumentReader: NSObject, XMLParserDelegate {
    struct Problem {
        var line: Int
        var message: String
    }

    /// Where an element sits; anything else is `.other` and so is everything inside it.
    private enum Kind {
        case net, layers, layer, data, inputs, outputs, port, dim, edges, edge, other

        func child(_ element: String) -> Kind {
            switch (self, element) {
            case (.net, "layers"): return .layers
            case (.net, "edges"): return .edges
            case (.layers, "layer"): return .layer
            case (.layer, "data"): return .data
            case (.layer, "input"): return .inputs
            case (.layer, "output"): return .outputs
            case (.inputs, "port"), (.outputs, "port"): return .port
            case (.port, "dim"): return .dim
            case (.edges, "edge"): return .edge
            default: return .other
            }
        }
    }

    var sawNet = false
    var netName = ""
    var netVersion: String?
    var layers: [IRLayer] = []
    var edges: [IREdge] = []
    var problem: Problem?
    /// Where the parser reported its first error (its line number moves on afterwards).
    var errorLine: Int?

    private var open: [Kind] = []
    private var layer: IRLayer?
    private var port: IRPort?
    private var portIsOutput = false
    private var dimText: String?

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let kind = open.last.map { $0.child(element) } ?? (element == "net" ? .net : .other)
        open.append(kind)
        guard problem == nil else { return }
        switch kind {
        case .net:
            sawNet = true
            netName = attributes["name"] ?? ""
            netVersion = attributes["version"]
        case .layer:
            guard let id = attributes["id"].flatMap({ Int($0) }) else {
                return fail(parser, "a <layer> has no numeric id (\(attributes["id"] ?? "none"))")
            }
            guard let type = attributes["type"] else {
                return fail(parser, "layer \(id) has no type")
            }
            layer = IRLayer(id: id, name: attributes["name"] ?? "layer\(id)", type: type,
                            version: attributes["version"] ?? "", data: [:], inputs: [], outputs: [])
        case .data:
            layer?.data = attributes
        case .port:
            guard let id = attributes["id"].flatMap({ Int($0) }) else {
                return fail(parser, "a port of layer '\(layer?.name ?? "?")' has no numeric id")
            }
            portIsOutput = open.dropLast().last == .outputs
            port = IRPort(id: id, precision: attributes["precision"],
                          names: attributes["names"].map(IRDocument.parseNames) ?? [], dims: [])
        case .dim:
            dimText = ""
        case .edge:
            let numbers = ["from-layer", "from-port", "to-layer", "to-port"].map { attributes[$0].flatMap { Int($0) } }
            guard let fromLayer = numbers[0], let fromPort = numbers[1], let toLayer = numbers[2],
                  let toPort = numbers[3] else {
                return fail(parser, "an <edge> lacks numeric from-layer, from-port, to-layer or to-port")
            }
            edges.append(IREdge(fromLayer: fromLayer, fromPort: fromPort, toLayer: toLayer, toPort: toPort))
        case .layers, .inputs, .outputs, .edges, .other:
            break
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if errorLine == nil { errorLine = parser.lineNumber }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if dimText != nil { dimText? += string }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        let kind = open.popLast() ?? .other
        guard problem == nil else { return }
        switch kind {
        case .layer:
            if let finished = layer { layers.append(finished) }
            layer = nil
        case .port:
            if let finished = port {
                if portIsOutput { layer?.outputs.append(finished) } else { layer?.inputs.append(finished) }
            }
            port = nil
        case .dim:
            let text = (dimText ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            dimText = nil
            do {
                port?.dims.append(try IRDocument.parseDimension(text))
            } catch {
                fail(parser, "layer '\(layer?.name ?? "?")': \(error.message)")
            }
        default:
            break
        }
    }

    private func fail(_ parser: XMLParser, _ message: String) {
        guard problem == nil else { return }
        problem = Problem(line: parser.lineNumber, message: message)
        parser.abortParsing()
    }
}
