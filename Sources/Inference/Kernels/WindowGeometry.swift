/// Where a sliding window (a convolution kernel or a pooling window) sits over a 1-D or 2-D image: the
/// attributes Conv, MaxPool and AveragePool share (kernel, strides, dilations, pads or auto_pad, ceil_mode).
/// 1-D windows are held as 2-D ones of height 1.
struct WindowGeometry: Sendable {
    enum AutoPad: String, Sendable { case notSet = "NOTSET", sameUpper = "SAME_UPPER", sameLower = "SAME_LOWER", valid = "VALID" }

    var kernel: (h: Int, w: Int)
    var stride: (h: Int, w: Int)
    var dilation: (h: Int, w: Int)
    /// Explicit pads: top, left, bottom, right (used when autoPad is notSet).
    var pads: (top: Int, left: Int, bottom: Int, right: Int)
    var autoPad: AutoPad
    var ceilMode: Bool

    /// The output extent and the padding actually applied, for one input extent.
    struct Placement: Sendable {
        var outputH: Int, outputW: Int
        var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    }

    /// Reads the attributes; `spatialRank` is 1 or 2; `kernelShape` comes from the weights when the node has none.
    init(node: Node, spatialRank: Int, kernelShape: [Int]?) throws(OpError) {
        guard spatialRank == 1 || spatialRank == 2 else {
            throw OpError("only 1-D and 2-D windows are supported, got \(spatialRank) spatial dimensions")
        }
        func pair(_ values: [Int]?, _ name: String, default value: Int) throws(OpError) -> (Int, Int) {
            guard let values else { return (value, value) }
            guard values.count == spatialRank else {
                throw OpError("\(name) has \(values.count) values for \(spatialRank) spatial dimensions")
            }
            return spatialRank == 1 ? (1, values[0]) : (values[0], values[1])
        }
        guard let kernelValues = try node.ints("kernel_shape") ?? kernelShape else {
            throw OpError("kernel_shape is missing")
        }
        let kernel = try pair(kernelValues, "kernel_shape", default: 1)
        if spatialRank == 1 { self.kernel = (1, kernel.1) } else { self.kernel = kernel }
        stride = try pair(node.ints("strides"), "strides", default: 1)
        dilation = try pair(node.ints("dilations"), "dilations", default: 1)
        let padValues = try node.ints("pads") ?? [Int](repeating: 0, count: 2 * spatialRank)
        guard padValues.count == 2 * spatialRank, padValues.allSatisfy({ $0 >= 0 }) else {
            throw OpError("pads \(padValues) should be \(2 * spatialRank) non-negative values")
        }
        pads = spatialRank == 1 ? (0, padValues[0], 0, padValues[1])
                                : (padValues[0], padValues[1], padValues[2], padValues[3])
        let autoPadName = try node.string("auto_pad", default: "NOTSET")
        guard let autoPad = AutoPad(rawValue: autoPadName) else { throw OpError("unknown auto_pad \(autoPadName)") }
        self.autoPad = autoPad
        ceilMode = try node.int("ceil_mode", default: 0) != 0
        guard self.kernel.h > 0, self.kernel.w > 0, stride.h > 0, stride.w > 0, dilation.h > 0, dilation.w > 0 else {
            throw OpError("kernel, strides and dilations must be positive")
        }
    }

    func place(height: Int, width: Int) throws(OpError) -> Placement {
        let (oh, top, bottom) = try place(extent: height, kernel: kernel.h, stride: stride.h, dilation: dilation.h,
                                           begin: pads.top, end: pads.bottom)
        let (ow, left, right) = try place(extent: width, kernel: kernel.w, stride: stride.w, dilation: dilation.w,
                                           begin: pads.left, end: pads.right)
        return Placement(outputH: oh, outputW: ow, padTop: top, padLeft: left, padBottom: bottom, padRight: right)
    }

    private func place(extent: Int, kernel: Int, stride: Int, dilation: Int, begin: Int, end: Int)
        throws(OpError) -> (output: Int, begin: Int, end: Int) {
        let span = dilation * (kernel - 1) + 1
        switch autoPad {
        case .sameUpper, .sameLower:
            let output = (extent + stride - 1) / stride
            let total = max(0, (output - 1) * stride + span - extent)
            let head = autoPad == .sameUpper ? total / 2 : total - total / 2
            return (output, head, total - head)
        case .valid:
            guard extent >= span else { throw OpError("window of \(span) is larger than the input (\(extent))") }
            return ((extent - span) / stride + 1, 0, 0)
        case .notSet:
            let padded = extent + begin + end
            guard padded >= span else {
                throw OpError("window of \(span) is larger than the padded input (\(padded))")
            }
            var output = (padded - span) / stride + 1
            if ceilMode && (padded - span) % stride != 0 {
                output += 1
                // The last window must start inside the input or its leading pad.
                if (output - 1) * stride >= extent + begin { output -= 1 }
            }
            return (output, begin, end)
        }
    }
}
