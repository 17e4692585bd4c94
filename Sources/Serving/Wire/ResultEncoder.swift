import ArrowIPC
import Foundation
import Inference
import ServingConfig

/// Turns a record's outputs into the `value` of its result hash (spec 3.5): base64 Arrow IPC by default, or the
/// text of the configured post-processing filter.
struct ResultEncoder: Sendable {
    let postProcessing: PostProcessing?

    func encode(_ outputs: [Tensor]) throws(RecordError) -> [UInt8] {
        guard let postProcessing else {
            let arrow = ArrowResultEncoding.encode(outputs: outputs.map { (values: $0.floatValues, shape: $0.shape) })
            return Array(Data(arrow).base64EncodedString().utf8)
        }
        // Several outputs: their texts one after the other, as the original.
        var text = ""
        for output in outputs {
            switch postProcessing {
            case .topN(let n): text += Self.topN(output.floatValues, n)
            case .pickTopN(let n): text += try Self.pickTopN(output, n)
            }
        }
        return Array(text.utf8)
    }

    /// `[[index,value],...]`: the n largest values of the flattened output, largest first (ties: lower index first).
    static func topN(_ values: [Float], _ n: Int) -> String {
        let top = values.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
            .prefix(n)
        return "[" + top.map { "[\($0.offset),\(javaFloatText($0.element))]" }.joined(separator: ",") + "]"
    }

    /// `[[v,v,...],...]`: the first n rows of a 2-D output (a 3-D one with a leading or middle 1 is squeezed).
    static func pickTopN(_ output: Tensor, _ n: Int) throws(RecordError) -> String {
        var shape = output.shape
        if shape.count == 3, let one = shape.firstIndex(of: 1) { shape.remove(at: one) }
        guard shape.count == 2 else {
            throw RecordError("pickTopN needs a 2-D output, the model gave shape \(output.shape)")
        }
        let values = output.floatValues
        let rows = (0..<min(n, shape[0])).map { row in
            "[" + values[(row * shape[1])..<((row + 1) * shape[1])].map(javaFloatText).joined(separator: ",") + "]"
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    /// Java's `Float.toString`, which the original's filter text used: `0.83`, `1.0`, `1.0E-4`, `1.2345678E7`.
    /// Plain decimal for 1e-3 <= |x| < 1e7, else computerized scientific notation; always a digit after the point.
    static func javaFloatText(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        // Swift prints the shortest digits that read back as the same float; take them apart.
        let (digits, exponent) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e7 {
            // Decimal point after `exponent + 1` digits.
            let point = exponent + 1
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
            if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
            let i = digits.index(digits.startIndex, offsetBy: point)
            return sign + digits[..<i] + "." + digits[i...]
        }
        let head = digits.prefix(1)
        let tail = digits.count > 1 ? String(digits.dropFirst()) : "0"
        return sign + head + "." + tail + "E" + String(exponent)
    }

    /// The significant digits (no leading or trailing zeros) and the decimal exponent of the first one.
    private static func shortestDigits(_ value: Float) -> (String, Int) {
        let text = "\(value)".lowercased()  // "0.83", "1e-04", "12345.0", "1.2345678e+07"
        let parts = text.split(separator: "e", maxSplits: 1)
        var exponent = parts.count == 2 ? Int(parts[1].replacingOccurrences(of: "+", with: ""))! : 0
        let mantissa = parts[0]
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = whole + fraction
        exponent += whole.count - 1
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return (digits, exponent)
    }
}
